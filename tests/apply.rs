//! Generated Terraform, planned and applied for real: the `terraform` CLI with the hashicorp/aws
//! provider (from a filesystem mirror) against moto's server as every AWS endpoint
//! (tests/support/terraform.rs). Each test generates a directory with the tfremedy binary, creates
//! what the finding names in moto (tests/apply/moto_aws.py), plans, applies, checks that a re-plan
//! is a no-op, and reads back what moto holds. Skipped with one `SKIP real-apply tests:` line when
//! terraform, the provider mirror or moto is missing (a failure under CI=true).
//!
//! What moto 5.1.22 cannot apply, and the scenarios therefore leave out (see
//! `moto_gaps_trail_and_account_public_access_block`, which fails once they are fixed):
//! - aws_cloudtrail: CreateTrail works, but the provider then calls StartLogging with the trail's
//!   ARN and moto answers HTTP 500 (KeyError in moto/cloudtrail/models.py start_logging, which
//!   looks trails up by name only). The whole-module scenario uses an existing log group
//!   (`--existing-log-group`), so no trail is made.
//! - aws_s3_account_public_access_block: the SDK sends S3 Control calls to `<account>.<endpoint
//!   host>`, which has no address on loopback (a DNS name would be needed); the switch stays null.
//!
//! moto also needs `MOTO_IAM_LOAD_MANAGED_POLICIES=true` (`Moto::start_for_account` sets it): without
//! it AttachUserPolicy of AWSCompromisedKeyQuarantineV3 is a 404 NoSuchEntity. moto enforces no
//! policy (bucket, key or topic), so these tests prove what is written, not what it allows.
//! `-target=module.tfremedy.module.bucket_guard` also applies account-monitor's access-log bucket
//! (and its policy and public access block): the guard's `access_log_target_bucket` refers to it.

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::{json, Value};
use std::collections::BTreeSet;
use support::fixture;
use support::terraform::{generate, moto_setup, moto_state, setup, Workspace};

/// The seed (examples/seed, also a test fixture): account, region, bucket and threat IP.
const SEED: &str = "discovery-s3-maliciousipcaller-custom.json";
const ACCOUNT: &str = "973743533182";
const BUCKET: &str = "bucketName";
const THREAT_CIDR: &str = "81.2.69.144/32";
/// The same finding with a long-term access key of IAM user data-pipeline.
const KEY_FINDING: &str =
    "discovery-s3-maliciousipcaller-custom-synthetic-principal-iamuser-key.json";
const USER: &str = "data-pipeline";
const KEY_FINDING_IP: &str = "198.51.100.21";

const BUCKET_GUARD: &str = "-target=module.tfremedy.module.bucket_guard";
/// The seed bucket's guard (resource addresses start with it).
const GUARD: &str = "module.tfremedy.module.bucket_guard[\"bucketName\"].";
const OUR_SIDS: [&str; 3] = [
    "TfremedyDenyThreatIps",
    "TfremedyDenyInsecureTransport",
    "TfremedyDenyOutdatedTls",
];

fn sids(policy: &Value) -> BTreeSet<String> {
    policy["Statement"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["Sid"].as_str().map(str::to_string))
        .collect()
}

fn statement<'a>(policy: &'a Value, sid: &str) -> &'a Value {
    policy["Statement"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["Sid"] == sid)
        .unwrap_or_else(|| panic!("no statement {sid} in {policy:#}"))
}

/// A condition value as a list of strings (a policy may hold one value or a list).
fn values(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().flat_map(values).collect(),
        Value::String(s) => vec![s.clone()],
        other => vec![other.to_string()],
    }
}

