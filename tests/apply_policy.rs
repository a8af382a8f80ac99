//! The bucket-policy merge, applied for real and judged request by request: a bucket whose policy
//! holds AWS's own TLS statement (a JSON number), a CloudFront OAC grant, a partner grant, log
//! delivery, a duplicate Sid, a statement without Sid, a list of numbers, Version 2008-10-17 and an
//! Id is pinned with `--bucket-policy`, planned and applied with terraform and the real provider
//! against moto (tests/support/terraform.rs), read back, compared with the PR's "After" block and
//! judged with the crate's evaluator (tests/support/judge.rs): the attacker denied on every action,
//! everyone else who had access keeping it, TLS 1.1 and plain HTTP denied, every statement of the
//! team's equal as JSON to what it was. Then the rollbacks the PR offers, a policy changed out of
//! band after the review, and one deleted since. moto stores policies as sent and enforces none, so
//! the judgement is the evaluator's, on exactly what S3 holds.

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::{json, Value};
use std::path::Path;
use support::fixture;
use support::judge::{Caller, Expect, Matrix};
use support::moto::Moto;
use support::terraform::{generate, moto_setup, moto_state, setup, Workspace};

const SEED: &str = "discovery-s3-maliciousipcaller-custom.json";
const ACCOUNT: &str = "973743533182";
const REGION: &str = "us-east-2";
const BUCKET: &str = "bucketName";
const THREAT_IP: &str = "81.2.69.144";
const THREAT_CIDR: &str = "81.2.69.144/32";
const PARTNER: &str = "444455556666";
const DISTRIBUTION: &str = "arn:aws:cloudfront::973743533182:distribution/EDFDVBD6EXAMPLE";
const GUARD: &str = "-target=module.tfremedy.module.bucket_guard";
/// What the finding's caller could try on the bucket (the seed names a generated API name).
const ACTIONS: [&str; 7] = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:ListBucket",
    "s3:GetBucketPolicy",
    "s3:PutBucketPolicy",
    "s3:GetBucketAcl",
];

