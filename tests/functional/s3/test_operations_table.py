"""The operations table of docs/s3.md is what the live SAIO answers: every
operation of the S3 API (botocore's service model) has one row, and each
row's request, sent signed, is served ("supported": anything but 501
NotImplemented) or refused with exactly the status and code written there.
A helper who implements an operation flips its row to "supported"."""

import re
import uuid

import pytest

from tests.support.s3_operations import operations, request_of, table
from tests.functional.s3.signed import s3_raw
from tests.functional.s3.test_s3_clients import client, delete_bucket_and_contents

ROWS = table()
SUPPORTED = "supported"
_REFUSED = re.compile(r"^(\d{3}) (\w+)$")
_SAME_AS = re.compile(r"^(\d{3}) as (\w+)$")
# What a destructive operation is pointed at instead of the shared bucket/key.
_ELSEWHERE = {"DeleteBucket": ("-gone", "k"), "DeleteObject": ("", "gone"),
              "PutObject": ("", "new")}


@pytest.fixture(scope="module")
def target(saio):
    s3 = client()
    name = "s3fn-ops-" + uuid.uuid4().hex[:10]
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="k", Body=b"x")
    yield name
    delete_bucket_and_contents(s3, name)


def test_the_table_lists_every_operation_of_the_s3_api_once_with_its_request():
    names = [row[0] for row in ROWS]
    assert len(names) == len(set(names)), "an operation has two rows"
    model = operations()
    assert sorted(set(model) - set(names)) == [], "operations missing from docs/s3.md"
    assert sorted(set(names) - set(model)) == [], "rows that are no S3 operation"
    for name, method, uri, answer in ROWS:
        assert (method, uri) == (model[name]["http"]["method"],
                                 model[name]["http"]["requestUri"]), name
        assert answer == SUPPORTED or _REFUSED.match(answer) or _SAME_AS.match(answer), \
            "%s: write 'supported', '<status> <Code>' or '<status> as <Operation>'" % name


@pytest.mark.parametrize("name,answer", [(row[0], row[3]) for row in ROWS],
                         ids=[row[0] for row in ROWS])
def test_the_saio_answers_each_operation_as_the_table_says(target, name, answer):
    suffix, key = _ELSEWHERE.get(name, ("", "k"))
    method, path, query, headers = request_of(name, target + suffix, key)
    resp = s3_raw(method, path, query=query, headers=headers)
    found = re.search(rb"<Code>([^<]*)</Code>", resp.body)
    code = found.group(1).decode() if found else None
    refused = _REFUSED.match(answer)
    same = _SAME_AS.match(answer)
    if answer == SUPPORTED:
        assert resp.status != 501 and code != "NotImplemented", resp.body
    elif refused:
        assert resp.status == int(refused.group(1)), resp.body
        assert method == "HEAD" or code == refused.group(2), resp.body
    else:
        assert resp.status == int(same.group(1))
        assert dict((r[0], r[3]) for r in ROWS)[same.group(2)] == SUPPORTED
