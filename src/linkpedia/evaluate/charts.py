"""Inline SVG charts for the HTML report: no script, no asset, readable offline.

The two charts a user tuning the threshold needs: precision, recall and F1
over the threshold (with the best F1 marked), and the reliability diagram
(share of correct links per score bin against the diagonal of a perfectly
calibrated score).
"""

from __future__ import annotations

from html import escape
from typing import Sequence

from .sweep import Bin, Point

__all__ = ["curve_svg", "reliability_svg"]

W, H = 420, 300
LEFT, RIGHT, TOP, BOTTOM = 46, 14, 14, 44
SERIES = (("precision", "#3366cc", ""), ("recall", "#d9822b", "6 3"), ("f1", "#1a7f37", ""))


def _x(v: float) -> float:
    return LEFT + v * (W - LEFT - RIGHT)


def _y(v: float) -> float:
    return H - BOTTOM - v * (H - TOP - BOTTOM)


def _frame(label_x: str, label_y: str, title: str) -> list[str]:
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
           f'role="img" aria-label="{escape(title)}" font-family="system-ui,sans-serif" font-size="11">',
           f"<title>{escape(title)}</title>",
           f'<rect x="{LEFT}" y="{TOP}" width="{W - LEFT - RIGHT}" height="{H - TOP - BOTTOM}" '
           'fill="#fff" stroke="#999"/>']
    for i in range(0, 11, 2):
        v = i / 10
        out.append(f'<line x1="{_x(v):.1f}" y1="{_y(0):.1f}" x2="{_x(v):.1f}" y2="{_y(1):.1f}" stroke="#eee"/>')
        out.append(f'<line x1="{_x(0):.1f}" y1="{_y(v):.1f}" x2="{_x(1):.1f}" y2="{_y(v):.1f}" stroke="#eee"/>')
        out.append(f'<text x="{_x(v):.1f}" y="{H - BOTTOM + 14}" text-anchor="middle">{v:.1f}</text>')
        out.append(f'<text x="{LEFT - 5}" y="{_y(v) + 4:.1f}" text-anchor="end">{v:.1f}</text>')
    out.append(f'<text x="{_x(.5):.1f}" y="{H - 6}" text-anchor="middle">{escape(label_x)}</text>')
    out.append(f'<text x="12" y="{_y(.5):.1f}" text-anchor="middle" '
               f'transform="rotate(-90 12 {_y(.5):.1f})">{escape(label_y)}</text>')
    return out


def curve_svg(points: Sequence[Point], best: Point, name: str) -> str:
    """Precision, recall and F1 (InKB, strong) against the threshold; a dashed line at the best F1."""
    out = _frame("threshold", "score", f"{name}: precision, recall and F1 by threshold")
    bx = _x(best.threshold)
    out.append(f'<line x1="{bx:.1f}" y1="{_y(0):.1f}" x2="{bx:.1f}" y2="{_y(1):.1f}" stroke="#888" '
               'stroke-dasharray="3 3"/>')
    for attr, colour, dash in SERIES:
        path = " ".join(f"{_x(p.threshold):.1f},{_y(getattr(p, attr)):.1f}" for p in points)
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<polyline class="lp-{attr}" points="{path}" fill="none" stroke="{colour}" '
                   f'stroke-width="2"{dashed}/>')
    for p in points:
        out.append(f'<circle cx="{_x(p.threshold):.1f}" cy="{_y(p.f1):.1f}" r="2.5" fill="#1a7f37">'
                   f"<title>threshold {p.threshold:.2f}: P {p.precision:.3f}, R {p.recall:.3f}, "
                   f"F1 {p.f1:.3f}, {p.links} links</title></circle>")
    legend_y = TOP + 14
    for i, (attr, colour, dash) in enumerate(SERIES):
        x = _x(1) - 150 + i * 50
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{x:.1f}" y1="{legend_y}" x2="{x + 14:.1f}" y2="{legend_y}" stroke="{colour}" '
                   f'stroke-width="2"{dashed}/><text x="{x + 17:.1f}" y="{legend_y + 4}">'
                   f'{"F1" if attr == "f1" else attr[0].upper()}</text>')
    out.append(f'<text x="{bx + 4:.1f}" y="{_y(0) - 6:.1f}">best {best.threshold:.2f}</text>')
    out.append("</svg>")
    return "\n".join(out)


def reliability_svg(bins: Sequence[Bin], name: str) -> str:
    """Share of correct links per score bin (bars) against perfect calibration (diagonal)."""
    out = _frame("link score", "share correct", f"{name}: reliability diagram")
    out.append(f'<line x1="{_x(0):.1f}" y1="{_y(0):.1f}" x2="{_x(1):.1f}" y2="{_y(1):.1f}" stroke="#888" '
               'stroke-dasharray="4 3"/>')
    for b in bins:
        x0, x1 = _x(b.low) + 1.5, _x(b.high) - 1.5
        if not b.links:
            continue
        top = _y(b.correct or 0.0)
        out.append(f'<rect class="lp-bin" x="{x0:.1f}" y="{top:.1f}" width="{x1 - x0:.1f}" '
                   f'height="{_y(0) - top:.1f}" fill="#3366cc" fill-opacity=".75">'
                   f"<title>score {b.low:.1f}-{b.high:.1f}: {b.links} links, mean score "
                   f"{b.mean_score:.3f}, {b.correct:.3f} correct</title></rect>")
        out.append(f'<text x="{(x0 + x1) / 2:.1f}" y="{top - 3:.1f}" text-anchor="middle" '
                   f'font-size="9">{b.links}</text>')
    out.append("</svg>")
    return "\n".join(out)
