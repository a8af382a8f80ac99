//! Reading findings: every real sample, every envelope of the seed finding giving the same model,
//! directories, stdin, gzip, streaming, and the exact file/line/path of every kind of input error.

#![allow(clippy::unwrap_used)]

use pretty_assertions::assert_eq;
use std::io::Write;
use std::path::{Path, PathBuf};
use tfremedy::model::{Finding, Origin};
use tfremedy::read::{for_each_finding, read_inputs, Item, ReadOutcome};

const SEED: &str = "discovery-s3-maliciousipcaller-custom.json";
const SEED_SYNTHETIC: &str = "discovery-s3-maliciousipcaller-custom-synthetic";
const IP_PATH: &str = "$.service.action.awsApiCallAction.remoteIpDetails.ipAddressV4";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/findings")
}

fn fixture(name: &str) -> String {
    fixtures().join(name).display().to_string()
}

fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixtures().join(name)).unwrap()
}

fn read(inputs: &[&str]) -> ReadOutcome {
    let inputs: Vec<String> = inputs.iter().map(|s| s.to_string()).collect();
    read_inputs(&inputs, &mut std::io::empty())
}

fn read_stdin(content: &[u8]) -> ReadOutcome {
    read_inputs(
        &["-".to_string()],
        &mut std::io::Cursor::new(content.to_vec()),
    )
}

/// Reads a file expected to hold exactly one finding and no errors.
fn one(name: &str) -> Finding {
    let out = read(&[&fixture(name)]);
    assert_eq!(out.errors, vec![], "{name}");
    assert_eq!(out.findings.len(), 1, "{name}");
    out.findings.into_iter().next().unwrap()
}

fn without_origin(mut f: Finding) -> Finding {
    f.origin = Origin {
        file: String::new(),
        line: None,
        path: String::new(),
    };
    f
}

/// The one error of an outcome, as the user sees it.
fn only_error(out: &ReadOutcome) -> String {
    assert_eq!(out.findings.len(), 0, "{:?}", out.findings);
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    out.errors[0].to_string()
}

fn seed_json() -> serde_json::Value {
    serde_json::from_str(&fixture_text(SEED)).unwrap()
}

fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, content).unwrap();
    path.display().to_string()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

// ---------------------------------------------------------------------------------------------------
// Real samples

#[test]
fn every_copied_sample_reads_as_its_own_type() {
    let mut seen = 0;
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        if !name.ends_with(".json") || name.contains("synthetic") {
            continue;
        }
        let f = one(&name);
        // The fixtures are named after their finding type.
        let slug: String = f
            .finding_type
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        assert!(name.starts_with(&slug), "{name} holds {}", f.finding_type);
        seen += 1;
    }
    assert_eq!(seen, 24);
}

