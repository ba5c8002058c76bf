"""The file writers the export use cases are given (faps.application.ports.FileFormats)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from faps.application.ports import TemplateStore
from faps.domain.publisher import Publisher
from faps.infrastructure.exports import scdl, tables
from faps.infrastructure.exports.decision_table import decision_table
from faps.infrastructure.exports.pdf import render_pdf, render_text


class FileFormats:
    """CSV, XLSX and ODS tables, SCDL open data and PDF documents."""

    def decision_table(self, title: str, decisions: list[Any], siren: str, author: str,
                       metadata: list[tuple[str, str]], at: datetime) -> Any:
        """Return the decisions as a typed table (with the seal's metadata rows)."""
        return decision_table(title, decisions, siren, author, metadata, at)

    def table_file(self, table: Any, fmt: str, separator: str) -> bytes:
        """Return a table as a file of format csv, xlsx or ods."""
        if fmt == "csv":
            return tables.to_csv(table, separator)
        if fmt == "xlsx":
            return tables.to_xlsx(table)
        if fmt == "ods":
            return tables.to_ods(table)
        raise ValueError(f"unknown table format {fmt!r}")

    def scdl_subventions(self, decisions: list[Any], publisher: Publisher) -> bytes:
        """Return the SCDL « subventions » file of awards."""
        return scdl.subventions_csv(decisions, publisher)

    def scdl_deliberations(self, decisions: list[Any], publisher: Publisher, year: int) -> bytes:
        """Return the SCDL « délibérations » file of a year."""
        return scdl.deliberations_csv(decisions, publisher, year)

    def render_text(self, name: str, context: dict[str, Any], templates: TemplateStore,
                    apostrophe: str = "’") -> str:
        """Render a document template (the first found in `templates`) to marked-up text,
        eliding « de » with `apostrophe` (straight in files of wording 1 and 2)."""
        return render_text(name, context, templates.folders, apostrophe)

    def render_pdf(self, text: str, title: str, footer: str, author: str) -> bytes:
        """Return the PDF of a rendered document."""
        return render_pdf(text, title, footer, author)
