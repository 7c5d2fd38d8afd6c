"""The account server: one SQLite database per account."""
