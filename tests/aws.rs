//! `--from-aws` against a real local S3 API (moto's server): buckets are created with boto3
//! (tests/aws/moto_setup.py), then read back through the AWS SDK for Rust; the state read must be
//! exactly what was created, a missing bucket is reported and left out, missing credentials give one
//! clear line, and tfremedy sends nothing but GET requests.

#![cfg(feature = "aws")]
#![allow(clippy::unwrap_used)]

mod support;

use pretty_assertions::assert_eq;
use serde_json::{json, Value};
use std::sync::OnceLock;
use support::moto::Moto;
use support::{root, tfremedy, validate};
use tfremedy::aws::s3::read_buckets;
use tfremedy::aws::AwsOptions;
use tfremedy::inventory::{BucketState, EncryptionState, LiveTarget, SOURCE_AWS_API};
use tfremedy::model::BlockPublicAccess;

const ACCOUNT: &str = "123456789012";
const KMS: &str = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/// One moto server for the whole binary, with the buckets of moto_setup.py; `None` when moto is not
/// installed outside CI (the tests then skip).
fn moto() -> Option<&'static Moto> {
    static MOTO: OnceLock<Option<Moto>> = OnceLock::new();
    MOTO.get_or_init(|| {
        let moto = Moto::start()?;
        moto.run_python(&root().join("tests/aws/moto_setup.py"));
        Some(moto)
    })
    .as_ref()
}

/// The environment of a run against moto: fake keys (or none), nothing from the developer's set-up.
fn isolated(cmd: &mut assert_cmd::Command, with_keys: bool) {
    support::aws_env(
        cmd,
        with_keys.then_some(("testing", "testing-secret-never-printed")),
    );
}

