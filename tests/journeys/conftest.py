"""Fixtures of this directory live in support modules (none needed beyond the shared ones)."""
