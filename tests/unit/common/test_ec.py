"""EC arithmetic (pure) and the pyeclib codec for every backend here."""

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from objstore.common import ec
from objstore.common.config import ConfigError
from objstore.common.storage_policy import load_policies

BACKENDS = ec.available_ec_types()


def _opts(**kw):
    base = {"ec_type": "liberasurecode_rs_vand", "ec_num_data_fragments": "4",
            "ec_num_parity_fragments": "2"}
    base.update(kw)
    return base


def test_params_default_segment_size_and_quorum_is_ndata_plus_one():
    params = ec.validate_params("storage-policy:1", _opts())
    assert params.segment_size == 1048576 and params.nodes == 6 and params.put_quorum == 5


@pytest.mark.parametrize("opts, words", [
    (_opts(ec_type="nope"), "unknown ec_type 'nope'"),
    (_opts(ec_type=""), "ec_type is required"),
    (_opts(ec_num_data_fragments="x"), "ec_num_data_fragments must be an integer"),
    (_opts(ec_num_parity_fragments="0"), "ec_num_parity_fragments must be at least 1"),
    ({"ec_type": "liberasurecode_rs_vand"}, "ec_num_data_fragments is required"),
])
def test_bad_ec_options_name_the_section_and_the_option(opts, words):
    with pytest.raises(ValueError) as err:
        ec.validate_params("storage-policy:3", opts)
    assert "[storage-policy:3]" in str(err.value) and words in str(err.value)


def test_load_policies_rejects_unknown_ec_type_with_a_config_error(tmp_path):
    (tmp_path / "objstore.conf").write_text(
        "[storage-policy:0]\nname = a\ndefault = yes\n"
        "[storage-policy:1]\nname = b\npolicy_type = erasure_coding\nec_type = bogus\n"
        "ec_num_data_fragments = 2\nec_num_parity_fragments = 1\n")
    with pytest.raises(ConfigError, match=r"\[storage-policy:1\].*bogus"):
        load_policies(str(tmp_path))


def test_load_policies_rejects_unknown_policy_type(tmp_path):
    (tmp_path / "objstore.conf").write_text("[storage-policy:0]\nname = a\npolicy_type = raid\n")
    with pytest.raises(ConfigError, match="unknown policy_type 'raid'"):
        load_policies(str(tmp_path))


def test_ec_policy_info_lists_its_type_and_fragments(tmp_path):
    (tmp_path / "objstore.conf").write_text(
        "[storage-policy:0]\nname = a\ndefault = yes\n"
        "[storage-policy:1]\nname = b\npolicy_type = erasure_coding\n"
        "ec_type = liberasurecode_rs_vand\nec_num_data_fragments = 2\n"
        "ec_num_parity_fragments = 1\n")
    policies = load_policies(str(tmp_path))
    info = policies.info()[1]
    assert info["policy_type"] == "erasure_coding" and info["ec_num_data_fragments"] == 2
    assert policies.get_by_index(1).is_ec and not policies.get_by_index(0).is_ec


