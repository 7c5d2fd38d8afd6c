import textwrap

import pytest
from webob import Request

from objstore.common import registry
from objstore.common.config import ConfigError
from objstore.common.pipeline import load_pipeline, pipeline_names

PIECES = '''
from objstore.common import registry

def app_factory(global_conf, **local_conf):
    def app(env, start_response):
        body = ("app:" + local_conf.get("greeting", "-") + " trail="
                + ",".join(env.get("trail", []))).encode()
        start_response("200 OK", [("Content-Length", str(len(body)))])
        return [body]
    app.global_conf = global_conf
    app.local_conf = local_conf
    return app

def filter_factory(global_conf, **local_conf):
    tag = local_conf["tag"]
    registry.register_info("tagged", **{tag: global_conf.get("colour", "-")})
    def wrap(app):
        def mw(env, start_response):
            env.setdefault("trail", []).append(tag)
            return app(env, start_response)
        mw.inner = app
        mw.global_conf = global_conf
        mw.local_conf = local_conf
        return mw
    return wrap

def not_callable_factory(global_conf, **local_conf):
    return None
'''


@pytest.fixture
def write_conf(tmp_path, monkeypatch):
    (tmp_path / "pipe_pieces.py").write_text(PIECES)
    monkeypatch.syspath_prepend(str(tmp_path))

    def write(text):
        path = tmp_path / "proxy.conf"
        path.write_text(textwrap.dedent(text))
        return str(path)
    return write


def _body(app, path="/"):
    return Request.blank(path).get_response(app).body.decode()


def test_filters_wrap_the_app_in_the_order_listed(write_conf):
    path = write_conf("""
        [pipeline:main]
        pipeline = a b main
        [filter:a]
        use = python:pipe_pieces:filter_factory
        tag = A
        [filter:b]
        use = python:pipe_pieces:filter_factory
        tag = B
        [app:main]
        use = python:pipe_pieces:app_factory
        greeting = hi
    """)
    app = load_pipeline(path)
    assert _body(app) == "app:hi trail=A,B"
    assert pipeline_names(path) == ["a", "b", "main"]


def test_the_same_filter_may_appear_twice_and_is_built_twice(write_conf):
    path = write_conf("""
        [pipeline:main]
        pipeline = log a log main
        [filter:log]
        use = python:pipe_pieces:filter_factory
        tag = L
        [filter:a]
        use = python:pipe_pieces:filter_factory
        tag = A
        [app:main]
        use = python:pipe_pieces:app_factory
    """)
    app = load_pipeline(path)
    assert _body(app) == "app:- trail=L,A,L"
    assert app.inner.inner is not app  # two separate instances


def test_default_goes_to_global_conf_and_the_section_keys_to_local_conf(write_conf):
    path = write_conf("""
        [DEFAULT]
        colour = blue
        log_name = proxy
        [pipeline:main]
        pipeline = a main
        [filter:a]
        use = python:pipe_pieces:filter_factory
        tag = A
        set colour = red
        [app:main]
        use = python:pipe_pieces:app_factory
        greeting = hello
    """)
    app = load_pipeline(path)
    assert app.local_conf == {"tag": "A", "colour": "red"}
    assert app.global_conf["colour"] == "red"
    assert app.inner.global_conf["colour"] == "blue"
    assert app.inner.local_conf == {"greeting": "hello"}
    assert "use" not in app.inner.local_conf


def test_building_a_pipeline_resets_and_repopulates_the_info_registry(write_conf):
    registry.register_info("stale", x=1)
    path = write_conf("""
        [DEFAULT]
        colour = green
        [pipeline:main]
        pipeline = a main
        [filter:a]
        use = python:pipe_pieces:filter_factory
        tag = A
        [app:main]
        use = python:pipe_pieces:app_factory
    """)
    load_pipeline(path)
    info = registry.get_info()
    assert "stale" not in info
    assert info["tagged"] == {"A": "green"}


def test_egg_names_map_to_objstore_middleware_modules(write_conf):
    path = write_conf("""
        [pipeline:main]
        pipeline = healthcheck main
        [filter:healthcheck]
        use = egg:objstore#healthcheck
        [app:main]
        use = python:pipe_pieces:app_factory
    """)
    app = load_pipeline(path)
    assert _body(app, "/healthcheck") == "OK"
    assert _body(app, "/other") == "app:- trail="


@pytest.mark.parametrize("text, message", [
    ("[app:main]\nuse = python:pipe_pieces:app_factory\n", r"no \[pipeline:main\]"),
    ("[pipeline:main]\npipeline =\n", "lists nothing"),
    ("[pipeline:main]\npipeline = a main\n[app:main]\nuse = python:pipe_pieces:app_factory\n",
     r"no \[filter:a\] section"),
    ("[pipeline:main]\npipeline = main\n", r"needs an \[app:main\]"),
    ("[pipeline:main]\npipeline = a main\n[filter:a]\nuse = egg:objstore#no_such_thing\n"
     "[app:main]\nuse = python:pipe_pieces:app_factory\n", r"\[filter:a\].*unknown filter"),
    ("[pipeline:main]\npipeline = main\n[app:main]\nuse = egg:objstore#nope\n",
     r"\[app:main\].*unknown app"),
    ("[pipeline:main]\npipeline = main\n[app:main]\ngreeting = x\n", r"\[app:main\].*no 'use"),
    ("[pipeline:main]\npipeline = main\n[app:main]\nuse = paste:whatever\n", r"\[app:main\]"),
    ("[pipeline:main]\npipeline = main\n[app:main]\nuse = python:pipe_pieces\n",
     "python:package.module:factory"),
    ("[pipeline:main]\npipeline = main\n[app:main]\nuse = python:pipe_pieces:missing\n",
     r"has no missing\(\)"),
    ("[pipeline:main]\npipeline = a main\n[filter:a]\nuse = python:pipe_pieces:not_callable_factory\n"
     "[app:main]\nuse = python:pipe_pieces:app_factory\n", r"\[filter:a\].*not a callable"),
])
def test_bad_pipeline_configs_raise_config_error_naming_the_section(write_conf, text, message):
    with pytest.raises(ConfigError, match=message):
        load_pipeline(write_conf(text))


def test_a_missing_config_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="nope.conf"):
        load_pipeline(str(tmp_path / "nope.conf"))
