"""s3api's layout in Swift terms (common/s3_layout.py): the Content-Type
parameters it keeps, and a completed upload's manifest."""

import pytest

from objstore.common import s3_layout


@pytest.mark.parametrize("stored,shown", [
    ("text/plain", "text/plain"),
    ("text/plain;s3_etag=abc-2;swift_bytes=10", "text/plain"),
    ("text/plain;charset=utf-8;s3_sc=STANDARD_IA", "text/plain;charset=utf-8"),
    ("a/b;s3_vid=1;x=y", "a/b;x=y"),
])
def test_without_params_drops_only_s3apis_own(stored, shown):
    assert s3_layout.without_params(stored) == shown


def test_manifest_parts_reads_the_parts_in_order_and_refuses_damage():
    body = b'[{"path":"b+segments/k/u/000001","etag":"e1","size_bytes":5},' \
           b'{"path":"b+segments/k/u/000002","etag":"e2","size_bytes":"3","checksum":"c"}]'
    parts = s3_layout.manifest_parts(body)
    assert [(p["path"], p["etag"], p["size_bytes"]) for p in parts] == [
        ("b+segments/k/u/000001", "e1", 5), ("b+segments/k/u/000002", "e2", 3)]
    assert parts[1]["checksum"] == "c"
    for damaged in (b"{", b'[{"path":"x"}]', b"[1]", b'[{"path":"x","etag":"e","size_bytes":"z"}]',
                    b"\xff"):
        with pytest.raises(ValueError):
            s3_layout.manifest_parts(damaged)


def test_manifest_parts_reads_the_slo_form_too():
    """Completed uploads are SLOs since session 12: slo's stored form, a
    part's checksum in its type."""
    body = (b'[{"name":"/b+segments/k/u/000001","hash":"e1","bytes":5,'
            b'"content_type":"application/octet-stream;s3_checksum=CRC32:AAA=",'
            b'"last_modified":"2026-01-01T00:00:01.000000"},'
            b'{"name":"/b+segments/k/u/000002","hash":"e2","bytes":3,"content_type":"a/b"}]')
    parts = s3_layout.manifest_parts(body)
    assert [(p["path"], p["etag"], p["size_bytes"], p.get("checksum")) for p in parts] == [
        ("b+segments/k/u/000001", "e1", 5, "AAA="), ("b+segments/k/u/000002", "e2", 3, None)]


def test_only_the_parts_an_upload_of_the_key_made_are_its_own():
    up = "0" * 32
    paths = ["b+segments/k/%s/000001" % up, "b+segments/other/%s/000001" % up,
             "c+segments/k/%s/000002" % up, "b+segments/k/%s/x" % up, "b+segments/k/short/1"]
    assert s3_layout.parts_owned_by("k", paths, "b") == paths[:1]
