"""etag_quoter's quoting rule."""
from objstore.middleware import etag_quoter


def test_bare_etags_are_quoted_and_quoted_or_weak_ones_kept():
    assert etag_quoter.quoted("abc") == '"abc"'
    assert etag_quoter.quoted('"abc"') == '"abc"'
    assert etag_quoter.quoted('W/"abc"') == 'W/"abc"'
