"""The container server: one SQLite database per container."""
