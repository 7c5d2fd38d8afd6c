from objstore.common import constraints as c


def test_metadata_within_limits_is_accepted():
    headers = {"X-Object-Meta-%d" % i: "v" * 40 for i in range(90)}
    assert c.check_metadata(headers, "object") is None


def test_too_many_metadata_items_is_refused():
    headers = {"X-Object-Meta-%d" % i: "v" for i in range(91)}
    assert "Too many" in c.check_metadata(headers, "object")


def test_metadata_name_and_value_limits():
    assert "name too long" in c.check_metadata({"X-Container-Meta-" + "n" * 129: "v"}, "container")
    assert c.check_metadata({"X-Container-Meta-" + "n" * 128: "v"}, "container") is None
    assert "value longer" in c.check_metadata({"X-Account-Meta-a": "v" * 257}, "account")
    assert c.check_metadata({"X-Account-Meta-a": "v" * 256}, "account") is None


def test_overall_metadata_size_limit():
    headers = {"X-Object-Meta-k%02d" % i: "v" * 250 for i in range(17)}
    assert "Total metadata too large" in c.check_metadata(headers, "object")


def test_only_user_metadata_of_the_target_counts():
    headers = {"X-Container-Meta-a": "v" * 1000, "Content-Type": "x" * 5000}
    assert c.check_metadata(headers, "object") is None


def test_empty_metadata_name_is_refused():
    assert "empty" in c.check_metadata({"X-Object-Meta-": "v"}, "object")


def test_object_creation_checks_size_length_and_name():
    ok = {"Content-Length": "10"}
    assert c.check_object_creation(ok, "o") is None
    assert "too large" in c.check_object_creation({"Content-Length": str(c.MAX_FILE_SIZE + 1)}, "o")
    assert "Invalid" in c.check_object_creation({"Content-Length": "abc"}, "o")
    assert "Missing" in c.check_object_creation({}, "o")
    assert c.check_object_creation({"Transfer-Encoding": "chunked"}, "o") is None
    assert c.check_object_creation(ok, "o" * 1024) is None
    assert "longer than" in c.check_object_creation(ok, "o" * 1025)
    # characters, not bytes, as Swift 2.38.3 counts them
    assert c.check_object_creation(ok, "\u00e9" * 1024) is None
    assert c.check_object_creation(ok, "\u00e9" * 1025) == "Object name length of 1025 longer than 1024"


def test_utf8_validation():
    assert c.valid_utf8("caf\u00e9")
    assert c.valid_utf8(b"caf\xc3\xa9")
    assert not c.valid_utf8(b"\xff\xfe")
    assert not c.valid_utf8("a\x00b")
    assert not c.valid_utf8("\ud800")


def test_info_lists_the_limits_users_rely_on():
    info = c.info()
    assert info["max_file_size"] == 5368709122
    assert info["container_listing_limit"] == 10000
    assert info["max_object_name_length"] == 1024
    assert info["max_request_line"] == 8192
    assert "valid_api_versions" not in info  # Swift shows it only when configured


def test_metadata_values_are_judged_as_the_bytes_on_the_wire():
    # WSGI hands "é" over as two latin-1 characters: two bytes, valid UTF-8
    assert c.check_metadata({"X-Object-Meta-A": "\xc3\xa9" * 128}, "object") is None
    assert "value longer" in c.check_metadata({"X-Object-Meta-A": "\xc3\xa9" * 129}, "object")
    # an object keeps bytes that are not UTF-8, as Swift 2.38.3's do; a
    # container or an account (text in a database) refuses them
    assert c.check_metadata({"X-Object-Meta-A": "\xff\xfe"}, "object") is None
    assert c.check_metadata({"X-Object-Meta-\xff": "v"}, "object") is None
    assert c.check_metadata({"X-Account-Meta-A": "\xff\xfe"}, "account") == \
        "Metadata must be valid UTF-8"
    assert c.check_metadata({"X-Container-Meta-\xff": "v"}, "container") == \
        "Metadata must be valid UTF-8"
    # text a middleware set (above U+00FF) counts as its UTF-8 bytes
    assert c.check_metadata({"X-Object-Meta-A": "\u2603" * 85}, "object") is None
    assert "value longer" in c.check_metadata({"X-Object-Meta-A": "\u2603" * 86}, "object")


def test_a_content_type_parameter_named_swift_star_is_refused_as_swift():
    for bad in ("a/b; swift_bytes=3", "a/b;swift_bytes=x", "text/plain; swift_bytes",
                "a/b; x=1; swift_y=2", "a/b;swift_=1", 'a/b; x="1;swift_y=2"'):
        assert c.check_content_type_params(bad) == \
            "Invalid Content-Type, swift_* is not a valid parameter name.", bad
    for good in (None, "", "a/b", "swift_bytes=3", "a/b;swift", "a/b; Swift_bytes=1",
                 "a/b; xswift_bytes=1", "a/b,swift_bytes=1", "a/b; slo_etag=x"):
        assert c.check_content_type_params(good) is None, good


def test_content_type_for_keeps_the_clients_type_and_guesses_a_missing_one() -> None:
    assert c.content_type_for({"Content-Type": "text/x; a=b"}, "o.json") == "text/x; a=b"
    assert c.content_type_for({}, "o.json") == "application/json"
    assert c.content_type_for({}, "o") == c.DEFAULT_CONTENT_TYPE


def test_content_type_of_parameters_only_is_guessed_with_them_after() -> None:
    assert c.content_type_for({"Content-Type": ";swift_versions_id=1.5"},
                                        "o.json") == "application/json;swift_versions_id=1.5"
    assert c.content_type_for({"Content-Type": ";p=1"}, "o") == \
        c.DEFAULT_CONTENT_TYPE + ";p=1"
    assert c.split_type_params(" ;p=1") == ("", ";p=1")
    assert c.split_type_params("text/plain") == ("text/plain", "")