/// The bucket's policy as the review saw it (the shapes the provider's policy model loses).
fn reviewed_policy() -> Value {
    let arn = format!("arn:aws:s3:::{BUCKET}");
    json!({
        "Version": "2008-10-17",
        "Id": "TeamPolicy",
        "Statement": [
            {"Sid": "EnforceTLSv12orHigher", "Effect": "Deny", "Principal": {"AWS": "*"},
             "Action": "s3:*", "Resource": [arn, format!("{arn}/*")],
             "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2}}},
            {"Sid": "CloudFrontOAC", "Effect": "Allow",
             "Principal": {"Service": "cloudfront.amazonaws.com"},
             "Action": "s3:GetObject", "Resource": format!("{arn}/*"),
             "Condition": {"StringEquals": {"AWS:SourceArn": DISTRIBUTION}}},
            {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{PARTNER}:root")},
             "Action": "s3:GetObject", "Resource": format!("{arn}/*")},
            {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{PARTNER}:root")},
             "Action": "s3:ListBucket", "Resource": arn,
             "Condition": {"NumericLessThanEquals": {"s3:max-keys": [10, 20]}}},
            {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": format!("{arn}/logs/*"),
             "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}},
        ],
    })
}

/// Writes `policy` to a file and generates the seed's directory with it pinned.
fn generate_pinned(policy: &Value) -> (tempfile::TempDir, tempfile::TempDir, std::path::PathBuf) {
    let input = tempfile::tempdir().unwrap();
    let file = input.path().join("policy.json");
    std::fs::write(&file, policy.to_string()).unwrap();
    let pin = format!("{BUCKET}={}", file.display());
    let (out, _, region, dir) = generate(&[fixture(SEED)], &["--bucket-policy", &pin]);
    assert_eq!(region, REGION);
    (input, out, dir)
}

/// The "After" block of the group's PULL_REQUEST.md, as JSON.
fn pr_after(dir: &Path) -> Value {
    let pr = std::fs::read_to_string(dir.join("PULL_REQUEST.md")).unwrap();
    let after = pr.find("\nAfter:").expect("an After block in the PR");
    let start = after + pr[after..].find("```json\n").unwrap() + 8;
    let end = start + pr[start..].find("\n```").unwrap();
    serde_json::from_str(&pr[start..end]).unwrap()
}

fn live_policy(moto: &Moto) -> Value {
    moto_state(moto, REGION)["buckets"][BUCKET]["policy"].clone()
}

fn statements(policy: &Value) -> Vec<Value> {
    match &policy["Statement"] {
        Value::Array(items) => items.clone(),
        one => vec![one.clone()],
    }
}

/// Every statement of `reviewed` is in `live`, equal as JSON, and Version and Id are the reviewed
/// ones; the statements beyond them are tfremedy's, with exactly `ours` as Sids.
fn assert_kept(live: &Value, reviewed: &Value, ours: &[&str]) {
    assert_eq!(live["Version"], reviewed["Version"], "Version: {live:#}");
    assert_eq!(live["Id"], reviewed["Id"], "Id: {live:#}");
    let held = statements(live);
    let team = statements(reviewed);
    for st in &team {
        assert!(held.contains(st), "lost or changed: {st}\nlive: {live:#}");
    }
    let extra: Vec<String> = held
        .iter()
        .filter(|s| !team.contains(s))
        .map(|s| s["Sid"].as_str().unwrap_or("(no Sid)").to_string())
        .collect();
    assert_eq!(extra, ours, "statements beyond the team's: {live:#}");
    eprintln!(
        "checked: all {} statements of the reviewed policy are live, equal as JSON, with Version {} and Id {}; ours: {ours:?}",
        team.len(),
        live["Version"],
        live["Id"]
    );
}

/// Who must keep access, whatever tfremedy adds, and who is denied by the team's own statements.
fn keepers(m: &mut Matrix) {
    let admin = Caller::role("admin over TLS 1.3", ACCOUNT, "Admin", "198.51.100.10");
    m.add(&admin, BUCKET, &ACTIONS, Expect::NotDenied);
    let break_glass = Caller::role("break-glass role", ACCOUNT, "BreakGlass", "192.0.2.77");
    m.add(&break_glass, BUCKET, &ACTIONS, Expect::NotDenied);
    let cloudfront = Caller::service("CloudFront OAC", "cloudfront.amazonaws.com")
        .with("aws:SourceArn", DISTRIBUTION);
    m.add(&cloudfront, BUCKET, &["s3:GetObject"], Expect::Allowed);
    let partner = Caller::role("partner account", PARTNER, "Reader", "203.0.113.50");
    m.add(&partner, BUCKET, &["s3:GetObject"], Expect::Allowed);
    let partner_list = partner.clone().with("s3:max-keys", "10");
    m.add(&partner_list, BUCKET, &["s3:ListBucket"], Expect::Allowed);
    let logs = Caller::service("S3 log delivery", "logging.s3.amazonaws.com")
        .with("aws:SourceAccount", ACCOUNT);
    m.rows.push(support::judge::Row {
        name: "S3 log delivery s3:PutObject logs/".into(),
        request: logs.request_on(
            "s3:PutObject",
            &format!("arn:aws:s3:::{BUCKET}/logs/2026-12-02"),
        ),
        expect: Expect::Allowed,
    });
    let old_tls = Caller::role("admin over TLS 1.1", ACCOUNT, "Admin", "198.51.100.10")
        .tls(Some("1.1"), true);
    m.add(&old_tls, BUCKET, &ACTIONS, Expect::Denied);
}

/// The attacker: the finding's IAM user and anyone else from the threat IP.
fn attacker(expect: Expect) -> Matrix {
    let mut m = Matrix::default();
    let user = Caller::user(
        "finding's user from the threat IP",
        ACCOUNT,
        "GeneratedFindingUserName",
        THREAT_IP,
    );
    m.add(&user, BUCKET, &ACTIONS, expect);
    let anyone = Caller::anonymous("anonymous from the threat IP", THREAT_IP);
    m.add(&anyone, BUCKET, &ACTIONS, expect);
    let partner = Caller::role(
        "partner's role from the threat IP",
        PARTNER,
        "Reader",
        THREAT_IP,
    );
    m.add(&partner, BUCKET, &["s3:GetObject"], expect);
    m
}

fn plain_http(m: &mut Matrix) {
    let http =
        Caller::role("admin over plain HTTP", ACCOUNT, "Admin", "198.51.100.10").tls(None, false);
    m.add(&http, BUCKET, &ACTIONS, Expect::Denied);
}

/// Replaces `from` by `to` in the workspace's copy of tfremedy_data.tf (a reviewer's hand edit).
fn edit_data(ws: &Workspace, from: &str, to: &str) {
    let path = ws.module_dir().join("tfremedy_data.tf");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from:?} not in {text}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn apply_and_replan(ws: &Workspace) {
    let plan = ws.plan(&[GUARD]);
    plan.assert_ok();
    ws.apply(&plan).assert_ok();
    assert!(
        ws.replan_is_noop(&[GUARD]),
        "a re-plan after apply must be a no-op"
    );
    eprintln!("checked: a re-plan after apply shows no changes");
}

#[test]
fn the_reviewed_policy_is_kept_the_attacker_denied_and_each_rollback_removes_only_ours() {
    let Some((tf, moto)) = setup(ACCOUNT) else {
        return;
    };
    let reviewed = reviewed_policy();
    moto_setup(
        &moto,
        REGION,
        &json!({ "buckets": [BUCKET], "policies": { BUCKET: reviewed } }),
    );
    let (_input, _out, dir) = generate_pinned(&reviewed);
    // Before: the team's policy lets the stolen credentials in from the threat IP.
    attacker(Expect::NotDenied).judge("the policy before the change", &live_policy(&moto));

    let ws = Workspace::new(tf, &moto, REGION, &dir);
    ws.init();
    apply_and_replan(&ws);
    let live = live_policy(&moto);
    assert_eq!(
        live,
        pr_after(&dir),
        "the PR's After block is not what S3 holds"
    );
    eprintln!("checked: GET /{BUCKET}?policy is the PR's After block, as JSON");
    let ours = [
        "TfremedyDenyThreatIps",
        "TfremedyDenyInsecureTransport",
        "TfremedyDenyOutdatedTls",
    ];
    assert_kept(&live, &reviewed, &ours);
    let mut m = attacker(Expect::Denied);
    keepers(&mut m);
    plain_http(&mut m);
    m.judge("the applied policy", &live);

    // Rollback 1: the IP was a false positive; moved to ignore_cidrs.
    edit_data(
        &ws,
        &format!("{{ cidr = \"{THREAT_CIDR}\""),
        &format!("# {{ cidr = \"{THREAT_CIDR}\""),
    );
    edit_data(
        &ws,
        "ignore_cidrs = [",
        &format!("ignore_cidrs = [\n        \"{THREAT_CIDR}\","),
    );
    apply_and_replan(&ws);
    let live = live_policy(&moto);
    assert_kept(&live, &reviewed, &ours[1..]);
    let mut m = attacker(Expect::NotDenied);
    keepers(&mut m);
    plain_http(&mut m);
    m.judge("the policy after moving the IP to ignore_cidrs", &live);

    // Rollback 2: TLS-only switched off; the team's own TLS statement stays.
    ws.set_data("tls_only", "false");
    apply_and_replan(&ws);
    let live = live_policy(&moto);
    assert_kept(&live, &reviewed, &[]);
    assert_eq!(
        statements(&live),
        statements(&reviewed),
        "back to the reviewed statements, in order"
    );
    let mut m = attacker(Expect::NotDenied);
    keepers(&mut m);
    m.judge("the policy after tls_only = false", &live);
}

#[test]
fn a_policy_changed_out_of_band_after_the_review_stops_the_plan() {
    let Some((tf, moto)) = setup(ACCOUNT) else {
        return;
    };
    let reviewed = reviewed_policy();
    let (_input, _out, dir) = generate_pinned(&reviewed);
    // Since the review, someone granted an outside account everything.
    let mut changed = reviewed.clone();
    let grant = json!({"Sid": "Exfil", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "s3:*",
        "Resource": format!("arn:aws:s3:::{BUCKET}/*")});
    changed["Statement"].as_array_mut().unwrap().push(grant);
    moto_setup(
        &moto,
        REGION,
        &json!({ "buckets": [BUCKET], "policies": { BUCKET: changed } }),
    );
    let ws = Workspace::new(tf, &moto, REGION, &dir);
    ws.init();
    let plan = ws.plan(&[GUARD]);
    plan.assert_fails_with("the live bucket policy is no longer the one reviewed in this change");
    plan.assert_fails_with("arn:aws:iam::999988887777:root");
    assert_eq!(live_policy(&moto), changed, "nothing may be written");
    eprintln!("checked: a statement added since the review stops the plan, named in the message; the policy is untouched");

    // Once reviewed and applied, a later change (a statement removed) stops the next plan too.
    let (_input2, _out2, dir2) = generate_pinned(&changed);
    let ws = Workspace::new(tf, &moto, REGION, &dir2);
    ws.init();
    apply_and_replan(&ws);
    moto_setup(&moto, REGION, &json!({ "policies": { BUCKET: reviewed } }));
    let plan = ws.plan(&[GUARD]);
    plan.assert_fails_with("Statements reviewed but not live");
    plan.assert_fails_with("Exfil");
    eprintln!("checked: a statement removed out of band after the apply stops the next plan");
}

#[test]
fn a_policy_deleted_after_the_review_is_restored_from_the_baseline() {
    let Some((tf, moto)) = setup(ACCOUNT) else {
        return;
    };
    let reviewed = reviewed_policy();
    let (_input, _out, dir) = generate_pinned(&reviewed);
    // The bucket exists, its policy is gone.
    moto_setup(&moto, REGION, &json!({ "buckets": [BUCKET] }));
    let ws = Workspace::new(tf, &moto, REGION, &dir);
    ws.init();
    ws.plan(&[GUARD])
        .assert_fails_with("couldn't find resource");
    eprintln!("checked: with the policy deleted, the pinned plan stops (the read of a missing policy fails)");
    ws.set_data("existing_policy", "\"restore\"");
    apply_and_replan(&ws);
    let live = live_policy(&moto);
    assert_eq!(live, pr_after(&dir), "restore writes what the PR showed");
    assert_kept(
        &live,
        &reviewed,
        &[
            "TfremedyDenyThreatIps",
            "TfremedyDenyInsecureTransport",
            "TfremedyDenyOutdatedTls",
        ],
    );
    let mut m = attacker(Expect::Denied);
    keepers(&mut m);
    plain_http(&mut m);
    m.judge("the restored policy", &live);
}

/// S3 rejects a public policy under BlockPublicPolicy, so a kept public statement with the block on
/// would keep every deny from landing: tfremedy refuses before writing anything.
#[test]
fn a_kept_public_statement_under_the_public_access_block_is_refused() {
    let mut public = reviewed_policy();
    public["Statement"].as_array_mut().unwrap().push(json!({
        "Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": format!("arn:aws:s3:::{BUCKET}/*")}));
    let input = tempfile::tempdir().unwrap();
    let file = input.path().join("policy.json");
    std::fs::write(&file, public.to_string()).unwrap();
    let out = input.path().join("out");
    let o = support::remediate(
        &[fixture(SEED)],
        &out,
        &["--bucket-policy", &format!("{BUCKET}={}", file.display())],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("allows anyone") && err.contains("PublicRead"),
        "{err}"
    );
    assert!(!out.exists(), "nothing may be written");
    // Without the block for this bucket, the change goes through.
    let o = support::remediate(
        &[fixture(SEED)],
        &out,
        &[
            "--bucket-policy",
            &format!("{BUCKET}={}", file.display()),
            "--skip",
            "public-access-block",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// A finding that asks for no policy fix (tls_only and deny unset): the guard leaves the bucket's
/// policy alone, neither reading nor writing it, and still plans its other fixes.
#[test]
fn a_bucket_without_policy_fixes_keeps_its_policy_untouched() {
    let Some((tf, moto)) = setup(ACCOUNT) else {
        return;
    };
    let reviewed = reviewed_policy();
    moto_setup(
        &moto,
        REGION,
        &json!({ "buckets": [BUCKET], "policies": { BUCKET: reviewed } }),
    );
    let (_out, _, region, dir) = generate(
        &[fixture("policy-s3-bucketblockpublicaccessdisabled.json")],
        &[],
    );
    let ws = Workspace::new(tf, &moto, &region, &dir);
    ws.init();
    let plan = ws.plan(&[GUARD]);
    plan.assert_ok();
    let guard = "module.tfremedy.module.bucket_guard[\"bucketName\"]";
    assert!(
        !plan
            .addresses("create")
            .iter()
            .any(|a| a.starts_with(guard) && a.contains("aws_s3_bucket_policy")),
        "no policy fix was asked for: {:?}",
        plan.addresses("create")
    );
    ws.apply(&plan).assert_ok();
    assert_eq!(live_policy(&moto), reviewed, "the policy must be untouched");
    let pab = &moto_state(&moto, REGION)["buckets"][BUCKET]["public_access_block"];
    assert_eq!(pab["BlockPublicPolicy"], true, "{pab:#}");
    eprintln!("checked: with no policy fix asked for, the policy is untouched and the public access block is on");
}

/// Every fixture at once (two account/region groups, every supported type): each group's whole
/// module plans against the real provider (evaluation errors that validators cannot see, such as a
/// function refusing a null switch, fail here), and its bucket guards apply and re-plan clean.
#[test]
fn every_fixture_plans_and_its_bucket_guards_apply() {
    if setup(ACCOUNT).is_none() {
        return;
    }
    let dir = support::root().join("tests/fixtures/findings");
    let out = tempfile::tempdir().unwrap();
    let o = support::remediate(&[dir.to_string_lossy().into_owned()], out.path(), &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut groups = 0;
    for account in std::fs::read_dir(out.path()).unwrap().flatten() {
        for region in std::fs::read_dir(account.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let (account, region, group) = (
                account.file_name().to_string_lossy().into_owned(),
                region.file_name().to_string_lossy().into_owned(),
                region.path(),
            );
            let data = std::fs::read_to_string(group.join("tfremedy_data.tf")).unwrap();
            let buckets: Vec<String> = data
                .lines()
                .filter_map(|l| {
                    l.strip_prefix("    \"")?
                        .split_once("\" = {")
                        .map(|(n, _)| n)
                })
                .filter(|n| !n.contains('/'))
                .map(str::to_string)
                .collect();
            let Some((tf, moto)) = setup(&account) else {
                return;
            };
            moto_setup(&moto, &region, &json!({ "buckets": buckets }));
            let ws = Workspace::new(tf, &moto, &region, &group);
            for (key, value) in [("existing_policy", "\"none\""), ("deactivate_key", "false")] {
                let assigns = |l: &str| {
                    let t = l.trim_start();
                    t.strip_prefix(key)
                        .is_some_and(|r| r.trim_start().starts_with('='))
                };
                if data.lines().any(assigns) {
                    ws.set_data(key, value);
                }
            }
            ws.init();
            ws.plan(&[]).assert_ok();
            eprintln!(
                "checked: {account}/{region}: the whole module plans ({} buckets)",
                buckets.len()
            );
            apply_and_replan(&ws);
            groups += 1;
        }
    }
    assert_eq!(groups, 2, "both groups of the fixtures");
}
