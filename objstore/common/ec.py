"""Erasure-coding arithmetic: segments, fragments, ranges, and the codec.

An EC object is cut into *segments* of ``segment_size`` bytes (the last
one shorter). Each segment is encoded into ``ndata + nparity`` fragments;
fragment ``i`` of every segment, concatenated, is *fragment archive* ``i``,
which is what one object server stores. Every fragment of a full segment
has the same size, so byte offsets in an archive follow from segment
numbers with no index: that is what lets a ranged GET ask each node for
only the archive bytes that cover the wanted segments.

Everything here is pure (no sockets, no disk) so the layout can be tested
exhaustively; the only stateful thing is ``Codec``, a thin wrapper over a
pyeclib driver that also checks each fragment's own checksum before it is
trusted (liberasurecode happily decodes a corrupt fragment into garbage).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

DEFAULT_SEGMENT_SIZE = 1048576
DEFAULT_CHECKSUM = "inline_crc32"
#: ec_type values we accept in config; whether one works on this machine is
#: only known once pyeclib loads its backend (``available_ec_types``).
KNOWN_EC_TYPES = ("liberasurecode_rs_vand", "isa_l_rs_vand", "isa_l_rs_cauchy",
                  "jerasure_rs_vand", "jerasure_rs_cauchy", "flat_xor_hd_3",
                  "flat_xor_hd_4", "shss", "libphazr")


class ECError(Exception):
    """A fragment cannot be used, or an object cannot be decoded."""


class CorruptFragment(ECError):
    """A fragment's checksum does not match its bytes: never decode it."""


@dataclass(frozen=True)
class ECParams:
    """The EC settings of one storage policy."""

    ec_type: str
    ndata: int
    nparity: int
    segment_size: int = DEFAULT_SEGMENT_SIZE
    checksum_type: str = DEFAULT_CHECKSUM

    @property
    def nodes(self) -> int:
        """How many fragment archives (and primary nodes) an object has."""
        return self.ndata + self.nparity

    @property
    def put_quorum(self) -> int:
        """Durable archives needed before a PUT is acknowledged.

        ``ndata + 1`` (Swift's default): ``ndata`` is the least that can
        rebuild the object, and one more means a single disk failing right
        after the acknowledgement still leaves a decodable object. Capped
        at the archive count for ``nparity == 0`` layouts.
        """
        return min(self.ndata + 1, self.nodes)


def validate_params(section: str, opts: Dict[str, str]) -> ECParams:
    """``ECParams`` from a ``[storage-policy:N]`` section, or ``ValueError``
    with a message naming the section and the bad option."""
    ec_type = opts.get("ec_type", "").strip()
    if not ec_type:
        raise ValueError("[%s]: ec_type is required for policy_type = erasure_coding "
                         "(e.g. liberasurecode_rs_vand)" % section)
    if ec_type not in KNOWN_EC_TYPES:
        raise ValueError("[%s]: unknown ec_type %r; use one of %s"
                         % (section, ec_type, ", ".join(KNOWN_EC_TYPES)))
    values = {}
    for key, default, low in (("ec_num_data_fragments", None, 1),
                              ("ec_num_parity_fragments", None, 1),
                              ("ec_object_segment_size", DEFAULT_SEGMENT_SIZE, 1)):
        raw = opts.get(key, default)
        if raw is None:
            raise ValueError("[%s]: %s is required for an erasure coded policy"
                             % (section, key))
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise ValueError("[%s]: %s must be an integer, not %r"
                             % (section, key, raw)) from None
        if value < low:
            raise ValueError("[%s]: %s must be at least %d" % (section, key, low))
        values[key] = value
    checksum = opts.get("ec_checksum_type", DEFAULT_CHECKSUM).strip()
    if checksum not in ("inline_crc32", "none"):
        raise ValueError("[%s]: ec_checksum_type must be inline_crc32 or none" % section)
    return ECParams(ec_type, values["ec_num_data_fragments"],
                    values["ec_num_parity_fragments"], values["ec_object_segment_size"],
                    checksum)


