"""GET /info (capabilities, no auth) and /healthcheck."""

import pytest

LIMITS = {
    "max_file_size": 5368709122,
    "container_listing_limit": 10000,
    "account_listing_limit": 10000,
    "max_object_name_length": 1024,
    "max_container_name_length": 256,
    "max_account_name_length": 256,
    "max_meta_name_length": 128,
    "max_meta_value_length": 256,
    "max_meta_count": 90,
    "max_meta_overall_size": 4096,
    "max_header_size": 8192,
}


@pytest.fixture(scope="module")
def info(http_api):
    resp = http_api.request("GET", "/info", user=None)
    assert resp.status == 200
    assert resp.headers["Content-Type"].startswith("application/json")
    return resp.json()


@pytest.mark.parametrize("key,value", sorted(LIMITS.items()))
def test_info_reports_the_swift_limits(info, key, value):
    assert info["swift"][key] == value


def test_info_lists_the_storage_policies_with_exactly_one_default(info):
    policies = info["swift"]["policies"]
    assert isinstance(policies, list) and policies
    assert all(isinstance(p["name"], str) and p["name"] for p in policies)
    assert len([p for p in policies if p.get("default")]) == 1


def test_info_reports_the_request_line_limit_and_no_open_expired_as_swift(info):
    assert info["swift"]["max_request_line"] == 8192
    assert info["swift"]["allow_open_expired"] is False
    assert "valid_api_versions" not in info["swift"]  # Swift shows it only when configured


def test_info_has_an_s3api_section_with_its_limits(info):
    assert info["s3api"] == {
        "max_bucket_listing": 1000, "max_parts_listing": 1000, "max_upload_part_num": 10000,
        "max_multi_delete_objects": 1000, "allow_multipart_uploads": True,
        "min_segment_size": 5242880, "s3_acl": False}


def test_info_has_a_tempauth_section(info):
    assert "tempauth" in info
    assert isinstance(info["tempauth"], dict)


def test_info_hides_the_admin_section_without_a_signature(info):
    assert "admin" not in info


def test_head_info_answers_200_without_a_body(http_api):
    resp = http_api.request("HEAD", "/info", user=None)
    assert resp.status == 200
    assert resp.body == b""
    # the length of the body a GET gets, as Swift's HEAD says
    get = http_api.request("GET", "/info", user=None)
    assert resp.headers["Content-Length"] == str(len(get.body))


def test_healthcheck_answers_ok_without_auth(http_api):
    resp = http_api.request("GET", "/healthcheck", user=None)
    assert resp.status == 200
    assert resp.body == b"OK"
