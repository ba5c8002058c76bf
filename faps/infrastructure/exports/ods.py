"""The ODS writer of decision tables (odfpy)."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal
from typing import Any

from faps.domain.money import format_euros
from faps.infrastructure.exports.cells import printable
from faps.infrastructure.exports.tables import Table, normalize_zip, plain_text


def build_ods(table: Table) -> bytes:
    """Return the table as ODS bytes."""
    from odf import dc, meta
    from odf.number import CurrencyStyle, CurrencySymbol, DateStyle, Day, Month, Number, Year
    from odf.number import Text as NumberText
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableColumnProperties, TextProperties
    from odf.table import Table as OdsTable
    from odf.table import TableColumn, TableRow

    doc = OpenDocumentSpreadsheet()
    euro = CurrencyStyle(name="N_EUR")
    euro.addElement(Number(decimalplaces="2", minintegerdigits="1", grouping="true"))
    euro.addElement(NumberText(text="\u00a0"))
    euro.addElement(CurrencySymbol(language="fr", country="FR", text="€"))
    day = DateStyle(name="N_DATE")
    for part in (Day(style="long"), NumberText(text="/"), Month(style="long"),
                 NumberText(text="/"), Year(style="long")):
        day.addElement(part)
    doc.automaticstyles.addElement(euro)
    doc.automaticstyles.addElement(day)
    styles = {"euros": Style(name="ce_eur", family="table-cell", datastylename="N_EUR"),
              "date": Style(name="ce_date", family="table-cell", datastylename="N_DATE"),
              "header": Style(name="ce_head", family="table-cell")}
    styles["header"].addElement(TextProperties(fontweight="bold"))
    for style in styles.values():
        doc.automaticstyles.addElement(style)
    sheet = OdsTable(name="Décisions")
    for index, column in enumerate(table.columns):
        col_style = Style(name=f"co{index}", family="table-column")
        col_style.addElement(TableColumnProperties(columnwidth=f"{column.width * 0.21:.2f}cm"))
        doc.automaticstyles.addElement(col_style)
        sheet.addElement(TableColumn(stylename=col_style))
    header = TableRow()
    for column in table.columns:
        header.addElement(_cell(column.header, "text", styles["header"]))
    sheet.addElement(header)
    for row in table.rows:
        tr = TableRow()
        for value, column in zip(row, table.columns, strict=True):
            tr.addElement(_cell(value, column.kind, styles.get(column.kind)))
        sheet.addElement(tr)
    if table.metadata:
        sheet.addElement(TableRow())
        for key, value in table.metadata:
            tr = TableRow()
            tr.addElement(_cell(key, "text", None))
            tr.addElement(_cell(value, "text", None))
            sheet.addElement(tr)
    doc.spreadsheet.addElement(sheet)
    stamp = table.at.replace(tzinfo=None, microsecond=0).isoformat()
    doc.meta.addElement(dc.Title(text=printable(table.title)))
    doc.meta.addElement(dc.Description(text=printable(
        " ; ".join(f"{k} : {v}" for k, v in table.metadata))))
    doc.meta.addElement(meta.InitialCreator(text=printable(table.author)))
    doc.meta.addElement(meta.CreationDate(text=stamp))
    doc.meta.addElement(dc.Date(text=stamp))
    for key, value in table.metadata:
        doc.meta.addElement(meta.UserDefined(name=printable(key), text=printable(value)))
    buffer = io.BytesIO()
    doc.write(buffer)
    return normalize_zip(_sorted_namespaces(buffer.getvalue()), table.at)


def _sorted_namespaces(data: bytes) -> bytes:
    """Rewrite each XML part declaring only the namespaces it uses, sorted.

    odfpy declares namespaces from a set that grows across documents of one process, so the
    same table could otherwise give different bytes in a long-running process.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename.endswith(".xml"):
                content = _clean_root(content)
            dst.writestr(info, content)
    return out.getvalue()


XMLNS_ROOT = re.compile(rb"<(?!\?)([\w:.-]+)((?:\s+xmlns(?::[\w.-]+)?=\"[^\"]*\")+)")
DECLARATION = re.compile(rb'xmlns:([\w.-]+)="[^"]*"')
USED_PREFIX = re.compile(rb"[<\s/]([A-Za-z][\w.-]*):[\w.-]+")


def _clean_root(content: bytes) -> bytes:
    match = XMLNS_ROOT.search(content)
    if match is None:
        return content
    rest = content[match.end():]
    used = set(USED_PREFIX.findall(match.group(1).join((b"<", b" "))))
    used |= set(USED_PREFIX.findall(rest))
    kept = sorted(d.group(0) for d in DECLARATION.finditer(match.group(2)) if d.group(1) in used)
    return content[:match.start()] + b"<" + match.group(1) + b" " + b" ".join(kept) + rest


def _cell(value: Any, kind: str, style: Any) -> Any:
    from odf.table import TableCell
    from odf.text import P

    kwargs: dict[str, Any] = {"stylename": style} if style is not None else {}
    if value is None or value == "":
        return TableCell(**kwargs)
    if kind == "euros":
        amount = Decimal(value)
        cell = TableCell(valuetype="currency", currency="EUR", value=f"{amount:.2f}", **kwargs)
        cell.addElement(P(text=format_euros(amount)))
        return cell
    if kind == "date":
        cell = TableCell(valuetype="date", datevalue=value.isoformat(), **kwargs)
    elif kind == "int":
        cell = TableCell(valuetype="float", value=str(value), **kwargs)
    else:
        cell = TableCell(valuetype="string", **kwargs)
    cell.addElement(P(text=plain_text(value)))
    return cell
