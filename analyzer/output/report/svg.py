"""Inline SVG charts as strings: they draw the tables they are given and compute nothing else.

Every function is pure and deterministic (no random ids, no clock, fixed number
formatting), returns one ``<svg>`` element for inline use in an HTML page (no script,
no external font or stylesheet, no ``xmlns`` so the page holds no URL at all) and
escapes every piece of text it draws. Colours follow the order of the groups in the
data (scheme order), not their names: names are data, never literals.

The only arithmetic here is layout, plus :func:`bin_sections`, which merges
consecutive sections of a long document into at most ``max_rows`` rows so the
trajectory heatmap stays readable.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import pandas as pd

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
GROUP_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
MORE_A = "#D55E00"
MORE_B = "#0072B2"
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', sans-serif\""
CHAR_W = 6.6  # average width of a 12px sans-serif character, for layout only
MAX_SECTIONS = 60
HEAT_LOW = (247, 251, 255)
HEAT_HIGH = (8, 48, 107)


def _x(text: object) -> str:
    """XML-escape any value for SVG text or attributes."""
    return escape("" if text is None else str(text), quote=True)


def _f(value: float) -> str:
    """Fixed, short number formatting so output is byte-identical across runs."""
    text = f"{value:.1f}"
    return "0" if text == "-0.0" else text.removesuffix(".0")


def _pct(share: float, decimals: int = 1) -> str:
    return f"{share * 100:.{decimals}f}%"


def truncate(text: object, limit: int) -> str:
    """Shorten text to ``limit`` characters with an ellipsis (before escaping)."""
    s = " ".join(str("" if text is None else text).split())
    return s if len(s) <= limit else s[: max(limit - 1, 1)].rstrip() + "…"


def group_colours(groups: Sequence[str]) -> dict[str, str]:
    """A colour per group, in the order the groups first appear."""
    order = list(dict.fromkeys(groups))
    return {g: GROUP_COLOURS[i % len(GROUP_COLOURS)] for i, g in enumerate(order)}


def _svg(width: float, height: float, body: list[str], *, label: str) -> str:
    return (f'<svg class="chart" viewBox="0 0 {_f(width)} {_f(height)}" width="{_f(width)}" '
            f'height="{_f(height)}" role="img" aria-label="{_x(label)}" {FONT} font-size="12">'
            f"<title>{_x(label)}</title>" + "".join(body) + "</svg>")


def _text(x: float, y: float, text: object, *, anchor: str = "start", extra: str = "") -> str:
    return (f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}"'
            f'{" " + extra if extra else ""}>{_x(text)}</text>')


def _num(value: object, default: float = 0.0) -> float:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return default if out != out else out


def cluster_bars(profile: pd.DataFrame, *, title: str = "") -> str:
    """Horizontal bars of the cluster shares of one document, grouped and coloured by group.

    Args:
        profile: one row per cluster in drawing order, with columns ``name``,
            ``group``, ``share``, ``ci_low`` and ``ci_high`` (proportions 0..1).
        title: accessible name of the chart.
    """
    rows = list(profile[["name", "group", "share", "ci_low", "ci_high"]].itertuples(index=False))
    colours = group_colours([r.group for r in rows])
    bar_h, gap, group_gap, top = 18, 6, 22, 28
    label_w = max([len(str(r.name)) for r in rows] + [8]) * CHAR_W + 16
    plot_w = 420
    left = label_w
    vmax = max([_num(r.ci_high) for r in rows] + [_num(r.share) for r in rows] + [0.05])
    vmax = min(1.0, _nice_max(vmax))
    scale = plot_w / vmax
    body: list[str] = []
    y = top
    current = None
    for r in rows:
        if r.group != current:
            if current is not None:
                y += group_gap - gap
            current = r.group
            body.append(_text(4, y + 10, r.group, extra=f'font-weight="600" fill="{colours[r.group]}"'))
            y += 16
        share, lo, hi = _num(r.share), _num(r.ci_low), _num(r.ci_high)
        w = max(share * scale, 0.0)
        cy = y + bar_h / 2
        tip = f"{r.name}: {_pct(share)} (95% CI {_pct(lo)}–{_pct(hi)})"
        body.append(f'<g><title>{_x(tip)}</title>')
        body.append(_text(left - 8, cy + 4, r.name, anchor="end"))
        body.append(f'<rect x="{_f(left)}" y="{_f(y)}" width="{_f(w)}" height="{bar_h}" '
                    f'fill="{colours[r.group]}"/>')
        x_lo, x_hi = left + lo * scale, left + min(hi, vmax) * scale
        body.append(f'<path d="M{_f(x_lo)} {_f(cy)}H{_f(x_hi)}M{_f(x_lo)} {_f(cy - 5)}V{_f(cy + 5)}'
                    f'M{_f(x_hi)} {_f(cy - 5)}V{_f(cy + 5)}" stroke="#333" stroke-width="1.2" fill="none"/>')
        body.append(_text(max(x_hi, left + w) + 6, cy + 4, _pct(share), extra='fill="#222"'))
        body.append("</g>")
        y += bar_h + gap
    axis_y = y + 4
    body.extend(_axis(left, axis_y, plot_w, vmax))
    width = left + plot_w + 70
    return _svg(width, axis_y + 30, body, label=title or "Cluster shares")


def _nice_max(value: float) -> float:
    for step in (0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 1.0):
        if value <= step:
            return step
    return 1.0


def _axis(left: float, y: float, width: float, vmax: float) -> list[str]:
    out = [f'<path d="M{_f(left)} {_f(y)}H{_f(left + width)}" stroke="#888" fill="none"/>']
    ticks = 5
    for i in range(ticks + 1):
        v = vmax * i / ticks
        x = left + width * i / ticks
        out.append(f'<path d="M{_f(x)} {_f(y)}V{_f(y + 4)}" stroke="#888" fill="none"/>')
        out.append(_text(x, y + 16, _pct(v, 0), anchor="middle", extra='fill="#555" font-size="11"'))
    return out


def _heat(share: float, vmax: float) -> str:
    t = 0.0 if vmax <= 0 else min(max(share / vmax, 0.0), 1.0)
    r, g, b = (round(lo + (hi - lo) * t) for lo, hi in zip(HEAT_LOW, HEAT_HIGH, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def section_heatmap(sections: pd.DataFrame, *, groups: dict[str, str] | None = None, title: str = "",
                    label_chars: int = 34) -> str:
    """Heatmap of sections (rows, document order) by clusters (columns), colour = share.

    Args:
        sections: one document's section trajectory for one method, binned to at most
            the heatmap's rows (:func:`analyzer.aggregate.evidence.bin_sections`: columns
            ``row``, ``section``, ``page``, ``cluster``, ``share``, ``n_sections``).
        groups: cluster -> group, to colour the column headers (optional).
        title: accessible name of the chart.
        label_chars: row labels (section headings) are truncated to this length.
    """
    binned = sections.rename(columns={"section": "label"})
    clusters = list(dict.fromkeys(binned["cluster"]))
    rows = binned.drop_duplicates("row")[["row", "label", "page", "n_sections"]]
    n_merged = int(rows["n_sections"].max()) if not rows.empty else 1
    colours = group_colours(list((groups or {}).values()))
    cell_w, cell_h = 46, 16 if len(rows) > 20 else 20
    label_w = label_chars * CHAR_W + 44
    header_h = 96
    left, top = label_w, header_h
    vmax = float(binned["share"].max()) if not binned.empty else 0.0
    vmax = _nice_max(vmax) if vmax > 0 else 1.0
    body: list[str] = []
    for j, cluster in enumerate(clusters):
        cx = left + j * cell_w + cell_w / 2
        fill = colours.get((groups or {}).get(cluster, ""), "#222")
        body.append(f'<text transform="translate({_f(cx + 4)} {_f(top - 6)}) rotate(-55)" '
                    f'fill="{fill}">{_x(truncate(cluster, 16))}</text>')
    shares = {(r.row, r.cluster): r.share for r in binned.itertuples(index=False)}
    for i, r in enumerate(rows.itertuples(index=False)):
        y = top + i * cell_h
        body.append(_text(left - 8, y + cell_h / 2 + 4, truncate(r.label, label_chars), anchor="end",
                          extra='font-size="11"'))
        body.append(_text(4, y + cell_h / 2 + 4, f"p.{r.page}", extra='font-size="10" fill="#777"'))
        for j, cluster in enumerate(clusters):
            share = shares.get((r.row, cluster), 0.0)
            tip = f"{truncate(r.label, 80)} · {cluster}: {_pct(share)}"
            body.append(f'<rect x="{_f(left + j * cell_w)}" y="{_f(y)}" width="{cell_w - 1}" '
                        f'height="{cell_h - 1}" fill="{_heat(share, vmax)}"><title>{_x(tip)}</title></rect>')
    y = top + len(rows) * cell_h + 14
    body.append(_text(left, y + 10, "share:", extra='font-size="11" fill="#555"'))
    for k in range(6):
        v = vmax * k / 5
        x = left + 44 + k * 50
        body.append(f'<rect x="{_f(x)}" y="{_f(y)}" width="18" height="12" fill="{_heat(v, vmax)}" '
                    'stroke="#bbb" stroke-width="0.5"/>')
        body.append(_text(x + 21, y + 10, _pct(v, 0), extra='font-size="10" fill="#555"'))
    if n_merged > 1:
        body.append(_text(left, y + 30, f"{int(rows['n_sections'].sum())} sections binned into "
                          f"{len(rows)} rows (weighted by sentences)", extra='font-size="10" fill="#555"'))
    width = left + max(len(clusters), 1) * cell_w + 20
    return _svg(max(width, left + 300), y + (40 if n_merged > 1 else 24), body,
                label=title or "Section trajectory")


def diff_bars(comparison: pd.DataFrame, *, label_a: str = "A", label_b: str = "B", title: str = "") -> str:
    """Diverging bars of cluster differences (B - A) in percentage points.

    Args:
        comparison: one row per cluster in drawing order with ``name``, ``group``,
            ``diff``, ``ci_low``, ``ci_high`` (proportions) and ``significant``.
        label_a / label_b: names of the two sides, for the legend.
        title: accessible name of the chart.
    """
    rows = list(comparison[["name", "group", "diff", "ci_low", "ci_high", "significant"]]
                .itertuples(index=False))
    colours = group_colours([r.group for r in rows])
    bar_h, gap, top = 18, 6, 44
    label_w = max([len(str(r.name)) for r in rows] + [8]) * (CHAR_W + 1.0) + 30  # bold labels are wider
    half = 230
    extent = max([abs(_num(v)) for r in rows for v in (r.diff, r.ci_low, r.ci_high)] + [0.02])
    extent = _nice_max(extent)
    scale = half / extent
    zero = label_w + 56 + half  # room left of the axis for the label of a -100 pp bar
    body: list[str] = [
        _text(zero - 6, 16, f"◀ more in {truncate(label_a, 40)}", anchor="end", extra=f'fill="{MORE_A}"'),
        _text(zero + 6, 16, f"more in {truncate(label_b, 40)} ▶", extra=f'fill="{MORE_B}"'),
    ]
    y = top
    for r in rows:
        d, lo, hi = _num(r.diff), _num(r.ci_low), _num(r.ci_high)
        sig = bool(r.significant) if not isinstance(r.significant, str) else r.significant.lower() == "true"
        cy = y + bar_h / 2
        x0, x1 = sorted((zero, zero + d * scale))
        colour = MORE_B if d > 0 else MORE_A
        opacity = "1" if sig else "0.3"
        tip = (f"{r.name}: {d * 100:+.1f} pp (95% CI {lo * 100:+.1f} to {hi * 100:+.1f})"
               f"{', significant' if sig else ', not significant'}")
        body.append(f"<g><title>{_x(tip)}</title>")
        body.append(f'<rect x="{_f(label_w - 16)}" y="{_f(y + 3)}" width="6" height="{bar_h - 6}" '
                    f'fill="{colours[r.group]}"/>')
        body.append(_text(label_w - 22, cy + 4, r.name, anchor="end",
                          extra='font-weight="600"' if sig else 'fill="#555"'))
        body.append(f'<rect x="{_f(x0)}" y="{_f(y)}" width="{_f(x1 - x0)}" height="{bar_h}" '
                    f'fill="{colour}" fill-opacity="{opacity}"/>')
        xl, xh = zero + max(lo, -extent) * scale, zero + min(hi, extent) * scale
        body.append(f'<path d="M{_f(xl)} {_f(cy)}H{_f(xh)}M{_f(xl)} {_f(cy - 5)}V{_f(cy + 5)}'
                    f'M{_f(xh)} {_f(cy - 5)}V{_f(cy + 5)}" stroke="#333" stroke-width="1.2" '
                    f'stroke-opacity="{"1" if sig else "0.5"}" fill="none"/>')
        label = f"{d * 100:+.1f} pp".replace("-", "−")
        if d >= 0:
            body.append(_text(max(xh, x1) + 6, cy + 4, label, extra='font-size="11"'))
        else:
            body.append(_text(min(xl, x0) - 6, cy + 4, label, anchor="end", extra='font-size="11"'))
        body.append("</g>")
        y += bar_h + gap
    body.append(f'<path d="M{_f(zero)} {top - 6}V{_f(y)}" stroke="#222" stroke-width="1.5" fill="none"/>')
    axis_y = y + 4
    body.append(f'<path d="M{_f(zero - half)} {_f(axis_y)}H{_f(zero + half)}" stroke="#888" fill="none"/>')
    for k in range(-4, 5):
        v = extent * k / 4
        x = zero + v * scale
        body.append(f'<path d="M{_f(x)} {_f(axis_y)}V{_f(axis_y + 4)}" stroke="#888" fill="none"/>')
        body.append(_text(x, axis_y + 16, f"{v * 100:+.0f}".replace("-", "−") if k else "0", anchor="middle",
                          extra='font-size="11" fill="#555"'))
    body.append(_text(zero, axis_y + 32, "difference in percentage points (solid = significant)",
                      anchor="middle", extra='font-size="11" fill="#555"'))
    return _svg(zero + half + 70, axis_y + 40, body, label=title or "Cluster differences")
