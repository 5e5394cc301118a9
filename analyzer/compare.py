"""Two profiles -> differences with honest uncertainty, tests and a plain-language summary.

``diff = share_b - share_a`` in proportion units (the summary prints percentage
points). The interval is Newcombe's hybrid score interval for a difference of two
independent proportions (built from the two Wilson intervals), the p-value is
Fisher's exact test on the 2x2 table of sentences, and q-values are
Benjamini-Hochberg adjusted within each level and method. Both are symmetric: swapping
A and B negates ``diff`` and mirrors the interval; the p-value stays the same.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .aggregate.evidence import EVIDENCE_PER_CLUSTER
from .aggregate.stats import wilson
from .schemas import ALL_DOCS, COMPARISON

ALPHA = 0.05


def bh_adjust(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q-values (monotone, capped at 1): ``scipy.stats.false_discovery_control``."""
    from scipy.stats import false_discovery_control

    p = np.asarray(p, dtype=float)
    return false_discovery_control(p, method="bh") if len(p) else p


def newcombe(k_a: np.ndarray, n_a: np.ndarray, k_b: np.ndarray, n_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe (1998) hybrid score interval for p_b - p_a."""
    pa = np.where(n_a > 0, k_a / np.maximum(n_a, 1), 0.0)
    pb = np.where(n_b > 0, k_b / np.maximum(n_b, 1), 0.0)
    la, ua = wilson(k_a, n_a)
    lb, ub = wilson(k_b, n_b)
    d = pb - pa
    low = d - np.sqrt((pb - lb) ** 2 + (ua - pa) ** 2)
    high = d + np.sqrt((ub - pb) ** 2 + (pa - la) ** 2)
    return low, high


def fisher_p(k_a: int, n_a: int, k_b: int, n_b: int) -> float:
    from scipy.stats import fisher_exact

    if n_a == 0 or n_b == 0 or (k_a + k_b == 0) or (k_a + k_b == n_a + n_b):
        return 1.0
    return float(fisher_exact([[k_a, n_a - k_a], [k_b, n_b - k_b]]).pvalue)


def compare_profiles(profile_a: pd.DataFrame, profile_b: pd.DataFrame, *, rates: Any = None,
                     estimator: str | None = None) -> pd.DataFrame:
    """comparison.csv from the batch rows (doc_id ALL) of two profiles tables.

    With ``rates`` (the :class:`~analyzer.scoring.rates.ErrorRates` both sides were scored
    with) the adjusted columns hold the difference of the adjusted shares, its interval and
    p/q values (:func:`analyzer.aggregate.adjust.adjust_diff`); otherwise they are empty."""
    from .aggregate.adjust import DEFAULT, _prior, adjust_diff

    key = ["level", "name", "method"]
    a = profile_a[profile_a["doc_id"] == ALL_DOCS]
    b = profile_b[profile_b["doc_id"] == ALL_DOCS]
    merged = a.merge(b, on=key, suffixes=("_a", "_b"), how="inner", sort=False)
    k_a = merged["n_sentences_a"].to_numpy(dtype=float)
    k_b = merged["n_sentences_b"].to_numpy(dtype=float)
    n_a = merged["n_sentences_total_a"].to_numpy(dtype=float)
    n_b = merged["n_sentences_total_b"].to_numpy(dtype=float)
    low, high = newcombe(k_a, n_a, k_b, n_b)
    out = pd.DataFrame({
        "level": merged["level"], "name": merged["name"], "method": merged["method"],
        "share_a": merged["share_a"], "share_b": merged["share_b"],
        "diff": merged["share_b"] - merged["share_a"], "ci_low": low, "ci_high": high,
        "p_value": [fisher_p(int(x), int(y), int(z), int(w)) for x, y, z, w in zip(k_a, n_a, k_b, n_b, strict=True)],
        "n_a": n_a.astype(int), "n_b": n_b.astype(int), "group": merged["group_a"],
        "cluster": merged["cluster_a"], "hits_a": k_a.astype(int), "hits_b": k_b.astype(int),
    })
    out["q_value"] = 1.0
    for _, idx in out.groupby(["level", "method"]).groups.items():
        out.loc[idx, "q_value"] = bh_adjust(out.loc[idx, "p_value"].to_numpy())
    out["significant"] = out["q_value"] < ALPHA
    est = estimator or DEFAULT
    priors = (rates.meta.get("priors") or {}) if rates is not None else {}
    adj = []
    for r, ka, na, kb, nb in zip(out.itertuples(), k_a, n_a, k_b, n_b, strict=True):
        rate = rates.get(r.method, r.level, r.name) if rates is not None else None
        adj.append(adjust_diff(int(ka), int(na), int(kb), int(nb), rate, prior=_prior(priors, r.level, r.name),
                               estimator=est, key=(r.method, r.level, r.name)))
    out["adj_share_a"] = merged["share_adjusted_a"].to_numpy(dtype=float) if "share_adjusted_a" in merged else np.nan
    out["adj_share_b"] = merged["share_adjusted_b"].to_numpy(dtype=float) if "share_adjusted_b" in merged else np.nan
    out["diff_adjusted"] = [d.diff for d in adj]
    out["adj_diff_ci_low"] = [d.low for d in adj]
    out["adj_diff_ci_high"] = [d.high for d in adj]
    out["adj_p_value"] = [d.p_value for d in adj]
    out["adj_q_value"] = np.nan
    for _, idx in out.groupby(["level", "method"]).groups.items():
        p = out.loc[idx, "adj_p_value"].to_numpy(dtype=float)
        ok = ~np.isnan(p)
        if ok.any():
            q = np.full(len(p), np.nan)
            q[ok] = bh_adjust(p[ok])
            out.loc[idx, "adj_q_value"] = q
    out["adj_significant"] = (out["adj_q_value"] < ALPHA).fillna(False).astype(bool)
    return out[COMPARISON.names].reset_index(drop=True)


def _pp(x: float) -> str:
    return f"{x * 100:+.1f} pp".replace("-", "−")


def summarize(comparison: pd.DataFrame, *, label_a: str = "A", label_b: str = "B",
              method: str | None = None) -> list[str]:
    """Plain-language Dutch summary lines of the cluster shifts and the value transfer."""
    methods = list(dict.fromkeys(comparison["method"]))
    method = method or ("both" if "both" in methods else methods[0])
    c = comparison[(comparison["level"] == "cluster") & (comparison["method"] == method)]
    lines = []
    sig = c[c["significant"]].sort_values("diff")
    less = [f"{r.name} ({_pp(r.diff)})" for r in sig.itertuples() if r.diff < 0]
    more = [f"{r.name} ({_pp(r.diff)})" for r in sig.itertuples() if r.diff > 0][::-1]
    if less or more:
        parts = []
        if less:
            parts.append("minder van " + _join(less))
        if more:
            parts.append("meer van " + _join(more))
        n = len(less) + len(more)
        tail = "dit verschil is significant" if n == 1 else f"deze {n} verschillen zijn significant"
        lines.append(f"{label_b} spreekt {' en '.join(parts)} dan {label_a}; {tail} "
                     f"(Fisher, Benjamini-Hochberg q < {ALPHA}, methode {method}).")
    else:
        lines.append(f"Geen significant verschil in waardenclusters tussen {label_a} en {label_b} "
                     f"(methode {method}, q < {ALPHA}).")
        power = _power_line(c)
        if power:
            lines.append(power)
    if "diff_adjusted" in c.columns and c["diff_adjusted"].notna().any():
        lines.append(_adjusted_line(c))
    trend = c[~c["significant"]].sort_values("diff")
    if not trend.empty and (less or more):
        small = [f"{r.name} ({_pp(r.diff)})" for r in trend.itertuples() if abs(r.diff) >= 0.02]
        if small:
            lines.append("Niet significant (mogelijk toeval): " + _join(small) + ".")
    v = comparison[(comparison["level"] == "value") & (comparison["method"] == "lexicon")]
    if not v.empty:
        top_a = v.sort_values("share_a", ascending=False).head(5)
        # a claim about one value needs the same significance as the main line
        lost = [r for r in top_a.itertuples() if r.share_a > 0 and r.share_b < 0.5 * r.share_a and r.significant]
        added = [r for r in v.itertuples() if r.share_b >= max(2 * r.share_a, 0.01) and r.significant]
        if lost:
            lines.append(f"Lost in translation: van de sterkste waarden van {label_a} draagt {label_b} "
                         + _join([f"{r.name} nauwelijks ({r.share_a:.1%} → {r.share_b:.1%})" for r in lost]) + ".")
        if added:
            lines.append(f"{label_b} voegt toe: " + _join([f"{r.name} ({r.share_a:.1%} → {r.share_b:.1%})" for r in added]) + ".")
    return lines


Z_SUM = 2.8016
"""z(1 - 0.05/2) + z(0.8): a two-sided test at 5% with 80% power."""


def minimum_detectable_difference(p: float, n_a: int, n_b: int) -> float:
    """The difference of two shares around ``p`` that a two-sided test at 5% finds with 80%
    power, for ``n_a`` and ``n_b`` sentences (normal approximation; before the correction
    for testing nine clusters, so a lower bound)."""
    if n_a <= 0 or n_b <= 0:
        return float("nan")
    return Z_SUM * float(np.sqrt(p * (1 - p) * (1 / n_a + 1 / n_b)))


def _power_line(c: pd.DataFrame) -> str:
    """With no significant shift: how large a shift the texts could have shown, and the
    largest shift seen (named as not significant)."""
    if c.empty or not {"n_a", "n_b"} <= set(c.columns):
        return ""
    n_a, n_b = int(c["n_a"].max()), int(c["n_b"].max())
    p = float(((c["share_a"] + c["share_b"]) / 2).mean())
    mdd = minimum_detectable_difference(p, n_a, n_b)
    if np.isnan(mdd):
        return ""
    biggest = c.loc[c["diff"].abs().idxmax()]
    return (f"Te weinig tekst om verschillen kleiner dan ongeveer {mdd * 100:.0f} procentpunt te zien "
            f"({n_a} en {n_b} zinnen, bij een gemiddeld aandeel van {p:.1%}); het grootste verschil, "
            f"{biggest['name']} ({_pp(float(biggest['diff']))}), is niet significant.")


def _adjusted_line(c: pd.DataFrame) -> str:
    """The shifts corrected for the method's measured error rates (docs/outputs.md)."""
    sig = c[c["adj_significant"].astype(bool)].sort_values("diff_adjusted") if "adj_significant" in c else c.iloc[:0]
    if sig.empty:
        return "Gecorrigeerd voor wat de methode mist en ten onrechte vindt, is geen verschil significant."
    parts = [f"{r.name} {_pp(r.diff_adjusted)} [{_pp(r.adj_diff_ci_low)[:-3]}; {_pp(r.adj_diff_ci_high)[:-3]}]"
             for r in sig.itertuples()]
    return ("Gecorrigeerd voor wat de methode mist en ten onrechte vindt (95%-interval): " + _join(parts)
            + f" (q < {ALPHA}).")


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " en " + items[-1]


DRIVER_COLUMNS = ["cluster", "diff", "side", "doc_id", "sentence_id", "page", "terms", "text"]


def driving_sentences(comparison: pd.DataFrame, report_a: Any, report_b: Any, *, method: str = "both",
                      per_cluster: int = EVIDENCE_PER_CLUSTER) -> tuple[pd.DataFrame, dict[Any, Any]]:
    """For each significant cluster shift, the best evidence sentences (the report's ranking,
    :mod:`analyzer.aggregate.evidence`) from the side that has more of the cluster; and the
    term spans of each (sentence_id, cluster), for highlighting."""
    from .scoring.base import method_names, writes_rows

    subset = method if method in method_names() and writes_rows(method) else "all"
    rows = []
    spans: dict[Any, Any] = {}
    c = comparison[(comparison["level"] == "cluster") & (comparison["method"] == method) & comparison["significant"]]
    for r in c.sort_values("diff", kind="mergesort").itertuples():
        side, report = ("B", report_b) if r.diff > 0 else ("A", report_a)
        if report is None:
            continue
        for best in report.best_sentences(r.name, subset)[:per_cluster]:
            rows.append({"cluster": r.name, "diff": r.diff, "side": side, "doc_id": best["doc_id"],
                         "sentence_id": best["sentence_id"], "page": int(best["page"]), "terms": best["terms"],
                         "text": best["text"]})
            spans[(best["sentence_id"], r.name)] = [tuple(s) for s in best["spans"]]
    return pd.DataFrame(rows, columns=DRIVER_COLUMNS), spans