#[test]
fn seed_sample_fields() {
    let out = read(&[&fixture(SEED)]);
    assert_eq!(out.errors, vec![]);
    let f = &out.findings[0];
    assert_eq!(f.finding_type, "Discovery:S3/MaliciousIPCaller.Custom");
    assert_eq!(f.severity, 8.0);
    assert_eq!(f.account_id, "973743533182");
    assert_eq!(f.region, "us-east-2");
    assert_eq!(f.partition, "aws");
    assert_eq!(f.id, "52bf27df0ab00afa53e3268714f20319");
    assert_eq!(
        f.detector_id.as_deref(),
        Some("37da5a0204286ccd967d2395320d4dcd")
    );
    assert!(f.sample);
    assert!(!f.archived);
    assert_eq!(f.count, 4);
    assert_eq!(f.first_seen.as_deref(), Some("2022-01-12T19:22:44.000Z"));
    assert_eq!(f.updated_at.as_deref(), Some("2022-01-28T21:12:25.470Z"));
    assert_eq!(f.threat_list, None);
    assert_eq!(f.remote_ip(), Some("81.2.69.144".parse().unwrap()));
    let call = f.api_call.as_ref().unwrap();
    assert_eq!(call.error_code.as_deref(), Some("AccessDenied"));
    assert_eq!(call.api.as_deref(), Some("GeneratedFindingAPIName"));
    let remote = call.remote.as_ref().unwrap();
    assert_eq!(remote.asn.as_deref(), Some("-1"));
    assert_eq!(
        remote.country.as_deref(),
        Some("GeneratedFindingCountryName")
    );

    let b = &f.buckets[0];
    assert_eq!(b.name, "bucketName");
    assert_eq!(b.arn.as_deref(), Some("arn:aws:s3:::bucketName"));
    assert_eq!(b.role.as_deref(), Some("Destination"));
    assert_eq!(b.tags, vec![("foo".to_string(), "bar".to_string())]);
    assert_eq!(b.owner_id.as_deref(), Some("CanonicalId of Owner"));
    assert_eq!(b.created_at.as_deref(), Some("2017-12-18T15:58:11.551Z"));
    let enc = b.encryption.as_ref().unwrap();
    assert_eq!(enc.encryption_type.as_deref(), Some("SSEAlgorithm"));
    // A placeholder region, but a well-formed KMS key ARN: kept.
    assert_eq!(
        enc.kms_key_arn.as_deref(),
        Some("arn:aws:kms:region:123456789012:key/key-id")
    );
    let pa = b.public_access.as_ref().unwrap();
    assert_eq!(pa.effective_permission.as_deref(), Some("NOT_PUBLIC"));
    assert!(!pa.acl_allows_public_read && !pa.policy_allows_public_write);
    assert!(pa.account_block_public_access.is_some());

    let p = f.principal.as_ref().unwrap();
    assert_eq!(p.user_name.as_deref(), Some("GeneratedFindingUserName"));
    assert_eq!(p.user_type.as_deref(), Some("IAMUser"));

    // The legacy bucket name is accepted with a warning naming where it is.
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    let w = &out.warnings[0];
    assert_eq!(w.origin.path, "$.resource.s3BucketDetails[0].name");
    assert!(
        w.message.starts_with("legacy bucket name \"bucketName\""),
        "{}",
        w.message
    );
}

#[test]
fn real_finding_with_null_encryption_and_integer_created_at() {
    let out = read(&[&fixture("policy-iamuser-rootcredentialusage-real.json")]);
    assert_eq!(out.errors, vec![]);
    assert_eq!(out.warnings, vec![]);
    let f = &out.findings[0];
    assert!(!f.sample);
    assert_eq!(f.count, 204);
    let b = &f.buckets[0];
    assert_eq!(b.name, "res-guardduty");
    assert_eq!(b.encryption, None);
    assert_eq!(b.created_at.as_deref(), Some("2022-01-12T21:11:38Z"));
    assert_eq!(b.tags, vec![]);
    let bpa = b
        .public_access
        .as_ref()
        .unwrap()
        .bucket_block_public_access
        .clone()
        .unwrap();
    assert!(bpa.block_public_acls && bpa.restrict_public_buckets);
    let call = f.api_call.as_ref().unwrap();
    assert_eq!(
        call.error_code.as_deref(),
        Some("NoSuchWebsiteConfiguration")
    );
    assert_eq!(
        f.principal.as_ref().unwrap().user_type.as_deref(),
        Some("Root")
    );
}

#[test]
fn threat_list_from_evidence_and_from_additional_info() {
    let f = one("recon-iamuser-maliciousipcaller-custom.json");
    assert_eq!(
        f.threat_list.as_deref(),
        Some("GeneratedFindingThreatListName")
    );
    assert!(f.buckets.is_empty());

    let f = one("unauthorizedaccess-iamuser-toripcaller-eventbridge.json");
    assert_eq!(
        f.threat_list.as_deref(),
        Some("GeneratedFindingCustomerListName")
    );
    assert_eq!(f.origin.path, "$.detail");
    // `asn` is a number in this one.
    let remote = f.api_call.unwrap().remote.unwrap();
    assert_eq!(remote.asn.as_deref(), Some("-1"));
    assert_eq!(remote.ip.to_string(), "198.51.100.0");
}

