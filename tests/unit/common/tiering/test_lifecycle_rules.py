"""Lifecycle rules as the tierer applies them: matching and due actions."""

from objstore.common.tiering.lifecycle_rules import (DAY, MIN_TRANSITION_SIZE,
                                                     NoncurrentTransition, Rule, Transition,
                                                     dumps, loads)


def test_a_rule_matches_by_prefix_tags_and_size_bounds():
    rule = Rule("r", True, prefix="logs/", tags={"team": "a"}, size_greater_than=10,
                size_less_than=100)
    assert rule.matches("logs/x", 50, {"team": "a", "other": "b"})
    assert not rule.matches("data/x", 50, {"team": "a"})
    assert not rule.matches("logs/x", 50, {"team": "b"})
    assert not rule.matches("logs/x", 50, None)
    assert not rule.matches("logs/x", 10, {"team": "a"})  # strictly greater
    assert not rule.matches("logs/x", 100, {"team": "a"})  # strictly less
    assert not Rule("off", False).matches("anything", 1, None)


def test_expiration_by_days_and_by_date():
    assert Rule("r", True, expiration_days=2).expires(1000.0, 1000.0 + 2 * DAY)
    assert not Rule("r", True, expiration_days=2).expires(1000.0, 999.0 + 2 * DAY)
    assert Rule("r", True, expiration_date=5000.0).expires(0.0, 5000.0)
    assert not Rule("r", True, expiration_date=5000.0).expires(0.0, 4999.0)
    assert not Rule("r", True).expires(0.0, 10 ** 10)


def test_the_latest_due_transition_wins():
    rule = Rule("r", True, transitions=[Transition("STANDARD_IA", days=30),
                                        Transition("GLACIER_IR", days=90)])
    big = MIN_TRANSITION_SIZE
    assert rule.transition(0.0, 29 * DAY, big) is None
    assert rule.transition(0.0, 30 * DAY, big) == "STANDARD_IA"
    assert rule.transition(0.0, 100 * DAY, big) == "GLACIER_IR"


def test_small_objects_transition_only_under_a_rule_that_filters_by_size():
    plain = Rule("r", True, transitions=[Transition("GLACIER_IR", days=1)])
    assert plain.transition(0.0, 2 * DAY, MIN_TRANSITION_SIZE - 1) is None
    sized = Rule("r", True, size_greater_than=10,
                 transitions=[Transition("GLACIER_IR", days=1)])
    assert sized.transition(0.0, 2 * DAY, 11) == "GLACIER_IR"


def test_rules_round_trip_through_their_stored_form_and_bad_text_is_no_rules():
    rules = [Rule("a", True, prefix="p/", tags={"k": "v"}, expiration_days=3,
                  transitions=[Transition("GLACIER_IR", date=86400.0)])]
    assert loads(dumps(rules)) == rules
    assert loads("") == [] and loads("{not json") == [] and loads('{"a": 1}') == []


def test_the_expiry_date_s3_shows_rounds_days_up_to_the_next_midnight_utc():
    noon = 10 * DAY + DAY / 2
    assert Rule("r", True, expiration_days=3).expiry_date(noon) == 14 * DAY
    # an object written at midnight sharp still expires a day later than the days
    assert Rule("r", True, expiration_days=1).expiry_date(10 * DAY) == 12 * DAY
    assert Rule("r", True, expiration_date=20 * DAY).expiry_date(noon) == 20 * DAY
    assert Rule("r", True).expiry_date(noon) is None


def test_an_upload_is_aborted_by_prefix_once_its_days_after_initiation_passed():
    rule = Rule("r", True, prefix="tmp/", abort_multipart_days=2)
    assert rule.aborts_upload("tmp/a", 100.0, 100.0 + 2 * DAY)
    assert not rule.aborts_upload("tmp/a", 100.0, 99.0 + 2 * DAY)
    assert not rule.aborts_upload("keep/a", 100.0, 100.0 + 9 * DAY)
    assert not Rule("r", False, abort_multipart_days=1).aborts_upload("a", 0.0, 9 * DAY)
    assert not Rule("r", True, expiration_days=1).aborts_upload("a", 0.0, 9 * DAY)


def test_a_noncurrent_version_expires_after_its_days_beyond_the_newer_ones_kept():
    rule = Rule("r", True, noncurrent_expiration_days=3, noncurrent_newer_versions=2)
    assert rule.expires_noncurrent(100.0, 2, 100.0 + 3 * DAY)
    assert not rule.expires_noncurrent(100.0, 1, 100.0 + 9 * DAY)  # one of the two kept
    assert not rule.expires_noncurrent(100.0, 5, 99.0 + 3 * DAY)
    assert Rule("r", True, noncurrent_expiration_days=1).expires_noncurrent(0.0, 0, DAY)
    assert not Rule("r", True, expiration_days=1).expires_noncurrent(0.0, 9, 9 * DAY)


def test_noncurrent_transitions_count_from_when_the_version_was_replaced():
    rule = Rule("r", True, noncurrent_transitions=[
        NoncurrentTransition("STANDARD_IA", 10), NoncurrentTransition("GLACIER_IR", 30, 2)])
    big = MIN_TRANSITION_SIZE
    assert rule.noncurrent_transition(100.0, 5, 99.0 + 10 * DAY, big) is None
    assert rule.noncurrent_transition(100.0, 5, 100.0 + 10 * DAY, big) == "STANDARD_IA"
    assert rule.noncurrent_transition(100.0, 5, 100.0 + 30 * DAY, big) == "GLACIER_IR"
    # fewer newer noncurrent versions than the transition keeps: not that one
    assert rule.noncurrent_transition(100.0, 1, 100.0 + 30 * DAY, big) == "STANDARD_IA"
    assert rule.noncurrent_transition(100.0, 5, 100.0 + 30 * DAY, big - 1) is None
    assert loads(dumps([rule])) == [rule]
