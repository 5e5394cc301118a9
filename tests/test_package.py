"""The installed package (a built wheel, not the source tree) finds its lexicon, model and examples."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_installed_elsewhere_finds_its_data(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(wheels), str(ROOT)], check=True, capture_output=True)
    wheel = next(wheels.glob("waardenscan-*.whl"))
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "WAARDENSCAN_CACHE": str(tmp_path / "cache")}
    probe = ("import analyzer, analyzer.demo, analyzer.scoring.lexicon, analyzer.scoring.classifier.model as m;"
             "print(analyzer.__file__);"
             "print(analyzer.scoring.lexicon.load_lexicon().label());"
             "print(m.default_model_path());"
             "print(sorted(p.name for p in analyzer.demo.example_paths().values()))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    where, lexicon, model, examples = out.stdout.strip().splitlines()
    assert where.startswith(str(target)), "the wheel, not the checkout, must be imported"
    assert lexicon.startswith("waardenkaart-sociaal-domein-")
    assert model.startswith(str(target)) and "waardenscan-clusters" in model
    assert "coalitieakkoord-2021-2025.pdf" in examples
    run = subprocess.run([sys.executable, "-m", "analyzer", "score", str(Path(examples and target) / "analyzer" /
                          "resources" / "examples" / "someren-beleidsregel-bibob-2019.xml"), "-o", "out", "-q"],
                         cwd=elsewhere, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert (elsewhere / "out" / "profiles.csv").exists() and (elsewhere / "out" / "report.html").exists()
