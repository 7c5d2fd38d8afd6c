from webob import Request, Response

from objstore.middleware.healthcheck import filter_factory


def inner(env, start_response):
    return Response(body=b"inner")(env, start_response)


def test_healthcheck_answers_ok_without_calling_the_app():
    app = filter_factory({})(lambda env, sr: 1 / 0)
    resp = Request.blank("/healthcheck").get_response(app)
    assert resp.status_int == 200
    assert resp.body == b"OK"


def test_other_paths_go_to_the_next_app():
    app = filter_factory({})(inner)
    assert Request.blank("/healthcheck/x").get_response(app).body == b"inner"
    assert Request.blank("/v1/AUTH_test").get_response(app).body == b"inner"


def test_an_existing_disable_file_turns_healthcheck_into_503(tmp_path):
    flag = tmp_path / "disabled"
    app = filter_factory({}, disable_path=str(flag))(inner)
    assert Request.blank("/healthcheck").get_response(app).status_int == 200
    flag.write_text("")
    resp = Request.blank("/healthcheck").get_response(app)
    assert resp.status_int == 503
    assert resp.body == b"DISABLED BY FILE"
