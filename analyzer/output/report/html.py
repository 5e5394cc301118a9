"""Self-contained HTML reports of a score run and of a comparison.

A report is one UTF-8 page with inline CSS and inline SVG: no script, no external
resource, and a Content-Security-Policy that forbids both, so a report can be
opened, mailed and archived safely even when a source document contained markup.
Every piece of document text, file name, heading and error message goes through
:func:`html.escape`. The pages draw the result tables; apart from choosing and
sorting rows they compute nothing.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ...aggregate.evidence import EVIDENCE_PER_CLUSTER, rank
from ...schemas import ALL_DOCS
from ..io import atomic_write
from . import svg

if TYPE_CHECKING:  # pragma: no cover
    from ...api import CompareResult, ScoreResult

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
TENSION_P = 0.05
OPEN_DETAILS_UP_TO = 3  # documents; larger batches start collapsed

CSS = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d1d1f;
       max-width: 1180px; margin: 0 auto; padding: 1.2rem 1.5rem 4rem; background: #fff; }
h1 { font-size: 1.6rem; margin: .2rem 0 .6rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .6rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
h4 { font-size: .95rem; margin: .9rem 0 .3rem; }
table { border-collapse: collapse; margin: .4rem 0 1rem; font-size: .88rem; }
th, td { border-bottom: 1px solid #e4e4e4; padding: .25rem .55rem; text-align: left; vertical-align: top; }
th { background: #f4f5f7; font-weight: 600; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.wrap { overflow-x: auto; }
dl.run { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; font-size: .9rem; }
dl.run dt { color: #555; } dl.run dd { margin: 0; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: .6rem; font-size: .8rem; font-weight: 600; }
.st-ok { background: #e3f4e8; color: #17622f; }
.st-warning { background: #fff2d6; color: #7a4d00; }
.st-error, .st-duplicate, .st-no_text, .st-broken_font { background: #fde2e1; color: #8d1a14; }
tr.unscored td { background: #fff8f7; }
.reason { color: #8d1a14; }
details.doc { border: 1px solid #ddd; border-radius: 6px; margin: .8rem 0; padding: .3rem .9rem; }
details.doc > summary { cursor: pointer; font-weight: 600; padding: .3rem 0; }
details.doc[open] > summary { border-bottom: 1px solid #eee; margin-bottom: .5rem; }
svg.chart { max-width: 100%; height: auto; display: block; margin: .4rem 0 1rem; }
mark { background: #ffe58a; padding: 0 .1em; border-radius: 2px; }
mark.neg { background: #eee; text-decoration: line-through; }
ol.evidence { margin: .2rem 0 .6rem; padding-left: 1.4rem; }
ol.evidence li { margin: .2rem 0; }
.page { color: #666; font-size: .8rem; white-space: nowrap; }
.muted { color: #666; }
.flags li { margin: .1rem 0; }
p.summary { font-size: 1.02rem; background: #f6f8fb; border-left: 4px solid #0072B2; padding: .5rem .8rem; }
.sig { font-weight: 600; }
.more-a { color: #b34700; } .more-b { color: #005a8c; }
"""


def _e(value: Any) -> str:
    """Escape any value for HTML text or a quoted attribute; None and NaN become ''."""
    return html.escape(_s(value), quote=True)


