"""The auditor reads everything and records only the trace of their own exports."""

from __future__ import annotations

from faps.application.policy import PERMISSIONS
from faps.domain.actors import Role


def test_the_auditor_may_only_read_and_record_their_exports() -> None:
    granted = {action for action, roles in PERMISSIONS.items() if Role.AUDITOR in roles}
    reads = {a for a in granted if a.endswith((".read", ".read_notes")) or a == "simulate"}
    assert granted - reads == {"export.decisions"}  # the export's record: its only write