# --------------------------------------------------------------- the layout
@dataclass(frozen=True)
class Layout:
    """Where each segment of one object sits in every fragment archive.

    ``frag_size`` is the fragment size of a full segment and
    ``last_frag_size`` that of the last (maybe shorter) segment; both come
    from the codec (``Codec.layout``) because fragment headers are the
    backend's business.
    """

    length: int
    segment_size: int
    frag_size: int
    last_frag_size: int

    @property
    def segments(self) -> int:
        return -(-self.length // self.segment_size)

    @property
    def archive_length(self) -> int:
        """Size of every fragment archive of the object."""
        if self.segments == 0:
            return 0
        return (self.segments - 1) * self.frag_size + self.last_frag_size

    def segment_length(self, index: int) -> int:
        return min(self.segment_size, self.length - index * self.segment_size)

    def fragment_length(self, index: int) -> int:
        return self.last_frag_size if index == self.segments - 1 else self.frag_size

    def fragment_offset(self, index: int) -> int:
        return index * self.frag_size


@dataclass(frozen=True)
class SegmentSpan:
    """What a client byte range needs: segments ``first..last`` (the
    archive bytes ``archive_start..archive_end`` inclusive), of whose
    decoded bytes ``skip`` are dropped at the front and ``take`` kept."""

    first: int
    last: int
    archive_start: int
    archive_end: int
    skip: int
    take: int


def span_for_range(layout: Layout, start: int, end: int) -> SegmentSpan:
    """The segments covering client bytes ``start..end`` (inclusive,
    already clamped to the object)."""
    if not 0 <= start <= end < layout.length:
        raise ValueError("range %d-%d outside an object of %d bytes"
                         % (start, end, layout.length))
    first = start // layout.segment_size
    last = end // layout.segment_size
    archive_end = layout.fragment_offset(last) + layout.fragment_length(last) - 1
    return SegmentSpan(first, last, layout.fragment_offset(first), archive_end,
                       start - first * layout.segment_size, end - start + 1)


def trim_segments(segments: Iterable[bytes], skip: int, take: int) -> Iterator[bytes]:
    """Drop ``skip`` bytes, then yield exactly ``take`` bytes (or fewer if
    the segments run out) of decoded segments."""
    for segment in segments:
        if take <= 0:
            return
        if skip >= len(segment):
            skip -= len(segment)
            continue
        piece = segment[skip:skip + take]
        skip = 0
        take -= len(piece)
        yield piece


def segment_lengths(layout: Layout, first: int = 0, last: Optional[int] = None) -> List[int]:
    """Fragment sizes to read from an archive for segments ``first..last``."""
    stop = layout.segments - 1 if last is None else last
    return [layout.fragment_length(i) for i in range(first, stop + 1)]


class Segmenter:
    """Regroups a body of arbitrary chunks into whole segments, holding
    at most one segment (plus one chunk) in memory."""

    def __init__(self, segment_size: int) -> None:
        self.segment_size = segment_size
        self._buf = bytearray()

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        self._buf += chunk
        while len(self._buf) >= self.segment_size:
            segment = bytes(self._buf[:self.segment_size])
            del self._buf[:self.segment_size]
            yield segment

    def finish(self) -> Iterator[bytes]:
        if self._buf:
            segment = bytes(self._buf)
            self._buf = bytearray()
            yield segment


# --------------------------------------------------------------- the codec
def available_ec_types() -> List[str]:
    """The ec_types whose backend loads on this machine."""
    from pyeclib.ec_iface import VALID_EC_TYPES, ECDriver
    found = []
    for ec_type in VALID_EC_TYPES:
        try:
            ECDriver(k=2, m=1, ec_type=ec_type)
        except Exception:
            continue
        found.append(ec_type)
    return found


class Codec:
    """A pyeclib driver for one policy, with fragment checks.

    Building a driver loads a shared library, so callers keep one per
    policy (``codec_for``)."""

    def __init__(self, params: ECParams) -> None:
        from pyeclib.ec_iface import ECDriver
        self.params = params
        kwargs = {}
        if params.checksum_type != "none":
            kwargs["chksum_type"] = params.checksum_type
        try:
            self.driver = ECDriver(k=params.ndata, m=params.nparity, ec_type=params.ec_type,
                                   **kwargs)
        except Exception as err:
            raise ECError("ec_type %s (%d+%d) is not usable here: %s; available: %s"
                          % (params.ec_type, params.ndata, params.nparity, err,
                             ", ".join(available_ec_types()))) from None
        self._sizes: Dict[int, int] = {}

    def fragment_size(self, segment_length: int) -> int:
        """Bytes of each fragment of a segment of ``segment_length``."""
        size = self._sizes.get(segment_length)
        if size is None:
            info = self.driver.get_segment_info(segment_length, segment_length)
            size = int(info["fragment_size"])
            if len(self._sizes) < 64:
                self._sizes[segment_length] = size
        return size

    def layout(self, length: int) -> Layout:
        seg = self.params.segment_size
        if length == 0:
            return Layout(0, seg, 0, 0)
        last = length - (-(-length // seg) - 1) * seg
        return Layout(length, seg, self.fragment_size(min(seg, length)),
                      self.fragment_size(last))

    def encode(self, segment: bytes) -> List[bytes]:
        """The ``ndata + nparity`` fragments of one segment, by index."""
        return list(self.driver.encode(segment))

    def check(self, fragment: bytes) -> int:
        """The fragment's index, or ``CorruptFragment`` when its header or
        checksum says the bytes are not what was encoded."""
        try:
            info = self.driver.get_metadata(fragment, formatted=True)
        except Exception as err:
            raise CorruptFragment("unreadable fragment header: %s" % err) from None
        if info.get("chksum_mismatch"):
            raise CorruptFragment("fragment %s fails its checksum" % info.get("index"))
        index = int(info["index"])
        if not 0 <= index < self.params.nodes:
            raise CorruptFragment("fragment index %d out of range" % index)
        return index

    def decode(self, fragments: Sequence[bytes]) -> bytes:
        """One segment from at least ``ndata`` checked fragments."""
        try:
            return bytes(self.driver.decode(list(fragments)))
        except Exception as err:
            raise ECError("cannot decode segment: %s" % err) from None

    def reconstruct(self, fragments: Sequence[bytes], index: int) -> bytes:
        """Fragment ``index`` of a segment, rebuilt from ``ndata`` others."""
        try:
            return bytes(self.driver.reconstruct(list(fragments), [index])[0])
        except Exception as err:
            raise ECError("cannot rebuild fragment %d: %s" % (index, err)) from None


_CODECS: Dict[ECParams, Codec] = {}


def codec_for(params: ECParams) -> Codec:
    """The shared ``Codec`` of a policy's parameters."""
    codec = _CODECS.get(params)
    if codec is None:
        codec = _CODECS[params] = Codec(params)
    return codec


def pick_fragments(have: Dict[int, bytes], ndata: int) -> Tuple[List[bytes], List[int]]:
    """``ndata`` fragments to decode from, data fragments (index < ndata)
    first since a systematic code decodes those by concatenation."""
    order = sorted(have)
    chosen = order[:ndata]
    return [have[i] for i in chosen], chosen
