"""What can go wrong with an object on disk, each mapped to one status."""

from __future__ import annotations

from objstore.common.timestamp import Timestamp
from objstore.obj.metadata import Metadata


class DiskFileError(Exception):
    """Base of the errors a caller maps to an HTTP status."""


class DiskFileNotExist(DiskFileError):
    """No object (404)."""


class DiskFileDeleted(DiskFileNotExist):
    """A tombstone is the newest file; ``timestamp`` says when."""

    def __init__(self, timestamp: Timestamp) -> None:
        super().__init__("deleted at %s" % timestamp.internal)
        self.timestamp = timestamp


class DiskFileExpired(DiskFileNotExist):
    """Past its ``X-Delete-At``; ``metadata`` is still readable."""

    def __init__(self, metadata: Metadata) -> None:
        super().__init__("expired at %s" % metadata.get("X-Delete-At"))
        self.metadata = metadata


class DiskFileQuarantined(DiskFileNotExist):
    """Found damaged and moved aside; a replica will be restored."""


class DiskFileCollision(DiskFileError):
    """The hash dir holds a different name (an MD5 collision or a bug)."""


class DiskFileNoSpace(DiskFileError):
    """The device is full or below ``fallocate_reserve`` (507)."""


class DiskFileDeviceUnavailable(DiskFileError):
    """The device is not mounted or not there (507)."""