#[test]
fn cli_pascal_case_sample() {
    let f = one("recon-iamuser-userpermissions-cli-get-findings.json");
    assert_eq!(f.finding_type, "Recon:IAMUser/UserPermissions");
    assert_eq!(f.origin.path, "$.Findings[0]");
    assert_eq!(f.account_id, "111122223333");
    assert_eq!(f.count, 5);
    assert!(!f.sample);
    assert_eq!(f.remote_ip(), Some("52.94.36.7".parse().unwrap()));
    let call = f.api_call.as_ref().unwrap();
    assert_eq!(call.api.as_deref(), Some("ListPolicyVersions"));
    assert_eq!(call.error_code, None);
    assert_eq!(
        call.remote.as_ref().unwrap().city.as_deref(),
        Some("London")
    );
    assert_eq!(
        f.principal.as_ref().unwrap().user_name.as_deref(),
        Some("testuser")
    );
    assert_eq!(
        f.detector_id.as_deref(),
        Some("d4b040365221be2b54a6264dcexample")
    );
}

#[test]
fn pretty_printed_archived_sample() {
    let f = one("pentest-s3-parrotlinux-pretty-aws-samples.json");
    assert!(f.archived);
    assert_eq!(f.origin.line, None);
    assert_eq!(f.finding_type, "PenTest:S3/ParrotLinux");
}

#[test]
fn real_asff_sample() {
    let out = read(&[&fixture("unauthorizedaccess-ec2-sshbruteforce-asff.json")]);
    assert_eq!(out.errors, vec![]);
    let f = &out.findings[0];
    assert_eq!(f.finding_type, "UnauthorizedAccess:EC2/SSHBruteForce");
    assert_eq!(f.severity, 2.0);
    assert_eq!(f.account_id, "193043430472");
    assert_eq!(f.region, "us-east-1");
    assert_eq!(f.partition, "aws");
    assert_eq!(f.id, "46ba0ac2845071e23ccdeb2ae03bfdea");
    assert_eq!(
        f.detector_id.as_deref(),
        Some("d4b040365221be2b54a6264dc9a4bc64")
    );
    assert_eq!(f.count, 74);
    assert_eq!(f.first_seen.as_deref(), Some("2020-08-22T09:15:57Z"));
    // A network connection: only the peer is kept.
    let call = f.api_call.as_ref().unwrap();
    assert_eq!(call.api, None);
    let remote = call.remote.as_ref().unwrap();
    assert_eq!(remote.ip.to_string(), "199.241.229.197");
    assert_eq!(remote.city.as_deref(), Some("Dubuque"));
    assert_eq!(remote.asn.as_deref(), Some("209"));
    // The documentation's `arn:aws::guardduty:...` is not a well-formed ARN: dropped, with a warning.
    assert_eq!(f.arn, None);
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    assert_eq!(out.warnings[0].origin.path, "$.Id");
}

// ---------------------------------------------------------------------------------------------------
// The same finding in every envelope

#[test]
fn every_envelope_yields_the_same_model() {
    let seed = without_origin(one(SEED));
    // Each envelope, and the (line, path) of each finding in it.
    type Origins = &'static [(Option<u64>, &'static str)];
    let cases: &[(&str, Origins)] = &[
        ("-pascal-cli.json", &[(None, "$.Findings[0]")]),
        ("-api-findings.json", &[(None, "$.findings[0]")]),
        ("-eventbridge.json", &[(None, "$.detail")]),
        ("-array.json", &[(None, "$[0]"), (None, "$[1].detail")]),
        (
            ".jsonl",
            &[
                (Some(1), "$"),
                (Some(3), "$.detail"),
                (Some(4), "$.findings[0]"),
            ],
        ),
    ];
    for (suffix, origins) in cases {
        let name = format!("{SEED_SYNTHETIC}{suffix}");
        let out = read(&[&fixture(&name)]);
        assert_eq!(out.errors, vec![], "{name}");
        let got: Vec<(Option<u64>, &str)> = out
            .findings
            .iter()
            .map(|f| (f.origin.line, f.origin.path.as_str()))
            .collect();
        assert_eq!(&got, origins, "{name}");
        for f in &out.findings {
            assert_eq!(without_origin(f.clone()), seed, "{name}");
        }
        // Every finding carries the same legacy-name warning; read_inputs keeps it once.
        assert_eq!(
            out.warnings.len(),
            1,
            "{name}: the legacy-name warning, once"
        );
    }
}

