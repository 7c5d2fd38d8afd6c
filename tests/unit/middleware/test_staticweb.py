"""staticweb's listing rows and page head (pure functions)."""
from objstore.middleware import staticweb


def test_subdir_and_object_rows_are_relative_escaped_and_typed():
    row = staticweb.entry_row({"subdir": "d/sub/"}, "d/")
    assert '<a href="./sub/">sub/</a>' in row and 'class="item subdir"' in row
    row = staticweb.entry_row({"name": "d/x <y>.txt", "bytes": 3, "content_type": "text/plain",
                               "last_modified": "2026-12-05T10:03:05.123456"}, "d/")
    assert '<a href="./x%20%3Cy%3E%2Etxt">x &lt;y&gt;.txt</a>' in row
    assert 'class="item type-text type-plain"' in row
    assert '<td class="colsize">3</td>' in row and "2026-12-05 10:03:05</td>" in row


def test_head_links_css_relative_to_the_directory_depth():
    head = staticweb.listing_head("/v1/a/c/d/e/", "s.css", 2, True)
    assert 'href="../../s.css"' in head and 'id="parent"' in head
    head = staticweb.listing_head("/v1/a/c/", "/abs.css", 0, False)
    assert 'href="/abs.css"' in head and 'id="parent"' not in head
    assert "<style" in staticweb.listing_head("/v1/a/c/<x>/", None, 1, True)
    assert "Listing of /v1/a/c/&lt;x&gt;/" in staticweb.listing_head("/v1/a/c/<x>/", None, 1, True)
