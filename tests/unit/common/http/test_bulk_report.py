"""The bulk-style report in its three formats and its Content-Type."""
import json

from objstore.common.http import bulk_report

FIELDS = [("Response Status", "400 Bad Request"), ("Response Body", ""),
          ("Number Deleted", 1), ("Number Not Found", 0)]
ERRORS = [["/c/<o>", "409 Conflict"]]


def test_json_keeps_the_callers_order_then_errors():
    body = bulk_report.render("application/json", "delete", FIELDS, ERRORS)
    assert list(json.loads(body)) == ["Response Status", "Response Body", "Number Deleted",
                                      "Number Not Found", "Errors"]
    assert json.loads(body)["Errors"] == ERRORS


def test_plain_text_sorts_the_fields():
    body = bulk_report.render("text/plain", "delete", FIELDS, ERRORS)
    assert body.decode().splitlines() == [
        "Number Deleted: 1", "Number Not Found: 0", "Response Body: ",
        "Response Status: 400 Bad Request", "Errors:", "/c/<o>, 409 Conflict"]


def test_xml_escapes_names_under_the_root():
    body = bulk_report.render("text/xml", "upload", [], ERRORS)
    assert body == (b"<upload>\n<errors>\n<object><name>/c/&lt;o&gt;</name>"
                    b"<status>409 Conflict</status></object>\n</errors>\n</upload>\n")


def test_an_unknown_accept_is_plain_text_under_the_fallback_type():
    assert bulk_report.report_type("text/html", "text/html; charset=UTF-8") == \
        "text/html; charset=UTF-8"
    assert bulk_report.report_type("garbage;;", "text/plain") == "text/plain"
    assert bulk_report.report_type("application/*", "text/plain") == "application/json"
    body = bulk_report.render("text/html; charset=UTF-8", "delete", [("A", 1)], [])
    assert body == b"A: 1\nErrors:\n"
