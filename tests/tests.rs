//! End-to-end tests of the `tfremedy` binary: what a user runs, what lands in `--out`, and whether the
//! result is real Terraform (the offline validators in tools/tf-validators run on every distinct output).

#![allow(clippy::unwrap_used)]

mod support;

use pretty_assertions::assert_eq;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;
use support::*;

const SEED: &str = "discovery-s3-maliciousipcaller-custom.json";
/// The seed's account and region: its output directory under `--out`.
const G: &str = "973743533182/us-east-2";

fn seed_json() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(SEED)).unwrap()).unwrap()
}

fn write_json(dir: &Path, name: &str, v: &Value) -> String {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string(v).unwrap()).unwrap();
    p.to_string_lossy().into_owned()
}

/// The seed group's data file, parsed: `locals` as JSON.
fn locals_of(out: &Path) -> Value {
    let text = std::fs::read_to_string(out.join(G).join("tfremedy_data.tf")).unwrap();
    let v: Value = hcl::from_str(&text).unwrap();
    v["locals"].clone()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The registry's fixture of each supported type, plus every envelope of the seed.
fn supported_inputs() -> Vec<String> {
    let mut names: Vec<String> = tfremedy::finding_types::FINDING_TYPES
        .iter()
        .map(|t| t.fixture.to_string())
        .collect();
    for entry in std::fs::read_dir(root().join("tests/fixtures/findings")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.starts_with("discovery-s3-maliciousipcaller-custom-synthetic")
            && !name.contains("principal")
        {
            names.push(name);
        }
    }
    names.sort();
    names.dedup();
    names
}

#[test]
fn seed_output_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    remediate_ok(&[fixture(SEED)], dir.path());
    let files = tree(dir.path());
    let names: Vec<&String> = files.keys().collect();
    insta::assert_debug_snapshot!("seed_files", names);
    for (name, content) in &files {
        insta::assert_snapshot!(format!("seed__{}", name.replace('/', "__")), content);
    }
    let plan = tfremedy()
        .args(["explain", "--format", "json", &fixture(SEED)])
        .output()
        .unwrap();
    assert!(plan.status.success());
    insta::assert_snapshot!("seed_plan_json", String::from_utf8(plan.stdout).unwrap());
    let triage = tfremedy()
        .args(["explain", &fixture(SEED)])
        .output()
        .unwrap();
    assert!(triage.status.success());
    insta::assert_snapshot!("seed_explain", String::from_utf8(triage.stdout).unwrap());
}

