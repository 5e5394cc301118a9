"""What the reports and a comparison draw from a run, collected as documents finish.

The same object is built whether the run streams to disk or stays in memory, so a report
and a comparison's drivers never depend on how the run was executed:

* evidence sentences and matches, and each document's section trajectory binned to the
  heatmap's rows, for the first :data:`REPORT_DETAIL_DOCS` scored documents (their rows are
  all in the CSV files; the report says so for the rest);
* the batch's best sentences per cluster and method (a bounded list, for drivers).
"""

from __future__ import annotations

from typing import Any

from ...aggregate.evidence import EVIDENCE_PER_CLUSTER
from ...schemas import MATCHES, SENTENCES
from ...types import DocSummary
from ..io import header_text, read_table

REPORT_DETAIL_DOCS = 100


class ReportData:
    def __init__(self, *, detail_limit: int = REPORT_DETAIL_DOCS) -> None:
        self.detail_limit = detail_limit
        self.detailed = 0
        self.summary_only: list[str] = []
        self.sentences: list[str] = []
        self.matches: list[str] = []
        self.sections: list[dict[str, Any]] = []
        self.best: dict[str, list[list[Any]]] = {}
        self.method = ""

    def add(self, summary: DocSummary) -> None:
        report = summary.report
        if not report:
            return
        self.method = report.get("method", self.method)
        doc_id = summary.document.doc_id
        position = self.detailed + len(self.summary_only)
        if self.detailed < self.detail_limit:
            self.detailed += 1
            self.sentences.append(summary.rows.get("evidence_sentences", ""))
            self.matches.append(summary.rows.get("evidence_matches", ""))
            self.sections.extend(report.get("sections", []))
        else:
            self.summary_only.append(doc_id)
        for key, candidates in report.get("best", {}).items():
            mine = self.best.setdefault(key, [])
            mine.extend([[-c[1], -c[2], position, *c] for c in candidates])
            mine.sort(key=lambda c: c[:3] + [c[3]])
            del mine[EVIDENCE_PER_CLUSTER:]

    @classmethod
    def from_tables(cls, result: Any) -> ReportData:
        """The report data of a score folder read back (:func:`analyzer.load_result`)."""
        from ...aggregate.evidence import report_view
        from ...types import Label, SentenceRow

        methods = list((result.run or {}).get("methods") or dict.fromkeys(result.profiles.get("method", [])))
        data = cls()
        if not methods:
            return data
        sentences = _groups(result.sentences)
        matches = _groups(result.matches)
        sections = _groups(result.sections)
        for doc in result.documents.itertuples(index=False):
            if doc.doc_id not in sentences:
                continue
            sents = [SentenceRow(*r) for r in sentences[doc.doc_id].itertuples(index=False)]
            written = [Label(*[None if _na(v) else v for v in r]) for r in matches.get(doc.doc_id, _EMPTY).itertuples(index=False)]
            secs = [tuple(r) for r in sections.get(doc.doc_id, _EMPTY).itertuples(index=False)]
            report, keep = report_view(sents, written, secs, methods)
            from ...types import DocSummary, DocumentRow
            from ..io import rows_text

            rows = {"evidence_sentences": rows_text(tuple(getattr(s, c) for c in SENTENCES.names) for s in sents
                                                    if s.sentence_id in keep),
                    "evidence_matches": rows_text(tuple(getattr(lab, c) for c in MATCHES.names) for lab in written
                                                  if lab.sentence_id in keep)}
            data.add(DocSummary(document=DocumentRow(doc_id=doc.doc_id, path=doc.path), report=report, rows=rows))
        return data

    def frames(self) -> dict[str, Any]:
        import pandas as pd

        from ...schemas import SECTIONS

        sections = pd.DataFrame(self.sections, columns=[*SECTIONS.names, "row", "n_sections"])
        return {"sentences": read_table(header_text(SENTENCES) + "".join(self.sentences), SENTENCES, text=True),
                "matches": read_table(header_text(MATCHES) + "".join(self.matches), MATCHES, text=True),
                "sections": sections}

    def best_sentences(self, cluster: str, method: str) -> list[dict[str, Any]]:
        """The batch's best evidence for a cluster by one method (``all``: every method)."""
        keys = ("sentence_id", "n", "score", "doc_id", "page", "terms", "text", "spans")
        return [dict(zip(keys, c[3:], strict=True)) for c in self.best.get(f"{method}|{cluster}", [])]


class _Empty:
    def itertuples(self, index: bool = False) -> list[Any]:
        return []


_EMPTY = _Empty()


def _groups(frame: Any) -> dict[str, Any]:
    if frame is None or frame.empty:
        return {}
    return {str(k): g for k, g in frame.groupby("doc_id", sort=False)}


def _na(value: Any) -> bool:
    import pandas as pd

    return value is None or value is pd.NA or (isinstance(value, float) and value != value)
