"""tempurl's pure parts: expiry formats, signed strings, Content-Disposition."""
import pytest

from objstore.middleware import tempurl


def test_expires_accepts_unix_time_and_iso8601_utc_only():
    assert tempurl.parse_expires("1796464807") == 1796464807
    assert tempurl.parse_expires("+1796464807") == 1796464807
    assert tempurl.parse_expires("2026-12-05T10:00:07Z") == 1796464807
    for bad in ("2026-12-05T10:00:07", "2026-12-05T10:00:07+00:00", "1796464807.5", "abc", ""):
        with pytest.raises(tempurl.TempURLError):
            tempurl.parse_expires(bad)


def test_signed_messages_cover_prefix_and_ip_range():
    assert tempurl.signed_messages(["GET"], "10", "/v1/a/c/o", None, None) == ["GET\n10\n/v1/a/c/o"]
    assert tempurl.signed_messages(["GET", "PUT"], "10", "/v1/a/c/p", "p", "1.2.3.4") == [
        "ip=1.2.3.4\nGET\n10\nprefix:/v1/a/c/p", "ip=1.2.3.4\nPUT\n10\nprefix:/v1/a/c/p"]


def test_content_disposition_quotes_the_name_both_ways():
    assert tempurl.content_disposition("obj.txt", False, None) == (
        "attachment; filename=\"obj.txt\"; filename*=UTF-8''obj.txt")
    assert tempurl.content_disposition("o", True, None) == "inline"
    assert tempurl.content_disposition('q"u\u00e9 x.txt', False, None) == (
        "attachment; filename=\"q%22u%C3%A9 x.txt\"; filename*=UTF-8''q%22u%C3%A9%20x.txt")
    assert tempurl.content_disposition("o", True, "a b") == (
        "inline; filename=\"a b\"; filename*=UTF-8''a%20b")


def test_header_patterns_match_prefixes_case_insensitively():
    pats = tempurl._Patterns("x-object-meta-* x-timestamp")
    assert pats.matches("X-Object-Meta-Foo") and pats.matches("X-TIMESTAMP")
    assert not pats.matches("x-object-metadata")
