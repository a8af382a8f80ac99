#!/usr/bin/env python3
"""Sets up and reads back what a moto server holds, for the real-apply tests (tests/apply.rs).

usage: moto_aws.py ENDPOINT_URL REGION setup SPEC_JSON
       moto_aws.py ENDPOINT_URL REGION state

setup creates what SPEC_JSON names, in this order, and prints what moto made as JSON:
    {"buckets": ["name", ...],                  created in REGION
     "policies": {"bucket": {policy document}}, put as the bucket policy
     "log_groups": ["name", ...],
     "users": ["name", ...],
     "access_keys": ["user", ...]}              one key each; printed as {"access_keys": {"user": "AKIA..."}}

state prints one JSON object with what the tests check, read with ordinary describe/get calls:
buckets (policy parsed, public access block, default encryption, versioning, logging), CloudWatch
Logs groups with their metric filters, alarms, SNS topics with their attributes (policy parsed),
EventBridge rules with their targets, IAM users with their attached policies and access keys, KMS
keys with their policies, CloudTrail trails with their status and selectors. A read moto does not
implement is recorded as {"error": "..."} in its place instead of failing the whole read.

Every call goes to ENDPOINT_URL (a loopback moto server) with fake keys; nothing of the developer's
AWS set-up is read.
"""
import json
import os
import sys

for var in list(os.environ):
    if var.startswith("AWS_"):
        del os.environ[var]
os.environ["AWS_CONFIG_FILE"] = "/nonexistent/tfremedy-test-config"
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/tfremedy-test-credentials"
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

endpoint, region, command = sys.argv[1], sys.argv[2], sys.argv[3]


def client(service):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}),
    )


def attempt(call, missing=()):
    """The call's result, None for an error code in `missing`, else {"error": ...}."""
    try:
        return call()
    except ClientError as e:
        if e.response["Error"]["Code"] in missing:
            return None
        return {"error": f"{e.response['Error']['Code']}: {e.response['Error'].get('Message', '')}"}
    except Exception as e:  # a 500 from an unimplemented call, a parse error
        return {"error": f"{type(e).__name__}: {e}"}


def setup(spec):
    s3 = client("s3")
    made = {"access_keys": {}}
    for name in spec.get("buckets", []):
        if region == "us-east-1":
            s3.create_bucket(Bucket=name)
        else:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    for name, policy in spec.get("policies", {}).items():
        s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    logs = client("logs")
    for name in spec.get("log_groups", []):
        logs.create_log_group(logGroupName=name)
    iam = client("iam")
    for name in spec.get("users", []):
        iam.create_user(UserName=name)
    for name in spec.get("access_keys", []):
        made["access_keys"][name] = iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
    return made


def bucket_state(s3, name):
    policy = attempt(lambda: s3.get_bucket_policy(Bucket=name)["Policy"], ("NoSuchBucketPolicy",))
    if isinstance(policy, str):
        policy = json.loads(policy)
    return {
        "policy": policy,
        "public_access_block": attempt(
            lambda: s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"],
            ("NoSuchPublicAccessBlockConfiguration",),
        ),
        "encryption": attempt(
            lambda: s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"],
            ("ServerSideEncryptionConfigurationNotFoundError",),
        ),
        "versioning": attempt(lambda: s3.get_bucket_versioning(Bucket=name).get("Status")),
        "logging": attempt(lambda: s3.get_bucket_logging(Bucket=name).get("LoggingEnabled")),
    }


def state():
    s3 = client("s3")
    out = {"buckets": {}}
    for b in s3.list_buckets()["Buckets"]:
        out["buckets"][b["Name"]] = bucket_state(s3, b["Name"])

    logs = client("logs")
    out["log_groups"] = {}
    for g in logs.describe_log_groups()["logGroups"]:
        filters = logs.describe_metric_filters(logGroupName=g["logGroupName"])["metricFilters"]
        out["log_groups"][g["logGroupName"]] = {
            "kms_key_id": g.get("kmsKeyId"),
            "retention_days": g.get("retentionInDays"),
            "metric_filters": {
                f["filterName"]: {
                    "pattern": f["filterPattern"],
                    "metrics": [m["metricNamespace"] + "/" + m["metricName"] for m in f["metricTransformations"]],
                }
                for f in filters
            },
        }

    out["alarms"] = {
        a["AlarmName"]: {
            "metric": a.get("Namespace", "") + "/" + a.get("MetricName", ""),
            "actions": a.get("AlarmActions", []),
            "threshold": a.get("Threshold"),
        }
        for a in client("cloudwatch").describe_alarms()["MetricAlarms"]
    }

    sns = client("sns")
    out["topics"] = {}
    for t in sns.list_topics()["Topics"]:
        attrs = sns.get_topic_attributes(TopicArn=t["TopicArn"])["Attributes"]
        if "Policy" in attrs:
            attrs["Policy"] = json.loads(attrs["Policy"])
        out["topics"][t["TopicArn"]] = attrs

    events = client("events")
    out["rules"] = {}
    for r in events.list_rules()["Rules"]:
        out["rules"][r["Name"]] = {
            "state": r.get("State"),
            "pattern": json.loads(r["EventPattern"]) if "EventPattern" in r else None,
            "targets": [t["Arn"] for t in events.list_targets_by_rule(Rule=r["Name"])["Targets"]],
        }

    iam = client("iam")
    out["users"] = {}
    for u in iam.list_users()["Users"]:
        name = u["UserName"]
        out["users"][name] = {
            "attached_policies": [p["PolicyArn"] for p in iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]],
            "inline_policies": iam.list_user_policies(UserName=name)["PolicyNames"],
            "access_keys": {k["AccessKeyId"]: k["Status"] for k in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]},
        }
    out["roles"] = {
        r["RoleName"]: iam.list_role_policies(RoleName=r["RoleName"])["PolicyNames"]
        for r in iam.list_roles()["Roles"]
    }

    kms = client("kms")
    out["kms_keys"] = {}
    for k in kms.list_keys()["Keys"]:
        meta = kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]
        if meta.get("KeyManager") == "AWS":
            continue
        policy = attempt(lambda: json.loads(kms.get_key_policy(KeyId=k["KeyId"], PolicyName="default")["Policy"]))
        rotation = attempt(lambda: kms.get_key_rotation_status(KeyId=k["KeyId"])["KeyRotationEnabled"])
        out["kms_keys"][meta["Arn"]] = {
            "description": meta.get("Description"),
            "state": meta.get("KeyState"),
            "rotation": rotation,
            "policy_sids": [s.get("Sid") for s in policy["Statement"]] if isinstance(policy, dict) and "Statement" in policy else policy,
        }

    ct = client("cloudtrail")
    out["trails"] = {}
    for t in ct.describe_trails()["trailList"]:
        out["trails"][t["Name"]] = {
            "arn": t["TrailARN"],
            "logging": attempt(lambda: ct.get_trail_status(Name=t["Name"])["IsLogging"]),
            "advanced_event_selectors": attempt(
                lambda: ct.get_event_selectors(TrailName=t["Name"]).get("AdvancedEventSelectors", [])
            ),
        }
    return out


if command == "setup":
    print(json.dumps(setup(json.loads(sys.argv[4]))))
elif command == "state":
    print(json.dumps(state(), default=str, sort_keys=True))
else:
    sys.exit(f"moto_aws.py: unknown command {command!r} (setup, state)")
