"""Lemma accuracy of the Dutch pipeline waardenscan runs, on UD Dutch gold lemmas.

    python scripts/lemma_accuracy.py ../shared/models/ud-dutch/UD_Dutch-Alpino/nl_alpino-ud-test.conllu

Tokens are taken from the treebank (gold tokenisation), lemmatised in context by the
pipeline, and compared case-insensitively with the gold lemma. Punctuation and
numbers are excluded (every lemmatiser gets them right). UD marks separable-verb
lemmas and compounds with '_' and '#' (e.g. "aan_bieden"); both are removed before
comparing. Prints overall accuracy and accuracy per UPOS tag.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path


def read_conllu(path: Path) -> list[list[tuple[str, str, str]]]:
    sentences, current = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if current:
                sentences.append(current)
                current = []
            continue
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        if "-" in cols[0] or "." in cols[0]:
            continue
        current.append((cols[1], cols[2], cols[3]))
    if current:
        sentences.append(current)
    return sentences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("conllu", type=Path, nargs="+")
    parser.add_argument("--pipeline", default="auto", choices=["auto", "nl_core_news_md", "blank"])
    args = parser.parse_args()
    from spacy.tokens import Doc

    from analyzer.nlp import build_pipeline, pipeline_name

    nlp = build_pipeline(args.pipeline)
    print(f"pipeline: {pipeline_name(nlp)}")
    for path in args.conllu:
        sentences = read_conllu(path)
        total, correct = Counter(), Counter()
        started = time.perf_counter()
        n_tokens = 0
        for sent in sentences:
            doc = Doc(nlp.vocab, words=[w for w, _, _ in sent])
            for _, proc in nlp.pipeline:
                doc = proc(doc)
            for tok, (_, gold, upos) in zip(doc, sent, strict=True):
                n_tokens += 1
                if upos in ("PUNCT", "NUM", "SYM", "X"):
                    continue
                gold_norm = gold.replace("_", "").replace("#", "").lower()
                total[upos] += 1
                total["ALL"] += 1
                if tok.lemma_.lower() == gold_norm:
                    correct[upos] += 1
                    correct["ALL"] += 1
        seconds = time.perf_counter() - started
        print(f"{path.name}: {len(sentences)} sentences, {n_tokens} tokens, "
              f"lemma accuracy {correct['ALL'] / total['ALL']:.1%} on {total['ALL']} words "
              f"({n_tokens / seconds:,.0f} tokens/s)")
        for upos, n in total.most_common():
            if upos != "ALL" and n >= 200:
                print(f"  {upos:6} {correct[upos] / n:6.1%}  (n={n})")


if __name__ == "__main__":
    main()
