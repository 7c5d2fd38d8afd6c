"""The decrypter's listing rows: every encrypted ETag decrypted together
with the others of its key, a row it cannot decrypt left as stored."""

import hashlib

from objstore.common import crypto as cu
from objstore.middleware import decrypter

SECRETS = {"1": b"s" * 32, "2": b"t" * 32}


def fetch(key_id=None):
    secret = SECRETS.get(str(key_id.get("secret_id")))
    if secret is None:
        raise cu.CryptoError("no such secret")
    container = "/".join(key_id["path"].split("/", 3)[:3])
    return {"container": cu.derive_key(secret, container)}


def stored(etag, secret_id="1", path="/a/c/o"):
    """A listing ETag as the encrypter stores it in a container row."""
    key = cu.derive_key(SECRETS.get(secret_id, b"u" * 32), "/".join(path.split("/", 3)[:3]))
    return cu.encrypt_value(key, etag.encode("ascii"),
                            {"v": "1", "path": path, "secret_id": secret_id})


def test_rows_of_several_keys_decrypt_and_broken_rows_stay_as_stored():
    etags = [hashlib.md5(b"%d" % i).hexdigest() for i in range(6)]
    good = [stored(etags[0]), stored(etags[1], "2"), stored(etags[2], path="/a/other/o"),
            stored(etags[3]), stored("", "2"), stored('"%s-3"' % etags[4])]
    data, meta = cu.split_value(good[0])
    broken = [
        stored(etags[5], "9"),  # a secret this proxy does not have
        "%s; swift_meta=%s" % ("not base64!", cu.dump_meta(meta)),
        "%s; swift_meta=%s" % (data, cu.dump_meta(dict(meta, iv=cu.b64(b"short")))),
        "%s; swift_meta=%s" % (data, cu.dump_meta({k: v for k, v in meta.items() if k != "iv"})),
        "%s; swift_meta=%s" % (data, cu.dump_meta(dict(meta, key_id="a string"))),
    ]
    items = [{"name": "g%d" % i, "hash": h} for i, h in enumerate(good)]
    items += [{"name": "b%d" % i, "hash": h} for i, h in enumerate(broken)]
    items += [{"name": "plain", "hash": etags[5]}, {"subdir": "d/"}]
    decrypter._decrypt_hashes(items, fetch, "c")
    assert [i["hash"] for i in items[:6]] == etags[:4] + ["", '"%s-3"' % etags[4]]
    assert [i["hash"] for i in items[6:11]] == broken
    assert items[11:] == [{"name": "plain", "hash": etags[5]}, {"subdir": "d/"}]


def test_the_container_key_is_fetched_once_per_secret_and_container():
    calls = []

    def counting(key_id=None):
        calls.append(key_id["path"])
        return fetch(key_id)
    items = [{"name": "o%d" % i, "hash": stored("%032x" % i, path="/a/c/o%d" % i)}
             for i in range(50)]
    decrypter._decrypt_hashes(items, counting, "c")
    assert [i["hash"] for i in items] == ["%032x" % i for i in range(50)]
    assert len(calls) == 1
