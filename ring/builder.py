"""RingBuilder: devices, the partition->device table, and rebalancing.

The builder is the only writer of rings.  It keeps enough history (when
each partition last moved) to guarantee that a rebalance never moves two
replicas of one partition within ``min_part_hours`` -- so at least a
majority of every partition's replicas stays where the previous ring
said it was while replication catches up.
"""
from __future__ import annotations

import base64
import math
import random
import time
import uuid
from array import array
from collections import Counter
from typing import Any, Iterable, Optional

from ring.formats import (MAX_DEVICES, NONE_DEV, RingData, decode_rows,
                          encode_rows, read_builder_file, write_builder_file)
from ring.placement import (Plan, TierTree, excess_replicas, fresh_layout,
                            row_lengths_for)
from ring.utils import search_devs

MAX_BALANCE = 999.99
MAX_PART_POWER = 32
DEV_FIELDS = ('id', 'region', 'zone', 'ip', 'port', 'replication_ip',
              'replication_port', 'device', 'weight', 'meta')
_HOURS_CAP = 255


class RingBuilderError(ValueError):
    """The request cannot be done; the message says what to change."""


def _check_weight(weight: Any) -> None:
    if not (math.isfinite(float(weight)) and float(weight) >= 0):
        raise RingBuilderError('weight must be a finite number >= 0, got %s' % weight)


def _check_dev(dev: dict[str, Any]) -> None:
    for key in ('region', 'zone', 'ip', 'port', 'device', 'weight'):
        if key not in dev or dev[key] in (None, ''):
            raise RingBuilderError('device is missing %r' % key)
    _check_weight(dev['weight'])
    for key in ('region', 'zone', 'port', 'replication_port'):
        if int(dev[key]) < 0:
            raise RingBuilderError('%s must be >= 0' % key)
    if not 0 < int(dev['port']) < 65536:
        raise RingBuilderError('port %s out of range' % dev['port'])