/// The checks every bucket-guard scenario shares, on what moto holds for the seed bucket, whose
/// finding named `cidr`.
fn check_seed_bucket(state: &Value, cidr: &str) {
    let bucket = &state["buckets"][BUCKET];
    let policy = &bucket["policy"];
    let held = sids(policy);
    for sid in OUR_SIDS {
        assert!(
            held.contains(sid),
            "GET /{BUCKET}?policy has no {sid}: {policy:#}"
        );
    }
    let deny = statement(policy, "TfremedyDenyThreatIps");
    assert_eq!(deny["Effect"], "Deny");
    assert_eq!(
        values(&deny["Condition"]["IpAddress"]["aws:SourceIp"]),
        [cidr]
    );
    let insecure = statement(policy, "TfremedyDenyInsecureTransport");
    assert_eq!(
        values(&insecure["Condition"]["Bool"]["aws:SecureTransport"]),
        ["false"]
    );
    eprintln!(
        "checked: GET /{BUCKET}?policy holds {} (deny {cidr}, deny non-TLS, deny TLS < 1.2)",
        OUR_SIDS.join(", ")
    );
    let pab = &bucket["public_access_block"];
    for flag in [
        "BlockPublicAcls",
        "IgnorePublicAcls",
        "BlockPublicPolicy",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(pab[flag], true, "GET /{BUCKET}?publicAccessBlock: {pab:#}");
    }
    eprintln!("checked: GET /{BUCKET}?publicAccessBlock has all four flags on");
    let rule = &bucket["encryption"][0];
    assert_eq!(
        rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "aws:kms",
        "GET /{BUCKET}?encryption: {:#}",
        bucket["encryption"]
    );
    assert_eq!(rule["BucketKeyEnabled"], true);
    eprintln!("checked: GET /{BUCKET}?encryption is aws:kms with a bucket key");
}

/// The seed's bucket guard, on a bucket without a policy: plan, apply, re-plan, read back.
#[test]
fn seed_bucket_guard_applies_and_replans_clean() {
    let Some((tf, moto)) = setup(ACCOUNT) else {
        return;
    };
    moto_setup(&moto, "us-east-2", &json!({ "buckets": [BUCKET] }));
    let (_out, account, region, dir) = generate(&[fixture(SEED)], &[]);
    assert_eq!((account.as_str(), region.as_str()), (ACCOUNT, "us-east-2"));
    let ws = Workspace::new(tf, &moto, &region, &dir);
    ws.set_data("existing_policy", "\"none\"");
    ws.init();

    let plan = ws.plan(&[BUCKET_GUARD]);
    plan.assert_ok();
    let created = plan.addresses("create");
    for kind in [
        "aws_s3_bucket_policy.",
        "aws_s3_bucket_public_access_block.",
        "aws_s3_bucket_server_side_encryption_configuration.",
    ] {
        assert!(
            created
                .iter()
                .any(|a| a.starts_with(GUARD) && a.contains(kind)),
            "the plan creates no {kind} for {BUCKET}: {created:#?}"
        );
    }
    assert!(
        plan.addresses("delete").is_empty(),
        "nothing is destroyed: {:#?}",
        plan.changes()
    );
    ws.apply(&plan).assert_ok();
    assert!(ws.replan_is_noop(&[BUCKET_GUARD]));

    let state = moto_state(&moto, &region);
    check_seed_bucket(&state, THREAT_CIDR);
    let held = sids(&state["buckets"][BUCKET]["policy"]);
    assert_eq!(
        held,
        OUR_SIDS.iter().map(|s| s.to_string()).collect(),
        "a bucket without a policy gets ours only"
    );
    // What the plan said it would write is what moto holds.
    let policy_address = created
        .iter()
        .find(|a| a.starts_with(GUARD) && a.contains("aws_s3_bucket_policy."))
        .unwrap();
    let planned: Value =
        serde_json::from_str(plan.after(policy_address)["policy"].as_str().unwrap()).unwrap();
    assert_eq!(planned, state["buckets"][BUCKET]["policy"]);
    eprintln!("checked: the policy moto holds is the planned {policy_address}.policy, as JSON");
}

