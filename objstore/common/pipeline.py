"""Build the proxy's WSGI pipeline from its INI config, paste-style.

``[pipeline:main] pipeline = a b c proxy-server`` names ``[filter:a]`` ...
sections and, last, an ``[app:proxy-server]`` section. Each section's
``use`` says where the code lives:

* ``egg:objstore#name``: a filter in ``objstore.middleware.name`` (``-``
  becomes ``_``), or for an app, ``egg:objstore#proxy`` is
  ``objstore.proxy.server:app_factory``;
* ``python:package.module:factory``: any importable factory (tests, and
  operators' own middleware).

Filters are called ``filter_factory(global_conf, **local_conf)`` and must
return ``callable(app) -> app``; apps ``app_factory(global_conf,
**local_conf)``. ``global_conf`` is ``[DEFAULT]``; ``local_conf`` is what
the section itself sets. As with paste, ``set key = value`` in a section
overrides a ``[DEFAULT]`` value for that section only.

Building a pipeline resets the ``/info`` registry first, so ``/info``
describes exactly the middlewares that were built.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Dict, List, Tuple

from objstore.common import registry
from objstore.common.config import ConfigError, read_conf

EGG_PREFIX = "egg:objstore#"
PYTHON_PREFIX = "python:"
MIDDLEWARE_PACKAGE = "objstore.middleware"
# Apps named by ``egg:objstore#<name>``: module and factory.
EGG_APPS = {"proxy": ("objstore.proxy.server", "app_factory")}
_SET_PREFIX = "set "

WsgiApp = Callable[..., Any]


def load_pipeline(conf_path: str, name: str = "main") -> WsgiApp:
    """The WSGI app described by ``[pipeline:<name>]`` in ``conf_path``.

    Raises ``ConfigError`` naming the section at fault for a missing or
    unknown section, a bad ``use`` line or a factory that cannot be
    imported, so an operator knows which line to fix.
    """
    sections = read_conf(conf_path)
    pipe_section = "pipeline:%s" % name
    if pipe_section not in sections:
        raise ConfigError("config %s has no [%s] section" % (conf_path, pipe_section))
    names = sections[pipe_section].get("pipeline", "").split()
    if not names:
        raise ConfigError("[%s] in %s: 'pipeline' lists nothing; it must end "
                          "with an app" % (pipe_section, conf_path))
    defaults = sections["DEFAULT"]
    registry.reset_info()
    app_name, filter_names = names[-1], names[:-1]
    app_section = "app:%s" % app_name
    if app_section not in sections:
        raise ConfigError("[%s] in %s: the last name %r needs an [%s] section"
                          % (pipe_section, conf_path, app_name, app_section))
    global_conf, local_conf = _split_conf(defaults, sections[app_section])
    factory = _resolve(conf_path, app_section, local_conf, kind="app")
    app = factory(global_conf, **local_conf)
    # Build right to left so the first name in the list sees requests first.
    for filter_name in reversed(filter_names):
        section = "filter:%s" % filter_name
        if section not in sections:
            raise ConfigError("[%s] in %s names %r but there is no [%s] section"
                              % (pipe_section, conf_path, filter_name, section))
        global_conf, local_conf = _split_conf(defaults, sections[section])
        factory = _resolve(conf_path, section, local_conf, kind="filter")
        wrap = factory(global_conf, **local_conf)
        if not callable(wrap):
            raise ConfigError("[%s] in %s: filter_factory returned %r, not a "
                              "callable taking the next app" % (section, conf_path, wrap))
        app = wrap(app)
    return app


def pipeline_names(conf_path: str, name: str = "main") -> List[str]:
    """The names in ``[pipeline:<name>]`` in order (for tools and tests)."""
    sections = read_conf(conf_path)
    return sections.get("pipeline:%s" % name, {}).get("pipeline", "").split()


def _split_conf(defaults: Dict[str, str],
                merged: Dict[str, str]) -> Tuple[Dict[str, str], Dict[str, str]]:
    """``(global_conf, local_conf)`` for one section.

    ``read_conf`` merges DEFAULT into every section; the section's own keys
    are those not in DEFAULT or with a different value. ``set key`` entries
    override the DEFAULT value in both dicts.
    """
    global_conf = dict(defaults)
    local_conf: Dict[str, str] = {}
    for key, value in merged.items():
        if key.startswith(_SET_PREFIX):
            real = key[len(_SET_PREFIX):].strip()
            global_conf[real] = value
            local_conf[real] = value
        elif key not in defaults or defaults[key] != value:
            local_conf[key] = value
    return global_conf, local_conf


def _resolve(conf_path: str, section: str, local_conf: Dict[str, str],
             kind: str) -> Callable[..., Any]:
    """The factory named by the section's ``use`` line."""
    use = local_conf.pop("use", "").strip()
    if not use:
        raise ConfigError("[%s] in %s has no 'use = egg:objstore#NAME' line"
                          % (section, conf_path))
    if use.startswith(EGG_PREFIX):
        entry = use[len(EGG_PREFIX):].strip()
        if kind == "app":
            if entry not in EGG_APPS:
                raise ConfigError("[%s] in %s: unknown app %r (known: %s)"
                                  % (section, conf_path, use, ", ".join(sorted(EGG_APPS))))
            module_name, attr = EGG_APPS[entry]
        else:
            module_name = "%s.%s" % (MIDDLEWARE_PACKAGE, entry.replace("-", "_"))
            attr = "filter_factory"
    elif use.startswith(PYTHON_PREFIX):
        target = use[len(PYTHON_PREFIX):].strip()
        module_name, _sep, attr = target.partition(":")
        if not module_name or not attr:
            raise ConfigError("[%s] in %s: %r must look like "
                              "python:package.module:factory" % (section, conf_path, use))
    else:
        raise ConfigError("[%s] in %s: 'use = %s' is neither egg:objstore#NAME nor "
                          "python:module:factory" % (section, conf_path, use))
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        if err.name and module_name.startswith(err.name):
            raise ConfigError("[%s] in %s: unknown %s %r (no module %s)"
                              % (section, conf_path, kind, use, module_name)) from None
        raise
    factory = getattr(module, attr, None)
    if not callable(factory):
        raise ConfigError("[%s] in %s: module %s has no %s()"
                          % (section, conf_path, module_name, attr))
    return factory


#: Set on a middleware that encrypts what it stores (the value says whether
#: it does now): s3api asks for it to know whether SSE can be honoured.
ENCRYPTS_AT_REST = "encrypts_at_rest"


def found_below(app: WsgiApp, attribute: str) -> Any:
    """The value of ``attribute`` on ``app`` or the first app it wraps
    (through ``.app``) that has it, else None.

    How a middleware learns what runs after it without importing that
    middleware's module, so each stays removable from the pipeline on its
    own: the other one declares the attribute, this asks for it.
    """
    for _hop in range(100):
        if app is None:
            break
        if hasattr(app, attribute):
            return getattr(app, attribute)
        app = getattr(app, "app", None)
    return None