class RingBuilder:
    """Holds the devices and table for one ring and rebalances it."""

    def __init__(self, part_power: int, replicas: float, min_part_hours: int) -> None:
        if not 1 <= int(part_power) <= MAX_PART_POWER:
            raise RingBuilderError('part_power must be 1..%d, got %s'
                                   % (MAX_PART_POWER, part_power))
        if not (math.isfinite(float(replicas)) and float(replicas) >= 1):
            raise RingBuilderError('replicas must be >= 1, got %s' % replicas)
        if int(min_part_hours) < 0:
            raise RingBuilderError('min_part_hours must be >= 0')
        self.part_power = int(part_power)
        self.replicas = float(replicas)
        self.min_part_hours = int(min_part_hours)
        self.overload = 0.0
        self.devs: list[Optional[dict[str, Any]]] = []
        #: build version: counts device changes (add, remove, weight, region,
        #: zone) and rebalances, not settings (overload, replicas, info), as Swift's
        self.version = 0
        self.id = uuid.uuid4().hex
        self.devs_changed = False
        self.dispersion = 0.0
        self._replica2part2dev: Optional[list[array]] = None
        self._last_moved: Optional[bytearray] = None
        self._last_moved_epoch = 0
        self._remove_dev_ids: set[int] = set()
        #: set while the partition power is being increased (see
        #: prepare_increase_partition_power); written into the ring file
        self.next_part_power: Optional[int] = None
        #: partition-replicas the last rebalance() moved (not saved)
        self.moved_replicas = 0

    # ----------------------------------------------------------- properties
    @property
    def parts(self) -> int:
        return 1 << self.part_power

    @property
    def replica2part2dev(self) -> Optional[list[array]]:
        return self._replica2part2dev

    def live_devs(self) -> list[dict[str, Any]]:
        """Devices in the ring and not marked for removal."""
        return [d for d in self.devs if d is not None and d['id'] not in self._remove_dev_ids]

    def pending_removal(self) -> set[int]:
        return set(self._remove_dev_ids)

    # -------------------------------------------------------------- devices
    def add_dev(self, dev: dict[str, Any]) -> int:
        """Add a device; returns its id.  Takes effect at the next rebalance."""
        dev = dict(dev)
        dev.setdefault('replication_ip', dev.get('ip'))
        dev.setdefault('replication_port', dev.get('port'))
        dev.setdefault('meta', '')
        _check_dev(dev)
        for other in self.devs:
            if other is not None and other['id'] not in self._remove_dev_ids and (
                    other['ip'], other['port'], other['device']) == (
                    dev['ip'], int(dev['port']), dev['device']):
                raise RingBuilderError('Device %d already uses %s:%s/%s.'
                                       % (other['id'], dev['ip'], dev['port'], dev['device']))
        if dev.get('id') is None:
            dev['id'] = self.devs.index(None) if None in self.devs else len(self.devs)
        dev_id = int(dev['id'])
        if dev_id >= MAX_DEVICES:
            raise RingBuilderError('device id %d too large (max %d)' % (dev_id, MAX_DEVICES - 1))
        if dev_id < len(self.devs) and self.devs[dev_id] is not None:
            raise RingBuilderError('Duplicate device id: %d' % dev_id)
        clean = {
            'id': dev_id, 'region': int(dev['region']), 'zone': int(dev['zone']),
            'ip': str(dev['ip']), 'port': int(dev['port']),
            'replication_ip': str(dev['replication_ip']),
            'replication_port': int(dev['replication_port']),
            'device': str(dev['device']), 'weight': float(dev['weight']),
            'meta': str(dev['meta']),
        }
        while len(self.devs) <= dev_id:
            self.devs.append(None)
        self.devs[dev_id] = clean
        self.devs_changed = True
        self.version += 1
        return dev_id

    def _dev(self, dev_id: int) -> dict[str, Any]:
        if not 0 <= dev_id < len(self.devs) or self.devs[dev_id] is None:
            raise RingBuilderError('no device with id %d' % dev_id)
        return self.devs[dev_id]  # type: ignore[return-value]

    def _settable(self, dev_id: int, what: str) -> dict[str, Any]:
        dev = self._dev(dev_id)
        if dev_id in self._remove_dev_ids:
            raise RingBuilderError('Can not set %s of dev_id %d because it is marked for '
                                   'removal' % (what, dev_id))
        return dev

    def set_dev_weight(self, dev_id: int, weight: float) -> None:
        _check_weight(weight)
        self._settable(dev_id, 'weight')['weight'] = float(weight)
        self.devs_changed = True
        self.version += 1

    def set_dev_region(self, dev_id: int, region: int) -> None:
        """Move a device to another region (its partitions follow at the
        next rebalance)."""
        if int(region) < 0:
            raise RingBuilderError('region must be >= 0')
        self._settable(dev_id, 'region')['region'] = int(region)
        self.devs_changed = True
        self.version += 1

    def set_dev_zone(self, dev_id: int, zone: int) -> None:
        """Move a device to another zone (its partitions follow at the
        next rebalance)."""
        if int(zone) < 0:
            raise RingBuilderError('zone must be >= 0')
        self._settable(dev_id, 'zone')['zone'] = int(zone)
        self.devs_changed = True
        self.version += 1

    def set_dev_info(self, dev_id: int, **changes: Any) -> None:
        """Change ip/port/replication address/device name/meta of a device."""
        dev = self._dev(dev_id)
        new = dict(dev, **{k: v for k, v in changes.items() if v is not None})
        for other in self.live_devs():
            if other['id'] != dev_id and (other['ip'], other['port'], other['device']) == (
                    new['ip'], int(new['port']), new['device']):
                raise RingBuilderError('Device %d already uses %s:%s/%s.'
                                       % (other['id'], new['ip'], new['port'], new['device']))
        _check_dev(new)
        dev.update({k: (int(v) if k.endswith('port') else str(v))
                    for k, v in changes.items() if v is not None})
        self.devs_changed = True  # the server tier is the ip: placement may change

    def remove_dev(self, dev_id: int) -> None:
        """Mark for removal; its partitions are reassigned at the next rebalance."""
        self._dev(dev_id)['weight'] = 0.0
        self._remove_dev_ids.add(dev_id)
        self.devs_changed = True
        self.version += 1

    def set_overload(self, overload: float) -> None:
        if not (math.isfinite(overload) and overload >= 0):
            raise RingBuilderError('overload must be >= 0')
        self.overload = float(overload)

    def set_replicas(self, replicas: float) -> None:
        if not (math.isfinite(float(replicas)) and float(replicas) >= 1):
            raise RingBuilderError('replicas must be >= 1, got %s' % replicas)
        self.replicas = float(replicas)
        self.devs_changed = True

    def search_devs(self, criteria: dict[str, Any]) -> list[dict[str, Any]]:
        return search_devs(self.devs, criteria)

    # ------------------------------------------------------ min_part_hours
    def _age_last_moved(self) -> None:
        """Add the hours elapsed since the epoch to every part's age (capped)."""
        now = int(time.time())
        if self._last_moved is None:
            self._last_moved = bytearray([_HOURS_CAP]) * self.parts
        elapsed = (now - self._last_moved_epoch) // 3600 if self._last_moved_epoch else _HOURS_CAP
        if elapsed > 0:
            table = bytes(min(_HOURS_CAP, v + elapsed) for v in range(256))
            self._last_moved = bytearray(self._last_moved.translate(table))
            self._last_moved_epoch = now if self._last_moved_epoch == 0 else \
                self._last_moved_epoch + elapsed * 3600
        if not self._last_moved_epoch:
            self._last_moved_epoch = now

    def pretend_min_part_hours_passed(self) -> None:
        """Let every partition move again (for tests and emergencies)."""
        self._last_moved = bytearray([_HOURS_CAP]) * self.parts
        self._last_moved_epoch = int(time.time())

    def min_part_seconds_left(self) -> int:
        """Seconds until all partitions may move again."""
        if self._last_moved is None or not self._last_moved_epoch or not self.min_part_hours:
            return 0
        youngest = min(self._last_moved) if self._last_moved else _HOURS_CAP
        since = int(time.time()) - self._last_moved_epoch
        left = (self.min_part_hours - youngest) * 3600 - since
        return max(0, left)

    # ------------------------------------------------- partition power
    def prepare_increase_partition_power(self) -> int:
        """Step 1 of doubling the partitions: announce the next power in the
        ring, so object servers link every write into the partition it
        will have (and the relinker links the rest). Returns it."""
        if self._replica2part2dev is None:
            raise RingBuilderError('the ring has not been rebalanced yet; nothing to split')
        if self.next_part_power is not None:
            raise RingBuilderError('a partition power increase to %d is already under way'
                                   % self.next_part_power)
        if self.part_power >= MAX_PART_POWER:
            raise RingBuilderError('part_power is already %d, the most there is'
                                   % self.part_power)
        self.next_part_power = self.part_power + 1
        self.version += 1
        return self.next_part_power

    def increase_partition_power(self) -> int:
        """Step 2, once every object is relinked: partition p becomes 2p
        and 2p+1 on the very devices that held p, so no data moves. Returns
        the new power."""
        if self.next_part_power != self.part_power + 1:
            raise RingBuilderError('run prepare_increase_partition_power (and relink every '
                                   'device) before increase_partition_power')
        self._replica2part2dev = [array('H', (dev for dev in row for _ in (0, 1)))
                                  for row in self._replica2part2dev or []]
        if self._last_moved is not None:
            self._last_moved = bytearray(v for v in self._last_moved for _ in (0, 1))
        self.part_power += 1
        self.version += 1
        return self.part_power

    def finish_increase_partition_power(self) -> None:
        """Step 3, after every device was cleaned up: servers stop linking."""
        if self.next_part_power is None or self.next_part_power != self.part_power:
            raise RingBuilderError('no increased partition power to finish; run '
                                   'increase_partition_power first')
        self.next_part_power = None
        self.version += 1

    # ------------------------------------------------------------ rebalance
    def rebalance(self, seed: Optional[int] = None) -> tuple[int, float, int]:
        """Place replicas; returns (partitions moved, balance, devices removed).

        ``moved_replicas`` then holds how many partition-replicas got a new
        device (what swift-ring-builder reports as "Reassigned").
        """
        from ring.rebalance import incremental_rebalance
        if self.next_part_power is not None:
            raise RingBuilderError('a partition power increase is under way; finish it '
                                   '(finish_increase_partition_power) before rebalancing')
        rng = random.Random(seed)
        live = self.live_devs()
        weighted = len([d for d in live if d['weight'] > 0])
        if not weighted:
            raise RingBuilderError('no devices with weight > 0; add devices '
                                   'or set a weight before rebalancing')
        if self.replicas > weighted:
            # two replicas of a partition on one device protect nothing
            raise RingBuilderError('Replica count of %s requires more than %d devices'
                                   % (self.replicas, weighted))
        self._age_last_moved()
        assert self._last_moved is not None
        lengths = row_lengths_for(self.replicas, self.parts)
        tree = TierTree(live)
        plan = Plan(tree, sum(lengths) / float(self.parts), sum(lengths),
                    self.parts, self.overload)
        if self._replica2part2dev is None:
            self._replica2part2dev = fresh_layout(plan, lengths, self.parts, rng)
            self._last_moved = bytearray(self.parts)
            self.moved_replicas, moved = sum(lengths), self.parts
        else:
            self.moved_replicas, moved = incremental_rebalance(self, tree, plan, lengths, rng)
        removed = 0
        for dev_id in sorted(self._remove_dev_ids):
            self.devs[dev_id] = None
            removed += 1
        self._remove_dev_ids.clear()
        while self.devs and self.devs[-1] is None:
            self.devs.pop()
        self.devs_changed = False
        self.version += 1
        self._update_dispersion(tree)
        return moved, self.get_balance(), removed

    def recalculate_dispersion(self) -> float:
        """Recompute the stored dispersion from the table; returns it."""
        self._update_dispersion()
        self.version += 1  # as swift-ring-builder's dispersion --recalculate
        return self.dispersion

    def _update_dispersion(self, tree: Optional[TierTree] = None) -> None:
        rows = self._replica2part2dev
        if not rows:
            self.dispersion = 0.0
            return
        if tree is None:
            tree = TierTree(self.live_devs())
        plan = Plan(tree, self.replicas, 1, self.parts, 0.0)
        slots = sum(len(r) for r in rows)
        excess = excess_replicas(rows, tree, plan.disp_max, self.parts)
        self.dispersion = 100.0 * excess / slots if slots else 0.0

    # -------------------------------------------------------------- reports
    def dev_part_counts(self) -> Counter:
        """dev id -> number of partition-replicas assigned to it."""
        counts: Counter = Counter()
        for row in self._replica2part2dev or []:
            counts.update(row)
        counts.pop(NONE_DEV, None)
        return counts

    def weighted_parts(self) -> dict[int, float]:
        """Partition-replicas each device would hold if placed purely by weight."""
        live = [d for d in self.live_devs() if d['weight'] > 0]
        total_w = sum(d['weight'] for d in live)
        slots = sum(len(r) for r in self._replica2part2dev) if self._replica2part2dev \
            else sum(row_lengths_for(self.replicas, self.parts))
        return {d['id']: slots * d['weight'] / total_w for d in live} if total_w else {}

    def dev_balances(self) -> dict[int, float]:
        """Per device: % above (+) or below (-) its weight share."""
        counts = self.dev_part_counts()
        wanted = self.weighted_parts()
        out = {}
        for dev in self.devs:
            if dev is None:
                continue
            have = counts.get(dev['id'], 0)
            want = wanted.get(dev['id'], 0.0)
            if want <= 0:
                out[dev['id']] = MAX_BALANCE if have else 0.0
            else:
                out[dev['id']] = 100.0 * have / want - 100.0
        return out

    def get_balance(self) -> float:
        """Largest % any device is off its weight share (0 = perfect;
        100 before the first rebalance, when no device holds anything)."""
        bals = self.dev_balances()
        return max((abs(b) for b in bals.values()), default=0.0)

    def list_parts(self, dev_ids: Iterable[int]) -> list[tuple[int, int]]:
        """(partition, how many of its replicas are on these devices), most
        first; among equals, in the order the replica rows reach them (as
        swift-ring-builder lists them)."""
        wanted = set(dev_ids)
        hits: Counter = Counter()  # keeps first-seen order
        for row in self._replica2part2dev or []:
            for part, dev_id in enumerate(row):
                if dev_id in wanted:
                    hits[part] += 1
        return sorted(hits.items(), key=lambda kv: -kv[1])

    def validate(self) -> list[str]:
        """Problems with the table (empty list = consistent)."""
        problems = []
        rows = self._replica2part2dev
        if rows is None:
            return ['ring has not been rebalanced yet']
        want = row_lengths_for(self.replicas, self.parts)
        if [len(r) for r in rows] != want and not self.devs_changed:
            # (after set_replicas the rows follow at the next rebalance)
            problems.append('replica rows %s do not match replica count %s'
                            % ([len(r) for r in rows], self.replicas))
        known = {d['id'] for d in self.devs if d is not None}
        counts = self.dev_part_counts()
        for dev_id in counts:
            if dev_id not in known:
                problems.append('partitions assigned to unknown device %d' % dev_id)
        holes = sum(r.count(NONE_DEV) for r in rows)
        if holes:
            problems.append('%d partition-replicas are unassigned' % holes)
        enough = len([d for d in self.live_devs() if d['weight'] > 0]) >= len(rows)
        if enough and len(rows) > 1:
            doubled = 0
            for devs in zip(*rows):
                if len(set(devs)) != len(devs):
                    doubled += 1
            if doubled:
                problems.append('%d partitions have two replicas on one device' % doubled)
        return problems

    # ------------------------------------------------------------ ring file
    def get_ring(self) -> RingData:
        """The RingData to write as ``<name>.ring.gz``."""
        if self._replica2part2dev is None:
            raise RingBuilderError('the ring has not been rebalanced yet; run rebalance first')
        devs: list[Optional[dict[str, Any]]] = []
        for dev in self.devs:
            devs.append(None if dev is None else {k: dev[k] for k in DEV_FIELDS})
        extra = {} if self.next_part_power is None else {'next_part_power': self.next_part_power}
        return RingData(devs, [array('H', r) for r in self._replica2part2dev],
                        32 - self.part_power, self.version, extra)

    @classmethod
    def from_ring(cls, data: RingData, min_part_hours: int = 1) -> 'RingBuilder':
        """Rebuild a builder from a ring file (when the builder was lost)."""
        part_power = 32 - data.part_shift
        builder = cls(part_power, max(1.0, data.replica_count), min_part_hours)
        for dev in data.devs:
            builder.devs.append(None if dev is None else {k: dev.get(k, '') for k in DEV_FIELDS})
        builder._replica2part2dev = [array('H', r) for r in data.replica2part2dev]
        builder._last_moved = bytearray(builder.parts)  # assume all just moved
        builder._last_moved_epoch = int(time.time())
        builder.version = int(data.version or 0)
        builder.devs_changed = False
        builder.next_part_power = data.extra.get('next_part_power')
        builder._update_dispersion()
        return builder

    # --------------------------------------------------------- builder file
    def to_dict(self) -> dict[str, Any]:
        return {
            'part_power': self.part_power, 'replicas': self.replicas,
            'min_part_hours': self.min_part_hours, 'overload': self.overload,
            'version': self.version, 'id': self.id,
            'devs': self.devs, 'remove_dev_ids': sorted(self._remove_dev_ids),
            'devs_changed': self.devs_changed, 'dispersion': self.dispersion,
            'next_part_power': self.next_part_power,
            'last_moved_epoch': self._last_moved_epoch,
            'last_moved': (base64.b64encode(bytes(self._last_moved)).decode('ascii')
                           if self._last_moved is not None else None),
            'replica2part2dev': (encode_rows(self._replica2part2dev)
                                 if self._replica2part2dev is not None else None),
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> 'RingBuilder':
        builder = cls(doc['part_power'], doc['replicas'], doc['min_part_hours'])
        builder.overload = float(doc.get('overload', 0.0))
        builder.version = int(doc.get('version', 0))
        builder.id = doc.get('id') or builder.id
        builder.devs = [None if d is None else dict(d) for d in doc.get('devs', [])]
        builder._remove_dev_ids = set(doc.get('remove_dev_ids', []))
        builder.devs_changed = bool(doc.get('devs_changed', False))
        builder.dispersion = float(doc.get('dispersion', 0.0))
        builder.next_part_power = doc.get('next_part_power')
        builder._last_moved_epoch = int(doc.get('last_moved_epoch', 0))
        if doc.get('last_moved') is not None:
            builder._last_moved = bytearray(base64.b64decode(doc['last_moved']))
            if len(builder._last_moved) != builder.parts:
                raise ValueError('last_moved has %d entries, expected %d'
                                 % (len(builder._last_moved), builder.parts))
        if doc.get('replica2part2dev') is not None:
            builder._replica2part2dev = decode_rows(doc['replica2part2dev'])
        return builder

    def save(self, path: str) -> None:
        """Atomically write the builder file."""
        write_builder_file(path, self.to_dict())

    @classmethod
    def load(cls, path: str) -> 'RingBuilder':
        """Load a builder file; RingLoadError if it is unusable."""
        from ring.formats import RingLoadError
        doc = read_builder_file(path)
        try:
            return cls.from_dict(doc)
        except (KeyError, TypeError, ValueError) as err:
            raise RingLoadError(path, 'corrupt builder file (%s)' % err)
