"""The object server and the on-disk layout of objects (DiskFile)."""
