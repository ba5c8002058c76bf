"""Decision tables as CSV, XLSX and ODS: typed cells (amounts are numbers with a euro format).

Files are deterministic: the only moment inside is the export time passed in, and zip entries
carry that same moment, so a file regenerated from the log is byte for byte the published one.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from faps.infrastructure.exports.cells import csv_text, printable

Kind = str  # "text", "euros", "int", "date"


@dataclass(frozen=True)
class Column:
    """A column: its header and the kind of its cells."""

    header: str
    kind: Kind = "text"
    width: int = 14


@dataclass(frozen=True)
class Table:
    """A titled table with rows of typed values and lines of metadata (the audit seal)."""

    title: str
    columns: list[Column]
    rows: list[list[Any]]
    metadata: list[tuple[str, str]] = field(default_factory=list)
    author: str = ""
    at: datetime = datetime(2000, 1, 1)


def _csv_cell(value: Any, kind: Kind, decimal_comma: bool) -> str:
    if value is None or value == "":
        return ""
    if kind == "euros":
        text = f"{Decimal(value):.2f}"
        return text.replace(".", ",") if decimal_comma else text
    if kind == "date":
        return value.isoformat()
    return csv_text(str(value))


def to_csv(table: Table, separator: str = ";", bom: bool = True) -> bytes:
    """Return the table as CSV; with `;` amounts use the French decimal comma."""
    if separator not in (";", ","):
        raise ValueError("séparateur « ; » ou « , »")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow([csv_text(c.header) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(v, c.kind, separator == ";")
                         for v, c in zip(row, table.columns, strict=True)])
    if table.metadata:
        writer.writerow([])
        for key, value in table.metadata:
            writer.writerow([csv_text(key), csv_text(value)])
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8")


def normalize_zip(data: bytes, at: datetime) -> bytes:
    """Rewrite a zip with every entry dated `at`, keeping order and compression."""
    stamp = (max(at.year, 1980), at.month, at.day, at.hour, at.minute, at.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, stamp)
            entry.compress_type = info.compress_type
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


EURO_FORMAT = '#,##0.00\\ "€"'


def to_xlsx(table: Table) -> bytes:
    """Return the table as an XLSX workbook (numbers, euro and date formats, properties)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Décisions"
    _append_texts(sheet, [c.header for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_xlsx_value(v, c.kind) for v, c in zip(row, table.columns, strict=True)])
        for cell, column in zip(sheet[sheet.max_row], table.columns, strict=True):
            if column.kind == "euros":
                cell.number_format = EURO_FORMAT
            elif column.kind == "date":
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(cell.value, str):
                cell.data_type = "s"  # a text cell, never a formula (=…) or an error code (#…)
    if table.metadata:
        sheet.append([])
        for key, value in table.metadata:
            _append_texts(sheet, [key, value])
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    props = workbook.properties
    moment = table.at.replace(tzinfo=None, microsecond=0)
    author = printable(table.author)
    props.title, props.creator, props.lastModifiedBy = printable(table.title), author, author
    props.created = props.modified = moment
    props.description = printable(" ; ".join(f"{k} : {v}" for k, v in table.metadata))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    return normalize_zip(buffer.getvalue(), moment)


def _append_texts(sheet: Any, texts: list[str]) -> None:
    """Append a row of text cells (printable, typed as text)."""
    sheet.append([printable(text) for text in texts])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _xlsx_value(value: Any, kind: Kind) -> Any:
    if value is None or value == "":
        return None
    if kind == "euros":
        return float(Decimal(value))  # cents are exact in a double up to 2^53 cents
    if isinstance(value, str):
        return printable(value)
    return value


def to_ods(table: Table) -> bytes:
    """Return the table as an OpenDocument spreadsheet (currency and date cells, metadata)."""
    from faps.infrastructure.exports.ods import build_ods

    return build_ods(table)


def plain_text(value: Any) -> str:
    """Return a value as shown in a cell's text."""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return re.sub(r"\s+", " ", printable(str(value)))