#[test]
fn pascal_warnings_use_the_users_casing() {
    let out = read(&[&fixture(&format!("{SEED_SYNTHETIC}-pascal-cli.json"))]);
    assert_eq!(
        out.warnings[0].origin.path,
        "$.Findings[0].Resource.S3BucketDetails[0].Name"
    );
}

#[test]
fn gzip_is_detected_from_content_not_name() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = std::fs::read(fixtures().join(format!("{SEED_SYNTHETIC}.jsonl"))).unwrap();
    let seed = without_origin(one(SEED));

    let gz = write(dir.path(), "findings.jsonl.gz", gzip(&jsonl));
    let out = read(&[&gz]);
    assert_eq!(out.errors, vec![]);
    assert_eq!(out.findings.len(), 3);
    assert_eq!(out.findings[2].origin.line, Some(4));
    for f in out.findings {
        assert_eq!(without_origin(f), seed);
    }

    // gzip under a .json name, and plain JSON under a .gz name.
    let disguised = write(
        dir.path(),
        "plain.json",
        gzip(fixture_text(SEED).as_bytes()),
    );
    let plain = write(dir.path(), "not-really.gz", fixture_text(SEED));
    let out = read(&[&disguised, &plain]);
    assert_eq!(out.errors, vec![]);
    assert_eq!(out.findings.len(), 2);

    // Concatenated gzip members (what `cat a.gz b.gz` gives) are read through.
    let mut two = gzip(fixture_text(SEED).as_bytes());
    two.extend(gzip(b"\n"));
    two.extend(gzip(fixture_text(SEED).as_bytes()));
    let out = read_stdin(&two);
    assert_eq!(out.errors, vec![]);
    assert_eq!(out.findings.len(), 2);
}

#[test]
fn asff_yields_the_same_model_where_asff_can_say_it() {
    let mut expected = without_origin(one(SEED));
    // What ASFF has no place for: the bucket's GuardDuty role, GuardDuty's effective permission,
    // the ACL/policy public flags and the account-level Block Public Access.
    let b = &mut expected.buckets[0];
    b.role = None;
    let pa = b.public_access.take().unwrap();
    b.public_access = Some(tfremedy::model::PublicAccess {
        bucket_block_public_access: pa.bucket_block_public_access,
        ..Default::default()
    });

    let out = read(&[&fixture(&format!("{SEED_SYNTHETIC}-asff.json"))]);
    assert_eq!(out.errors, vec![]);
    assert_eq!(out.findings.len(), 1);
    assert_eq!(out.findings[0].origin.path, "$");
    assert_eq!(without_origin(out.findings[0].clone()), expected);
    assert_eq!(out.warnings.len(), 1);
    assert_eq!(out.warnings[0].origin.path, "$.Resources[1].Id");

    // In Security Hub's own `{"Findings": [...]}`, next to a GuardDuty CLI finding.
    let asff: serde_json::Value =
        serde_json::from_str(&fixture_text(&format!("{SEED_SYNTHETIC}-asff.json"))).unwrap();
    let cli: serde_json::Value =
        serde_json::from_str(&fixture_text(&format!("{SEED_SYNTHETIC}-pascal-cli.json"))).unwrap();
    let mixed = serde_json::json!({"Findings": [asff, cli["Findings"][0]]});
    let out = read_stdin(mixed.to_string().as_bytes());
    assert_eq!(out.errors, vec![]);
    assert_eq!(without_origin(out.findings[0].clone()), expected);
    assert_eq!(
        without_origin(out.findings[1].clone()),
        without_origin(one(SEED))
    );
}

// ---------------------------------------------------------------------------------------------------
// Inputs: directories, stdin, streaming

