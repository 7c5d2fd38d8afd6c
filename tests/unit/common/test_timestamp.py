from hypothesis import given, settings, strategies as st
import pytest

from objstore.common.timestamp import (Timestamp, isoformat, normalize_timestamp,
                                       timestamp_from_http_date)


def test_normal_form_is_zero_padded_with_five_decimals():
    assert Timestamp(1.5).normal == "0000000001.50000"
    assert Timestamp("1700000000.12345").normal == "1700000000.12345"


def test_internal_form_carries_the_offset_in_hex():
    ts = Timestamp("1700000000.12345", offset=10)
    assert ts.internal == "1700000000.12345_000000000000000a"
    assert Timestamp(ts.internal) == ts


def test_offset_orders_writes_that_share_a_timestamp():
    assert Timestamp(5) < Timestamp(5, 1) < Timestamp(5.00001)


@given(st.integers(min_value=0, max_value=99 * 10 ** 13))
def test_string_order_equals_time_order(raw):
    a, b = Timestamp("%d.%05d" % divmod(raw, 100000)), Timestamp("%d.%05d" % divmod(raw + 1, 100000))
    assert a < b
    assert a.normal < b.normal
    assert Timestamp(a.normal) == a


@pytest.mark.parametrize("bad", ["", "abc", "-1", "nan", "inf", "1_zz", None, [], True])
def test_bad_timestamps_are_refused(bad):
    with pytest.raises(ValueError):
        Timestamp(bad)


def test_http_date_rounds_up_to_the_next_whole_second():
    assert Timestamp(1700000000.5).http_date == "Tue, 14 Nov 2023 22:13:21 GMT"
    assert Timestamp(1700000000).http_date == "Tue, 14 Nov 2023 22:13:20 GMT"
    assert timestamp_from_http_date("Tue, 14 Nov 2023 22:13:20 GMT") == 1700000000


def test_isoformat_has_microseconds_and_no_zone():
    assert Timestamp(1700000000.12345).isoformat == "2023-11-14T22:13:20.123450"


def test_normalize_timestamp_accepts_strings_and_numbers():
    assert normalize_timestamp("12") == normalize_timestamp(12) == "0000000012.00000"


@settings(max_examples=300, deadline=None)
@given(raw=st.integers(0, 10 ** 15 - 1), offset=st.integers(0, 2 ** 32))
def test_isoformat_of_a_stored_timestamp_equals_the_datetime_rendering(raw, offset):
    from datetime import datetime, timezone
    ts = Timestamp(raw / 100000.0, offset)
    whole, frac = divmod(ts.raw, 100000)
    expected = datetime.fromtimestamp(whole, tz=timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S") + ".%06d" % (frac * 10)
    assert ts.isoformat == expected
    assert isoformat(ts.internal) == expected
    assert isoformat(ts.normal) == expected


def test_isoformat_takes_any_spelling_a_timestamp_takes():
    assert isoformat("1001") == isoformat("0000001001.00000") == "1970-01-01T00:16:41.000000"
    assert isoformat(1001.5) == "1970-01-01T00:16:41.500000"
    with pytest.raises(ValueError):
        isoformat("later")
