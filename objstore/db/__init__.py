"""Shared SQLite broker, listings and replication for container and account databases."""