#[test]
fn directories_are_walked_in_sorted_order_skipping_hidden_and_other_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let seed = fixture_text(SEED);
    write(root, "b.json", &seed);
    write(
        root,
        "a.jsonl",
        fixture_text(&format!("{SEED_SYNTHETIC}.jsonl")),
    );
    write(root, "sub/c.ndjson", &seed);
    write(root, "sub/d.json.gz", gzip(seed.as_bytes()));
    write(root, ".hidden.json", "not read");
    write(root, ".git/e.json", "not read");
    write(root, "notes.txt", "not read");
    write(root, "README.md", "not read");

    let out = read(&[&root.display().to_string()]);
    assert_eq!(out.errors, vec![]);
    let files: Vec<String> = out
        .findings
        .iter()
        .map(|f| {
            Path::new(&f.origin.file)
                .strip_prefix(root)
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(
        files,
        [
            "a.jsonl",
            "a.jsonl",
            "a.jsonl",
            "b.json",
            "sub/c.ndjson",
            "sub/d.json.gz"
        ]
    );

    let empty = tempfile::tempdir().unwrap();
    let out = read(&[&empty.path().display().to_string()]);
    assert_eq!(out.errors, vec![]);
    assert_eq!(out.warnings.len(), 1);
}

#[test]
fn stdin_is_dash() {
    let out = read_stdin(fixture_text(SEED).as_bytes());
    assert_eq!(out.errors, vec![]);
    assert_eq!(out.findings[0].origin.file, "-");
    assert_eq!(
        without_origin(out.findings[0].clone()),
        without_origin(one(SEED))
    );

    let out = read_stdin(b"");
    assert!(only_error(&out).starts_with("-: $: empty input: expected a GuardDuty finding"));
}

#[test]
fn inputs_are_read_in_order_and_errors_do_not_stop_reading() {
    let missing = fixture("no-such-file.json");
    let out = read(&[
        &fixture(SEED),
        &missing,
        &fixture("pentest-s3-kalilinux.json"),
    ]);
    assert_eq!(out.findings.len(), 2);
    assert_eq!(out.findings[1].finding_type, "PenTest:S3/KaliLinux");
    assert_eq!(out.errors.len(), 1);
    let e = &out.errors[0];
    assert_eq!(
        (e.file.as_str(), e.line, e.path.as_str()),
        (missing.as_str(), None, "$")
    );
    assert!(
        e.message.starts_with("cannot read: No such file"),
        "{}",
        e.message
    );
}

#[test]
fn streaming_twenty_thousand_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.jsonl");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for i in 0..20_000u32 {
        let line = serde_json::json!({
            "schemaVersion": "2.0", "accountId": "973743533182", "region": "us-east-2",
            "id": format!("f{i:05}"), "type": "Discovery:S3/MaliciousIPCaller.Custom", "severity": 8,
            "service": {"count": i, "action": {"awsApiCallAction": {
                "remoteIpDetails": {"ipAddressV4": format!("198.51.{}.{}", i / 256 % 256, i % 256)}}}},
            "resource": {"s3BucketDetails": [{"name": format!("bucket-{i}")}]}
        });
        writeln!(file, "{line}").unwrap();
    }
    drop(file);

    let (mut findings, mut others, mut last_line) = (0u32, 0u32, None);
    let name = path.display().to_string();
    for_each_finding(&name, &mut std::io::empty(), &mut |item| match item {
        Item::Finding(f) => {
            findings += 1;
            last_line = f.origin.line;
        }
        _ => others += 1,
    });
    assert_eq!((findings, others, last_line), (20_000, 0, Some(20_000)));
}

// ---------------------------------------------------------------------------------------------------
// Errors: file, line, path, what was expected

#[test]
fn empty_and_blank_files() {
    let dir = tempfile::tempdir().unwrap();
    for content in ["", "\n  \n\t\n"] {
        let path = write(dir.path(), "empty.json", content);
        let out = read(&[&path]);
        assert_eq!(
            only_error(&out),
            format!(
                "{path}: $: empty input: expected a GuardDuty finding (camelCase API/EventBridge-detail \
                 JSON), a {{\"Findings\": [...]}} envelope, an EventBridge event, or a Security Hub ASFF \
                 finding (as JSON or JSON Lines)"
            )
        );
    }
}