def _layout(length, seg=100, frag=40, last=None):
    if length == 0:
        return ec.Layout(0, seg, 0, 0)
    tail = length - (-(-length // seg) - 1) * seg
    return ec.Layout(length, seg, frag, last if last is not None else (frag if tail == seg
                                                                       else 30))


def test_layout_of_an_empty_object_has_no_segments():
    layout = _layout(0)
    assert layout.segments == 0 and layout.archive_length == 0


def test_layout_offsets_follow_from_segment_numbers():
    layout = _layout(250)  # 100 + 100 + 50
    assert layout.segments == 3 and layout.segment_length(2) == 50
    assert layout.archive_length == 40 + 40 + 30 and layout.fragment_offset(2) == 80
    assert ec.segment_lengths(layout) == [40, 40, 30]


def test_span_for_a_range_inside_one_segment():
    span = ec.span_for_range(_layout(250), 120, 130)
    assert (span.first, span.last, span.archive_start, span.archive_end) == (1, 1, 40, 79)
    assert (span.skip, span.take) == (20, 11)


def test_span_reaching_the_short_last_segment_ends_at_the_archive_end():
    span = ec.span_for_range(_layout(250), 99, 249)
    assert (span.first, span.last, span.archive_start, span.archive_end) == (0, 2, 0, 109)


def test_span_outside_the_object_is_refused():
    with pytest.raises(ValueError):
        ec.span_for_range(_layout(250), 10, 250)


@given(st.integers(1, 5000), st.integers(1, 700), st.data())
def test_trimmed_segments_are_exactly_the_requested_bytes(length, seg, data):
    body = bytes(i % 251 for i in range(length))
    start = data.draw(st.integers(0, length - 1))
    end = data.draw(st.integers(start, length - 1))
    layout = ec.Layout(length, seg, 1, 1)
    span = ec.span_for_range(layout, start, end)
    segments = [body[i * seg:(i + 1) * seg] for i in range(span.first, span.last + 1)]
    assert b"".join(ec.trim_segments(segments, span.skip, span.take)) == body[start:end + 1]


@given(st.lists(st.binary(max_size=300), max_size=20), st.integers(1, 256))
def test_segmenter_regroups_any_chunking_into_whole_segments(chunks, seg):
    s = ec.Segmenter(seg)
    out = [x for c in chunks for x in s.feed(c)] + list(s.finish())
    assert b"".join(out) == b"".join(chunks)
    assert all(len(x) == seg for x in out[:-1]) and all(0 < len(x) <= seg for x in out)


def test_pick_fragments_prefers_data_fragments():
    frags, chosen = ec.pick_fragments({5: b"e", 0: b"a", 3: b"d", 1: b"b"}, 3)
    assert chosen == [0, 1, 3] and frags == [b"a", b"b", b"d"]


def test_liberasurecode_is_always_available():
    assert "liberasurecode_rs_vand" in BACKENDS


@pytest.mark.parametrize("ec_type", BACKENDS)
@settings(max_examples=10, deadline=None)
@given(body=st.binary(min_size=1, max_size=5000))
def test_codec_roundtrip_from_any_k_fragments(ec_type, body):
    codec = ec.codec_for(ec.ECParams(ec_type, 4, 2, 1024))
    fragments = codec.encode(body)
    assert [codec.check(f) for f in fragments] == list(range(6))
    assert codec.decode(fragments[2:]) == body
    assert codec.decode([fragments[i] for i in (0, 5, 1, 3)]) == body
    assert codec.reconstruct(fragments[:4], 5) == fragments[5]
    assert len(fragments[0]) == codec.fragment_size(len(body))


@pytest.mark.parametrize("ec_type", BACKENDS)
def test_codec_layout_matches_real_fragment_sizes(ec_type):
    codec = ec.codec_for(ec.ECParams(ec_type, 4, 2, 4096))
    body = os.urandom(4096 * 2 + 777)
    layout = codec.layout(len(body))
    sizes = [len(codec.encode(body[i:i + 4096])[0]) for i in range(0, len(body), 4096)]
    assert ec.segment_lengths(layout) == sizes and layout.archive_length == sum(sizes)


def test_a_corrupt_fragment_fails_its_checksum_instead_of_decoding_to_garbage():
    codec = ec.codec_for(ec.ECParams("liberasurecode_rs_vand", 4, 2, 1024))
    fragment = bytearray(codec.encode(os.urandom(1000))[1])
    fragment[-10] ^= 0x40
    with pytest.raises(ec.CorruptFragment):
        codec.check(bytes(fragment))
    with pytest.raises(ec.CorruptFragment):
        codec.check(b"not a fragment at all")


def test_an_unloadable_backend_is_a_clear_error():
    if "flat_xor_hd_3" in BACKENDS:
        pytest.skip("flat_xor_hd_3 loads here")
    with pytest.raises(ec.ECError, match="not usable here.*available"):
        ec.Codec(ec.ECParams("flat_xor_hd_3", 4, 2))
