"""ratelimit with a clock that stands still, for pipeline tests of the
rate arithmetic that must not depend on how long requests take: every
request is counted as made at the same instant, so whether one is slept or
refused follows from the rates alone."""

from objstore.middleware.ratelimit import RateLimitMiddleware

FROZEN = 1800000000.0


def filter_factory(global_conf, **local_conf):
    conf = dict(global_conf, **local_conf)
    return lambda app: RateLimitMiddleware(app, conf, clock=lambda: FROZEN)
