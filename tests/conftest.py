"""Shared fixtures for the whole test suite."""

from conftest_pg import postgres_url  # noqa: F401  (a session-scoped throwaway PostgreSQL 15)
