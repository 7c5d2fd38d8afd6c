"""The tier config: parsing [tiering]/[tier:NAME], refusals, hysteresis."""

import hashlib
import os

import pytest

from objstore.common.config import ConfigError
from objstore.common.storage_policy import load_policies
from objstore.common.tiering.config import load_tiering, origin_to_store, stored_origin

POLICIES = """
[storage-policy:0]
name = gold
default = yes
[storage-policy:1]
name = silver
[storage-policy:2]
name = bronze-ec
"""
TIERS = """
[tiering]
window = 600
bucket = 60
hysteresis = 0.5
[tier:gold]
policy = gold
min_reads = 100
[tier:silver]
policy = silver
min_reads = 10
[tier:bronze]
policy = bronze-ec
min_reads = 0
"""


def _load(tmp_path, text):
    with open(os.path.join(str(tmp_path), "objstore.conf"), "w") as fp:
        fp.write(POLICIES + text)
    return load_tiering(str(tmp_path), load_policies(str(tmp_path)))


def test_tiers_are_ordered_by_min_reads_and_shown_highest_first_in_info(tmp_path):
    conf = _load(tmp_path, TIERS)
    assert [t.name for t in conf.tiers] == ["bronze", "silver", "gold"]
    assert conf.window == 600 and conf.bucket == 60 and conf.hysteresis == 0.5
    info = conf.info()
    assert [t["name"] for t in info["tiers"]] == ["gold", "silver", "bronze"]
    assert info["tiers"][0] == {"name": "gold", "policy": "gold", "min_reads": 100,
                                "storage_class": "STANDARD"}
    assert info["window"] == 600
    assert conf.tier_of_policy(1).name == "silver"
    assert conf.tier_by_storage_class("glacier_ir").name == "bronze"


def test_no_tier_sections_means_tiering_is_off(tmp_path):
    assert _load(tmp_path, "") is None


@pytest.mark.parametrize("text, words", [
    ("[tier:gold]\npolicy = nosuch\nmin_reads = 0\n", "not a storage policy"),
    ("[tier:a]\npolicy = gold\nmin_reads = 5\n", "min_reads = 0"),
    ("[tier:a]\npolicy = gold\nmin_reads = 0\n[tier:b]\npolicy = gold\nmin_reads = 3\n",
     "share one policy"),
    ("[tier:a]\npolicy = gold\nmin_reads = 0\n[tier:b]\npolicy = silver\nmin_reads = 0\n",
     "share one min_reads"),
    ("[tier:a]\npolicy = gold\nmin_reads = -1\n", "must be >= 0"),
    ("[tier:a]\npolicy = gold\nmin_reads = many\n", "must be an integer"),
    ("[tiering]\nhysteresis = 1.5\n[tier:a]\npolicy = gold\nmin_reads = 0\n", "hysteresis"),
    ("[tiering]\nwindow = 10\nbucket = 20\n[tier:a]\npolicy = gold\nmin_reads = 0\n",
     "must not exceed window"),
])
def test_bad_tier_configs_are_refused_naming_the_fault(tmp_path, text, words):
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, text)
    assert words in str(err.value)


def test_up_at_the_boundary_down_only_below_the_hysteresis_band(tmp_path):
    conf = _load(tmp_path, TIERS)
    assert conf.target(9, "bronze") == "bronze"
    assert conf.target(10, "bronze") == "silver"
    assert conf.target(100, "bronze") == "gold"
    assert conf.target(100, "silver") == "gold"
    # gold's band goes down to 50: 99 .. 50 stay gold
    assert conf.target(99, "gold") == "gold"
    assert conf.target(50, "gold") == "gold"
    # below the band: to silver (its own band is 5 .. 99)
    assert conf.target(49, "gold") == "silver"
    assert conf.target(5, "gold") == "silver"
    assert conf.target(4, "gold") == "bronze"
    assert conf.target(5, "silver") == "silver"
    assert conf.target(4, "silver") == "bronze"
    assert conf.target(0, "silver") == "bronze"


def test_an_unknown_current_tier_gets_the_count_s_own_tier(tmp_path):
    conf = _load(tmp_path, TIERS)
    assert conf.target(12, "retired") == "silver"


def test_counts_go_to_the_journal_unless_memcached_is_chosen_with_its_servers(tmp_path):
    assert _load(tmp_path, TIERS).counts == "journal"
    conf = _load(tmp_path, TIERS.replace("hysteresis = 0.5\n", "hysteresis = 0.5\n"
                                         "counts = memcached\nmemcache_servers = "
                                         "127.0.0.1:11211, 127.0.0.2:11211\n"))
    assert conf.counts == "memcached"
    assert conf.memcache_servers == ["127.0.0.1:11211", "127.0.0.2:11211"]
    for bad, words in (("counts = memcached\n", "needs memcache_servers"),
                       ("counts = kafka\n", "counts must be one of journal, memcached")):
        with pytest.raises(ConfigError) as err:
            _load(tmp_path, TIERS.replace("hysteresis = 0.5\n", "hysteresis = 0.5\n" + bad))
        assert words in str(err.value)


def test_a_body_s_origin_is_stored_quoted_only_when_it_is_not_printable_ascii():
    for path in ("/v1/A/c/o %00 \u00fc", "/v1/A/\x00versions\x00c/o\x01123",
                 "/v1/A/c/k\u00e4lt \u2603/\u00f6", "/v1/A/c/line\r\nX-Injected: 1"):
        digest = hashlib.md5(path.encode("utf-8")).hexdigest()
        stored = origin_to_store(path)
        # it travels in a header: latin-1 encodable, one line, no NUL
        assert stored.isascii() and stored.isprintable()
        assert stored_origin(stored, digest) == path
    assert origin_to_store("/v1/A/c/o %00") == "/v1/A/c/o %00"  # a plain name stays as is
