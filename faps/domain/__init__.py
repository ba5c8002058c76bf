"""Pure domain of faps: aggregates, their events, the règlement and its rules.

Imports only the standard library, pydantic and eventsourcing.domain (tests enforce it).
"""
