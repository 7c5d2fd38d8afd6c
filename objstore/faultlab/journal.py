"""The lab's list of live faults: a JSON file under a lock, shared by the
CLI and the dashboard (two processes), so each sees and can undo what the
other did."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from typing import Any, Dict, Iterator, List

JOURNAL = "faults.json"


class Journal:
    """Faults as dicts with an ``id`` (never reused), newest last."""

    def __init__(self, lab_dir: str) -> None:
        self.path = os.path.join(lab_dir, JOURNAL)
        self.lock_path = self.path + ".lock"

    @contextlib.contextmanager
    def locked(self) -> Iterator[Dict[str, Any]]:
        """The whole document (``{"next_id": n, "faults": [...]}``), written
        back when the block ends without an exception."""
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        with open(self.lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            doc = self._read()
            yield doc
            tmp = "%s.%d.tmp" % (self.path, os.getpid())
            with open(tmp, "w") as fp:
                json.dump(doc, fp, indent=1, sort_keys=True)
            os.replace(tmp, self.path)

    def _read(self) -> Dict[str, Any]:
        try:
            with open(self.path) as fp:
                doc = json.load(fp)
        except (OSError, ValueError):
            doc = {}
        if not isinstance(doc.get("faults"), list):
            doc = {"next_id": int(doc.get("next_id", 1) or 1), "faults": []}
        return doc

    def faults(self) -> List[Dict[str, Any]]:
        return list(self._read()["faults"])

    def add(self, fault: Dict[str, Any]) -> Dict[str, Any]:
        with self.locked() as doc:
            fault = dict(fault, id=doc["next_id"], time=time.time())
            doc["next_id"] += 1
            doc["faults"].append(fault)
        return fault

    def remove(self, fault_id: int) -> None:
        with self.locked() as doc:
            doc["faults"] = [f for f in doc["faults"] if f.get("id") != fault_id]
