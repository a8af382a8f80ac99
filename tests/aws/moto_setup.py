#!/usr/bin/env python3
"""Creates the buckets of tests/aws.rs in a moto S3 server (moto_server), through boto3.

usage: moto_setup.py ENDPOINT_URL

Each bucket gets a known mix of policy, default encryption, public access block, ownership controls,
versioning and access logging, so the test can check that `tfremedy --from-aws` reads back exactly
what was created. Prints nothing on success.
"""
import json
import os
import sys

import boto3

endpoint = sys.argv[1]
s3 = boto3.client(
    "s3",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)


def bucket(name, region=None):
    if region and region != "us-east-1":
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    else:
        s3.create_bucket(Bucket=name)


# 1. Everything configured: a five-statement policy (tfremedy-full-policy.json), KMS encryption, a
#    full public access block, BucketOwnerEnforced, versioning, access logging.
bucket("tfremedy-logs", "eu-west-1")
s3.put_bucket_policy(Bucket="tfremedy-logs", Policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "S3ServerAccessLogs", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": "arn:aws:s3:::tfremedy-logs/*"},
    ],
}))
bucket("tfremedy-full", "eu-west-1")
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "tfremedy-full-policy.json")) as f:
    policy = json.load(f)
s3.put_bucket_policy(Bucket="tfremedy-full", Policy=json.dumps(policy))
s3.put_bucket_encryption(
    Bucket="tfremedy-full",
    ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {
            "SSEAlgorithm": "aws:kms",
            "KMSMasterKeyID": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        },
        "BucketKeyEnabled": True,
    }]},
)
s3.put_public_access_block(
    Bucket="tfremedy-full",
    PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True,
        "BlockPublicPolicy": True, "RestrictPublicBuckets": True,
    },
)
s3.put_bucket_ownership_controls(
    Bucket="tfremedy-full",
    OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
)
s3.put_bucket_versioning(Bucket="tfremedy-full", VersioningConfiguration={"Status": "Enabled"})
s3.put_bucket_logging(
    Bucket="tfremedy-full",
    BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "tfremedy-logs", "TargetPrefix": "full/"}},
)

# 2. Nothing configured but a partial public access block: no policy, no encryption rule set by us.
bucket("tfremedy-bare")
s3.put_public_access_block(
    Bucket="tfremedy-bare",
    PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": False,
        "BlockPublicPolicy": True, "RestrictPublicBuckets": False,
    },
)

# 3. A public policy (anyone may read) and SSE-S3.
bucket("tfremedy-public")
s3.put_bucket_policy(Bucket="tfremedy-public", Policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::tfremedy-public/*"},
    ],
}))
s3.put_bucket_encryption(
    Bucket="tfremedy-public",
    ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
)
s3.put_bucket_versioning(Bucket="tfremedy-public", VersioningConfiguration={"Status": "Suspended"})
