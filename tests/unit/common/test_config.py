import pytest

from objstore.common.config import (ConfigError, config_int, config_true_value,
                                    load_hash_settings, read_conf, read_section)


def test_default_values_are_merged_into_every_section(tmp_path):
    path = tmp_path / "x.conf"
    path.write_text("[DEFAULT]\nworkers = 2\n[app:a]\nworkers = 3\nx = 100%\n[b]\n")
    conf = read_conf(str(path))
    assert conf["app:a"]["workers"] == "3"
    assert conf["app:a"]["x"] == "100%"
    assert conf["b"]["workers"] == "2"
    assert read_section(str(path), "b")["__file__"] == str(path)


def test_keys_keep_their_case(tmp_path):
    path = tmp_path / "x.conf"
    path.write_text("[f]\nuser_Test_Tester = k\n")
    assert "user_Test_Tester" in read_conf(str(path))["f"]


def test_missing_or_malformed_config_names_the_file(tmp_path):
    with pytest.raises(ConfigError, match="nope.conf"):
        read_conf(str(tmp_path / "nope.conf"))
    bad = tmp_path / "bad.conf"
    bad.write_text("no section header\n")
    with pytest.raises(ConfigError, match="bad.conf"):
        read_conf(str(bad))
    with pytest.raises(ConfigError, match=r"\[missing\]"):
        read_section(str(tmp_path / "bad.conf").replace("bad", "ok") if False else _ok(tmp_path), "missing")


def _ok(tmp_path):
    p = tmp_path / "ok.conf"
    p.write_text("[a]\n")
    return str(p)


def test_true_values():
    assert all(config_true_value(v) for v in ("true", "Yes", "1", "on", True))
    assert not any(config_true_value(v) for v in ("false", "0", "", None, "nah"))


def test_config_int_reports_the_bad_option():
    assert config_int({"a": "5"}, "a", 1) == 5
    assert config_int({}, "a", 7) == 7
    with pytest.raises(ConfigError, match="workers"):
        config_int({"workers": "many"}, "workers", 1)
    with pytest.raises(ConfigError, match=">= 0"):
        config_int({"workers": "-1"}, "workers", 1, 0)


def test_hash_settings_come_from_objstore_conf(tmp_path):
    assert load_hash_settings(str(tmp_path)) == (b"", b"")
    (tmp_path / "objstore.conf").write_text(
        "[objstore-hash]\nswift_hash_path_prefix = pre\nswift_hash_path_suffix = suf\n")
    assert load_hash_settings(str(tmp_path)) == (b"pre", b"suf")
