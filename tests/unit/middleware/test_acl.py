import pytest
from hypothesis import given, strategies as st

from objstore.middleware.acl import (clean_acl, format_account_acl, parse_account_acl,
                                     parse_acl, referrer_allowed)


@pytest.mark.parametrize("value, cleaned", [
    (".r:*", ".r:*"),
    (".ref:*, .rlistings", ".r:*,.rlistings"),
    (".referrer:-thief.com,.referer:.example.com", ".r:-thief.com,.r:.example.com"),
    (".r:*.example.com", ".r:.example.com"),
    (".r: - *.example.com", ".r:-.example.com"),
    ("test:tester3, test2 ,,", "test:tester3,test2"),
    ("", ""),
])
def test_clean_acl_normalises_read_acls(value, cleaned):
    assert clean_acl("X-Container-Read", value) == cleaned


@pytest.mark.parametrize("value, message", [
    (".r:", "No host/domain value after referrer designation in ACL: '.r:'"),
    (".r:-", "No host/domain value after referrer designation in ACL: '.r:-'"),
    (".r:.", "No host/domain value after referrer designation in ACL: '.r:.'"),
    (".r:*.", "No host/domain value after referrer designation in ACL: '.r:*.'"),
    (".x:foo", "Unknown designator '.x' in ACL: '.x:foo'"),
])
def test_clean_acl_rejects_bad_referrer_syntax_in_swifts_words(value, message):
    with pytest.raises(ValueError) as err:
        clean_acl("X-Container-Read", value)
    assert str(err.value) == message


def test_write_acls_refuse_referrer_rules_but_keep_groups():
    with pytest.raises(ValueError, match="write ACL"):
        clean_acl("X-Container-Write", ".r:*")
    assert clean_acl("X-Container-Write", "test:tester3") == "test:tester3"


def test_parse_acl_splits_referrers_from_groups():
    assert parse_acl(".r:*,.rlistings,test:tester3,.r:-x.com") == (
        ["*", "-x.com"], [".rlistings", "test:tester3"])
    assert parse_acl(None) == ([], [])


@pytest.mark.parametrize("referrer, rules, allowed", [
    (None, ["*"], True),
    (None, [".example.com"], False),
    ("http://www.example.com/x", ["www.example.com"], True),
    ("http://www.example.com/x", [".example.com"], True),
    ("http://example.com/x", [".example.com"], False),
    ("http://thief.example.com/", [".example.com", "-thief.example.com"], False),
    ("http://thief.example.com/", ["-thief.example.com", ".example.com"], True),
    ("http://a.com/", ["*", "-*"], False),
    ("not a url", ["a.com"], False),
    ("http://[bad", ["*"], True),
    ("http://a.com/", [], False),
])
def test_referrer_rules_apply_in_order_and_the_last_match_wins(referrer, rules, allowed):
    assert referrer_allowed(referrer, rules) is allowed


@given(st.lists(st.sampled_from(["a", "b:c", ".rlistings", ".r:*", ".r:-x.org",
                                 ".ref:.y.org", " ", "d"]), max_size=8))
def test_cleaning_an_already_clean_acl_changes_nothing(items):
    once = clean_acl("X-Container-Read", ",".join(items))
    assert clean_acl("X-Container-Read", once) == once


def test_account_acls_parse_and_format_round_trip():
    acl = parse_account_acl('{"admin": ["test:tester"], "read-only": ["test2"], '
                            '"read-write": []}')
    assert acl == {"admin": ["test:tester"], "read-only": ["test2"]}
    text = format_account_acl(acl)
    assert text == '{"admin":["test:tester"],"read-only":["test2"]}'
    assert parse_account_acl(text) == acl
    assert parse_account_acl("") is None


@pytest.mark.parametrize("text, message", [
    ("not json", "Syntax error in input ('not json')"),
    ("[1]", "Syntax error in input ('[1]')"),
    ("null", "Syntax error in input ('null')"),
    ('{"owner": ["x"]}', 'Key "owner" not recognized'),
    ('{"admin": "x"}', 'Value for key "admin" must be a list'),
    ('{"admin": [1]}', 'Elements of "admin" list must be strings'),
])
def test_bad_account_acls_are_refused_with_swifts_reason(text, message):
    with pytest.raises(ValueError) as err:
        parse_account_acl(text)
    assert str(err.value) == message
