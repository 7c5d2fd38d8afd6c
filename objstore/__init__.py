"""objstore: a Swift-style object store (Swift and S3 APIs, ring, daemons)."""

__version__ = "0.1.0"
