"""The same batch on a local Dask cluster gives the same tables as a local run."""

from __future__ import annotations

import pytest

from analyzer.api import score
from analyzer.demo import example_paths

from .conftest import DATA

distributed = pytest.importorskip("distributed", reason="Dask is an optional extra: pip install 'waardenscan[dask]'")


def test_dask_local_cluster_matches_local_run(tmp_path):
    paths = [str(p) for p in example_paths().values()]
    common = dict(lexicon=DATA / "toy_lexicon.tsv", model=None, method="lexicon", use_cache=False)
    local = score(paths, jobs=1, **common)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote = score(paths, scheduler=client, **common)
    for name in ("sentences", "matches", "profiles", "sections"):
        a = getattr(local, name).reset_index(drop=True)
        b = getattr(remote, name).reset_index(drop=True)
        assert a.equals(b), name
    assert list(remote.documents["status"]) == ["ok"] * len(paths)
    assert (remote.documents.drop(columns="seconds").equals(local.documents.drop(columns="seconds")))
