"""Storage policies declared in ``objstore.conf`` (``[storage-policy:N]``).

Policy 0 (``Policy-0``, replication) exists even when none is declared, so
a minimal cluster needs no policy config at all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from objstore.common.config import ConfigError, config_true_value, read_conf
from objstore.common.ec import ECParams, validate_params

REPLICATION = "replication"
ERASURE_CODING = "erasure_coding"


@dataclass
class StoragePolicy:
    index: int
    name: str
    policy_type: str = REPLICATION
    is_default: bool = False
    is_deprecated: bool = False
    aliases: List[str] = field(default_factory=list)
    options: Dict[str, str] = field(default_factory=dict)
    #: EC settings, validated at load; None for replication
    ec: Optional[ECParams] = None

    @property
    def is_ec(self) -> bool:
        return self.policy_type == ERASURE_CODING

    @property
    def ring_name(self) -> str:
        return "object" if self.index == 0 else "object-%d" % self.index

    def info(self) -> Dict[str, object]:
        data: Dict[str, object] = {"name": self.name, "aliases": ", ".join([self.name] + self.aliases)}
        if self.is_default:
            data["default"] = True
        if self.is_deprecated:
            data["deprecated"] = True
        if self.policy_type != REPLICATION:
            data["policy_type"] = self.policy_type
        if self.ec is not None:
            data.update({"ec_type": self.ec.ec_type,
                         "ec_num_data_fragments": self.ec.ndata,
                         "ec_num_parity_fragments": self.ec.nparity,
                         "ec_object_segment_size": self.ec.segment_size})
        return data


def data_dir(base: str, policy_index: int) -> str:
    """``objects`` for policy 0, ``objects-N`` otherwise (same for
    ``async_pending`` and ``tmp`` style per-policy dirs)."""
    return base if int(policy_index) == 0 else "%s-%d" % (base, int(policy_index))


class StoragePolicies:
    """The policies of one cluster, looked up by index or name."""

    def __init__(self, policies: List[StoragePolicy]) -> None:
        if not policies:
            policies = [StoragePolicy(0, "Policy-0", is_default=True)]
        if not any(p.is_default for p in policies):
            if len(policies) > 1:
                raise ConfigError("several storage policies but none is default")
            policies[0].is_default = True
        names = set()
        for p in policies:
            for n in [p.name] + p.aliases:
                if n.upper() in names:
                    raise ConfigError("duplicate storage policy name %r" % n)
                names.add(n.upper())
        self.by_index = {p.index: p for p in policies}

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(sorted(self.by_index.values(), key=lambda p: p.index))

    @property
    def default(self) -> StoragePolicy:
        return next(p for p in self.by_index.values() if p.is_default)

    def get_by_index(self, index: object) -> Optional[StoragePolicy]:
        try:
            return self.by_index.get(int(index))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None

    def get_by_name(self, name: str) -> Optional[StoragePolicy]:
        for p in self.by_index.values():
            if name.upper() in [n.upper() for n in [p.name] + p.aliases]:
                return p
        return None

    def info(self) -> List[Dict[str, object]]:
        return [p.info() for p in self if not p.is_deprecated]


def load_policies(directory: str) -> StoragePolicies:
    """Policies from ``<directory>/objstore.conf``; policy 0 if none."""
    path = os.path.join(directory, "objstore.conf")
    found: List[StoragePolicy] = []
    if os.path.exists(path):
        for section, opts in read_conf(path).items():
            if not section.startswith("storage-policy:"):
                continue
            try:
                index = int(section.split(":", 1)[1])
            except ValueError:
                raise ConfigError("bad storage policy section [%s] in %s" % (section, path)) from None
            aliases = [a.strip() for a in opts.get("aliases", "").split(",") if a.strip()]
            name = opts.get("name", "Policy-%d" % index)
            policy_type = opts.get("policy_type", REPLICATION).strip()
            ec = None
            if policy_type == ERASURE_CODING:
                try:
                    ec = validate_params(section, opts)
                except ValueError as err:
                    raise ConfigError("%s in %s" % (err, path)) from None
            elif policy_type != REPLICATION:
                raise ConfigError("[%s]: unknown policy_type %r in %s; use %s or %s"
                                  % (section, policy_type, path, REPLICATION, ERASURE_CODING))
            found.append(StoragePolicy(
                index=index, name=name, ec=ec,
                policy_type=policy_type,
                is_default=config_true_value(opts.get("default", "no")),
                is_deprecated=config_true_value(opts.get("deprecated", "no")),
                aliases=[a for a in aliases if a != name],
                options={k: v for k, v in opts.items() if k.startswith("ec_")}))
    return StoragePolicies(found)
