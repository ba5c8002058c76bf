"""PDF documents from text templates the secretariat can read and adjust.

A template (faps/infrastructure/templates/exports/*.txt) is Jinja text: `# ` a title, `## ` a
heading, `- ` a list item, `**…**` bold; blank lines separate paragraphs. French typography
(narrow no-break spaces before ; : ! ? and inside « ») is applied after rendering. Files are
deterministic (reportlab's invariant mode): the same data gives the same bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

from faps.domain.errors import ConfigurationError
from faps.domain.money import format_euros
from faps.infrastructure.exports.cells import printable
from faps.infrastructure.exports.wording import act, de

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "exports"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
NNBSP = "\u202f"


def long_date(day: date | datetime) -> str:
    """Return « 31 mars 2022 » (« 1er » for the first of a month)."""
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS[day.month - 1]} {day.year}"


def typography(text: str) -> str:
    """Apply French spacing: narrow no-break spaces before ; : ! ? and inside guillemets."""
    text = re.sub(r"[ \u00a0]*([;:!?])(?=\s|$)", NNBSP + r"\1", text)
    text = re.sub(r"«[ \u00a0]*", "«" + NNBSP, text)
    return re.sub(r"[ \u00a0]*»", NNBSP + "»", text)


def render_text(name: str, context: dict[str, Any],
                folders: Sequence[Path] = (TEMPLATES,), apostrophe: str = "’") -> str:
    """Render a document template (the first found in `folders`) to its marked-up text;
    `apostrophe` elides « de » (« d’Émerainville »; files of wording 1 and 2: « d'… »)."""
    env = Environment(loader=FileSystemLoader([str(f) for f in folders]),
                      undefined=StrictUndefined,
                      autoescape=False, keep_trailing_newline=True)
    env.filters.update(euros=format_euros, long_date=long_date, act=act,
                       de=lambda name: de(name, apostrophe),
                       short_date=lambda d: d.strftime("%d/%m/%Y") if d else "")
    try:
        return typography(env.get_template(f"{name}.txt").render(**context))
    except TemplateError as exc:  # a template adjusted by hand: say which and where, in French
        line = getattr(exc, "lineno", None)
        where = f" (ligne {line})" if line else ""
        raise ConfigurationError(f"Modèle « {name}.txt » invalide{where} : {exc.message or exc}.",
                                 field="template") from None


def _fonts() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular, bold = DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
            pdfmetrics.registerFontFamily("DejaVuSans", normal="DejaVuSans",
                                          bold="DejaVuSans-Bold")
        return "DejaVuSans", "DejaVuSans-Bold"
    return "Helvetica", "Helvetica-Bold"  # Latin-1 accents; the narrow space becomes a space


def _inline(text: str, font: str) -> str:
    # ReportLab breaks lines at a narrow no-break space (it counts it as white space) but not
    # at a no-break space: « ; » and « 670,00 € » would start a line of their own.
    text = text.replace(NNBSP, "\u00a0")
    if font == "Helvetica":
        text = text.replace("\u2014", "-")
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", escape(text))


def blocks(text: str) -> list[str]:
    """Split marked-up text into its titles, headings, list items and paragraphs.

    A title or heading is one line: the line after it starts a paragraph of its own.
    """
    text = re.sub(r"(?m)^(#.*)\n", r"\1\n\n", text.strip())
    return [b.strip() for b in re.split(r"\n\s*\n|\n(?=#|- )", text) if b.strip()]


def render_pdf(text: str, title: str, footer: str, author: str) -> bytes:
    """Lay out marked-up text as an A4 PDF with page numbers and a footer on every page.

    Control characters of stored texts are stripped: nothing invisible is printed.
    """
    text, title, footer, author = (printable(t) for t in (text, title, footer, author))
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    font, bold = _fonts()
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=14, spaceAfter=6)
    styles = {"# ": ParagraphStyle("h1", parent=body, fontName=bold, fontSize=15, leading=19,
                                   spaceAfter=10),
              "## ": ParagraphStyle("h2", parent=body, fontName=bold, fontSize=11.5, leading=15,
                                    spaceBefore=6),
              "- ": ParagraphStyle("li", parent=body, leftIndent=14, bulletIndent=4)}
    story: list[Any] = []
    for block in blocks(text):
        prefix = next((p for p in ("## ", "# ", "- ") if block.startswith(p)), "")
        style = styles.get(prefix, body)
        content = _inline(block[len(prefix):].replace("\n", " "), font)
        story.append(Paragraph(content, style, bulletText="•" if prefix == "- " else None))
    story.append(Spacer(1, 0.5 * cm))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=title, author=author, subject=footer,
                            creator="faps", invariant=True, leftMargin=2.2 * cm,
                            rightMargin=2.2 * cm, topMargin=2 * cm, bottomMargin=2.5 * cm)

    def footer_on(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 7.5)
        canvas.drawString(2.2 * cm, 1.5 * cm, _inline(author, font).replace("&amp;", "&"))
        canvas.drawRightString(A4[0] - 2.2 * cm, 1.5 * cm, f"Page {document.page}")
        canvas.setFont(font, 6)
        canvas.drawString(2.2 * cm, 1.1 * cm, footer)
        canvas.restoreState()

    doc.build(story, onFirstPage=footer_on, onLaterPages=footer_on)
    return buffer.getvalue()
