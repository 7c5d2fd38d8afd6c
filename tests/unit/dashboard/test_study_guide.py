"""docs/study-guide.md names real code: every ``path.py:Name.attr`` it
cites is a file of this checkout defining that class, function or method,
and every file it cites exists (a renamed function fails here, not in front
of a student)."""

import ast
import os
import re

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
GUIDE = os.path.join(REPO, "docs", "study-guide.md")
CITED = re.compile(r"`((?:objstore|ring)/[\w/]+\.py)(?::([\w.]+))?`")


def _defined(tree: ast.AST, dotted: str) -> bool:
    scope = list(ast.iter_child_nodes(tree))
    for part in dotted.split("."):
        found = [n for n in scope if isinstance(n, (ast.ClassDef, ast.FunctionDef,
                                                    ast.AsyncFunctionDef)) and n.name == part]
        found += [n for n in scope if isinstance(n, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == part for t in n.targets)]
        if not found:
            return False
        scope = list(ast.iter_child_nodes(found[0]))
    return True


def test_every_file_and_function_the_study_guide_cites_exists():
    with open(GUIDE, encoding="utf-8") as fp:
        cited = CITED.findall(fp.read())
    assert len(cited) > 60  # the walk-through cites each step
    missing = []
    trees = {}
    for path, name in cited:
        full = os.path.join(REPO, path)
        if not os.path.isfile(full):
            missing.append(path)
            continue
        if name:
            if path not in trees:
                with open(full, encoding="utf-8") as fp:
                    trees[path] = ast.parse(fp.read())
            if not _defined(trees[path], name):
                missing.append("%s:%s" % (path, name))
    assert missing == []


def test_a_name_that_is_not_there_is_caught():
    tree = ast.parse("class A:\n    def b(self):\n        pass\nGET = 1\n")
    assert _defined(tree, "A.b") and _defined(tree, "GET")
    assert not _defined(tree, "A.c") and not _defined(tree, "B")