def _s(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def _int(value: Any) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return 0


def _float(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return out


def _pct(value: Any, decimals: int = 1) -> str:
    v = _float(value)
    return "" if v != v else f"{v * 100:.{decimals}f}%"


def _pp(value: Any) -> str:
    v = _float(value)
    return "" if v != v else f"{v * 100:+.1f}".replace("-", "−")


def _p(value: Any) -> str:
    v = _float(value)
    if v != v:
        return ""
    return "&lt;0.001" if v < 0.001 else f"{v:.3f}"


def _page(title: str, body: Iterable[str]) -> str:
    return "".join([
        "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n",
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n',
        '<meta name="referrer" content="no-referrer">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        *body,
        "\n</body>\n</html>\n",
    ])


def _write(path: str | Path, text: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text)
    return path


def _table(headers: list[tuple[str, str]], rows: Iterable[str], *, empty: str = "none") -> str:
    """headers: (label, css class); rows: ready '<tr>…</tr>' strings."""
    body = "".join(rows)
    if not body:
        return f'<p class="muted">{_e(empty)}</p>'
    head = "".join(f'<th class="{cls}">{_e(label)}</th>' if cls else f"<th>{_e(label)}</th>"
                   for label, cls in headers)
    return f'<div class="wrap"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _td(value: str, cls: str = "") -> str:
    """value must already be escaped."""
    return f'<td class="{cls}">{value}</td>' if cls else f"<td>{value}</td>"


def choose_method(methods: Iterable[Any]) -> str:
    """'both' when present, else lexicon, else classifier, else whatever is there."""
    present = [m for m in dict.fromkeys(methods) if _s(m)]
    for m in ("both", "lexicon", "classifier"):
        if m in present:
            return m
    return present[0] if present else "lexicon"


def highlight(text: str, spans: Iterable[tuple[int, int, bool]]) -> str:
    """Escape text and wrap the [start, end) spans in <mark> (negated ones marked as such).

    Overlapping spans are merged; spans outside the text are clipped or dropped.
    """
    n = len(text)
    clean = sorted((max(0, s), min(n, e), neg) for s, e, neg in spans if min(n, e) > max(0, s))
    merged: list[list[Any]] = []
    for s, e, neg in clean:
        if merged and s < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
            merged[-1][2] = merged[-1][2] and neg
        else:
            merged.append([s, e, neg])
    out, pos = [], 0
    for s, e, neg in merged:
        out.append(html.escape(text[pos:s]))
        cls = ' class="neg" title="negated"' if neg else ""
        out.append(f"<mark{cls}>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _spans(matches: pd.DataFrame) -> list[tuple[int, int, bool]]:
    """[start, end) offsets of the rows of a matches table that have them (term hits)."""
    if matches.empty:
        return []
    lex = matches[pd.to_numeric(matches["start"], errors="coerce").notna()]
    starts = pd.to_numeric(lex["start"], errors="coerce")
    ends = pd.to_numeric(lex["end"], errors="coerce")
    negated = lex["negated"].astype(str).str.lower().isin(["true", "1"])
    return [(int(s), int(e), bool(g)) for s, e, g in zip(starts, ends, negated, strict=True)
            if s == s and e == e]


def _negated(matches: pd.DataFrame) -> pd.Series:
    return matches["negated"].astype(str).str.lower().isin(["true", "1"])


# --------------------------------------------------------------------------- score report


def write_score_report(result: ScoreResult, path: str | Path) -> Path:
    """Write the HTML report of a scored batch to ``path`` (atomically) and return the path."""
    return _write(path, score_report_html(result))


def score_report_html(result: ScoreResult) -> str:
    """The score report as an HTML string."""
    docs = result.documents
    prof = result.profiles
    method = choose_method(prof["method"]) if not prof.empty else "lexicon"
    groups = dict(result.lexicon.clusters) if result.lexicon is not None else {}
    body = ["<h1>Waardenscan report</h1>\n", _run_block(result.run, method)]
    body.append(_overview(docs, prof, method))
    scored_ids = [d for d in _scored(docs)["doc_id"]]
    if len(scored_ids) > 1 and not prof.empty:
        batch = _cluster_rows(prof, ALL_DOCS, method)
        if not batch.empty:
            body.append("<h2>Batch profile</h2>\n<p class=\"muted\">All scored documents together; "
                        "share = fraction of scored sentences that express the cluster, "
                        "whiskers = 95% Wilson interval.</p>\n")
            body.append(svg.cluster_bars(batch, title=f"Cluster shares, all documents ({method})"))
    if scored_ids:
        body.append(f"<h2>Documents</h2>\n<p class=\"muted\">Method: {_e(method)}. "
                    "Bars show the share of scored sentences per value cluster with 95% Wilson "
                    "intervals; evidence sentences have the matched terms highlighted.</p>\n")
    by_doc = _Indexed(result)
    open_attr = " open" if len(scored_ids) <= OPEN_DETAILS_UP_TO else ""
    for rec in _scored(docs).itertuples(index=False):
        body.append(_document_section(rec, by_doc, method, groups, open_attr))
    return _page("Waardenscan report", body)


class _Indexed:
    """The result tables split per document once (large batches stay linear)."""

    def __init__(self, result: ScoreResult) -> None:
        report = result.report
        frames = report.frames() if report is not None else {}
        self.profiles = _split(result.profiles)
        self.sections = _split(frames.get("sections"))
        self.sentences = _split(frames.get("sentences"))
        self.matches = _split(frames.get("matches"))
        self.summary_only = set(report.summary_only if report is not None else ())
        self.detail_limit = report.detail_limit if report is not None else 0
        self.cooccurrence = _split(result.cooccurrence)
        self.coverage = _split(result.coverage)

    @staticmethod
    def get(table: dict[str, pd.DataFrame], doc_id: str) -> pd.DataFrame:
        return table.get(doc_id, pd.DataFrame())


def _split(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    if frame is None or frame.empty or "doc_id" not in frame.columns:
        return {}
    return {str(k): g for k, g in frame.groupby("doc_id", sort=False)}


def _scored(docs: pd.DataFrame) -> pd.DataFrame:
    if docs.empty:
        return docs
    ok = docs["status"].isin(["ok", "warning"]) & (pd.to_numeric(docs["sentences_scored"], errors="coerce")
                                                    .fillna(0) > 0)
    return docs[ok]


def _run_block(run: dict[str, Any], method: str) -> str:
    lex = run.get("lexicon") or {}
    model = run.get("model") or {}
    items = [
        ("package", f"{run.get('package', 'waardenscan')} {run.get('version', '')}"),
        ("created", run.get("created", "")),
        ("pipeline", run.get("pipeline", "")),
        ("lexicon", f"{lex.get('name', '')} {lex.get('version', '')}".strip() if lex else "—"),
        ("model", model.get("version", "") if model else "none (lexicon only)"),
        ("method", method),
        ("documents", ", ".join(f"{k}: {v}" for k, v in (run.get("documents") or {}).items())),
    ]
    rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in items if _s(v))
    return f'<h2>Run</h2>\n<dl class="run">{rows}</dl>\n'


def _cluster_rows(prof: pd.DataFrame, doc_id: str, method: str) -> pd.DataFrame:
    if prof.empty:
        return prof
    rows = prof[(prof["doc_id"].astype(str) == doc_id) & (prof["level"] == "cluster")]
    chosen = rows[rows["method"] == method]
    if chosen.empty and not rows.empty:
        chosen = rows[rows["method"] == choose_method(rows["method"])]
    return chosen


def _status_badge(status: str) -> str:
    return f'<span class="badge st-{_e(status)}">{_e(status)}</span>'


def _overview(docs: pd.DataFrame, prof: pd.DataFrame, method: str) -> str:
    out = ["<h2>Documents in this batch</h2>\n"]
    if docs.empty:
        return out[0] + '<p class="muted">No documents.</p>\n'
    scored = set(_scored(docs)["doc_id"])
    unscored = len(docs) - len(scored)
    counts = docs["status"].value_counts()
    out.append(f"<p>{len(docs)} document(s): {len(scored)} scored"
               + (f', <strong class="reason">{unscored} not scored</strong> (reason in the table)'
                  if unscored else "")
               + ". " + ", ".join(f"{_e(k)}: {int(v)}" for k, v in counts.items()) + ".</p>\n")
    top = _top_clusters(prof, method)
    headers = [("doc_id", ""), ("title / file", ""), ("pages", "num"), ("sentences scored", "num"),
               ("status", ""), ("text quality", ""), ("error / reason", ""), (f"top clusters ({method})", "")]
    rows = []
    for rec in docs.itertuples(index=False):
        doc_id = _s(rec.doc_id)
        status = _s(rec.status)
        quality = _s(rec.text_quality)
        not_scored = doc_id not in scored
        reason = _s(rec.error)
        dup_of = _s(getattr(rec, "duplicate_of", ""))
        if status == "duplicate" and dup_of and dup_of not in reason:
            reason = (reason + "; " if reason else "") + f"duplicate of {dup_of}"
        if not_scored and not reason:
            reason = "no scorable sentences"
        name = _s(rec.title) or Path(_s(rec.path)).name
        title_cell = (f"{_e(name)}<br><span class=\"muted\">{_e(Path(_s(rec.path)).name)}</span>"
                      if _s(rec.title) else _e(name))
        link = f'<a href="#doc-{_e(doc_id)}">{_e(doc_id)}</a>' if not not_scored else _e(doc_id)
        q_badge = (f'<span class="badge st-{_e(quality)}">{_e(quality)}</span>'
                   if quality and quality != "ok" else _e(quality))
        cells = [
            _td(link), _td(title_cell), _td(str(_int(rec.pages)), "num"),
            _td(str(_int(rec.sentences_scored)), "num"), _td(_status_badge(status)),
            _td(q_badge), _td(f'<span class="reason">{_e(reason)}</span>' if reason else ""),
            _td(_e(top.get(doc_id, "")) if not not_scored else '<span class="reason">not scored</span>'),
        ]
        cls = ' class="unscored"' if not_scored else ""
        rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
    out.append(_table(headers, rows))
    return "".join(out)


def _top_clusters(prof: pd.DataFrame, method: str, n: int = 3) -> dict[str, str]:
    if prof.empty:
        return {}
    rows = prof[(prof["level"] == "cluster") & (prof["method"] == method)
                & (prof["doc_id"].astype(str) != ALL_DOCS)]
    out = {}
    for doc_id, g in rows.groupby("doc_id", sort=False):
        g = g.assign(share=pd.to_numeric(g["share"], errors="coerce")).sort_values(
            "share", ascending=False, kind="mergesort")
        best = [f"{r.name} {_pct(r.share)}" for r in g.head(n).itertuples(index=False) if r.share > 0]
        out[str(doc_id)] = " · ".join(best) if best else "no cluster found"
    return out


def _document_section(rec: Any, idx: _Indexed, method: str, groups: dict[str, str], open_attr: str) -> str:
    doc_id = _s(rec.doc_id)
    name = _s(rec.title) or Path(_s(rec.path)).name
    out = [f'<details class="doc" id="doc-{_e(doc_id)}"{open_attr}><summary>{_e(name)} '
           f'<span class="muted">({_e(doc_id)}, {_int(rec.pages)} p., '
           f"{_int(rec.sentences_scored)} sentences)</span> {_status_badge(_s(rec.status))}</summary>\n"]
    out.append(f'<p class="muted">File: {_e(_s(rec.path))}</p>\n')
    out.append(_flags(rec, idx.get(idx.coverage, doc_id)))
    prof = idx.get(idx.profiles, doc_id)
    chosen = _cluster_rows(prof, doc_id, method) if not prof.empty else prof
    doc_method = _s(chosen["method"].iloc[0]) if not chosen.empty else method
    if not chosen.empty:
        out.append(f"<h3>Value clusters ({_e(doc_method)})</h3>\n")
        out.append(svg.cluster_bars(chosen, title=f"Cluster shares of {name} ({doc_method})"))
    if doc_id in idx.summary_only:
        out.append('<p class="muted">Section trajectory and evidence sentences of this document are in '
                   "sections.csv and matches.csv; to keep memory flat the report shows them for the first "
                   f"{idx.detail_limit} documents of a batch.</p>\n")
        out.append(_tensions(idx.get(idx.cooccurrence, doc_id), doc_method))
        out.append("</details>\n")
        return "".join(out)
    sec = idx.get(idx.sections, doc_id)
    if not sec.empty:
        out.append("<h3>Section trajectory</h3>\n<p class=\"muted\">Rows: sections in document order; "
                   "colour: share of the section's sentences that express the cluster.</p>\n")
        out.append(svg.section_heatmap(sec, groups=groups, title=f"Section trajectory of {name}"))
    out.append(_evidence(idx.get(idx.sentences, doc_id), idx.get(idx.matches, doc_id), chosen, doc_method,
                         list(groups) or list(chosen.get("name", []))))
    out.append(_tensions(idx.get(idx.cooccurrence, doc_id), doc_method))
    out.append("</details>\n")
    return "".join(out)


def _flags(rec: Any, coverage: pd.DataFrame) -> str:
    items = [f"text quality: <strong>{_e(_s(rec.text_quality) or 'unknown')}</strong>"]
    for col, label in (("pages_no_text", "pages without text layer"),
                       ("pages_broken_font", "pages with broken font encoding"),
                       ("pages_low_text", "pages with very little text")):
        n = _int(getattr(rec, col, 0))
        if n:
            items.append(f'<span class="reason">{n} {_e(label)}</span>')
    if _s(rec.error):
        items.append(f'<span class="reason">{_e(rec.error)}</span>')
    if not coverage.empty:
        c = coverage.iloc[0]
        items.append(f"sentences with a lexicon hit: {_int(c['n_with_hit'])} of {_int(c['n_sentences'])} "
                     f"({_pct(c['share_with_hit'])})")
        if _s(c["top_terms"]):
            items.append(f"most frequent terms: {_e(c['top_terms'])}")
    return "<ul class=\"flags\">" + "".join(f"<li>{i}</li>" for i in items) + "</ul>\n"


def _evidence(sentences: pd.DataFrame, matches: pd.DataFrame, chosen: pd.DataFrame, method: str,
              clusters: list[str]) -> str:
    """Up to three sentences per cluster, ranked as everywhere (:func:`aggregate.evidence.rank`)."""
    if sentences.empty or matches.empty:
        return '<h3>Evidence</h3>\n<p class="muted">No matches in this document.</p>\n'
    subset = method if method in set(matches["method"]) else None
    text = sentences.drop_duplicates("sentence_id").set_index("sentence_id")
    order = {sid: i for i, sid in enumerate(text.index)}
    rows = list(zip(matches["sentence_id"], matches["method"], matches["cluster"], _negated(matches),
                    matches["score"], strict=True))
    share = dict(zip(chosen.get("name", []), chosen.get("share", []), strict=False))
    blocks = []
    for cluster in clusters:
        items = []
        for sid, _, _ in rank(rows, cluster, method=subset, order=order)[:EVIDENCE_PER_CLUSTER]:
            if sid not in text.index:
                continue
            row = text.loc[sid]
            sent_matches = matches[(matches["sentence_id"] == sid) & (matches["cluster"] == cluster)]
            marked = highlight(_s(row["text"]), _spans(sent_matches))
            items.append(f'<li><span class="page">p. {_int(row["page"])}</span> {marked}</li>')
        if items:
            head = f"{_e(cluster)} <span class=\"muted\">({_pct(share[cluster])})</span>" if cluster in share \
                else _e(cluster)
            blocks.append(f"<h4>{head}</h4><ol class=\"evidence\">{''.join(items)}</ol>\n")
    if not blocks:
        return '<h3>Evidence</h3>\n<p class="muted">No matches in this document.</p>\n'
    return "<h3>Evidence</h3>\n" + "".join(blocks)


def _tensions(cooc: pd.DataFrame, method: str) -> str:
    """Cluster pairs that share sentences more often than chance (p < 0.05, lift > 1)."""
    title = "<h3>Value tensions</h3>\n<p class=\"muted\">Cluster pairs that meet in the same sentences " \
            "more often than chance (hypergeometric p &lt; 0.05, lift &gt; 1).</p>\n"
    if cooc.empty:
        return title + '<p class="muted">none</p>\n'
    c = cooc[cooc["method"] == (method if method in set(cooc["method"]) else choose_method(cooc["method"]))]
    p = pd.to_numeric(c["p_value"], errors="coerce")
    lift = pd.to_numeric(c["lift"], errors="coerce")
    c = c.assign(p_value=p, lift=lift)[(p < TENSION_P) & (lift > 1)].sort_values(
        ["p_value", "lift"], ascending=[True, False], kind="mergesort")
    headers = [("cluster A", ""), ("cluster B", ""), ("sentences with both", "num"), ("expected", "num"),
               ("lift", "num"), ("p", "num")]
    rows = [f"<tr>{_td(_e(r.cluster_a))}{_td(_e(r.cluster_b))}{_td(str(_int(r.n_both)), 'num')}"
            f"{_td(f'{_float(r.expected):.2f}', 'num')}{_td(f'{_float(r.lift):.2f}', 'num')}"
            f"{_td(_p(r.p_value), 'num')}</tr>" for r in c.itertuples(index=False)]
    return title + _table(headers, rows)


# --------------------------------------------------------------------------- compare report


def write_compare_report(cmp: CompareResult, path: str | Path) -> Path:
    """Write the HTML report of a comparison to ``path`` (atomically) and return the path."""
    return _write(path, compare_report_html(cmp))


def compare_report_html(cmp: CompareResult) -> str:
    """The compare report as an HTML string."""
    comp = cmp.comparison
    method = choose_method(comp["method"]) if not comp.empty else "lexicon"
    a, b = cmp.label_a, cmp.label_b
    body = [f"<h1>Waardenscan comparison: {_e(a)} → {_e(b)}</h1>\n"]
    body.append(_compare_run(cmp, method))
    body.append("<h2>Summary</h2>\n" + "".join(f'<p class="summary">{_e(line)}</p>\n' for line in cmp.summary))
    clusters = comp[(comp["level"] == "cluster") & (comp["method"] == method)] if not comp.empty else comp
    if not clusters.empty:
        body.append(f"<h2>Cluster differences ({_e(method)})</h2>\n<p class=\"muted\">Difference "
                    f"= share in {_e(b)} − share in {_e(a)}, in percentage points, with Newcombe 95% "
                    "intervals; solid bars are significant after Benjamini-Hochberg (q &lt; 0.05).</p>\n")
        body.append(svg.diff_bars(clusters, label_a=a, label_b=b, title=f"Cluster differences {a} vs {b}"))
        body.append(_comparison_table(clusters, a, b))
    values = comp[(comp["level"] == "value") & (comp["method"] == "lexicon")] if not comp.empty else comp
    if not values.empty:
        body.append("<h2>Values (lexicon)</h2>\n")
        body.append(_comparison_table(values, a, b))
    body.append(_drivers(cmp))
    return _page(f"Waardenscan comparison: {a} → {b}", body)


def _compare_run(cmp: CompareResult, method: str) -> str:
    run = cmp.run or {}
    items = [("package", f"{run.get('package', 'waardenscan')} {run.get('version', '')}"),
             ("created", run.get("created", "")), ("method", method)]
    for side, label in (("a", cmp.label_a), ("b", cmp.label_b)):
        res = getattr(cmp, side)
        docs = res.documents
        n = len(_scored(docs)) if docs is not None and not docs.empty else 0
        side_run = res.run or {}
        lex = side_run.get("lexicon") or {}
        info = f"{label}: {n} scored document(s)"
        if side_run.get("pipeline"):
            info += f"; pipeline {side_run['pipeline']}"
        if lex:
            info += f"; lexicon {lex.get('name', '')} {lex.get('version', '')}"
        items.append((side.upper(), info))
    rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in items if _s(v))
    return f'<h2>Run</h2>\n<dl class="run">{rows}</dl>\n'


def _comparison_table(rows: pd.DataFrame, a: str, b: str) -> str:
    with_cluster = bool((rows["level"] == "value").any())
    headers = [("name", ""), *([("cluster", "")] if with_cluster else []), ("group", ""),
               (f"share {a}", "num"), (f"share {b}", "num"), ("diff (pp)", "num"), ("95% CI (pp)", "num"),
               ("p", "num"), ("q", "num"), (f"sentences {a}", "num"), (f"sentences {b}", "num"),
               ("significant", "")]
    out = []
    for r in rows.itertuples(index=False):
        sig = _s(r.significant).lower() == "true"
        cls = "more-b" if _float(r.diff) > 0 else "more-a"
        name = f'<span class="sig {cls}">{_e(r.name)}</span>' if sig else _e(r.name)
        out.append("<tr>" + "".join([
            _td(name), *([_td(_e(r.cluster))] if with_cluster else []), _td(_e(r.group)),
            _td(_pct(r.share_a), "num"), _td(_pct(r.share_b), "num"), _td(_pp(r.diff), "num"),
            _td(f"{_pp(r.ci_low)} … {_pp(r.ci_high)}", "num"), _td(_p(r.p_value), "num"),
            _td(_p(r.q_value), "num"), _td(f"{_int(r.hits_a)} / {_int(r.n_a)}", "num"),
            _td(f"{_int(r.hits_b)} / {_int(r.n_b)}", "num"), _td("yes" if sig else ""),
        ]) + "</tr>")
    return _table(headers, out)


def _drivers(cmp: CompareResult) -> str:
    d = cmp.drivers
    out = ["<h2>Driving sentences</h2>\n<p class=\"muted\">For each significant cluster shift, example "
           "sentences from the side that has more of it.</p>\n"]
    if d is None or d.empty:
        out.append('<p class="muted">No significant cluster shifts, so no driving sentences.</p>\n')
        return "".join(out)
    labels = {"A": cmp.label_a, "B": cmp.label_b}
    headers = [("cluster", ""), ("diff (pp)", "num"), ("side", ""), ("document", ""), ("page", "num"),
               ("terms", ""), ("sentence", "")]
    rows = []
    for r in d.itertuples(index=False):
        side = _s(r.side)
        spans = [(int(a), int(b), bool(n)) for a, b, n in cmp.driver_spans.get((r.sentence_id, r.cluster), [])]
        rows.append("<tr>" + "".join([
            _td(_e(r.cluster)), _td(_pp(r.diff), "num"), _td(_e(f"{side} ({labels.get(side, side)})")),
            _td(_e(r.doc_id)), _td(str(_int(r.page)), "num"), _td(_e(r.terms)),
            _td(highlight(_s(r.text), spans)),
        ]) + "</tr>")
    out.append(_table(headers, rows))
    return "".join(out)
