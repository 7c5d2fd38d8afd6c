"""One INI config loader for every server and daemon.

Configs are plain INI files (``etc/*.conf``). ``[DEFAULT]`` values are merged
into every section, as operators of Swift expect. Interpolation is off so
that values may contain ``%``.
"""

from __future__ import annotations

import configparser
import os
from typing import Dict, Optional

DEFAULT_SWIFT_DIR = "/etc/objstore"
TRUE_VALUES = frozenset(("true", "1", "yes", "on", "t", "y"))


class ConfigError(ValueError):
    """A config file is missing or malformed; the message names the file."""


def read_conf(path: str) -> Dict[str, Dict[str, str]]:
    """Every section of ``path`` as a dict, DEFAULT merged into each.

    The special key ``__file__`` holds the path, so a server can find files
    relative to its config.
    """
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # keys are case-sensitive (user_test_tester)
    try:
        with open(path, encoding="utf-8") as fp:
            parser.read_file(fp)
    except OSError as err:
        raise ConfigError("cannot read config %s: %s" % (path, err.strerror)) from None
    except configparser.Error as err:
        raise ConfigError("malformed config %s: %s" % (path, err)) from None
    sections: Dict[str, Dict[str, str]] = {}
    defaults = dict(parser.defaults())
    defaults["__file__"] = path
    sections["DEFAULT"] = defaults
    for name in parser.sections():
        merged = dict(defaults)
        merged.update({k: v for k, v in parser.items(name, raw=True)})
        sections[name] = merged
    return sections


def read_section(path: str, section: str) -> Dict[str, str]:
    """One section of ``path`` (DEFAULT merged); ``ConfigError`` if absent."""
    sections = read_conf(path)
    if section not in sections:
        raise ConfigError("config %s has no [%s] section" % (path, section))
    return sections[section]


def config_true_value(value: object) -> bool:
    """True for the usual spellings of yes (``true``, ``1``, ``yes``, ``on``)."""
    if value is True:
        return True
    return isinstance(value, str) and value.strip().lower() in TRUE_VALUES


def config_int(conf: Dict[str, str], key: str, default: int, minimum: Optional[int] = None) -> int:
    """``conf[key]`` as int, with a clear error naming the key if it is bad."""
    raw = conf.get(key, default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ConfigError("option %s must be an integer, got %r" % (key, raw)) from None
    if minimum is not None and value < minimum:
        raise ConfigError("option %s must be >= %d, got %d" % (key, minimum, value))
    return value


def config_float(conf: Dict[str, str], key: str, default: float) -> float:
    raw = conf.get(key, default)
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise ConfigError("option %s must be a number, got %r" % (key, raw)) from None


def swift_dir(conf: Dict[str, str]) -> str:
    """Directory holding rings and ``objstore.conf`` for this server."""
    return conf.get("swift_dir") or os.environ.get("OBJSTORE_DIR") or DEFAULT_SWIFT_DIR


def load_hash_settings(directory: str) -> tuple:
    """``(prefix, suffix)`` bytes from ``<directory>/objstore.conf``.

    Every node of a cluster must use the same values, or objects land on
    partitions nobody looks in.
    """
    path = os.path.join(directory, "objstore.conf")
    if not os.path.exists(path):
        return b"", b""
    section = read_conf(path).get("objstore-hash", {})
    return (section.get("swift_hash_path_prefix", "").encode("utf-8"),
            section.get("swift_hash_path_suffix", "").encode("utf-8"))
