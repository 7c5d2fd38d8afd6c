"""Range requests on objects of 10, 5 and 0 bytes, replicated and erasure-coded."""
from ..case import case, check, setup

#: the section of docs/swift-differences.md these cases belong to
AREA = "Conditional and ranged requests"

_OBJECTS = {"10b": b"0123456789", "5b": b"hello", "0b": b""}
_RANGES = {
    "10b": [("first-byte", "bytes=0-0"), ("middle", "bytes=2-5"), ("suffix", "bytes=-3"),
            ("open-ended", "bytes=7-"), ("from-zero", "bytes=0-"), ("past-end", "bytes=5-99"),
            ("start-at-size", "bytes=10-"), ("beyond", "bytes=20-30"), ("suffix-zero", "bytes=-0"),
            ("suffix-longer", "bytes=-99"), ("reversed", "bytes=5-2"),
            ("multi", "bytes=0-1,3-4"), ("multi-overlapping", "bytes=0-4,2-6"),
            ("multi-one-unsatisfiable", "bytes=0-1,20-30"), ("multi-all-unsatisfiable",
                                                            "bytes=20-21,30-31"),
            ("multi-with-suffix", "bytes=0-0,-2"), ("lws", "bytes= 2-5"),
            ("lws-multi", "bytes=0-1 , 3-4"), ("lws-around-dash", "bytes=2 - 5"),
            ("unit-uppercase", "Bytes=2-5"), ("unit-unknown", "items=2-5"),
            ("garbage", "bytes=a-b"), ("empty-spec", "bytes="), ("no-unit", "2-5"),
            ("dash-only", "bytes=-"), ("many-ranges", "bytes=" + ",".join("%d-%d" % (i, i)
                                                                         for i in range(10)))],
    "5b": [("start-at-size", "bytes=5-"), ("last-byte", "bytes=4-"), ("suffix-all", "bytes=-5"),
           ("suffix-more", "bytes=-6"), ("exact", "bytes=0-4"), ("past-end", "bytes=3-10")],
    "0b": [("first-byte", "bytes=0-0"), ("suffix", "bytes=-1"), ("open-ended", "bytes=0-"),
           ("multi", "bytes=0-0,1-1")],
}

CASES = []
for _policy, _header in (("", None), ("-ec", "{ec}")):
    _container = setup("PUT", "{a}/{c}", X_Storage_Policy=_header) if _header else setup("PUT", "{a}/{c}")
    for _size, _ranges in _RANGES.items():
        _obj = setup("PUT", "{a}/{c}/o", _OBJECTS[_size], Content_Type="application/x-range")
        for _name, _range in _ranges:
            CASES.append(case("range-%s-%s%s" % (_size, _name, _policy), _container, _obj,
                              check("GET", "{a}/{c}/o", Range=_range)))
        CASES.append(case("range-%s-head%s" % (_size, _policy), _container, _obj,
                          check("HEAD", "{a}/{c}/o", Range="bytes=0-1")))
