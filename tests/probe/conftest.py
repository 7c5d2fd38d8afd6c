"""Fixtures of the probe tests (helpers and docs in ``probe_helpers``)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_helpers import conn, container, saio  # noqa: E402,F401
