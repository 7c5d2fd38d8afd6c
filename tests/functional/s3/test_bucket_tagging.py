"""S3 bucket tagging with boto3 against the live SAIO (subresources.py)."""

from tests.functional.s3.test_s3_clients import bucket, code_of, s3  # noqa: F401


def test_bucket_tags_are_set_read_replaced_and_deleted(s3, bucket):
    assert code_of(lambda: s3.get_bucket_tagging(Bucket=bucket)) == ("NoSuchTagSet", 404)
    tags = [{"Key": "team", "Value": "storage"}, {"Key": "cost centre", "Value": "a&b=c"}]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == tags[::-1]  # sorted by key
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "only", "Value": ""}]})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "only", "Value": ""}]
    s3.delete_bucket_tagging(Bucket=bucket)
    assert code_of(lambda: s3.get_bucket_tagging(Bucket=bucket)) == ("NoSuchTagSet", 404)


def test_bad_bucket_tag_sets_are_invalid_tag_and_change_nothing(s3, bucket):
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    many = [{"Key": "k%d" % i, "Value": "v"} for i in range(51)]
    twice = [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]
    for tag_set in (many, twice, [{"Key": "x" * 129, "Value": ""}]):
        assert code_of(lambda: s3.put_bucket_tagging(
            Bucket=bucket, Tagging={"TagSet": tag_set})) == ("InvalidTag", 400)
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "k", "Value": "v"}]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": many[:50]})
    assert len(s3.get_bucket_tagging(Bucket=bucket)["TagSet"]) == 50


def test_bucket_tagging_of_a_missing_bucket_is_no_such_bucket(s3):
    assert code_of(lambda: s3.put_bucket_tagging(
        Bucket="s3fn-no-such-bucket-here", Tagging={"TagSet": []}))[0] == "NoSuchBucket"
