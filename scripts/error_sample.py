"""Sample the classifier's errors on the test split for error analysis (issue "Classifier 2.0").

Per cluster, up to ``--per`` false negatives (the annotators gave the cluster, the
classifier did not) and as many false positives, drawn with a fixed seed. Writes a TSV
with the sentence id, document, the cluster, ``fn``/``fp``, the gold and predicted
clusters and the text, for the error annotators to classify (to a workspace outside the
repository: the text of party programmes may not be stored there). ``--ids-only`` writes
the same rows without text, for the repository.

    python scripts/error_sample.py --out /work/annot/errors/sample.tsv [--per 20]
    python scripts/error_sample.py --out /tmp/e.tsv --ids-only --summary models/<version>/errors.md

``--summary`` writes the repository's error table (ids only) with a *structural* kind per
error, decided by rules from the labels and the lexicon, not by reading: ``neighbour`` (the
other side has a cluster of the same group), ``other_cluster`` (it has a cluster of another
group), ``no_value`` (fp: the annotators gave the sentence no value at all) or ``missed``
(fn: the classifier gave the sentence no cluster), each with whether the lexicon found the
cluster in the sentence (``cue``): an fp with a cue and no value is a cue word used without
the value, an fn without a cue is a value expressed implicitly.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.nlp import build_pipeline  # noqa: E402
from analyzer.scoring.classifier.corpus import load_corpus  # noqa: E402
from analyzer.scoring.classifier.model import load_model  # noqa: E402
from analyzer.scoring.classifier.train import label_matrix, to_sentences  # noqa: E402
from analyzer.scoring.lexicon import Matcher  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--per", type=int, default=20)
    ap.add_argument("--seed", type=int, default=20261204)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--ids-only", action="store_true")
    ap.add_argument("--summary", type=Path, help="write the error table with structural kinds (markdown)")
    args = ap.parse_args()

    model = load_model(args.model)
    labels = model.labels
    gold = [g for g in load_corpus(args.corpus) if g.split == "test"]
    sentences = to_sentences(gold, build_pipeline("blank"))
    hits = [Matcher(model.lexicon).match(s) for s in sentences]
    proba = model.predict_proba(sentences, hits)
    pred = np.column_stack([(proba[:, j] >= model.thresholds[c]) for j, c in enumerate(labels)]).astype(int)
    y = label_matrix(gold, labels)
    rng = np.random.default_rng(args.seed)
    cluster_of = {v: cl for v, (_, cl) in model.lexicon.values.items()}
    group_of = {cl: grp for _, (grp, cl) in model.lexicon.values.items()}
    rows = []
    for j, c in enumerate(labels):
        for kind, mask in (("fn", (y[:, j] == 1) & (pred[:, j] == 0)), ("fp", (y[:, j] == 0) & (pred[:, j] == 1))):
            idx = np.flatnonzero(mask)
            for i in sorted(rng.choice(idx, size=min(args.per, len(idx)), replace=False).tolist()):
                g = gold[i]
                other = set(g.clusters) if kind == "fp" else {labels[k] for k in np.flatnonzero(pred[i])}
                other.discard(c)
                same_group = {o for o in other if group_of.get(o) == group_of.get(c)}
                structural = ("neighbour" if same_group else "other_cluster" if other
                              else "no_value" if kind == "fp" else "missed")
                cue = any(cluster_of[h.term.value] == c and not h.negated for h in hits[i])
                rows.append({"sentence_id": g.sentence_id, "doc_key": g.doc_key, "cluster": c, "error": kind,
                             "kind": structural, "cue": "yes" if cue else "no",
                             "gold": "|".join(g.clusters), "predicted": "|".join(labels[k] for k in np.flatnonzero(pred[i])),
                             "probability": f"{proba[i, j]:.3f}", "section": g.section,
                             **({} if args.ids_only else {"text": g.text})})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"{len(rows)} errors -> {args.out}")
    if args.summary:
        write_summary(args, model, rows, labels)
    return 0


def write_summary(args, model, rows, labels) -> None:  # type: ignore[no-untyped-def]
    from collections import Counter

    lines = [f"# Errors of {model.version} on the test split", "",
             f"Command: `python scripts/error_sample.py --out ERRORS.tsv --ids-only --summary "
             f"models/{model.version.replace('waardenscan-clusters-', 'waardenscan-clusters-')}/errors.md`"
             f" (seed {args.seed}, up to {args.per} false negatives and {args.per} false positives per cluster, "
             "drawn at random).", "",
             "Kinds are structural, decided by rules (see the script): *neighbour*: the other side has a "
             "cluster of the same group; *other_cluster*: of another group; *no_value* (fp): the annotators "
             "gave the sentence no value; *missed* (fn): the classifier gave it no cluster. *cue*: the "
             "lexicon finds the cluster in the sentence. Sentence texts are not stored here (party "
             "programmes); the ids lead to them in `corpus/`.", "",
             "## Counts", "", "| cluster | error | n | neighbour | other_cluster | no_value / missed | with cue |",
             "|---|---|---|---|---|---|---|"]
    for c in labels:
        for kind in ("fn", "fp"):
            mine = [r for r in rows if r["cluster"] == c and r["error"] == kind]
            k = Counter(r["kind"] for r in mine)
            lines.append(f"| {c} | {kind} | {len(mine)} | {k['neighbour']} | {k['other_cluster']} | "
                         f"{k['no_value'] + k['missed']} | {sum(r['cue'] == 'yes' for r in mine)} |")
    total = Counter((r["error"], r["kind"]) for r in rows)
    lines += ["", "All clusters: " + ", ".join(f"{e} {k} {n}" for (e, k), n in sorted(total.items())) + "; "
              f"fn without a cue {sum(r['error'] == 'fn' and r['cue'] == 'no' for r in rows)}, "
              f"fp with a cue and no value {sum(r['error'] == 'fp' and r['cue'] == 'yes' and r['kind'] == 'no_value' for r in rows)}.",
              "", "## Every sampled error", "", "| sentence_id | cluster | error | kind | cue | gold | predicted | probability |",
              "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['sentence_id']} | {r['cluster']} | {r['error']} | {r['kind']} | {r['cue']} | "
                     f"{r['gold']} | {r['predicted']} | {r['probability']} |")
    args.summary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"summary -> {args.summary}")


if __name__ == "__main__":
    raise SystemExit(main())
