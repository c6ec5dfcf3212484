"""Shared helpers for flr's integration tests (real services, started privately)."""
