"""The S3 error catalogue: one place maps every S3 error code to its status.

Clients (boto3, the aws CLI, rclone) branch on the ``Code`` element and the
HTTP status, so both must be exactly what S3 documents; the ``Message`` is
for the human reading a log and says what went wrong and how to fix it.
Handlers raise ``S3Error(code, message, **extra)``; the middleware turns it
into the XML body with ``error_body``.
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple
from xml.sax.saxutils import escape

# code -> (HTTP status, default message)
CATALOGUE: Dict[str, Tuple[int, str]] = {
    "AccessDenied": (403, "Access Denied."),
    "AccessControlListNotSupported": (400, "The bucket does not allow ACLs."),
    "AuthorizationHeaderMalformed": (400, "The Authorization header is malformed."),
    "AuthorizationQueryParametersError": (400, "The presigned URL query is malformed."),
    "BadDigest": (400, "The Content-MD5 you specified did not match what we received."),
    "BucketAlreadyExists": (409, "The bucket name is taken by another account; pick "
                                 "another name."),
    "BucketAlreadyOwnedByYou": (409, "You already own a bucket with this name."),
    "BucketNotEmpty": (409, "The bucket still holds objects or uploads; delete them "
                            "first."),
    "EntityTooLarge": (400, "The upload is larger than the maximum allowed size."),
    "EntityTooSmall": (400, "A part other than the last is smaller than the 5 MiB "
                            "minimum."),
    "IncompleteBody": (400, "The request body terminated unexpectedly"),
    "InternalError": (500, "Something went wrong inside the store; retry the request."),
    "InvalidAccessKeyId": (403, "The access key you gave is not known here; use "
                                "<account>:<user> of an existing user."),
    "InvalidArgument": (400, "An argument of the request is invalid."),
    "InvalidToken": (400, "The provided token is malformed or otherwise invalid."),
    "InvalidBucketAclWithObjectOwnership": (400, "Bucket cannot have ACLs set with "
                                                 "ObjectOwnership's BucketOwnerEnforced "
                                                 "setting."),
    "InvalidBucketName": (400, "The bucket name is not valid: use 3-63 lower-case "
                               "letters, digits, dots and hyphens."),
    "InvalidEncryptionAlgorithmError": (400, "The encryption request you specified is not "
                                             "valid. The valid value is AES256."),
    "InvalidChunkSizeError": (403, "Only the last chunk is allowed to have a size less "
                                   "than 8192 bytes"),
    "InvalidDigest": (400, "The Content-MD5 you specified was invalid."),
    "InvalidLocationConstraint": (400, "The location constraint is not valid."),
    "InvalidPart": (400, "One or more of the specified parts could not be found.  The part "
                         "may not have been uploaded, or the specified entity tag may not "
                         "match the part's entity tag."),
    "InvalidPartNumber": (416, "The requested partnumber is not satisfiable"),
    "InvalidPartOrder": (400, "Parts must be listed in ascending part number order."),
    "InvalidRange": (416, "The requested range cannot be satisfied."),
    "InvalidRequest": (400, "The request is not valid."),
    "InvalidStorageClass": (400, "The storage class you gave is not supported."),
    "InvalidURI": (400, "The URI could not be parsed."),
    "KeyTooLongError": (400, "The key is too long."),
    "MalformedXML": (400, "The XML you provided was not well-formed or did not validate "
                          "against our published schema"),
    "MalformedACLError": (400, "The XML you provided was not well-formed or did not "
                              "validate against our published schema."),
    "MalformedPOSTRequest": (400, "The body of your POST request is not well-formed "
                                  "multipart/form-data."),
    "MaxPostPreDataLengthExceededError": (400, "Your POST request fields preceding the "
                                               "upload file were too large."),
    "InvalidPolicyDocument": (400, "The content of the form does not meet the conditions "
                                   "specified in the policy document."),
    "MalformedPolicy": (400, "The policy is not valid JSON or does not follow the "
                             "bucket policy grammar."),
    "MalformedTrailerError": (400, "The request contained trailing data that was not "
                                   "well-formed or did not conform to our published "
                                   "schema."),
    "MaxMessageLengthExceeded": (400, "Your request was too big."),
    "MetadataTooLarge": (400, "The metadata headers exceed the allowed size."),
    "MethodNotAllowed": (405, "The method is not allowed on this resource."),
    "MissingContentLength": (411, "You must provide the Content-Length HTTP header."),
    "MissingSecurityHeader": (400, "A required header is missing."),
    "NoSuchBucket": (404, "The specified bucket does not exist"),
    "NoSuchBucketPolicy": (404, "The bucket policy does not exist"),
    "NoSuchPublicAccessBlockConfiguration": (404, "The public access block configuration "
                                                  "was not found"),
    "NoSuchCORSConfiguration": (404, "The bucket has no CORS configuration."),
    "NoSuchKey": (404, "The specified key does not exist."),
    "NoSuchTagSet": (404, "There is no tag set."),
    "ObjectLockConfigurationNotFoundError": (404, "Object Lock configuration does not "
                                                  "exist for this bucket"),
    "NoSuchObjectLockConfiguration": (404, "The specified object does not have a ObjectLock "
                                           "configuration"),
    "InvalidBucketState": (409, "The request is not valid with the current state of the "
                                "bucket."),
    "NoSuchUpload": (404, "The specified upload does not exist. The upload ID may be "
                          "invalid, or the upload may have been aborted or completed."),
    "NoSuchVersion": (404, "The specified version does not exist."),
    "OwnershipControlsNotFoundError": (404, "The bucket ownership controls were not "
                                            "found."),
    "NotImplemented": (501, "This operation is not implemented by this store."),
    "PreconditionFailed": (412, "A precondition you gave does not hold."),
    "RequestTimeTooSkewed": (403, "The request time differs from the server's time by "
                                  "more than 15 minutes; fix the client's clock."),
    "RequestTimeout": (400, "The body was not read within the time limit."),
    "ServerSideEncryptionConfigurationNotFoundError": (
        404, "The server side encryption configuration was not found."),
    "ServiceUnavailable": (503, "The store is busy or a backend is down; retry."),
    "SlowDown": (503, "Please reduce your request rate."),
    "SignatureDoesNotMatch": (403, "The request signature we calculated does not match "
                                   "the signature you provided. Check your key and "
                                   "signing method."),
    "UnresolvableGrantByEmailAddress": (400, "The e-mail address you provided does not "
                                             "match any account on record."),
    "UnexpectedContent": (400, "This request does not support content."),
    "UserKeyMustBeSpecified": (400, "The bucket POST must contain the specified field "
                                    "name: an Object with an empty Key names nothing."),
    "XAmzContentSHA256Mismatch": (400, "The provided 'x-amz-content-sha256' header does "
                                       "not match what was computed."),
    "InvalidTag": (400, "The tag set is not valid."),
    "ConditionalRequestConflict": (409, "A conflicting operation occurred on this key while "
                                        "your conditional write was in progress; retry."),
    "OperationAborted": (409, "A conflicting operation is in progress on this "
                              "resource; retry."),
}


class S3Error(Exception):
    """An error the client sees as an S3 XML error body.

    ``extra`` adds elements after ``RequestId`` (e.g. ``BucketName``,
    ``ArgumentName``, ``ServerTime``) because some clients read them.
    """

    def __init__(self, code: str, message: Optional[str] = None,
                 status: Optional[int] = None, **extra: str) -> None:
        default_status, default_message = CATALOGUE.get(code, (500, code))
        self.code = code
        self.status = status or default_status
        self.message = message or default_message
        self.extra = extra
        # Response headers some errors carry (e.g. x-amz-delete-marker).
        self.headers: Dict[str, str] = {}
        super().__init__("%s: %s" % (code, self.message))


def error_body(err: S3Error, resource: str, request_id: str) -> bytes:
    """The XML body S3 clients parse for ``Code`` and ``Message``."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<Error>',
             "<Code>%s</Code>" % escape(err.code),
             "<Message>%s</Message>" % escape(err.message),
             "<Resource>%s</Resource>" % escape(resource),
             "<RequestId>%s</RequestId>" % escape(request_id)]
    for name, value in err.extra.items():
        parts.append("<%s>%s</%s>" % (name, escape(str(value)), name))
    parts.append("</Error>")
    return "".join(parts).encode("utf-8")


