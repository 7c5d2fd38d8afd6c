"""tempauth's side of the s3api hand-off: check_signature decides, the path gets the account."""

from webob import Request, Response

from objstore.middleware.tempauth import filter_factory


def seen_app(env, start_response):
    return Response(json_body={"path": env["PATH_INFO"],
                               "user": env.get("REMOTE_USER")})(env, start_response)


def call(details, path="/v1/test:tester/bucket"):
    app = filter_factory({}, user_test_tester="testing .admin")(seen_app)
    req = Request.blank(path)
    req.environ["s3api.auth_details"] = details
    return req, req.get_response(app)


def test_a_good_s3_signature_authenticates_as_the_user_and_sets_the_account():
    req, resp = call({"access_key": "test:tester", "check_signature": lambda s: s == "testing"})
    assert resp.status_int == 200
    assert resp.json["path"] == "/v1/AUTH_test/bucket"
    assert "test:tester" in resp.json["user"].split(",")
    assert req.environ["PATH_INFO"] == "/v1/AUTH_test/bucket"


def test_a_bad_s3_signature_is_refused_without_reaching_the_app():
    _, resp = call({"access_key": "test:tester", "check_signature": lambda s: False})
    assert resp.status_int == 401


def test_an_unknown_access_key_is_refused_without_checking_a_signature():
    called = []
    _, resp = call({"access_key": "nobody:x",
                    "check_signature": lambda s: called.append(s) or True},
                   path="/v1/nobody:x/bucket")
    assert resp.status_int == 401 and called == []


def _identify(check):
    reached = []

    def app(env, start_response):
        reached.append(env["PATH_INFO"])
        return seen_app(env, start_response)

    auth = filter_factory({}, user_test_tester="testing .admin")(app)
    req = Request.blank("/v1/test:tester", method="OPTIONS")
    req.environ["s3api.auth_details"] = {"access_key": "test:tester", "check_signature": check}
    req.environ["s3api.identify_only"] = True
    return req, req.get_response(auth), reached


def test_an_identify_only_request_is_answered_by_tempauth_once_the_signature_holds():
    req, resp, reached = _identify(lambda s: s == "testing")
    assert resp.status_int == 204 and reached == []
    assert req.environ["PATH_INFO"] == "/v1/AUTH_test"
    assert "test:tester" in req.environ["REMOTE_USER"].split(",")
    assert req.environ["swift.authorize"] is not None


def test_an_identify_only_request_with_a_bad_signature_is_still_refused():
    req, resp, reached = _identify(lambda s: False)
    assert resp.status_int == 401 and reached == []
    assert "REMOTE_USER" not in req.environ