/// A bucket that already has a policy, pinned with --bucket-policy: the team's statements (one
/// with a numeric condition value) stay, ours are added, and a re-plan changes nothing.
#[test]
fn pinned_policy_keeps_the_teams_statements() {
    let Some((tf, moto)) = setup(ACCOUNT) else {
        return;
    };
    let arn = format!("arn:aws:s3:::{BUCKET}");
    let team = json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "TeamReadOnly", "Effect": "Allow",
             "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
             "Action": ["s3:GetObject"], "Resource": format!("{arn}/*")},
            {"Sid": "TeamOldTls", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": [arn.clone(), format!("{arn}/*")],
             "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2}}},
        ],
    });
    moto_setup(
        &moto,
        "us-east-2",
        &json!({ "buckets": [BUCKET], "policies": { BUCKET: team } }),
    );
    let input = tempfile::tempdir().unwrap();
    let policy_file = input.path().join("policy.json");
    std::fs::write(&policy_file, team.to_string()).unwrap();
    let pin = format!("{BUCKET}={}", policy_file.display());
    let (_out, _, region, dir) = generate(&[fixture(SEED)], &["--bucket-policy", &pin]);
    let ws = Workspace::new(tf, &moto, &region, &dir);
    ws.init();

    let plan = ws.plan(&[BUCKET_GUARD]);
    plan.assert_ok();
    ws.apply(&plan).assert_ok();
    assert!(ws.replan_is_noop(&[BUCKET_GUARD]));

    let state = moto_state(&moto, &region);
    check_seed_bucket(&state, THREAT_CIDR);
    let policy = &state["buckets"][BUCKET]["policy"];
    let held = sids(policy);
    for sid in ["TeamReadOnly", "TeamOldTls"] {
        assert!(
            held.contains(sid),
            "the team's {sid} was dropped: {policy:#}"
        );
    }
    let tls = &statement(policy, "TeamOldTls")["Condition"]["NumericLessThan"]["s3:TlsVersion"];
    assert!(
        values(tls).iter().any(|v| v == "1.2"),
        "TeamOldTls lost its numeric value: {tls}"
    );
    eprintln!(
        "checked: GET /{BUCKET}?policy keeps TeamReadOnly and TeamOldTls (s3:TlsVersion {tls}) next to ours"
    );
}

/// The whole generated module as far as moto can apply it: bucket guard, account monitor on an
/// existing log group (metric filters, alarms, KMS-encrypted SNS topic and its policy, EventBridge
/// rule and target), and the principal response (quarantine policy attachment, access key
/// imported and deactivated).
#[test]
fn whole_module_on_an_existing_log_group() {
    let Some((tf, moto)) = setup(ACCOUNT) else {
        return;
    };
    let made = moto_setup(
        &moto,
        "us-east-2",
        &json!({
            "buckets": [BUCKET],
            "log_groups": ["org-trail"],
            "users": [USER],
            "access_keys": [USER],
        }),
    );
    let key = made["access_keys"][USER].as_str().unwrap().to_string();

    // The fixture's key id, replaced by the one moto made.
    let input = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture(KEY_FINDING)).unwrap();
    assert!(text.contains("AKIAIOSFODNN7EXAMPLE"));
    let finding = input.path().join("finding.json");
    std::fs::write(&finding, text.replace("AKIAIOSFODNN7EXAMPLE", &key)).unwrap();
    let (_out, _, region, dir) = generate(
        &[finding.to_string_lossy().into_owned()],
        &["--existing-log-group", "org-trail"],
    );

    let ws = Workspace::new(tf, &moto, &region, &dir);
    ws.set_data("existing_policy", "\"none\"");
    ws.set_data("key_import_in_root", "true");
    let imports = std::fs::read_to_string(dir.join("root/tfremedy_imports.tf")).unwrap();
    assert!(imports.contains(&key), "{imports}");
    ws.add_root_file("tfremedy_imports.tf", &imports);
    ws.init();

    let plan = ws.plan(&[]);
    plan.assert_ok();
    let key_address = format!(
        "module.tfremedy.module.principal_response[\"iam-user/{USER}\"].aws_iam_access_key.this[0]"
    );
    assert_eq!(plan.imports(), std::slice::from_ref(&key_address));
    assert_eq!(plan.after(&key_address)["status"], "Inactive");
    assert!(
        !plan.addresses("create").contains(&key_address),
        "the key is imported, never created"
    );
    assert!(plan.addresses("delete").is_empty(), "{:#?}", plan.changes());
    assert!(
        !plan
            .changes()
            .iter()
            .any(|(a, _)| a.contains("aws_cloudtrail.")),
        "an existing log group means no trail"
    );
    ws.apply(&plan).assert_ok();
    assert!(ws.replan_is_noop(&[]));

    let state = moto_state(&moto, &region);
    check_seed_bucket(&state, &format!("{KEY_FINDING_IP}/32"));

    // Account monitor: filters on the existing group, alarms into the topic.
    let topic = format!("arn:aws:sns:{region}:{ACCOUNT}:tfremedy-s3-alerts");
    let filters = &state["log_groups"]["org-trail"]["metric_filters"];
    let names: BTreeSet<&str> = filters
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for name in [
        "tfremedy-ips-00",
        "tfremedy-bucket-config-00",
        "tfremedy-cis-3-5-cloudtrail-changes",
        "tfremedy-cis-3-8-s3-bucket-policy-changes",
    ] {
        assert!(
            names.contains(name),
            "no metric filter {name} on org-trail: {names:?}"
        );
        assert_eq!(
            state["alarms"][name]["actions"],
            json!([topic]),
            "alarm {name}: {:#}",
            state["alarms"]
        );
    }
    let ips = filters["tfremedy-ips-00"]["pattern"].as_str().unwrap();
    assert!(ips.contains(KEY_FINDING_IP), "{ips}");
    eprintln!("checked: 4 metric filters on org-trail (ips-00 matches {KEY_FINDING_IP}), 4 alarms into {topic}");

    let attrs = &state["topics"][&topic];
    let key_arn = attrs["KmsMasterKeyId"].as_str().unwrap_or_default();
    assert!(
        state["kms_keys"][key_arn]["policy_sids"]
            == json!(["EnableIamPolicies", "AlarmAndEventPublishers"]),
        "topic key {key_arn}: {:#}",
        state["kms_keys"]
    );
    assert_eq!(state["kms_keys"][key_arn]["rotation"], true);
    assert_eq!(
        sids(&attrs["Policy"]),
        BTreeSet::from([
            "CloudWatchAlarmsPublish".to_string(),
            "EventBridgePublish".to_string()
        ]),
        "topic policy: {:#}",
        attrs["Policy"]
    );
    eprintln!("checked: {topic} encrypted with a rotating KMS key (policy EnableIamPolicies, AlarmAndEventPublishers), topic policy CloudWatchAlarmsPublish + EventBridgePublish");

    let rule = &state["rules"]["tfremedy-guardduty-s3-findings"];
    assert_eq!(rule["targets"], json!([topic]));
    assert_eq!(rule["pattern"]["source"], json!(["aws.guardduty"]));
    assert!(
        values(&rule["pattern"]["detail"]["type"])
            .contains(&"Discovery:S3/MaliciousIPCaller.Custom".to_string()),
        "{rule:#}"
    );
    eprintln!("checked: EventBridge rule tfremedy-guardduty-s3-findings (aws.guardduty) targets the topic");

    // Principal response: quarantined, the same key deactivated, no new key.
    let user = &state["users"][USER];
    assert_eq!(
        user["attached_policies"],
        json!(["arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3"])
    );
    assert_eq!(user["access_keys"], json!({ key.clone(): "Inactive" }));
    eprintln!("checked: IAM user {USER} has AWSCompromisedKeyQuarantineV3 attached and its only key {key} Inactive");
    assert!(state["trails"].as_object().unwrap().is_empty());

    // The root's outputs (no -target here, so they are up to date) agree with moto.
    let outputs = ws.outputs();
    let output = &outputs["tfremedy"]["value"];
    let policy: Value =
        serde_json::from_str(output["bucket_policies"][BUCKET].as_str().unwrap()).unwrap();
    assert_eq!(sids(&policy), sids(&state["buckets"][BUCKET]["policy"]));
    assert_eq!(output["alerts_topic_arn"], topic);
    assert!(output["trail_arn"].is_null());
    eprintln!("checked: outputs bucket_policies (same Sids as moto), alerts_topic_arn {topic}, trail_arn null");
}

/// The plan stops, before anything is written, while nobody has said whether the bucket has a
/// policy (the seed as generated: existing_policy = "unknown").
#[test]
fn plan_stops_while_the_existing_policy_is_unknown() {
    let Some((tf, moto)) = setup(ACCOUNT) else {
        return;
    };
    moto_setup(&moto, "us-east-2", &json!({ "buckets": [BUCKET] }));
    let (_out, _, region, dir) = generate(&[fixture(SEED)], &[]);
    let ws = Workspace::new(tf, &moto, &region, &dir);
    ws.init();
    ws.plan(&[BUCKET_GUARD]).assert_fails_with(&format!(
        "bucket {BUCKET}: nobody has said whether the bucket already has a bucket policy"
    ));
    assert!(moto_state(&moto, &region)["buckets"][BUCKET]["policy"].is_null());
}

/// A provider for another account than the finding's: every part of the module refuses to plan.
#[test]
fn plan_refuses_another_account() {
    let Some((tf, moto)) = setup("123456789012") else {
        return;
    };
    let (_out, _, region, dir) = generate(&[fixture(SEED)], &[]);
    let ws = Workspace::new(tf, &moto, &region, &dir);
    ws.set_data("existing_policy", "\"none\"");
    ws.init();
    let plan = ws.plan(&[]);
    plan.assert_fails_with(&format!(
        "bucket {BUCKET} belongs to account {ACCOUNT} per the GuardDuty finding, but the provider is authenticated to account 123456789012"
    ));
    plan.assert_fails_with(&format!(
        "the monitored buckets belong to account {ACCOUNT} per the GuardDuty finding, but the provider is authenticated to account 123456789012"
    ));
}

/// What moto (and a loopback endpoint) cannot apply, pinned so that this test fails, and the
/// scenarios above can grow, once it can: the trail's StartLogging, and S3 Control.
#[test]
fn moto_gaps_trail_and_account_public_access_block() {
    let Some((tf, moto)) = setup(ACCOUNT) else {
        return;
    };
    moto_setup(&moto, "us-east-2", &json!({ "buckets": [BUCKET] }));
    let (_out, _, region, dir) = generate(&[fixture(SEED)], &[]);
    let ws = Workspace::new(tf, &moto, &region, &dir);
    ws.set_data("existing_policy", "\"none\"");
    ws.set_data("account_public_access_block", "true");
    ws.init();
    let targets = [
        "-target=module.tfremedy.module.account_monitor.aws_cloudtrail.this[0]",
        "-target=module.tfremedy.module.account_monitor.aws_s3_account_public_access_block.this[0]",
    ];
    let plan = ws.plan(&targets);
    plan.assert_ok();
    let applied = ws.apply(&plan);
    // CreateTrail succeeds; StartLogging by ARN is a 500 (moto looks trails up by name).
    applied.assert_fails_with("CloudTrail: StartLogging");
    applied.assert_fails_with("StatusCode: 500");
    let state = moto_state(&moto, &region);
    assert_eq!(state["trails"]["tfremedy-s3-monitor"]["logging"], false);
    eprintln!("checked: CreateTrail made tfremedy-s3-monitor, StartLogging failed with HTTP 500, the trail is not logging");
    // S3 Control prefixes the account to the endpoint host: 973743533182.127.0.0.1 has no address
    // (here the closed loopback proxy refuses it, so nothing leaves the machine).
    applied.assert_fails_with("S3 Control: PutPublicAccessBlock");
    applied.assert_fails_with(&format!("http://{ACCOUNT}.127.0.0.1:"));
}
