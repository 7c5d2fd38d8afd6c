"""Conditional writes (pure rules of ``conditions.check_write``)."""

import pytest

from objstore.middleware.s3api.conditions import check_write
from objstore.middleware.s3api.errors import S3Error


def _code(headers, etag):
    with pytest.raises(S3Error) as err:
        check_write(headers, etag)
    return err.value.code, err.value.status


def test_if_none_match_star_passes_only_when_the_key_is_absent():
    check_write({"if-none-match": "*"}, None)
    assert _code({"if-none-match": "*"}, "abc") == ("PreconditionFailed", 412)


def test_if_match_needs_the_key_and_the_same_etag():
    check_write({"if-match": '"abc"'}, "abc")
    check_write({"if-match": "abc"}, "abc")
    assert _code({"if-match": '"abc"'}, None) == ("NoSuchKey", 404)
    assert _code({"if-match": '"abd"'}, "abc") == ("PreconditionFailed", 412)


@pytest.mark.parametrize("headers", [{"if-none-match": '"abc"'},
                                     {"if-none-match": "*", "if-match": "abc"}])
def test_other_forms_are_not_implemented(headers):
    assert _code(headers, None) == ("NotImplemented", 501)


def test_no_condition_is_no_check():
    check_write({}, "abc")
    check_write({}, None)
