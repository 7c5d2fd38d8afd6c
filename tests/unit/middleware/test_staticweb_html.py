"""staticweb's pages: listing rows, page head, sizes and the disabled page
(pure functions)."""
from objstore.middleware import staticweb_html as html


def test_subdir_and_object_rows_are_relative_escaped_and_typed():
    row = html.entry_row({"subdir": "d/sub.d/"}, "d/")
    assert '<a href="./sub%2Ed/">sub.d/</a>' in row and 'class="item subdir"' in row
    row = html.entry_row({"name": "d/x <y>.txt", "bytes": 3, "content_type": "text/plain",
                          "last_modified": "2026-12-05T10:03:05.123456"}, "d/")
    assert '<a href="./x%20%3Cy%3E%2Etxt">x &lt;y&gt;.txt</a>' in row
    assert 'class="item type-text type-plain"' in row
    assert '<td class="colsize">3</td>' in row and "2026-12-05 10:03:05</td>" in row


def test_row_classes_keep_the_listed_parameters_lower_cased_and_escaped():
    row = html.entry_row({"name": "p", "bytes": 1, "content_type": 'Image/PNG;x="a b"',
                          "last_modified": "2026-12-05T10:03:05.123456"}, "")
    assert 'class="item type-image type-png;x=&quot;a b&quot;"' in row


def test_sizes_are_whole_binary_units_rounded_at_each_step():
    assert [html.human_size(n) for n in (0, 1023, 1024, 2000, 1535, 1536, 1500000)] == \
        ["0", "1023", "1Ki", "2Ki", "1Ki", "2Ki", "1Mi"]
    assert html.human_size(5 * 1024 ** 8) == "5Yi"
    assert html.human_size(2048 * 1024 ** 8) == "2048Yi"


def test_head_links_css_relative_to_the_directory_depth():
    head = html.listing_head("/v1/a/c/d/e/", "s.css", 2, True)
    assert 'href="../../s.css"' in head and 'id="parent"' in head
    head = html.listing_head("/v1/a/c/", "/abs.css", 0, False)
    assert 'href="/abs.css"' in head and 'id="parent"' not in head
    head = html.listing_head("/v1/a/c/d/", "https://cdn.example/s.css", 1, True)
    assert 'href="https://cdn.example/s.css"' in head
    assert "<style" in html.listing_head("/v1/a/c/x/", None, 1, True)


def test_titles_are_the_path_or_the_label_escaped():
    assert html.page_title("/v1/a/c/<x>/", None, "<x>/") == "/v1/a/c/&lt;x&gt;/"
    assert html.page_title("/v1/a/c/d/", "My <Site>", "d/") == "My &lt;Site&gt;/d/"
    assert html.page_title("/v1/a/c/", "Lbl", "") == "Lbl/"


def test_disabled_page_names_the_missing_index_only_when_one_is_set():
    page = html.disabled_page("Lbl/", None)
    assert b"<title>Listing of Lbl/</title>" in page and b"Web Listing Disabled" in page
    assert b"Index File Not Found" not in page
    page = html.disabled_page("/v1/a/c/d/", "index.html")
    assert b"<b>X-Container-Meta-Web-Index: index.html</b>" in page