#[test]
fn every_supported_type_and_envelope_passes_the_validators() {
    let base = tempfile::tempdir().unwrap();
    let mut distinct: BTreeMap<BTreeMap<String, String>, String> = BTreeMap::new();
    let mut by_input = BTreeMap::new();
    for name in supported_inputs() {
        let out = base.path().join(name.replace('.', "_"));
        remediate_ok(&[fixture(&name)], &out);
        let files = tree(&out);
        assert!(files.contains_key("PULL_REQUEST.md"));
        assert!(
            files.keys().any(|k| k.ends_with("/tfremedy_data.tf")),
            "{name}: no data file"
        );
        by_input.insert(name.clone(), files.clone());
        distinct
            .entry(files)
            .or_insert(out.to_string_lossy().into_owned());
    }
    // Every envelope of the seed is the same finding: the output must not depend on the envelope.
    let bare = &by_input[SEED];
    for (name, files) in &by_input {
        if !name.starts_with("discovery-s3-maliciousipcaller-custom-synthetic") {
            continue;
        }
        if name.contains("asff") {
            // ASFF carries less than GuardDuty's own form (no publicAccess rating), so only the
            // PR text may differ; the Terraform must not.
            for (path, content) in files.iter().filter(|(p, _)| p.ends_with(".tf")) {
                assert_eq!(
                    content, &bare[path],
                    "{name}: {path} differs from the bare finding's"
                );
            }
        } else {
            assert_eq!(files, bare, "{name} differs from the bare finding's output");
        }
    }
    // And every sample at once, the directory as input (unsupported types among them, archived ones
    // included): several accounts, regions, buckets and IPs in one change.
    let all = base.path().join("all");
    let o = remediate(
        &[root()
            .join("tests/fixtures/findings")
            .to_string_lossy()
            .into_owned()],
        &all,
        &["--include-archived"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    distinct.insert(tree(&all), all.to_string_lossy().into_owned());

    // The combined output of every sample, and each module on its own, get all seven checks. The
    // other distinct outputs differ from those only in their data file (the modules are the same
    // files), so they get the checks that read the data: parse and format, Terraform's loader and
    // validate (which evaluates the modules' variable validations on the data), and the schema.
    let mut full: Vec<std::path::PathBuf> =
        ["bucket-guard", "account-monitor", "principal-response"]
            .iter()
            .map(|m| all.join(G).join("modules").join(m))
            .collect();
    let mut data_only = Vec::new();
    for (files, dir) in &distinct {
        let groups: std::collections::BTreeSet<&str> = files
            .keys()
            .filter_map(|k| k.strip_suffix("/tfremedy_data.tf"))
            .collect();
        for g in groups {
            let path = Path::new(dir).join(g);
            if path.starts_with(&all) {
                full.push(path);
            } else {
                data_only.push(path);
            }
        }
    }
    validate_all(&full, "");
    validate_all(&data_only, "checkov parliament");
}

#[test]
fn hostile_values_stay_data() {
    let hostile = "q\" bs\\ ${path.cwd} %{if true}x%{endif} %${x} nl\nnext */ <script>alert(1)</script> [link](http://evil.example) | cell | `tick` @team #1 **b**";
    let mut f = seed_json();
    f["resource"]["s3BucketDetails"][0]["tags"] = json!([{"key": hostile, "value": hostile}]);
    f["resource"]["accessKeyDetails"]["userName"] = json!(hostile);
    let call = &mut f["service"]["action"]["awsApiCallAction"];
    call["userAgent"] = json!(hostile);
    call["api"] = json!(hostile);
    f["service"]["additionalInfo"]["threatListName"] = json!(hostile);
    let dir = tempfile::tempdir().unwrap();
    let input = write_json(dir.path(), "hostile.json", &f);
    let out = dir.path().join("out");
    remediate_ok(&[input], &out);

    // HCL: parses back to the exact strings.
    let data = std::fs::read_to_string(out.join(G).join("tfremedy_data.tf")).unwrap();
    let value: Value = hcl::from_str(&data).unwrap();
    let bucket = &value["locals"]["tfremedy_buckets"]["bucketName"];
    let tags = bucket["bucket_tags"].as_object().unwrap();
    assert_eq!(tags.get(hostile), Some(&json!(hostile)));
    let reason = bucket["deny"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains(&format!("threat list {hostile}"))
            && reason.contains(&format!("user agent {hostile}"))
            && reason.contains(&format!("principal {hostile}"))
            && reason.contains(&format!("{hostile} (AccessDenied)")),
        "{reason}"
    );
    validate(&out.join(G));

    // Markdown: every hostile value is inert text (inside code spans), never a link, HTML or markup.
    let md = std::fs::read_to_string(out.join(G).join("PULL_REQUEST.md")).unwrap();
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let mut code = String::new();
    for event in Parser::new_ext(&md, Options::ENABLE_TABLES) {
        match event {
            Event::Code(c) => code.push_str(&c),
            Event::Html(h) | Event::InlineHtml(h) => {
                assert!(!h.contains("script"), "raw HTML from a finding: {h}")
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                assert!(
                    !dest_url.contains("evil"),
                    "link from a finding: {dest_url}"
                )
            }
            Event::Text(t) => assert!(!t.contains("<script>"), "hostile text outside code: {t}"),
            _ => {}
        }
    }
    let visible = hostile.replace('\n', "\\n");
    assert!(
        code.contains(&visible),
        "hostile value not shown verbatim in code spans"
    );
}

#[test]
fn bad_inputs_exit_2_name_the_place_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("empty.json"), "").unwrap();
    std::fs::write(
        d.join("truncated.json"),
        r#"{"schemaVersion":"2.0","type":"Disc"#,
    )
    .unwrap();
    std::fs::write(d.join("other.json"), r#"{"foo": 1}"#).unwrap();
    let mut bad_ip = seed_json();
    bad_ip["service"]["action"]["awsApiCallAction"]["remoteIpDetails"]["ipAddressV4"] =
        json!("999.1.1.1");
    let line = serde_json::to_string(&seed_json()).unwrap();
    let lines = format!("{line}\n{}\n", serde_json::to_string(&bad_ip).unwrap());
    std::fs::write(d.join("lines.jsonl"), lines).unwrap();
    let unsupported = fixture("unauthorizedaccess-ec2-sshbruteforce-asff.json");
    let cases: Vec<(String, &str, &str)> = vec![
        (
            d.join("empty.json").to_string_lossy().into(),
            "empty.json",
            "$",
        ),
        (
            d.join("truncated.json").to_string_lossy().into(),
            "truncated.json",
            "$",
        ),
        (
            d.join("other.json").to_string_lossy().into(),
            "other.json",
            "$",
        ),
        (
            d.join("lines.jsonl").to_string_lossy().into(),
            "lines.jsonl:2",
            "$.service.action.awsApiCallAction.remoteIpDetails.ipAddressV4",
        ),
        (
            unsupported,
            "unauthorizedaccess-ec2-sshbruteforce-asff.json",
            "$.type",
        ),
        (
            d.join("missing.json").to_string_lossy().into(),
            "missing.json",
            "",
        ),
    ];
    for (input, file, path) in cases {
        let out = d.join("out");
        let o = remediate(std::slice::from_ref(&input), &out, &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{input}: {err}");
        assert!(
            err.contains(file) && err.contains(path),
            "{input}: message lacks {file} {path}: {err}"
        );
        // The JSON Lines file has a good first line: a bad item does not stop the batch.
        let good_line = file.starts_with("lines.jsonl");
        assert_eq!(
            out.exists(),
            good_line,
            "{input}: --out created: {}",
            out.exists()
        );
        let _ = std::fs::remove_dir_all(&out);
    }

    // A bad input does not stop the batch (issue 4): the good findings are remediated, the bad input
    // is named, the exit code is 2.
    let out = d.join("out");
    let o = remediate(
        &[fixture(SEED), d.join("other.json").to_string_lossy().into()],
        &out,
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("other.json") && err.contains("1 input error"),
        "{err}"
    );
    assert!(out.join(G).join("tfremedy_data.tf").exists());

    // Bad inputs alone leave an existing output untouched.
    let before = tree(&out);
    let o = remediate(&[d.join("other.json").to_string_lossy().into()], &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(tree(&out), before);
}

#[test]
fn output_is_deterministic_and_order_independent() {
    let mut inputs: Vec<String> = supported_inputs().iter().map(|n| fixture(n)).collect();
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    remediate_ok(&inputs, &a);
    remediate_ok(&inputs, &b);
    inputs.reverse();
    remediate_ok(&inputs, &c);
    let ta = tree(&a);
    assert_eq!(ta, tree(&b));
    assert_eq!(ta, tree(&c));
    // Re-running over the same directory changes nothing.
    let o = remediate(&inputs, &a, &[]);
    assert!(o.status.success());
    assert_eq!(tree(&a), ta);
}

#[test]
fn a_new_ip_for_a_known_bucket_changes_one_line_of_the_data_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    remediate_ok(&[fixture(SEED)], &out);
    let before = tree(&out);
    let mut second = seed_json();
    second["id"] = json!("62bf27df0ab00afa53e3268714f20319");
    second["service"]["action"]["awsApiCallAction"]["remoteIpDetails"]["ipAddressV4"] =
        json!("192.0.2.77");
    let input = write_json(dir.path(), "second.json", &second);
    remediate_ok(&[input], &out);
    let after = tree(&out);
    for (name, content) in &before {
        if name.ends_with("tfremedy_data.tf") || name.ends_with("PULL_REQUEST.md") {
            continue; // the PR descriptions describe the run that produced them
        }
        assert_eq!(&after[name], content, "{name} changed");
    }
    let old: Vec<&str> = before[&format!("{G}/tfremedy_data.tf")].lines().collect();
    let new: Vec<&str> = after[&format!("{G}/tfremedy_data.tf")].lines().collect();
    assert_eq!(new.len(), old.len() + 1);
    let added: Vec<&&str> = new.iter().filter(|l| !old.contains(l)).collect();
    assert_eq!(added.len(), 1, "{added:?}");
    assert!(added[0].contains("\"192.0.2.77/32\""), "{}", added[0]);
    assert!(old.iter().all(|l| new.contains(l)), "a line was lost");
    // --check agrees that the directory is up to date for the run that wrote it.
    let second = dir
        .path()
        .join("second.json")
        .to_string_lossy()
        .into_owned();
    let o = remediate(&[second], &out, &["--check"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn hand_edits_to_the_data_file_are_kept_and_edited_files_are_not_clobbered() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    remediate_ok(&[fixture(SEED)], &out);
    let data = out.join(G).join("tfremedy_data.tf");
    let text = std::fs::read_to_string(&data).unwrap();
    let edited = text
        .replace(
            "existing_policy     = \"unknown\"",
            "existing_policy     = \"none\"",
        )
        .replace(
            "ignore_cidrs = [\n",
            "ignore_cidrs = [\n        \"10.9.0.0/16\",\n",
        );
    std::fs::write(&data, &edited).unwrap();
    remediate_ok(&[fixture(SEED)], &out);
    let again = std::fs::read_to_string(&data).unwrap();
    assert!(again.contains("existing_policy     = \"none\""), "{again}");
    assert!(again.contains("\"10.9.0.0/16\""));

    // A hand-edited generated file is never overwritten without --force.
    let main = out.join(G).join("main.tf");
    let mine = std::fs::read_to_string(&main).unwrap() + "# my change\n";
    std::fs::write(&main, &mine).unwrap();
    let before = tree(&out);
    let o = remediate(&[fixture(SEED)], &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("main.tf"), "{}", stderr(&o));
    assert_eq!(tree(&out), before);
    let o = remediate(&[fixture(SEED)], &out, &["--force"]);
    assert!(o.status.success());
    assert!(!std::fs::read_to_string(&main)
        .unwrap()
        .contains("# my change"));
}

#[test]
fn check_mode_reports_drift_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = remediate(&[fixture(SEED)], &out, &["--check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!out.exists(), "--check wrote files");
    remediate_ok(&[fixture(SEED)], &out);
    let o = remediate(&[fixture(SEED)], &out, &["--check"]);
    assert_eq!(o.status.code(), Some(0));
    let o = remediate(
        &[fixture(SEED), fixture("impact-s3-maliciousipcaller.json")],
        &out,
        &["--check"],
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn a_given_bucket_policy_is_merged_without_losing_a_statement() {
    let dir = tempfile::tempdir().unwrap();
    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AllowAnalytics", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::973743533182:role/analytics"},
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucketName/*"},
            {"Sid": "TfremedyDenyThreatIps", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": "arn:aws:s3:::bucketName/*", "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.1/32"}}},
            {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket", "Resource": "arn:aws:s3:::bucketName"}
        ]
    });
    let wrapped = json!({"Policy": serde_json::to_string(&policy).unwrap()});
    let file = write_json(dir.path(), "policy.json", &wrapped);
    let out = dir.path().join("out");
    let o = remediate(
        &[fixture(SEED)],
        &out,
        &["--bucket-policy", &format!("bucketName={file}")],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let data = std::fs::read_to_string(out.join(G).join("tfremedy_data.tf")).unwrap();
    assert!(data.contains("existing_policy     = \"pinned\""));
    // The reviewed policy is pinned as it was given, in jsonencode's form.
    let locals = locals_of(&out);
    assert_eq!(
        locals["tfremedy_buckets"]["bucketName"]["baseline_policy"],
        json!(tfremedy::policy::canonical_json(&policy))
    );
    let md = std::fs::read_to_string(out.join(G).join("PULL_REQUEST.md")).unwrap();
    assert!(md.contains("all 2 of its own statements are kept"), "{md}");
    assert!(
        md.contains("Before:") && md.contains("AllowAnalytics"),
        "{md}"
    );
    assert!(
        md.contains("statements with tfremedy's Sids (`TfremedyDenyThreatIps`) are ours"),
        "{md}"
    );
    // The merged policy shown in the PR holds every existing statement but the replaced one, and ours.
    let after = md.find("After:").unwrap();
    let start = after + md[after..].find("```json\n").unwrap() + 8;
    let end = start + md[start..].find("\n```").unwrap();
    let merged: Value = serde_json::from_str(&md[start..end]).unwrap();
    let st = merged["Statement"].as_array().unwrap();
    assert_eq!(st[0], policy["Statement"][0]);
    assert_eq!(st[1], policy["Statement"][2]);
    let sids: Vec<&str> = st.iter().filter_map(|s| s["Sid"].as_str()).collect();
    assert_eq!(
        sids,
        [
            "AllowAnalytics",
            "TfremedyDenyThreatIps",
            "TfremedyDenyInsecureTransport",
            "TfremedyDenyOutdatedTls"
        ]
    );
    assert!(
        !md[start..end].contains("203.0.113.1"),
        "the old same-Sid statement survived"
    );
    validate(&out.join(G));

    // A policy that would exceed the 20 KB limit is refused, and nothing is written.
    let big: Vec<Value> = (0..60)
        .map(|i| {
            json!({"Sid": format!("S{i}"), "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::973743533182:role/{}", "r".repeat(200))},
            "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::bucketName/prefix-{i}/*")})
        })
        .collect();
    let big = write_json(
        dir.path(),
        "big.json",
        &json!({"Version": "2012-10-17", "Statement": big}),
    );
    let out2 = dir.path().join("out2");
    let o = remediate(
        &[fixture(SEED)],
        &out2,
        &["--bucket-policy", &format!("bucketName={big}")],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("over the") && stderr(&o).contains("bytes"),
        "{}",
        stderr(&o)
    );
    assert!(!out2.exists());
}

#[test]
fn the_bundled_example_is_up_to_date() {
    let o = tfremedy()
        .args([
            "remediate",
            "examples/seed/discovery-s3-maliciousipcaller-custom.json",
            "--out",
            "examples/seed/out",
            "--check",
        ])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "examples/seed/out is stale: {}",
        stderr(&o)
    );
    validate(&root().join("examples/seed/out").join(G));
}

#[test]
fn readme_lists_the_registries_as_the_cli_prints_them() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for cmd in ["list-types", "list-fixes"] {
        let o = tfremedy().arg(cmd).output().unwrap();
        assert!(o.status.success());
        let table = String::from_utf8(o.stdout).unwrap();
        assert!(
            readme.contains(&table),
            "README.md does not contain the output of `tfremedy {cmd}`:\n{table}"
        );
    }
}

/// Keys upper-cased the way the AWS CLI prints GuardDuty findings; `additionalInfo` becomes the
/// `{"Value": "<json>", "Type": "default"}` pair the API returns.
fn pascal(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let mut key = k.clone();
                    if let Some(first) = key.get(..1) {
                        key = first.to_uppercase() + &key[1..];
                    }
                    let value = if k == "additionalInfo" {
                        json!({"Value": serde_json::to_string(v).unwrap(), "Type": "default"})
                    } else {
                        pascal(v)
                    };
                    (key, value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(pascal).collect()),
        other => other.clone(),
    }
}

/// A Security Hub ASFF finding carrying `f`, shaped as GuardDuty's integration writes them
/// (`ProductFields` flattened from `service`, the bucket and access key as `Resources`).
fn asff(f: &Value) -> Value {
    fn flatten(prefix: &str, v: &Value, out: &mut serde_json::Map<String, Value>) {
        match v {
            Value::Object(m) => m
                .iter()
                .for_each(|(k, v)| flatten(&format!("{prefix}/{k}"), v, out)),
            Value::String(s) => drop(out.insert(prefix.to_string(), json!(s))),
            Value::Null => {}
            other => drop(out.insert(prefix.to_string(), json!(other.to_string()))),
        }
    }
    let mut fields = serde_json::Map::new();
    flatten("aws/guardduty/service", &f["service"], &mut fields);
    let ty = f["type"].as_str().unwrap().replacen('/', "-", 1);
    let (account, region) = (&f["accountId"], f["region"].as_str().unwrap_or("us-east-1"));
    let mut resources = Vec::new();
    if let Some(key) = f["resource"].get("accessKeyDetails") {
        resources.push(json!({"Type": "AwsIamAccessKey", "Id": key["accessKeyId"], "Partition": "aws", "Region": region,
            "Details": {"AwsIamAccessKey": {"PrincipalId": key["principalId"], "PrincipalName": key["userName"],
            "PrincipalType": key["userType"]}}}));
    }
    for b in f["resource"]["s3BucketDetails"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let tags: serde_json::Map<String, Value> = b["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["key"].as_str().unwrap().to_string(), t["value"].clone()))
            .collect();
        let sse = &b["defaultServerSideEncryption"];
        let mut details = json!({"OwnerId": b["owner"]["id"]});
        if !sse.is_null() {
            details["ServerSideEncryptionConfiguration"] = json!({"Rules": [{"ApplyServerSideEncryptionByDefault":
                {"SSEAlgorithm": sse["encryptionType"], "KMSMasterKeyID": sse["kmsMasterKeyArn"]}}]});
        }
        resources.push(
            json!({"Type": "AwsS3Bucket", "Id": b["arn"], "Partition": "aws", "Region": region,
            "Tags": tags, "Details": {"AwsS3Bucket": details}}),
        );
    }
    json!({
        "SchemaVersion": "2018-10-08", "Id": f["arn"], "ProductArn": format!("arn:aws:securityhub:{region}::product/aws/guardduty"),
        "GeneratorId": "arn:aws:guardduty", "AwsAccountId": account, "Region": region,
        "Types": [format!("TTPs/Discovery/{ty}")], "CreatedAt": f["createdAt"], "UpdatedAt": f["updatedAt"],
        "FirstObservedAt": f["service"]["eventFirstSeen"], "LastObservedAt": f["service"]["eventLastSeen"],
        "Severity": {"Product": f["severity"], "Normalized": 80}, "Title": f["title"], "Description": f["description"],
        "ProductFields": fields, "Resources": resources,
    })
}

#[test]
fn every_envelope_of_every_supported_sample_gives_the_same_output() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let real: Vec<&str> = tfremedy::finding_types::FINDING_TYPES
        .iter()
        .map(|t| t.fixture)
        .filter(|f| !f.contains("synthetic"))
        .collect();
    assert!(real.len() >= 5);
    for name in real {
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap();
        // A fixture that is itself an EventBridge event is wrapped from its finding.
        let f = doc.get("detail").cloned().unwrap_or(doc);
        let line = serde_json::to_string(&f).unwrap();
        let event = json!({
            "version": "0", "id": "c8c4daa7-a20c-2f03-0070-b7393dd542ad", "detail-type": "GuardDuty Finding",
            "source": "aws.guardduty", "account": f["accountId"], "time": f["updatedAt"],
            "region": f["region"], "resources": [], "detail": f
        });
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(format!("{line}\n{line}\n").as_bytes())
            .unwrap();
        let envelopes: Vec<(&str, Vec<u8>)> = vec![
            ("pretty.json", serde_json::to_vec_pretty(&f).unwrap()),
            (
                "api-body.json",
                serde_json::to_vec(&json!({"findings": [f]})).unwrap(),
            ),
            (
                "cli.json",
                serde_json::to_vec_pretty(&json!({"Findings": [pascal(&f)]})).unwrap(),
            ),
            ("eventbridge.json", serde_json::to_vec(&event).unwrap()),
            (
                "array.json",
                serde_json::to_vec(&json!([f, event])).unwrap(),
            ),
            ("lines.jsonl", format!("{line}\n\n{line}\n").into_bytes()),
            ("lines.jsonl.gz", gz.finish().unwrap()),
        ];
        let bare_out = dir.path().join(format!("{name}-bare"));
        remediate_ok(&[fixture(name)], &bare_out);
        let bare = tree(&bare_out);
        // Security Hub: ASFF has no room for GuardDuty's public-access rating, so the PR text may say
        // less; the Terraform must be the same.
        for (suffix, doc) in [
            ("asff.json", asff(&f)),
            ("asff-list.json", json!({"Findings": [asff(&f)]})),
        ] {
            let input = write_json(dir.path(), &format!("{name}-{suffix}.data"), &doc);
            let out = dir.path().join(format!("{name}-{suffix}-out"));
            remediate_ok(&[input], &out);
            let got = tree(&out);
            for (path, content) in bare.iter().filter(|(p, _)| p.ends_with(".tf")) {
                assert_eq!(&got[path], content, "{name} as {suffix}: {path}");
            }
        }
        for (suffix, bytes) in envelopes {
            // Names say nothing: the format is detected from the content.
            let input = dir.path().join(format!("{name}-{suffix}.data"));
            std::fs::write(&input, &bytes).unwrap();
            let out = dir.path().join(format!("{name}-{suffix}-out"));
            remediate_ok(&[input.to_string_lossy().into_owned()], &out);
            assert_eq!(tree(&out), bare, "{name} as {suffix}");
        }
        // stdin
        let out = dir.path().join(format!("{name}-stdin-out"));
        let o = tfremedy()
            .args(["remediate", "-", "--out"])
            .arg(&out)
            .write_stdin(line.clone())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(tree(&out), bare, "{name} from stdin");
    }
}

#[test]
fn explain_reports_the_good_findings_and_exits_2_on_the_bad() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"schemaVersion\": ").unwrap();
    let o = tfremedy()
        .args(["explain", &fixture(SEED)])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let report = String::from_utf8(o.stdout.clone()).unwrap();
    assert!(
        report.contains("`81.2.69.144`") && report.contains("AccessDenied"),
        "{report}"
    );
    assert!(stderr(&o).contains("bad.json"), "{}", stderr(&o));
    // An unsupported type beside supported ones is reported, not fatal.
    let o = tfremedy()
        .args([
            "explain",
            &fixture(SEED),
            &fixture("unauthorizedaccess-ec2-sshbruteforce-asff.json"),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("UnauthorizedAccess:EC2/SSHBruteForce")
            && stderr(&o).contains("not supported"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_broken_data_file_is_an_error_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    remediate_ok(&[fixture(SEED)], &out);
    let data = out.join(G).join("tfremedy_data.tf");
    let text = std::fs::read_to_string(&data).unwrap();
    std::fs::write(&data, text.replace("\"unknown\"", "\"maybe\"")).unwrap();
    let before = tree(&out);
    let o = remediate(&[fixture(SEED)], &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("tfremedy_data.tf")
            && err.contains("existing_policy")
            && err.contains("maybe"),
        "{err}"
    );
    assert_eq!(tree(&out), before);
}

/// The part of a Markdown document from `heading` to the next heading of the same level.
fn section<'a>(md: &'a str, heading: &str) -> &'a str {
    let Some(start) = md.find(heading) else {
        return "";
    };
    let level = heading.split(' ').next().unwrap_or("##");
    let rest = &md[start + heading.len()..];
    let end = rest
        .find(&format!("\n{level} "))
        .map_or(md.len(), |i| start + heading.len() + i);
    &md[start..end]
}

#[test]
fn each_kind_of_principal_gets_its_credential_response() {
    let dir = tempfile::tempdir().unwrap();
    for kind in ["iamuser-key", "assumedrole", "root", "awsservice"] {
        let name = format!("discovery-s3-maliciousipcaller-custom-synthetic-principal-{kind}.json");
        let out = dir.path().join(kind);
        remediate_ok(&[fixture(&name)], &out);
        let files = tree(&out);
        let data = &files[&format!("{G}/tfremedy_data.tf")];
        let principals = &data[data.find("  tfremedy_principals").unwrap()..];
        let credentials = section(&files[&format!("{G}/PULL_REQUEST.md")], "## Credentials");
        let imports = files
            .get("root/tfremedy_imports.tf")
            .map(String::as_str)
            .unwrap_or("(none)");
        insta::assert_snapshot!(
            format!("principal_{kind}"),
            format!("{principals}\n----- root/tfremedy_imports.tf\n{imports}\n----- PULL_REQUEST.md\n{credentials}")
        );
    }
}

#[test]
fn the_import_file_is_valid_in_the_users_root_module() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tfremedy");
    let name = "discovery-s3-maliciousipcaller-custom-synthetic-principal-iamuser-key.json";
    remediate_ok(&[fixture(name)], &out);
    // The user's root: a provider, the module call, and the import file moved in.
    let root = dir.path().join("root");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(
        root.join("main.tf"),
        "provider \"aws\" {\n  region = \"us-east-2\"\n}\n\nmodule \"tfremedy\" {\n  source = \"../tfremedy/973743533182/us-east-2\"\n}\n",
    )
    .unwrap();
    std::fs::copy(
        out.join(G).join("root/tfremedy_imports.tf"),
        root.join("tfremedy_imports.tf"),
    )
    .unwrap();
    let imports = std::fs::read_to_string(root.join("tfremedy_imports.tf")).unwrap();
    assert!(imports.contains(
        "to = module.tfremedy.module.principal_response[\"iam-user/data-pipeline\"].aws_iam_access_key.this[0]"
    ));
    validate(&root);
    // Another module name is honoured, and a name that is not an identifier is refused.
    let o = remediate(
        &[fixture(name)],
        &dir.path().join("other"),
        &["--module-name", "incident_42"],
    );
    assert!(o.status.success());
    let other = std::fs::read_to_string(
        dir.path()
            .join("other")
            .join(G)
            .join("root/tfremedy_imports.tf"),
    )
    .unwrap();
    assert!(other.contains("module.incident_42.module.principal_response"));
    let o = remediate(
        &[fixture(name)],
        &dir.path().join("bad"),
        &["--module-name", "a\"b"],
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn an_existing_log_group_replaces_the_trail() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = remediate(
        &[fixture(SEED)],
        &out,
        &["--existing-log-group", "aws-cloudtrail-logs-org"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let files = tree(&out);
    assert_eq!(
        locals_of(&out)["tfremedy_monitor"]["existing_log_group"],
        json!("aws-cloudtrail-logs-org")
    );
    let pr = &files[&format!("{G}/PULL_REQUEST.md")];
    assert!(
        !pr.contains("### s3-data-events"),
        "the PR still explains a trail"
    );
    assert!(pr.contains("### alarms"));
    validate(&out.join(G));
}

#[test]
fn only_and_skip_switch_fixes_in_the_data_file() {
    let dir = tempfile::tempdir().unwrap();
    let input =
        fixture("discovery-s3-maliciousipcaller-custom-synthetic-principal-iamuser-key.json");
    let out = dir.path().join("skip");
    let o = remediate(
        std::slice::from_ref(&input),
        &out,
        &["--skip", "alarms,tls-only"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let l = locals_of(&out);
    let bucket = &l["tfremedy_buckets"]["bucketName"];
    let user = &l["tfremedy_principals"]["iam-user/data-pipeline"];
    assert_eq!(bucket["tls_only"], json!(false));
    assert_eq!(l["tfremedy_monitor"]["alarms"], json!(false));
    assert_eq!(l["tfremedy_monitor"]["guardduty_alert"], json!(true));
    assert_eq!(user["quarantine"], json!(true));
    // A fix no finding asked for stays unset (null), whatever --skip says.
    assert_eq!(bucket["versioning"], Value::Null);

    let out = dir.path().join("only");
    let o = remediate(
        std::slice::from_ref(&input),
        &out,
        &["--only", "deny-ips,require-mfa"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let data = std::fs::read_to_string(out.join(G).join("tfremedy_data.tf")).unwrap();
    let l = locals_of(&out);
    let bucket = &l["tfremedy_buckets"]["bucketName"];
    let monitor = &l["tfremedy_monitor"];
    let user = &l["tfremedy_principals"]["iam-user/data-pipeline"];
    for off in [
        &bucket["tls_only"],
        &bucket["default_encryption"],
        &bucket["public_access_block"],
        &monitor["data_events"],
        &monitor["alarms"],
        &monitor["guardduty_alert"],
        &user["quarantine"],
        &user["deactivate_key"],
    ] {
        assert_eq!(off, &json!(false), "{data}");
    }
    assert_eq!(user["require_mfa"], json!(true));
    assert_eq!(bucket["deny"][0]["cidr"], json!("198.51.100.21/32"));
    let pr = std::fs::read_to_string(out.join(G).join("PULL_REQUEST.md")).unwrap();
    assert!(
        pr.contains("### require-mfa")
            && !pr.contains("### alarms")
            && !pr.contains("### tls-only")
    );
    assert!(
        !out.join(G).join("root/tfremedy_imports.tf").exists(),
        "no import without deactivate-key"
    );
    validate(&out.join(G));

    // A later run without flags keeps what the data file says.
    remediate_ok(std::slice::from_ref(&input), &out);
    assert_eq!(
        std::fs::read_to_string(out.join(G).join("tfremedy_data.tf")).unwrap(),
        data
    );

    let o = remediate(
        &[input],
        &dir.path().join("bad"),
        &["--skip", "no-such-fix"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("expected one of deny-ips, tls-only"),
        "{}",
        stderr(&o)
    );
}

/// Plans a generated root with Terraform (mock AWS provider, offline) and the given test file.
fn terraform_test(dir: &Path, test_file: &str) -> Option<String> {
    if !validators_ready() {
        return None;
    }
    std::fs::write(dir.join("generated.tftest.hcl"), test_file).unwrap();
    let python = validators_home().join("py/bin/python");
    let out = std::process::Command::new(python)
        .arg(root().join("tools/tf-validators/tools/tftest.py"))
        .arg(dir)
        .output()
        .unwrap();
    let report =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "terraform test failed:\n{report}");
    Some(report)
}

#[test]
fn the_generated_root_plans_and_watches_the_same_ips_as_the_tool_computes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // Neighbouring IPs aggregate into a /31 and a /127; the alarms must still watch each address.
    let mut inputs = Vec::new();
    for (i, ip) in [
        "198.51.100.2",
        "198.51.100.3",
        "2001:db8::a",
        "2001:db8::b",
        "203.0.113.9",
    ]
    .iter()
    .enumerate()
    {
        let mut f = seed_json();
        f["id"] = json!(format!("0{i}bf27df0ab00afa53e3268714f20319"));
        let remote = &mut f["service"]["action"]["awsApiCallAction"]["remoteIpDetails"];
        remote.as_object_mut().unwrap().remove("ipAddressV4");
        remote[if ip.contains(':') {
            "ipAddressV6"
        } else {
            "ipAddressV4"
        }] = json!(ip);
        inputs.push(write_json(dir.path(), &format!("f{i}.json"), &f));
    }
    let o = remediate(&inputs, &out, &["--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let batch: Value = serde_json::from_slice(&o.stdout).unwrap();
    let group = &batch["groups"][0];
    let cidrs: Vec<&str> = group["data"]["buckets"]["bucketName"]["deny"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["cidr"].as_str().unwrap())
        .collect();
    assert_eq!(
        cidrs,
        ["198.51.100.2/31", "203.0.113.9/32", "2001:db8::a/127"]
    );
    let ips: Vec<String> = group["monitor"]["blocked_ips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| format!("{v}"))
        .collect();
    assert_eq!(ips.len(), 5);
    // Let the plan run past the fail-safe: the bucket has no policy.
    let data = out.join(G).join("tfremedy_data.tf");
    let text = std::fs::read_to_string(&data).unwrap();
    std::fs::write(&data, text.replace("\"unknown\"", "\"none\"")).unwrap();
    let test = format!(
        r#"mock_provider "aws" {{
  mock_data "aws_caller_identity" {{
    defaults = {{ account_id = "973743533182" }}
  }}
  mock_data "aws_partition" {{
    defaults = {{ partition = "aws", dns_suffix = "amazonaws.com" }}
  }}
  mock_data "aws_region" {{
    defaults = {{ endpoint = "ec2.us-east-2.amazonaws.com" }}
  }}
}}

run "plans" {{
  command = plan
  assert {{
    condition     = jsonencode(local.tfremedy_blocked_ips) == jsonencode([{}])
    error_message = "the root's blocked IPs differ from the tool's"
  }}
}}
"#,
        ips.join(", ")
    );
    let Some(report) = terraform_test(&out.join(G), &test) else {
        return;
    };
    assert!(report.contains("1 passed, 0 failed"), "{report}");
}

#[test]
fn every_sample_is_remediated_or_reported_as_unsupported() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let samples = root().join("tests/fixtures/findings");
    let o = remediate(
        &[samples.to_string_lossy().into_owned()],
        &out,
        &["--include-archived"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    let files = tree(&out);
    let generated: String = files.values().cloned().collect();
    for entry in std::fs::read_dir(&samples).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let doc = doc
            .as_array()
            .and_then(|a| a.first().cloned())
            .unwrap_or(doc);
        let doc = doc["findings"][0]
            .as_object()
            .map(|_| doc["findings"][0].clone())
            .unwrap_or(doc);
        let f = doc.get("detail").cloned().unwrap_or(doc);
        let ty = f["type"].as_str().map(str::to_string).unwrap_or_else(|| {
            // ASFF: the type is the last segment of Types[0], with '-' for the first '/'.
            let t = f["Types"][0]
                .as_str()
                .or(f["Findings"][0]["Types"][0].as_str())
                .unwrap_or("");
            t.rsplit('/').next().unwrap_or("").replacen('-', "/", 1)
        });
        let ty = if ty.is_empty() {
            f["Findings"][0]["Type"].as_str().unwrap_or("").to_string()
        } else {
            ty
        };
        let remediated = generated.contains(&ty);
        let reported = err.contains(&format!("{ty} ")) && err.contains("not supported");
        assert!(
            !ty.is_empty() && (remediated || reported),
            "{}: {ty:?} neither remediated nor reported",
            path.display()
        );
        if tfremedy::finding_types::lookup(&ty).is_none() {
            assert!(reported, "{ty} is unsupported but not reported:\n{err}");
            assert!(
                files["PULL_REQUEST.md"].contains(&format!("`{ty}`")),
                "{ty} not in the summary PR"
            );
        }
    }
    assert!(err.contains("skipped: 3 unsupported"), "{err}");
}

#[test]
fn a_corrupt_file_in_a_directory_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("exports");
    std::fs::create_dir_all(inputs.join("2026/11")).unwrap();
    std::fs::copy(fixture(SEED), inputs.join("2026/11/a.json")).unwrap();
    std::fs::copy(
        fixture("impact-s3-maliciousipcaller.json"),
        inputs.join("2026/11/c.jsonl"),
    )
    .unwrap();
    std::fs::write(
        inputs.join("2026/11/b.json"),
        "{\"schemaVersion\": \"2.0\", \"type\": ",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = remediate(&[inputs.to_string_lossy().into_owned()], &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("b.json") && err.contains("EOF while parsing"),
        "{err}"
    );
    let pr = std::fs::read_to_string(out.join(G).join("PULL_REQUEST.md")).unwrap();
    assert!(
        pr.contains("52bf27df0ab00afa53e3268714f20319")
            && pr.contains("02bf27df0ab318783b0a8f63569dfd68")
    );
}

#[test]
fn two_accounts_and_two_regions_get_separate_modules() {
    let dir = tempfile::tempdir().unwrap();
    let mut inputs = vec![fixture(SEED)];
    for (i, (account, region, bucket, ip)) in [
        ("111122223333", "us-east-2", "team-a-data", "192.0.2.10"),
        ("973743533182", "eu-west-1", "eu-archive", "192.0.2.20"),
    ]
    .iter()
    .enumerate()
    {
        let mut f = seed_json();
        f["accountId"] = json!(account);
        f["region"] = json!(region);
        f["id"] = json!(format!("{i}0bf27df0ab00afa53e3268714f20319"));
        f["resource"]["s3BucketDetails"][0]["name"] = json!(bucket);
        f["resource"]["s3BucketDetails"][0]["arn"] = json!(format!("arn:aws:s3:::{bucket}"));
        f["service"]["action"]["awsApiCallAction"]["remoteIpDetails"]["ipAddressV4"] = json!(ip);
        inputs.push(write_json(dir.path(), &format!("{i}.json"), &f));
    }
    let out = dir.path().join("out");
    remediate_ok(&inputs, &out);
    let files = tree(&out);
    let groups = [
        ("973743533182/us-east-2", "bucketName", "81.2.69.144"),
        ("111122223333/us-east-2", "team-a-data", "192.0.2.10"),
        ("973743533182/eu-west-1", "eu-archive", "192.0.2.20"),
    ];
    for (g, bucket, ip) in groups {
        let data = &files[&format!("{g}/tfremedy_data.tf")];
        let pr = &files[&format!("{g}/PULL_REQUEST.md")];
        assert!(data.contains(bucket) && data.contains(ip), "{g}");
        for (other, other_bucket, other_ip) in groups {
            // `bucketName` is also a CloudTrail field the queries name: only the others' own names count.
            let other_bucket = if other_bucket == "bucketName" {
                other_ip
            } else {
                other_bucket
            };
            if other != g {
                for text in [data, pr] {
                    assert!(
                        !text.contains(other_bucket) && !text.contains(other_ip),
                        "{other} leaks into {g}"
                    );
                }
            }
        }
        assert!(
            files["PULL_REQUEST.md"].contains(&format!("Directory `{g}`")),
            "{g} not summarised"
        );
    }
    for (g, _, _) in groups {
        validate(&out.join(g));
    }
}

#[test]
fn a_second_run_writes_nothing_and_a_new_finding_only_what_it_must() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let first = [fixture(SEED), fixture("impact-s3-maliciousipcaller.json")];
    remediate_ok(&first, &out);
    let before = tree(&out);
    let o = remediate(&first, &out, &[]);
    assert!(stderr(&o).contains("0 file(s) written"), "{}", stderr(&o));
    assert_eq!(tree(&out), before);
    assert_eq!(remediate(&first, &out, &["--check"]).status.code(), Some(0));

    // The same IP again in a newer copy of a finding (GuardDuty updates in place): counted once.
    let mut newer = seed_json();
    newer["service"]["count"] = json!(9);
    newer["updatedAt"] = json!("2022-02-01T00:00:00.000Z");
    let newer = write_json(dir.path(), "newer.json", &newer);
    let o = remediate(
        &[first[0].clone(), first[1].clone(), newer.clone()],
        &out,
        &["--check"],
    );
    assert!(stderr(&o).contains("1 duplicate(s)"), "{}", stderr(&o));

    let mut next = seed_json();
    next["id"] = json!("99bf27df0ab00afa53e3268714f20319");
    next["service"]["action"]["awsApiCallAction"]["remoteIpDetails"]["ipAddressV4"] =
        json!("81.2.69.145");
    let next = write_json(dir.path(), "next.json", &next);
    let all = [first[0].clone(), first[1].clone(), next];
    assert_eq!(remediate(&all, &out, &["--check"]).status.code(), Some(1));
    remediate_ok(&all, &out);
    let after = tree(&out);
    let changed: Vec<&String> = after
        .keys()
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    // 81.2.69.144 and .145 aggregate into one /31: the data file changes by exactly that line, plus the
    // PR texts that describe the run.
    assert_eq!(
        changed,
        [
            &format!("{G}/PULL_REQUEST.md"),
            &format!("{G}/tfremedy_data.tf"),
            &"PULL_REQUEST.md".to_string(),
        ]
    );
    let old = &before[&format!("{G}/tfremedy_data.tf")];
    let new = &after[&format!("{G}/tfremedy_data.tf")];
    let removed: Vec<&str> = old
        .lines()
        .filter(|l| !new.lines().any(|n| n == *l))
        .collect();
    let added: Vec<&str> = new
        .lines()
        .filter(|l| !old.lines().any(|o| o == *l))
        .collect();
    assert_eq!(removed.len(), 1, "{removed:?}");
    assert_eq!(added.len(), 1, "{added:?}");
    assert!(
        removed[0].contains("81.2.69.144/32") && added[0].contains("81.2.69.144/31"),
        "{added:?}"
    );
    assert_eq!(remediate(&all, &out, &["--check"]).status.code(), Some(0));
}

#[test]
fn five_thousand_findings_two_thousand_ips_three_buckets() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.jsonl");
    let mut lines = String::new();
    let seed = seed_json();
    let mut distinct = std::collections::BTreeSet::new();
    let mut by_finding = Vec::new();
    for i in 0..5000u32 {
        let mut f = seed.clone();
        f["id"] = json!(format!("{i:032x}"));
        let bucket = ["alpha-data", "beta-data", "gamma-data"][(i % 3) as usize];
        f["resource"]["s3BucketDetails"][0]["name"] = json!(bucket);
        f["resource"]["s3BucketDetails"][0]["arn"] = json!(format!("arn:aws:s3:::{bucket}"));
        // 2,000 distinct addresses, a quarter IPv6, scattered (an odd multiplier is a bijection).
        let n = i % 2000;
        let k = (n * 40_503) % 65_536;
        let remote = &mut f["service"]["action"]["awsApiCallAction"]["remoteIpDetails"];
        let ip = if n % 4 == 0 {
            remote.as_object_mut().unwrap().remove("ipAddressV4");
            let ip = format!("2001:db8::{k:x}")
                .parse::<std::net::IpAddr>()
                .unwrap()
                .to_string();
            remote["ipAddressV6"] = json!(ip);
            ip
        } else {
            let ip = format!("198.18.{}.{}", k >> 8, k & 255);
            remote["ipAddressV4"] = json!(ip);
            ip
        };
        distinct.insert(ip.clone());
        by_finding.push(ip);
        lines.push_str(&serde_json::to_string(&f).unwrap());
        lines.push('\n');
    }
    assert_eq!(distinct.len(), 2000);
    std::fs::write(&path, lines).unwrap();
    let input = path.to_string_lossy().into_owned();
    let out = dir.path().join("out");

    // About 1,670 addresses a bucket cannot fit a 20 KB policy: refused, naming the bucket, the size
    // and the options, and nothing is written.
    let o = remediate(std::slice::from_ref(&input), &out, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("bucket \"alpha-data\"") && err.contains("bytes for 1667 denied CIDRs"),
        "{err}"
    );
    assert!(
        err.contains("allow-list") && err.contains("resource control policy"),
        "{err}"
    );
    assert!(!out.exists());

    // The first 1,500 findings (500 addresses a bucket, 1,500 in all) fit the policies, but not the
    // alarms' 100 metric filters: refused with the options.
    let first: String = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .take(1500)
        .map(|l| format!("{l}\n"))
        .collect();
    let part = dir.path().join("part.jsonl");
    std::fs::write(&part, first).unwrap();
    let part = part.to_string_lossy().into_owned();
    let o = remediate(std::slice::from_ref(&part), &out, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("1500 IPs") && err.contains("over CloudWatch Logs' 100 per log group"),
        "{err}"
    );
    assert!(err.contains("--skip alarms"), "{err}");
    assert!(!out.exists());

    // Without the alarms: one policy per bucket, each within the S3 limit, every address denied.
    let o = remediate(std::slice::from_ref(&part), &out, &["--skip", "alarms"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let l = locals_of(&out);
    let mut covered = std::collections::BTreeSet::new();
    for b in ["alpha-data", "beta-data", "gamma-data"] {
        let cidrs: Vec<String> = l["tfremedy_buckets"][b]["deny"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["cidr"].as_str().unwrap().to_string())
            .collect();
        let statements = tfremedy::policy::our_statements("aws", b, &cidrs, true);
        let merged = tfremedy::policy::merge(None, &statements, &[]);
        assert!(
            merged.minified_size <= 20480 - 1024,
            "{b}: {}",
            merged.minified_size
        );
        for c in cidrs {
            let net: ipnet::IpNet = c.parse().unwrap();
            let size = 1u128 << (net.max_prefix_len() - net.prefix_len());
            let addrs: Vec<String> = match net {
                ipnet::IpNet::V4(n) => (0..size)
                    .map(|i| {
                        std::net::Ipv4Addr::from(u32::from(n.network()) + i as u32).to_string()
                    })
                    .collect(),
                ipnet::IpNet::V6(n) => (0..size)
                    .map(|i| std::net::Ipv6Addr::from(u128::from(n.network()) + i).to_string())
                    .collect(),
            };
            covered.extend(addrs);
        }
    }
    let expected: std::collections::BTreeSet<String> = by_finding.into_iter().take(1500).collect();
    assert_eq!(
        covered, expected,
        "the denied CIDRs cover exactly the findings' addresses"
    );
}

/// An AWS Config configuration item for a bucket (the get-resource-config-history shape, with
/// `supplementaryConfiguration` values as objects), built the way the AWS Config documentation shows it.
fn config_item(bucket: &str, policy: Option<&Value>, hardened: bool) -> Value {
    let mut supplementary = serde_json::Map::new();
    supplementary.insert(
        "BucketPolicy".into(),
        json!({"policyText": policy.map(|p| serde_json::to_string(p).unwrap())}),
    );
    if hardened {
        supplementary.insert("ServerSideEncryptionConfiguration".into(), json!({"rules": [{
            "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms",
                "kmsMasterKeyID": "arn:aws:kms:us-east-2:973743533182:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
            "bucketKeyEnabled": true}]}));
        supplementary.insert(
            "PublicAccessBlockConfiguration".into(),
            json!({"blockPublicAcls": true,
            "ignorePublicAcls": true, "blockPublicPolicy": true, "restrictPublicBuckets": true}),
        );
        supplementary.insert(
            "BucketLoggingConfiguration".into(),
            json!({"destinationBucketName": "example-logs", "logFilePrefix": "s3/"}),
        );
        supplementary.insert(
            "BucketVersioningConfiguration".into(),
            json!({"status": "Enabled", "isMfaDeleteEnabled": false}),
        );
        supplementary.insert(
            "BucketOwnershipControls".into(),
            json!({"ownershipControlsRules": [{"objectOwnership": "BucketOwnerEnforced"}]}),
        );
    }
    json!({
        "version": "1.3", "accountId": "973743533182", "configurationItemCaptureTime": "2024-05-01T10:00:00.000Z",
        "configurationItemStatus": "OK", "arn": format!("arn:aws:s3:::{bucket}"), "resourceType": "AWS::S3::Bucket",
        "resourceId": bucket, "resourceName": bucket, "awsRegion": "us-east-2",
        "configuration": {"name": bucket, "owner": {"id": "abc"}},
        "supplementaryConfiguration": supplementary,
    })
}

fn five_statement_policy() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(
            root().join("tests/fixtures/inventory/policy-five-statements.json"),
        )
        .unwrap(),
    )
    .unwrap()
}

#[test]
fn harden_from_the_inventory_fixtures_validates() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let inv = root().join("tests/fixtures/inventory");
    let files: Vec<String> = [
        "config-batch-get.json",
        "config-history.json",
        "config-select.json",
        "config-snapshot.json",
        "terraform-show-state.json",
        "terraform-show-plan.json",
    ]
    .iter()
    .map(|f| inv.join(f).to_string_lossy().into_owned())
    .collect();
    let o = tfremedy()
        .args([
            "harden",
            "--account",
            "123456789012",
            "--region",
            "us-east-1",
            "--out",
        ])
        .arg(&out)
        .arg("--inventory")
        .args(&files)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let tree = tree(&out);
    let groups: std::collections::BTreeSet<&str> = tree
        .keys()
        .filter_map(|k| k.strip_suffix("/tfremedy_data.tf"))
        .collect();
    assert!(!groups.is_empty(), "{}", stderr(&o));
    for g in groups {
        validate(&out.join(g));
    }
}

#[test]
fn harden_keeps_every_existing_statement_and_shows_before_and_after() {
    let dir = tempfile::tempdir().unwrap();
    let policy = five_statement_policy();
    let inv = write_json(
        dir.path(),
        "config.json",
        &json!({"configurationItems": [config_item("bucketName", Some(&policy), false)]}),
    );
    // remediate with the inventory: the policy is merged for real, no fail-safe stop.
    let out = dir.path().join("out");
    let o = remediate(&[fixture(SEED)], &out, &["--inventory", &inv]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pr = std::fs::read_to_string(out.join(G).join("PULL_REQUEST.md")).unwrap();
    assert!(pr.contains("Before:") && pr.contains("After:"), "{pr}");
    let after = pr.find("After:").unwrap();
    let start = after + pr[after..].find("```json\n").unwrap() + 8;
    let end = start + pr[start..].find("\n```").unwrap();
    let merged: Value = serde_json::from_str(&pr[start..end]).unwrap();
    let statements = merged["Statement"].as_array().unwrap();
    for original in policy["Statement"].as_array().unwrap() {
        assert!(statements.contains(original), "lost: {original}");
    }
    assert!(statements
        .iter()
        .any(|s| s["Sid"] == "TfremedyDenyThreatIps"));
    assert_eq!(
        locals_of(&out)["tfremedy_buckets"]["bucketName"]["existing_policy"],
        json!("pinned")
    );
    validate(&out.join(G));
}

#[test]
fn a_compliant_bucket_gets_no_code() {
    let dir = tempfile::tempdir().unwrap();
    let tls = json!({"Version": "2012-10-17", "Statement": [{"Sid": "TLS", "Effect": "Deny", "Principal": "*",
        "Action": "s3:*", "Resource": ["arn:aws:s3:::good-bucket", "arn:aws:s3:::good-bucket/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]});
    let inv = write_json(
        dir.path(),
        "config.json",
        &json!({"configurationItems": [config_item("good-bucket", Some(&tls), true)]}),
    );
    let out = dir.path().join("out");
    let o = tfremedy()
        .args(["harden", "--out"])
        .arg(&out)
        .args(["--inventory", &inv])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("compliant: good-bucket (no code)")
            && stderr(&o).contains("all compliant"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}

/// The few IAM condition operators our deny statements use, evaluated the way IAM does: every operator
/// must hold for the statement to apply; `...IfExists` holds when the key is absent; a negated operator
/// holds when the key is absent.
fn deny_applies(statement: &Value, ctx: &BTreeMap<&str, &str>) -> bool {
    let values = |v: &Value| -> Vec<String> {
        match v {
            Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().unwrap().to_string())
                .collect(),
            other => vec![other.as_str().unwrap().to_string()],
        }
    };
    let in_cidr = |ip: &str, c: &str| {
        let ip: std::net::IpAddr = ip.parse().unwrap();
        c.parse::<ipnet::IpNet>().unwrap().contains(&ip)
    };
    statement["Condition"]
        .as_object()
        .unwrap()
        .iter()
        .all(|(op, keys)| {
            keys.as_object().unwrap().iter().all(|(key, want)| {
                let want = values(want);
                let got = ctx.get(key.as_str()).copied();
                match (op.as_str(), got) {
                    ("NotIpAddress", None) => true,
                    ("NotIpAddress", Some(ip)) => !want.iter().any(|c| in_cidr(ip, c)),
                    ("IpAddress", Some(ip)) => want.iter().any(|c| in_cidr(ip, c)),
                    (o, None) if o.ends_with("IfExists") => true,
                    ("StringNotEqualsIfExists", Some(v)) => !want.iter().any(|w| w == v),
                    ("BoolIfExists", Some(v)) => want.iter().any(|w| w == v),
                    ("ArnNotLikeIfExists", Some(v)) => !want.iter().any(|w| w == v),
                    (o, _) => panic!("operator {o} not modelled"),
                }
            })
        })
}

#[test]
fn the_allow_list_needs_a_break_glass_principal_and_denies_only_outsiders() {
    let dir = tempfile::tempdir().unwrap();
    let inv = write_json(
        dir.path(),
        "config.json",
        &json!({"configurationItems": [config_item("team-data", None, false)]}),
    );
    let out = dir.path().join("out");
    let o = tfremedy()
        .args(["harden", "--out"])
        .arg(&out)
        .args([
            "--inventory",
            &inv,
            "--allow-cidrs",
            "203.0.113.0/24",
            "--allow-vpce",
            "vpce-0abc",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("without --break-glass") && stderr(&o).contains("lock everyone out"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());

    let break_glass = "arn:aws:iam::973743533182:role/BreakGlass";
    let o = tfremedy()
        .args(["harden", "--out"])
        .arg(&out)
        .args([
            "--inventory",
            &inv,
            "--allow-cidrs",
            "203.0.113.0/24",
            "--allow-vpce",
            "vpce-0abc",
            "--break-glass",
            break_glass,
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let pr = std::fs::read_to_string(out.join(G).join("PULL_REQUEST.md")).unwrap();
    assert!(pr.contains("Who loses access"), "{pr}");
    let after = pr.find("After:").unwrap();
    let start = after + pr[after..].find("```json\n").unwrap() + 8;
    let end = start + pr[start..].find("\n```").unwrap();
    let merged: Value = serde_json::from_str(&pr[start..end]).unwrap();
    let allow = merged["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "TfremedyAllowListOnly")
        .unwrap()
        .clone();
    let ctx = |pairs: &[(&'static str, &'static str)]| {
        pairs.iter().copied().collect::<BTreeMap<&str, &str>>()
    };
    let me = "arn:aws:iam::973743533182:role/app";
    assert!(
        !deny_applies(
            &allow,
            &ctx(&[("aws:SourceIp", "203.0.113.7"), ("aws:PrincipalArn", me)])
        ),
        "allowed CIDR"
    );
    assert!(
        !deny_applies(
            &allow,
            &ctx(&[("aws:SourceVpce", "vpce-0abc"), ("aws:PrincipalArn", me)])
        ),
        "VPC endpoint"
    );
    assert!(
        !deny_applies(
            &allow,
            &ctx(&[
                ("aws:SourceIp", "198.51.100.1"),
                ("aws:PrincipalIsAWSService", "true")
            ])
        ),
        "AWS service"
    );
    assert!(
        !deny_applies(
            &allow,
            &ctx(&[
                ("aws:SourceIp", "198.51.100.1"),
                ("aws:ViaAWSService", "true"),
                ("aws:PrincipalArn", me)
            ])
        ),
        "via a service"
    );
    assert!(
        !deny_applies(
            &allow,
            &ctx(&[
                ("aws:SourceIp", "198.51.100.1"),
                ("aws:PrincipalArn", break_glass)
            ])
        ),
        "break glass"
    );
    assert!(
        deny_applies(
            &allow,
            &ctx(&[("aws:SourceIp", "198.51.100.1"), ("aws:PrincipalArn", me)])
        ),
        "elsewhere is denied"
    );
    assert!(
        deny_applies(
            &allow,
            &ctx(&[("aws:SourceVpce", "vpce-other"), ("aws:PrincipalArn", me)])
        ),
        "another endpoint is denied"
    );
    validate(&out.join(G));
}

#[test]
fn an_organisation_resource_control_policy_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = remediate(&[fixture(SEED)], &out, &["--org-rcp"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let main = std::fs::read_to_string(out.join("organization/main.tf")).unwrap();
    assert!(main.contains("RESOURCE_CONTROL_POLICY") && main.contains("\"81.2.69.144/32\","));
    validate(&out.join("organization"));
    // Too many ranges for the 5,120 characters an RCP may hold: refused, nothing written.
    let mut inputs = Vec::new();
    for i in 0..400u32 {
        let mut f = seed_json();
        f["id"] = json!(format!("{i:032x}"));
        f["service"]["action"]["awsApiCallAction"]["remoteIpDetails"]["ipAddressV4"] =
            json!(format!("198.18.{}.{}", (i * 2) / 256, (i * 2) % 256));
        inputs.push(f);
    }
    let lines: String = inputs
        .iter()
        .map(|f| serde_json::to_string(f).unwrap() + "\n")
        .collect();
    std::fs::write(dir.path().join("many.jsonl"), lines).unwrap();
    let out2 = dir.path().join("out2");
    let o = remediate(
        &[dir.path().join("many.jsonl").to_string_lossy().into_owned()],
        &out2,
        &["--org-rcp", "--skip", "alarms"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("over the 5120 AWS allows"),
        "{}",
        stderr(&o)
    );
    assert!(!out2.exists());
}

#[test]
fn remove_public_leaves_only_the_public_statement_out() {
    let dir = tempfile::tempdir().unwrap();
    // A hardened bucket whose policy has a TLS deny, a named reader, and a public read that its
    // user-agent condition does not restrict (S3 counts it as public too).
    let public = json!({"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::pub-bucket/*", "Condition": {"StringLike": {"aws:UserAgent": "<partner>&co*"}}});
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": ["arn:aws:s3:::pub-bucket", "arn:aws:s3:::pub-bucket/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "Reader", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::973743533182:role/reader"},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pub-bucket/*"},
        public.clone(),
    ]});
    let inv = write_json(
        dir.path(),
        "config.json",
        &json!({"configurationItems": [config_item("pub-bucket", Some(&policy), true)]}),
    );
    let out = dir.path().join("out");
    let harden = |extra: &[&str]| {
        tfremedy()
            .args(["harden", "--out"])
            .arg(&out)
            .args(["--inventory", &inv])
            .args(extra)
            .output()
            .unwrap()
    };

    // Without the flag: reported, nothing generated (the bucket lacks nothing else).
    let o = harden(&[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("compliant: pub-bucket (no code)"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("--remove-public removes it"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());

    // With it: the data file lists exactly that statement, in jsonencode's form; the PR shows the
    // statement and a policy without it.
    let o = harden(&["--remove-public"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("removed on request"), "{}", stderr(&o));
    let locals = locals_of(&out);
    assert_eq!(
        locals["tfremedy_buckets"]["pub-bucket"]["remove_statements"],
        json!([tfremedy::policy::canonical_json(&public)])
    );
    assert_eq!(
        locals["tfremedy_buckets"]["pub-bucket"]["existing_policy"],
        json!("pinned")
    );
    let pr = std::fs::read_to_string(out.join(G).join("PULL_REQUEST.md")).unwrap();
    assert!(
        pr.contains("removed on request (`--remove-public`)"),
        "{pr}"
    );
    let after = pr.find("After:").expect("before/after");
    let start = after + pr[after..].find("```json\n").unwrap() + 8;
    let end = start + pr[start..].find("\n```").unwrap();
    let merged: Value = serde_json::from_str(&pr[start..end]).unwrap();
    let sids: Vec<&str> = merged["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["Sid"].as_str())
        .collect();
    assert_eq!(sids, vec!["TLS", "Reader"]);
    validate(&out.join(G));

    // Idempotent: the same run again changes nothing.
    let o = harden(&["--remove-public", "--check"]);
    assert!(o.status.success(), "{}", stderr(&o));
}
