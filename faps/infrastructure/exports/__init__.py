"""Builders of the files faps publishes: tables, PDF documents, SCDL open data."""
