"""Server-side SVG charts, readable without colour: patterns, printed values, title and desc.

Pure functions returning SVG strings (pages embed them with `|safe`; every text is escaped
here). Each chart goes with a data table on the page for screen readers and printing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from html import escape

from faps.domain.money import format_euros

PATTERNS = """<defs>
<pattern id="p-paid" width="6" height="6" patternUnits="userSpaceOnUse">
<rect width="6" height="6" fill="#1d4f91"/></pattern>
<pattern id="p-committed" width="8" height="8" patternUnits="userSpaceOnUse"
 patternTransform="rotate(45)"><rect width="8" height="8" fill="#fff"/>
<line x1="0" y1="0" x2="0" y2="8" stroke="#1d4f91" stroke-width="3"/></pattern>
</defs>"""
LEGEND = ('<g font-size="12"><rect x="{x}" y="8" width="14" height="14" fill="url(#p-paid)" '
          'stroke="#000"/><text x="{x1}" y="20">Versé (plein)</text>'
          '<rect x="{x2}" y="8" width="14" height="14" fill="url(#p-committed)" stroke="#000"/>'
          '<text x="{x3}" y="20">Engagé non versé (hachuré)</text></g>')


def _svg(width: int, height: int, title: str, desc: str, body: str, ident: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
            f'viewBox="0 0 {width} {height}" aria-labelledby="{ident}-t {ident}-d" '
            f'font-family="sans-serif"><title id="{ident}-t">{escape(title)}</title>'
            f'<desc id="{ident}-d">{escape(desc)}</desc>{PATTERNS}{body}</svg>')


def commune_bars(lines: Sequence[tuple[str, Decimal, Decimal]], year: int,
                 ident: str = "communes") -> str:
    """Return horizontal bars per commune: paid (solid) then committed unpaid (hatched).

    `lines` holds (commune name, committed, paid); the amounts are printed after each bar.
    """
    row, label_w, bar_w = 34, 190, 420
    height = 40 + row * max(len(lines), 1)
    top = max((max(c, p) for _, c, p in lines), default=Decimal(0)) or Decimal(1)
    parts = [LEGEND.format(x=label_w, x1=label_w + 20, x2=label_w + 130, x3=label_w + 150)]
    for i, (name, committed, paid) in enumerate(lines):
        y = 36 + i * row
        w_paid = float(paid / top) * bar_w
        w_rest = max(float((committed - paid) / top) * bar_w, 0.0)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="13">'
            f'{escape(name)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w_paid:.1f}" height="22" fill="url(#p-paid)" '
            f'stroke="#000"><title>{escape(name)} : versé {escape(format_euros(paid))}</title>'
            f'</rect><rect x="{label_w + w_paid:.1f}" y="{y}" width="{w_rest:.1f}" height="22" '
            f'fill="url(#p-committed)" stroke="#000"><title>{escape(name)} : engagé '
            f'{escape(format_euros(committed))}</title></rect>'
            f'<text x="{label_w + w_paid + w_rest + 6:.1f}" y="{y + 16}" font-size="12">'
            f'{escape(format_euros(paid))} / {escape(format_euros(committed))}</text>')
    if not lines:
        parts.append('<text x="10" y="56" font-size="13">Aucun engagement.</text>')
    desc = "; ".join(f"{n} : engagé {format_euros(c)}, versé {format_euros(p)}"
                     for n, c, p in lines) or "Aucun engagement."
    return _svg(label_w + bar_w + 200, height, f"Engagements et versements {year} par commune",
                desc, "".join(parts), ident)


def cumulative_payments(points: Sequence[tuple[date, Decimal]], year: int,
                        ident: str = "cumul") -> str:
    """Return a step line of cumulative payments (net of clawbacks) over the dates given."""
    width, height, left, bottom, plot_w, plot_h = 720, 260, 90, 220, 600, 180
    cumul, running = [], Decimal(0)
    for day, amount in sorted(points):
        running += amount
        cumul.append((day, running))
    if not cumul:
        return _svg(width, 80, f"Versements effectués en {year}, cumulés", "Aucun versement.",
                    '<text x="10" y="40" font-size="13">Aucun versement.</text>', ident)
    first = date(year, 1, 1) if cumul[0][0].year == year else cumul[0][0]
    span = max((cumul[-1][0] - first).days, 1)
    top = max(max(v for _, v in cumul), Decimal(1))

    def xy(day: date, value: Decimal) -> tuple[float, float]:
        return (left + (day - first).days / span * plot_w,
                bottom - float(value / top) * plot_h)

    path, prev_y = [f"M{left},{bottom}"], float(bottom)
    marks = []
    for day, value in cumul:
        x, y = xy(day, value)
        path.append(f"L{x:.1f},{prev_y:.1f} L{x:.1f},{y:.1f}")
        prev_y = y
        marks.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#000"><title>'
                     f'{day.strftime("%d/%m/%Y")} : {escape(format_euros(value))}</title></circle>')
    last_x, last_y = xy(*cumul[-1])
    body = (f'<line x1="{left}" y1="{bottom}" x2="{left + plot_w}" y2="{bottom}" stroke="#000"/>'
            f'<line x1="{left}" y1="{bottom}" x2="{left}" y2="{bottom - plot_h}" stroke="#000"/>'
            f'<text x="{left - 6}" y="{bottom - plot_h + 4}" text-anchor="end" font-size="11">'
            f'{escape(format_euros(top))}</text>'
            f'<text x="{left - 6}" y="{bottom + 4}" text-anchor="end" font-size="11">0</text>'
            f'<text x="{left}" y="{bottom + 18}" font-size="11">{first.strftime("%d/%m/%Y")}</text>'
            f'<text x="{left + plot_w}" y="{bottom + 18}" text-anchor="end" font-size="11">'
            f'{cumul[-1][0].strftime("%d/%m/%Y")}</text>'
            f'<path d="{" ".join(path)}" fill="none" stroke="#000" stroke-width="2" '
            f'stroke-dasharray="6 2"/>{"".join(marks)}'
            f'<text x="{min(last_x + 6, width - 150):.1f}" y="{max(last_y - 8, 12):.1f}" '
            f'font-size="12" font-weight="bold">{escape(format_euros(cumul[-1][1]))}</text>')
    desc = "; ".join(f"{d.strftime('%d/%m/%Y')} : {format_euros(v)}" for d, v in cumul)
    return _svg(width, height, f"Versements effectués en {year}, cumulés", desc, body, ident)
