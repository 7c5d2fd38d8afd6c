"""The lock rule alone (objstore/common/object_lock.py)."""

import pytest

from objstore.common import object_lock as ol

NOW = 1_900_000_000.0


def meta(mode="COMPLIANCE", until=NOW + 60, hold=None):
    out = {ol.MODE: mode, ol.UNTIL: ol.format_date(until)}
    if hold:
        out[ol.HOLD] = hold
    return out


@pytest.mark.parametrize("text,expected", [
    ("2030-01-01T00:00:00Z", 1893456000.0),
    ("2030-01-01T00:00:00.500Z", 1893456000.5),
    ("2030-01-01T02:00:00+02:00", 1893456000.0),
    ("2030-01-01T00:00:00-0130", 1893461400.0),
])
def test_parse_date(text, expected):
    assert ol.parse_date(text) == expected


@pytest.mark.parametrize("text", ["", "2030-01-01", "2030-13-01T00:00:00Z", "tomorrow",
                                  "2030-01-01T25:00:00Z", "2030-01-01T00:00:00"])
def test_parse_date_refuses(text):
    assert ol.parse_date(text) is None


def test_format_round_trips():
    assert ol.format_date(1893456000.25) == "2030-01-01T00:00:00.250Z"
    assert ol.parse_date(ol.format_date(1893456000.25)) == 1893456000.25


def test_refusal():
    assert ol.refusal(None) is None
    assert ol.refusal({}, now=NOW) is None
    assert ol.refusal(meta(), now=NOW)
    assert ol.refusal(meta(), ol.BYPASS_GOVERNANCE, now=NOW)
    assert ol.refusal(meta(), ol.BYPASS_ARCHIVED, now=NOW) is None
    assert ol.refusal(meta("GOVERNANCE"), now=NOW)
    assert ol.refusal(meta("GOVERNANCE"), ol.BYPASS_GOVERNANCE, now=NOW) is None
    assert ol.refusal(meta(until=NOW - 1), now=NOW) is None
    assert ol.refusal(meta("NONE"), now=NOW) is None
    held = meta("GOVERNANCE", NOW - 1, hold="ON")
    assert ol.refusal(held, ol.BYPASS_GOVERNANCE, now=NOW)
    assert ol.refusal(dict(held, **{ol.HOLD: "OFF"}), now=NOW) is None


def test_weakening():
    assert ol.weakening(meta(), {ol.UNTIL: ol.format_date(NOW + 30)}, now=NOW)
    assert ol.weakening(meta(), {ol.MODE: "GOVERNANCE"}, ol.BYPASS_GOVERNANCE, now=NOW)
    assert ol.weakening(meta(), {ol.UNTIL: ol.format_date(NOW + 90)}, now=NOW) is None
    assert ol.weakening(meta(), {ol.HOLD: "OFF"}, now=NOW) is None
    assert ol.weakening(meta("GOVERNANCE"), {ol.MODE: "NONE"}, now=NOW)
    assert ol.weakening(meta("GOVERNANCE"), {ol.MODE: "NONE"}, ol.BYPASS_GOVERNANCE,
                        now=NOW) is None
    # turning GOVERNANCE into COMPLIANCE alters the lock: only with the bypass
    assert ol.weakening(meta("GOVERNANCE"), {ol.MODE: "COMPLIANCE"}, now=NOW)
    assert ol.weakening(meta("GOVERNANCE"), {ol.MODE: "COMPLIANCE"}, ol.BYPASS_GOVERNANCE,
                        now=NOW) is None
    assert ol.weakening(meta("GOVERNANCE"), {ol.UNTIL: ol.format_date(NOW + 90)},
                        now=NOW) is None
    assert ol.weakening(meta(until=NOW - 1), {ol.MODE: "NONE"}, now=NOW) is None
