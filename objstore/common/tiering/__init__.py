"""Tiering shared by the proxy's ``tiering`` middleware and the tierer
daemon: the tier config, the read-count journal and the move queue."""