/// The text with every run of whitespace made one space (the data file aligns its `=`).
fn squeezed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The library call, in-process: credentials come from the environment, set once (the other tests
/// of this binary spawn processes with their own environment).
fn read(names: &[&str]) -> (Vec<BucketState>, Vec<String>) {
    static ENV: OnceLock<()> = OnceLock::new();
    ENV.get_or_init(|| {
        std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
        std::env::set_var("AWS_CONFIG_FILE", "/nonexistent/tfremedy-test-config");
        std::env::set_var(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/tfremedy-test-credentials",
        );
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
        std::env::remove_var("AWS_PROFILE");
    });
    let moto = moto().unwrap();
    let targets: Vec<LiveTarget> = names
        .iter()
        .map(|n| LiveTarget {
            bucket: n.to_string(),
            account_id: Some(ACCOUNT.into()),
        })
        .collect();
    let options = AwsOptions {
        endpoint_url: Some(moto.endpoint.clone()),
        ..AwsOptions::default()
    };
    let (states, errors) = read_buckets(&targets, &options).unwrap();
    (states, errors.iter().map(|e| e.to_string()).collect())
}

/// The five statements moto_setup.py puts on tfremedy-full.
fn moto_setup_policy() -> Value {
    let text = std::fs::read_to_string(root().join("tests/aws/tfremedy-full-policy.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_state_read_back_is_what_was_created() {
    if moto().is_none() {
        return;
    }
    let (states, errors) = read(&[
        "tfremedy-full",
        "tfremedy-bare",
        "tfremedy-public",
        "tfremedy-missing",
    ]);
    assert_eq!(
        errors,
        vec!["s3://tfremedy-missing: GetBucketLocation: the bucket does not exist (NoSuchBucket)"]
    );
    let base = |name: &str, region: &str| {
        let mut s = BucketState::empty(name.to_string(), SOURCE_AWS_API);
        s.account_id = Some(ACCOUNT.into());
        s.region = Some(region.into());
        s
    };
    let mut full = base("tfremedy-full", "eu-west-1");
    full.policy = Some(moto_setup_policy());
    full.encryption = Some(EncryptionState {
        sse_algorithm: "aws:kms".into(),
        kms_key_id: Some(KMS.into()),
        bucket_key_enabled: true,
    });
    full.public_access_block = Some(BlockPublicAccess {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    });
    full.logging_target = Some("tfremedy-logs".into());
    full.versioning = Some("Enabled".into());
    full.object_ownership = Some("BucketOwnerEnforced".into());

    let mut bare = base("tfremedy-bare", "us-east-1");
    bare.public_access_block = Some(BlockPublicAccess {
        block_public_acls: true,
        ignore_public_acls: false,
        block_public_policy: true,
        restrict_public_buckets: false,
    });

    let mut public = base("tfremedy-public", "us-east-1");
    public.policy = Some(json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::tfremedy-public/*"}]}));
    public.encryption = Some(EncryptionState {
        sse_algorithm: "AES256".into(),
        kms_key_id: None,
        bucket_key_enabled: false,
    });
    public.versioning = Some("Suspended".into());

    // Sorted by name.
    assert_eq!(states, vec![bare, full, public]);
}

#[test]
fn harden_from_aws_reads_live_and_only_reads() {
    let Some(moto) = moto() else { return };
    let before = moto.requests().len();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut cmd = tfremedy();
    isolated(&mut cmd, true);
    let o = cmd
        .args(["harden", "--from-aws", "--endpoint-url", &moto.endpoint])
        .args(["--bucket", "tfremedy-full", "--bucket", "tfremedy-bare"])
        .args(["--bucket", "tfremedy-public", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("compliant: tfremedy-full (no code)"), "{err}");
    assert!(err.contains("tfremedy-bare: missing tls-only, default-encryption, public-access-block, ownership-controls, versioning, access-logging"), "{err}");
    assert!(
        err.contains("warning: tfremedy-public: a policy statement allows anyone"),
        "{err}"
    );
    // The statement stays (no --remove-public), so the block stays off: S3 would reject every
    // later policy change under BlockPublicPolicy.
    assert!(
        err.contains("tfremedy-public: the public access block is left off"),
        "{err}"
    );
    // The account is the caller's (moto's STS answers 123456789012); us-east-1 from GetBucketLocation.
    let group = out.join(ACCOUNT).join("us-east-1");
    let data = squeezed(&std::fs::read_to_string(group.join("tfremedy_data.tf")).unwrap());
    assert!(data.contains("tfremedy-bare") && data.contains("tfremedy-public"));
    assert!(!data.contains("tfremedy-full"), "{data}");
    // Both buckets have a known policy state: none (NoSuchBucketPolicy) and read.
    assert!(data.contains(r#"existing_policy = "none""#), "{data}");
    assert!(data.contains(r#"existing_policy = "pinned""#), "{data}");
    assert!(!out.join(ACCOUNT).join("eu-west-1").exists());
    assert!(!err.contains("testing-secret-never-printed"));
    validate(&group);

    // Never a mutating call: every request tfremedy sent was a GET (STS is a POST to the root).
    let sent: Vec<String> = moto.requests()[before..].to_vec();
    assert!(!sent.is_empty());
    for r in &sent {
        assert!(
            r.starts_with("GET /tfremedy-") || r.starts_with("POST / "),
            "unexpected request: {r}"
        );
    }
}

#[test]
fn remediate_from_aws_merges_the_live_policy() {
    let Some(moto) = moto() else { return };
    let dir = tempfile::tempdir().unwrap();
    // The seed finding, moved to the bucket moto holds (account, region and bucket name).
    let seed = std::fs::read_to_string(
        root().join("tests/fixtures/findings/discovery-s3-maliciousipcaller-custom.json"),
    )
    .unwrap()
    .replace("bucketName", "tfremedy-full")
    .replace("973743533182", ACCOUNT)
    .replace("us-east-2", "eu-west-1");
    let finding = dir.path().join("finding.json");
    std::fs::write(&finding, seed).unwrap();
    let out = dir.path().join("out");
    let mut cmd = tfremedy();
    isolated(&mut cmd, true);
    let o = cmd
        .args(["remediate", "--from-aws", "--endpoint-url", &moto.endpoint])
        .arg(&finding)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let group = out.join(ACCOUNT).join("eu-west-1");
    let pr = std::fs::read_to_string(group.join("PULL_REQUEST.md")).unwrap();
    let after = pr.find("After:").expect("before/after in the PR");
    let start = after + pr[after..].find("```json\n").unwrap() + 8;
    let end = start + pr[start..].find("\n```").unwrap();
    let merged: Value = serde_json::from_str(&pr[start..end]).unwrap();
    let statements = merged["Statement"].as_array().unwrap();
    for original in moto_setup_policy()["Statement"].as_array().unwrap() {
        assert!(statements.contains(original), "lost: {original}");
    }
    assert!(statements
        .iter()
        .any(|s| s["Sid"] == "TfremedyDenyThreatIps"));
    let data = squeezed(&std::fs::read_to_string(group.join("tfremedy_data.tf")).unwrap());
    assert!(data.contains(r#"existing_policy = "pinned""#), "{data}");
    validate(&group);
}

#[test]
fn no_credentials_is_one_clear_line() {
    let Some(moto) = moto() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = tfremedy();
    isolated(&mut cmd, false);
    let o = cmd
        .args(["harden", "--from-aws", "--endpoint-url", &moto.endpoint])
        .args(["--account", ACCOUNT, "--bucket", "tfremedy-full", "--out"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no AWS credentials"), "{err}");
    assert!(!dir.path().join("out").exists());
}

#[test]
fn bad_aws_options_are_refused_before_any_call() {
    let dir = tempfile::tempdir().unwrap();
    let o = tfremedy()
        .args(["harden", "--from-aws", "--bucket", "bad/bucket", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--bucket \"bad/bucket\""),
        "{}",
        stderr(&o)
    );
    let o = tfremedy()
        .args([
            "harden",
            "--from-aws",
            "--bucket",
            "good-bucket",
            "--endpoint-url",
            "https://user:pw@host",
        ])
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("--endpoint-url") && !err.contains("pw@"),
        "{err}"
    );
}
