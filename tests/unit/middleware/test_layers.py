"""Each middleware can leave the pipeline on its own: no module of one
pipeline entry imports another entry's modules or the proxy (what two
middlewares share lives in objstore/common, ARCHITECTURE.md)."""
import ast
import os
from typing import Dict, Iterator, Set, Tuple

import objstore.middleware

ROOT = os.path.dirname(objstore.middleware.__file__)


def _modules() -> Iterator[Tuple[str, str]]:
    """(entry, file) of every module: its entry is its top-level name under
    objstore/middleware (a package such as s3api is one entry)."""
    for dirpath, _dirs, files in os.walk(ROOT):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, ROOT)
                yield rel.split(os.sep)[0].rsplit(".py", 1)[0], path


def _entries() -> Set[str]:
    """Pipeline entries: modules and packages with a filter_factory."""
    out = set()
    for entry, path in _modules():
        with open(path) as fh:
            if "def filter_factory" in fh.read():
                out.add(entry)
    return out


def _imports(path: str) -> Iterator[str]:
    with open(path) as fh:
        tree = ast.parse(fh.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "objstore.middleware":
                yield from ("objstore.middleware." + a.name for a in node.names)
            else:
                yield node.module


def test_no_middleware_imports_another_middleware_or_the_proxy():
    entries = _entries()
    assert {"s3api", "encryption", "staticweb", "versioned_writes"} <= entries
    found: Dict[str, Set[str]] = {}
    for entry, path in _modules():
        for module in _imports(path):
            if module.startswith("objstore.proxy"):
                found.setdefault(entry, set()).add(module)
            if not module.startswith("objstore.middleware."):
                continue
            other = module.split(".")[2]
            if other != entry and other in entries:
                found.setdefault(entry, set()).add(module)
    assert found == {}