#[test]
fn truncated_json_reports_serde_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let text = fixture_text("pentest-s3-parrotlinux-pretty-aws-samples.json");
    let cut: String = text.lines().take(20).collect::<Vec<_>>().join("\n");
    let path = write(dir.path(), "cut.json", &cut);
    let out = read(&[&path]);
    let e = &out.errors[0];
    assert_eq!((e.line, e.path.as_str()), (None, "$"));
    assert!(
        e.message
            .starts_with("invalid JSON (truncated?): EOF while parsing")
            && e.message.contains("at line 20 column"),
        "{}",
        e.message
    );
    assert_eq!(out.findings.len(), 0);
}

#[test]
fn json_of_another_kind() {
    let out = read_stdin(br#"{"foo": 1}"#);
    assert_eq!(
        only_error(&out),
        "-: $: expected a GuardDuty finding (camelCase API/EventBridge-detail JSON), a {\"Findings\": \
         [...]} envelope, an EventBridge event, or a Security Hub ASFF finding, found an object with \
         keys \"foo\""
    );
    let out = read_stdin(b"[1]");
    assert!(only_error(&out).starts_with("-: $[0]: expected a GuardDuty finding"));
    assert!(only_error(&out).ends_with("found a number"));
}

#[test]
fn text_that_is_not_json_gives_one_error() {
    let out = read_stdin(b"hello\nworld\nagain\n");
    assert_eq!(
        only_error(&out),
        "-:1: $: invalid JSON at column 1: expected value"
    );
}

#[test]
fn eventbridge_event_of_another_service() {
    let event = r#"{"version":"0","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","detail":{}}"#;
    let out = read_stdin(event.as_bytes());
    assert_eq!(
        only_error(&out),
        "-: $.detail-type: expected an EventBridge event with detail-type \"GuardDuty Finding\" (or \
         \"Security Hub Findings - Imported\"), found \"EC2 Instance State-change Notification\""
    );
}

#[test]
fn security_hub_eventbridge_event_with_guardduty_asff() {
    let asff: serde_json::Value =
        serde_json::from_str(&fixture_text(&format!("{SEED_SYNTHETIC}-asff.json"))).unwrap();
    let event = serde_json::json!({
        "version": "0", "detail-type": "Security Hub Findings - Imported", "source": "aws.securityhub",
        "account": "973743533182", "region": "us-east-2", "resources": [],
        "detail": {"findings": [asff]}
    });
    let out = read_stdin(event.to_string().as_bytes());
    assert_eq!(out.errors, vec![]);
    assert_eq!(out.findings[0].origin.path, "$.detail.findings[0]");
    let direct = read(&[&fixture(&format!("{SEED_SYNTHETIC}-asff.json"))]);
    assert_eq!(
        without_origin(out.findings[0].clone()),
        without_origin(direct.findings[0].clone())
    );
}

fn with_ip(ip: &str) -> serde_json::Value {
    let mut f = seed_json();
    f["service"]["action"]["awsApiCallAction"]["remoteIpDetails"]["ipAddressV4"] = ip.into();
    f
}

#[test]
fn invalid_ip_names_file_and_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "bad-ip.json", with_ip("999.1.1.1").to_string());
    let out = read(&[&path]);
    assert_eq!(
        only_error(&out),
        format!("{path}: {IP_PATH}: expected an IPv4 or IPv6 address, found \"999.1.1.1\"")
    );
    // Warnings of a finding that fails are not reported.
    assert_eq!(out.warnings, vec![]);

    for bad in ["10.0.0.0/8", " 81.2.69.144", "\"; rm -rf /"] {
        let out = read_stdin(with_ip(bad).to_string().as_bytes());
        assert_eq!(out.errors[0].path, IP_PATH, "{bad}");
    }
}

