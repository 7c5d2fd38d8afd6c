"""The S3 API as a proxy middleware (``[filter:s3api] use = egg:objstore#s3api``).

See ``docs/s3.md`` for what is supported and how auth maps to tempauth.
"""

from objstore.middleware.s3api.middleware import S3ApiMiddleware, filter_factory

__all__ = ["S3ApiMiddleware", "filter_factory"]