# The texts S3 gives for one cause each where a code has several causes
# (clients, SDK tests and people searching the web compare them word for
# word). Raise them as ``S3Error(code, TEXT)``; ``%s`` is filled by the caller.
MULTIPLE_CHECKSUMS = ("Expecting a single x-amz-checksum- header. Multiple checksum Types "
                      "are not allowed.")
CHECKSUM_HEADER_AND_TRAILER = "Expecting a single x-amz-checksum- header"
UNKNOWN_CHECKSUM_ALGORITHM = ("The algorithm type you specified in x-amz-checksum- header "
                              "is invalid.")
SDK_ALGORITHM_WITHOUT_CHECKSUM = ("x-amz-sdk-checksum-algorithm specified, but no "
                                  "corresponding x-amz-checksum-* or x-amz-trailer headers "
                                  "were found.")
UNSUPPORTED_TRAILER = "The value specified in the x-amz-trailer header is not supported"
INVALID_HEADER_VALUE = "Value for %s header is invalid."
INVALID_TRAILER_VALUE = "Value for %s trailing header is invalid."
CHECKSUM_MISMATCH = "The %s you specified did not match the calculated checksum."
SHORT_BODY = ("You did not provide the number of bytes specified by the Content-Length "
              "HTTP header")
MISSING_MD5_OR_CHECKSUM = ("Missing required header for this request: Content-MD5 OR "
                           "x-amz-checksum-*")
MISSING_CONTENT_SHA256 = "Missing required header for this request: x-amz-content-sha256"
INVALID_CONTENT_SHA256 = "x-amz-content-sha256 must be %s or a valid sha256 value."
VERSION_MARKER_WITHOUT_KEY_MARKER = ("A version-id marker cannot be specified without a "
                                     "key marker.")
INVALID_VERSION_ID = "Invalid version id specified"
PART_NUMBER_AND_RANGE = "Cannot specify both Range header and partNumber query parameter"
PART_NUMBER_RANGE = "Part number must be an integer between 1 and %d, inclusive"