#[test]
fn invalid_ip_in_pascal_case_uses_the_users_path() {
    let mut cli: serde_json::Value = serde_json::from_str(&fixture_text(
        "recon-iamuser-userpermissions-cli-get-findings.json",
    ))
    .unwrap();
    let good = cli["Findings"][0].clone();
    cli["Findings"][0]["Service"]["Action"]["AwsApiCallAction"]["RemoteIpDetails"]["IpAddressV4"] =
        "52.94.36".into();
    cli["Findings"] = serde_json::json!([good, good, good, cli["Findings"][0]]);
    let out = read_stdin(cli.to_string().as_bytes());
    assert_eq!(out.findings.len(), 3);
    assert_eq!(out.errors.len(), 1);
    assert_eq!(
        out.errors[0].to_string(),
        "-: $.Findings[3].Service.Action.AwsApiCallAction.RemoteIpDetails.IpAddressV4: expected an \
         IPv4 or IPv6 address, found \"52.94.36\""
    );
}

#[test]
fn json_lines_errors_carry_the_line() {
    let seed = seed_json().to_string();
    let text = format!(
        "{seed}\n{}\n\n{{\"schemaVersion\": \"2.0\", \"accountId\"\n{seed}\n",
        with_ip("999.1.1.1")
    );
    let out = read_stdin(text.as_bytes());
    assert_eq!(out.findings.len(), 2);
    assert_eq!(out.findings[1].origin.line, Some(5));
    let errors: Vec<String> = out.errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        errors,
        [
            format!("-:2: {IP_PATH}: expected an IPv4 or IPv6 address, found \"999.1.1.1\""),
            "-:4: $: invalid JSON at column 36: EOF while parsing an object".to_string(),
        ]
    );
}

#[test]
fn missing_type_in_an_array_of_events() {
    let event: serde_json::Value =
        serde_json::from_str(&fixture_text(&format!("{SEED_SYNTHETIC}-eventbridge.json"))).unwrap();
    let mut broken = event.clone();
    broken["detail"].as_object_mut().unwrap().remove("type");
    let text = serde_json::json!([event, event, broken]).to_string();
    let out = read_stdin(text.as_bytes());
    assert_eq!(out.findings.len(), 2);
    assert_eq!(
        out.errors[0].to_string(),
        "-: $[2].detail.type: missing required field: expected a GuardDuty finding type such as \
         \"Discovery:S3/MaliciousIPCaller.Custom\""
    );
}

#[test]
fn required_and_validated_fields() {
    let cases: &[(&str, serde_json::Value, &str)] = &[
        ("accountId", serde_json::Value::Null, "$.accountId: missing required field: expected a 12-digit AWS account id"),
        ("accountId", "12345".into(), "$.accountId: expected a 12-digit AWS account id, found \"12345\""),
        ("accountId", 973743533182u64.into(), "$.accountId: expected a 12-digit AWS account id, found a number"),
        ("region", "us-east-2\"}".into(), "$.region: expected an AWS region such as \"us-east-2\", found \"us-east-2\\\"}\""),
        ("id", serde_json::Value::Null, "$.id: missing required field: expected a GuardDuty finding id"),
        ("partition", "aws-moon".into(), "$.partition: expected an AWS partition (aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc), found \"aws-moon\""),
    ];
    for (key, value, expected) in cases {
        let mut f = seed_json();
        if value.is_null() {
            f.as_object_mut().unwrap().remove(*key);
        } else {
            f[*key] = value.clone();
        }
        let out = read_stdin(f.to_string().as_bytes());
        assert_eq!(only_error(&out), format!("-: {expected}"));
    }
}

#[test]
fn invalid_bucket_names_fail_the_finding() {
    for bad in ["my bucket", "bucket\"}", "a/b", "${var.x}", "xn--abc"] {
        let mut f = seed_json();
        f["resource"]["s3BucketDetails"][0]["name"] = bad.into();
        let out = read_stdin(f.to_string().as_bytes());
        let e = &out.errors[0];
        assert_eq!(e.path, "$.resource.s3BucketDetails[0].name", "{bad}");
        assert!(
            e.message.starts_with("expected an S3 bucket name"),
            "{}",
            e.message
        );
    }
}

