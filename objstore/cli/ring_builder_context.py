"""What every objstore-ring-builder command works with: the builder file
and its ring file, the exit codes, and the two ways a command fails."""
from __future__ import annotations

import os
import shutil
import time
from typing import Any, Callable, Optional

from ring.builder import RingBuilder

EXIT_SUCCESS, EXIT_WARNING, EXIT_ERROR = 0, 1, 2
UNCHANGED = 'The on-disk ring builder is unchanged.'
RULE = '-' * 79


class CommandError(Exception):
    """Message for the user; exit 2 and nothing is written."""


class Usage(Exception):
    """Wrong arguments: print the command's usage, exit 2."""


class Ctx:
    """The builder file named on the command line, its ring file and backups."""

    def __init__(self, builder_file: str) -> None:
        self.builder_file = builder_file
        self.dir = os.path.dirname(os.path.abspath(builder_file))
        stem = builder_file[:-len('.builder')] if builder_file.endswith('.builder') \
            else builder_file
        self.name = os.path.basename(stem)
        self.ring_file = stem + '.ring.gz'
        self.builder: Optional[RingBuilder] = None

    @property
    def b(self) -> RingBuilder:
        assert self.builder is not None
        return self.builder

    def backup_dir(self) -> str:
        path = os.path.join(self.dir, 'backups')
        os.makedirs(path, exist_ok=True)
        return path

    def save_builder(self, backup: bool = False) -> None:
        self.b.save(self.builder_file)
        if backup:
            dest = os.path.join(self.backup_dir(), '%d.%s.builder' % (time.time(), self.name))
            shutil.copy2(self.builder_file, dest)

    def write_ring(self) -> None:
        self.b.get_ring().save(self.ring_file)
        dest = os.path.join(self.backup_dir(), '%d.%s.ring.gz' % (time.time(), self.name))
        shutil.copy2(self.ring_file, dest)


def number(text: str, conv: Callable[[str], Any], what: str) -> Any:
    """``conv(text)``, or a CommandError naming what was expected."""
    try:
        return conv(text)
    except ValueError:
        raise CommandError('Invalid %s %r (expected a number)' % (what, text))


def not_rebalanced(ctx: Ctx) -> CommandError:
    return CommandError('Specified builder file "%s" is not rebalanced yet. Please '
                        'rebalance first.' % ctx.builder_file)