#[test]
fn optional_values_that_fail_validation_are_dropped_with_a_warning() {
    let mut f = seed_json();
    let b = &mut f["resource"]["s3BucketDetails"][0];
    b["defaultServerSideEncryption"]["kmsMasterKeyArn"] = "not-an-arn".into();
    b["arn"] = "arn:aws:s3:::other-bucket".into();
    f["arn"] = "arn:aws:guardduty:us-east-2:973743533182:detector/x/finding/${y}".into();
    let out = read_stdin(f.to_string().as_bytes());
    assert_eq!(out.errors, vec![]);
    let got = &out.findings[0];
    assert_eq!(got.arn, None);
    assert_eq!(got.buckets[0].arn, None);
    assert_eq!(
        got.buckets[0].encryption.as_ref().unwrap().kms_key_arn,
        None
    );
    let mut paths: Vec<&str> = out
        .warnings
        .iter()
        .map(|w| w.origin.path.as_str())
        .collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            "$.arn",
            "$.resource.s3BucketDetails[0].arn",
            "$.resource.s3BucketDetails[0].defaultServerSideEncryption.kmsMasterKeyArn",
            "$.resource.s3BucketDetails[0].name",
        ]
    );
}

#[test]
fn unreadable_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "locked.json", fixture_text(SEED));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
        // root reads anyway; the check is only meaningful for other users.
        if std::fs::File::open(&path).is_err() {
            let out = read(&[&path]);
            assert_eq!(
                only_error(&out),
                format!("{path}: $: cannot read: Permission denied (os error 13)")
            );
        }
    }

    let broken = write(
        dir.path(),
        "broken.json.gz",
        [0x1f, 0x8b, 0x08, 0, 1, 2, 3, 4, 5, 6, 7],
    );
    let out = read(&[&broken]);
    let msg = only_error(&out);
    assert!(
        msg.starts_with(&format!("{broken}: $: not valid gzip: ")),
        "{msg}"
    );

    let mut cut = gzip(fixture_text(SEED).as_bytes());
    cut.truncate(cut.len() / 2);
    let out = read_stdin(&cut);
    assert!(
        only_error(&out).starts_with("-: $: not valid gzip: "),
        "{:?}",
        out.errors
    );
}

#[test]
fn envelopes_of_the_wrong_shape() {
    let out = read_stdin(br#"{"Findings": {"Type": "x"}}"#);
    assert_eq!(
        only_error(&out),
        "-: $.Findings: expected an array of findings, found an object"
    );

    let mut asff: serde_json::Value = serde_json::from_str(&fixture_text(
        "unauthorizedaccess-ec2-sshbruteforce-asff.json",
    ))
    .unwrap();
    asff["ProductArn"] = "arn:aws:securityhub:us-east-1::product/aws/inspector".into();
    asff.as_object_mut().unwrap().remove("ProductFields");
    let out = read_stdin(asff.to_string().as_bytes());
    assert_eq!(
        only_error(&out),
        "-: $.ProductArn: expected a Security Hub finding from GuardDuty (ProductArn ending in \
         /product/aws/guardduty), found \"arn:aws:securityhub:us-east-1::product/aws/inspector\""
    );
}

#[test]
fn concatenated_pretty_documents_are_told_apart_by_line() {
    let seed = serde_json::to_string_pretty(&seed_json()).unwrap();
    let lines = seed.lines().count() as u64;
    let out = read_stdin(format!("{seed}\n{seed}\n").as_bytes());
    assert_eq!(out.errors, vec![]);
    let got: Vec<Option<u64>> = out.findings.iter().map(|f| f.origin.line).collect();
    assert_eq!(got, [Some(1), Some(lines + 1)]);
}

#[test]
fn ipv6_callers_and_other_synthetic_fixtures() {
    let mut f = seed_json();
    let remote = &mut f["service"]["action"]["awsApiCallAction"]["remoteIpDetails"];
    remote.as_object_mut().unwrap().remove("ipAddressV4");
    remote["ipAddressV6"] = "2001:db8::42".into();
    let out = read_stdin(f.to_string().as_bytes());
    assert_eq!(out.errors, vec![]);
    assert_eq!(
        out.findings[0].remote_ip(),
        Some("2001:db8::42".parse().unwrap())
    );

    // Variants of the seed that other tests use: each reads as one finding.
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        if name.ends_with("-synthetic.json") && !name.starts_with(SEED_SYNTHETIC) {
            one(&name);
        }
    }
}
