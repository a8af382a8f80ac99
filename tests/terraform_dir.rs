//! `remediate --terraform-dir`: what the team's own Terraform manages (tests/fixtures/terraform) is
//! never created a second time; the PR names each place to change, with file:line; the generated
//! root plans (terraform test, mocked provider) with no second policy, encryption or public access
//! block for such a bucket, and passes the validators.

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use support::{fixture, root, tfremedy, validate, validators_home, validators_ready};

const GROUP: &str = "973743533182/us-east-2";

/// The seed finding, moved to `bucket`, with an id of its own (GuardDuty ids are 32 hex digits), so
/// that the findings for several buckets are not taken for copies of one.
fn finding_for(dir: &Path, bucket: &str) -> String {
    let id = bucket.bytes().fold(0xcbf2_9ce4_8422_2325_u128, |h, b| {
        (h ^ u128::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let text = std::fs::read_to_string(fixture("discovery-s3-maliciousipcaller-custom.json"))
        .unwrap()
        .replace("bucketName", bucket)
        .replace("52bf27df0ab00afa53e3268714f20319", &format!("{id:032x}"));
    let path = dir.join(format!("{bucket}.json"));
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn terraform(name: &str) -> PathBuf {
    root().join("tests/fixtures/terraform").join(name)
}

fn remediate(dir: &Path, bucket: &str, terraform_dir: &Path) -> (PathBuf, String) {
    let out = dir.join("out");
    let o = tfremedy()
        .args(["remediate", &finding_for(dir, bucket), "--terraform-dir"])
        .arg(terraform_dir)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pr = std::fs::read_to_string(out.join(GROUP).join("PULL_REQUEST.md")).unwrap();
    (out, pr)
}

/// The `locals` of the group's data file.
fn data_locals(out: &Path) -> Value {
    let text = std::fs::read_to_string(out.join(GROUP).join("tfremedy_data.tf")).unwrap();
    let v: Value = hcl::from_str(&text).unwrap();
    v["locals"].clone()
}

/// The data file's entry for `bucket`.
fn data_entry(out: &Path, bucket: &str) -> Value {
    data_locals(out)["tfremedy_buckets"][bucket].clone()
}

fn managed_elsewhere(out: &Path, bucket: &str) -> Value {
    data_entry(out, bucket)["managed_elsewhere"].clone()
}

/// Copies a directory tree.
fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A root file in `repo` calling the generated module, as the PR says to.
fn call_generated_module(repo: &Path) {
    std::fs::write(
        repo.join("tfremedy.tf"),
        format!("module \"tfremedy\" {{\n  source = \"./tfremedy/{GROUP}\"\n}}\n"),
    )
    .unwrap();
}

/// Runs `terraform test` on a copy of the generated root with `assertions` (HCL) about `bucket`.
fn plan_asserting(group: &Path, assertions: &str) {
    if !validators_ready() {
        return;
    }
    let copy = tempfile::tempdir().unwrap();
    copy_tree(group, copy.path());
    let test = format!(
        "mock_provider \"aws\" {{\n  mock_data \"aws_caller_identity\" {{\n    defaults = {{ account_id = \"973743533182\" }}\n  }}\n  mock_data \"aws_partition\" {{\n    defaults = {{ partition = \"aws\" }}\n  }}\n  mock_data \"aws_region\" {{\n    defaults = {{ endpoint = \"ec2.us-east-2.amazonaws.com\" }}\n  }}\n}}\n\nrun \"plan\" {{\n  command = plan\n{assertions}\n}}\n"
    );
    std::fs::write(copy.path().join("managed.tftest.hcl"), test).unwrap();
    let out = std::process::Command::new(validators_home().join("py/bin/python"))
        .arg(root().join("tools/tf-validators/tools/tftest.py"))
        .arg(copy.path())
        .output()
        .unwrap();
    let report =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && report.contains("Success!"),
        "{report}"
    );
}

#[test]
fn a_policy_document_in_the_teams_code_is_composed_not_fought() {
    let dir = tempfile::tempdir().unwrap();
    let (out, pr) = remediate(
        dir.path(),
        "acme-prod-data",
        &terraform("plain-policy-document"),
    );
    let managed = managed_elsewhere(&out, "acme-prod-data");
    let roles: Vec<&String> = managed.as_object().unwrap().keys().collect();
    assert_eq!(roles, vec!["encryption", "policy", "public-access-block"]);
    assert!(managed["policy"]
        .as_str()
        .unwrap()
        .starts_with("aws_s3_bucket_policy.data in "));
    // The PR names each place, with file:line and the edit.
    assert!(
        pr.contains("### Changes to your own Terraform for `acme-prod-data`"),
        "{pr}"
    );
    assert!(pr.contains("plain-policy-document/main.tf`:16"), "{pr}");
    assert!(pr.contains("plain-policy-document/main.tf`:56"), "{pr}");
    assert!(
        pr.contains(
            "source_policy_documents = [module.tfremedy.policy_documents[\"acme-prod-data\"]]"
        ),
        "{pr}"
    );
    let group = out.join(GROUP);
    plan_asserting(
        &group,
        r#"
  assert {
    condition     = output.bucket_policies["acme-prod-data"] == null
    error_message = "no second bucket policy"
  }
  assert {
    condition     = output.policy_documents["acme-prod-data"] != null
    error_message = "tfremedy's statements are handed over as a document"
  }
  assert {
    condition     = !output.guarded_settings["acme-prod-data"].encryption && !output.guarded_settings["acme-prod-data"].public_access_block && !output.guarded_settings["acme-prod-data"].policy
    error_message = "no second encryption configuration or public access block"
  }"#,
    );
    validate(&group);
}

#[test]
fn the_s3_bucket_module_gets_input_edits_and_child_modules_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let (out, pr) = remediate(
        dir.path(),
        "acme-web-assets",
        &terraform("s3-bucket-module"),
    );
    let managed = managed_elsewhere(&out, "acme-web-assets");
    assert!(managed
        .as_object()
        .unwrap()
        .values()
        .all(|v| v.as_str().unwrap().starts_with("module.web_assets in ")));
    assert!(pr.contains("s3-bucket-module/main.tf`:5"), "{pr}");
    assert!(
        pr.contains("inputs of the terraform-aws-modules/s3-bucket call"),
        "{pr}"
    );

    let dir = tempfile::tempdir().unwrap();
    let (out, pr) = remediate(dir.path(), "acme-ml-datasets", &terraform("child-module"));
    assert!(managed_elsewhere(&out, "acme-ml-datasets")["policy"]
        .as_str()
        .unwrap()
        .starts_with("module.storage.aws_s3_bucket_policy.this in "));
    assert!(pr.contains("inside one of your modules"), "{pr}");
}

#[test]
fn a_bucket_the_code_does_not_manage_is_guarded_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let (out, pr) = remediate(
        dir.path(),
        "acme-unmanaged",
        &terraform("plain-policy-document"),
    );
    assert!(managed_elsewhere(&out, "acme-unmanaged").is_null());
    assert!(!pr.contains("Changes to your own Terraform"));
}

/// An AWS Config configuration item for `bucket` (account 973743533182, us-east-2).
fn config_item(bucket: &str, supplementary: Value) -> Value {
    serde_json::json!({
        "version": "1.3", "accountId": "973743533182", "configurationItemCaptureTime": "2024-05-01T10:00:00.000Z",
        "configurationItemStatus": "OK", "arn": format!("arn:aws:s3:::{bucket}"), "resourceType": "AWS::S3::Bucket",
        "resourceId": bucket, "resourceName": bucket, "awsRegion": "us-east-2",
        "configuration": {"name": bucket, "owner": {"id": "abc"}},
        "supplementaryConfiguration": supplementary,
    })
}

/// An AWS Config history file (`configurationItems`) with one bucket item, written into `dir`.
fn config_items(dir: &Path, bucket: &str, supplementary: Value) -> PathBuf {
    let path = dir.join(format!("config-{bucket}.json"));
    let items = serde_json::json!({"configurationItems": [config_item(bucket, supplementary)]});
    std::fs::write(&path, items.to_string()).unwrap();
    path
}

/// Copies a fixture repository into `dir/repo`.
fn copy_fixture(name: &str, dir: &Path) -> PathBuf {
    let to = dir.join("repo");
    copy_tree(&terraform(name), &to);
    to
}

/// Lines that differ between two texts (removed, added), by a plain line diff.
fn changed_lines(before: &str, after: &str) -> (Vec<String>, Vec<String>) {
    let diff = tfremedy::patch::diff("f", before, after);
    let pick = |sign: char| {
        diff.lines()
            .filter(|l| l.starts_with(sign) && !l.starts_with("---") && !l.starts_with("+++"))
            .map(|l| l[1..].to_string())
            .collect()
    };
    (pick('-'), pick('+'))
}

#[test]
fn patch_changes_only_what_it_must_keeps_comments_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let repo = copy_fixture("plain-policy-document", dir.path());
    let before = std::fs::read_to_string(repo.join("main.tf")).unwrap();
    let out = repo.join("tfremedy");
    let finding = finding_for(dir.path(), "acme-prod-data");
    let run = |patch: bool| {
        let mut c = tfremedy();
        c.current_dir(dir.path())
            .args(["remediate", &finding, "--terraform-dir", "repo", "--out"])
            .arg(&out);
        if patch {
            c.arg("--patch");
        }
        let o = c.output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };

    // Without --patch: the diff file, and the repository untouched.
    run(false);
    let diff = std::fs::read_to_string(out.join(GROUP).join("code-changes.diff")).unwrap();
    assert!(
        diff.contains("--- a/repo/main.tf\n+++ b/repo/main.tf\n"),
        "{diff}"
    );
    assert_eq!(
        std::fs::read_to_string(repo.join("main.tf")).unwrap(),
        before
    );

    // With --patch: exactly the lines it must, every comment kept.
    run(true);
    let after = std::fs::read_to_string(repo.join("main.tf")).unwrap();
    let (removed, added) = changed_lines(&before, &after);
    assert_eq!(
        removed,
        vec!["      sse_algorithm = \"AES256\" # SSE-S3; TODO move to KMS (JIRA DATA-142)"]
    );
    assert_eq!(
        added,
        vec![
            "".to_string(),
            "  source_policy_documents = [module.tfremedy.policy_documents[\"acme-prod-data\"]]"
                .into(),
            "      sse_algorithm = \"aws:kms\" # SSE-S3; TODO move to KMS (JIRA DATA-142)".into(),
            "".into(),
            "    bucket_key_enabled = true".into(),
        ]
    );
    let comments = |t: &str| t.lines().filter(|l| l.contains('#')).count();
    assert_eq!(comments(&before), comments(&after));

    // The diff of the first run is gone: nothing is left to apply.
    assert!(!out.join(GROUP).join("code-changes.diff").exists());

    // A second --patch changes nothing, and the generated directory is unchanged too.
    let generated = support::tree(&out);
    run(true);
    assert_eq!(
        std::fs::read_to_string(repo.join("main.tf")).unwrap(),
        after
    );
    assert_eq!(support::tree(&out), generated);

    // A line the team adds above the blocks moves the PR's line numbers, not the data file.
    let data = std::fs::read_to_string(out.join(GROUP).join("tfremedy_data.tf")).unwrap();
    std::fs::write(
        repo.join("main.tf"),
        format!("# Owned by the data team.\n{after}"),
    )
    .unwrap();
    run(true);
    assert_eq!(
        std::fs::read_to_string(out.join(GROUP).join("tfremedy_data.tf")).unwrap(),
        data
    );
    let pr = std::fs::read_to_string(out.join(GROUP).join("PULL_REQUEST.md")).unwrap();
    assert!(pr.contains("repo/main.tf`:17"), "{pr}");

    // The patched repository, calling the generated module as the PR says, passes the validators.
    call_generated_module(&repo);
    support::validate_skipping(&repo, "checkov");
}

/// A copy of the patched `s3-bucket-module` repository whose calls of terraform-aws-modules/s3-bucket
/// use the stand-in of tests/fixtures/module-stubs (registry and git sources cannot be fetched
/// offline), so `terraform validate` checks every input and its type.
fn with_module_stub(repo: &Path, dir: &Path) -> PathBuf {
    let copy = dir.join("validate-copy");
    copy_tree(repo, &copy);
    copy_tree(
        &root().join("tests/fixtures/module-stubs/s3-bucket"),
        &copy.join("s3-bucket-stub"),
    );
    let main = std::fs::read_to_string(copy.join("main.tf")).unwrap();
    let mut out = String::new();
    for line in main.lines() {
        let t = line.trim_start();
        if t.starts_with("source") && t.contains("s3-bucket") {
            out.push_str("  source = \"./s3-bucket-stub\"\n");
        } else if !(line.starts_with("  version ") || line.starts_with("  version=")) {
            out.push_str(line);
            out.push('\n');
        }
    }
    std::fs::write(copy.join("main.tf"), out).unwrap();
    copy
}

/// The checks of validate-tf.sh other than terraform-validate.
const ALL_BUT_VALIDATE: &str =
    "hcl-parse+fmt terraform-fmt terraform-config schema checkov parliament";

/// Every fixture repository: remediate its buckets with `--patch`; the PR names every place it
/// changes, nothing the code manages is created a second time, only the lines that must change do
/// (the diff is a reviewed snapshot, and every changed line keeps its comment), comments survive, a
/// second run changes nothing, and the patched repository calling the generated module passes all
/// seven checks (its checkov findings outside what tfremedy fixes carry skip comments with reasons,
/// as a team gating on checkov has them).
#[test]
fn every_fixture_is_patched_in_place_idempotently() {
    let cases: &[(&str, &[&str])] = &[
        (
            "plain-policy-document",
            &["acme-prod-data", "acme-prod-logs"],
        ),
        ("policy-heredoc", &["acme-legacy-exports"]),
        (
            "s3-bucket-module",
            &["acme-web-assets", "acme-backups", "acme-tmp-uploads"],
        ),
        (
            "variable-name",
            &["acme-analytics-raw", "acme-analytics-reports"],
        ),
        ("child-module", &["acme-ml-datasets"]),
    ];
    for (name, buckets) in cases {
        let dir = tempfile::tempdir().unwrap();
        let repo = copy_fixture(name, dir.path());
        let before = support::tree(&repo);
        let findings: Vec<String> = buckets.iter().map(|b| finding_for(dir.path(), b)).collect();
        let out = repo.join("tfremedy");
        let run = || {
            let o = tfremedy()
                .current_dir(dir.path())
                .arg("remediate")
                .args(&findings)
                .args([
                    "--terraform-dir",
                    "repo",
                    "--patch",
                    "--format",
                    "json",
                    "--out",
                ])
                .arg(&out)
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "{name}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            serde_json::from_slice::<Value>(&o.stdout).unwrap()
        };
        let plan = run();
        let after: std::collections::BTreeMap<String, String> = support::tree(&repo)
            .into_iter()
            .filter(|(k, _)| !k.starts_with("tfremedy/"))
            .collect();
        let pr = std::fs::read_to_string(out.join(GROUP).join("PULL_REQUEST.md")).unwrap();
        let mut changes = 0;
        for bucket in plan["groups"][0]["buckets"].as_object().unwrap().values() {
            for c in bucket["code_changes"].as_array().unwrap() {
                changes += 1;
                let place = format!("`{}`:{}", c["file"].as_str().unwrap(), c["line"]);
                assert!(pr.contains(&place), "{name}: the PR does not name {place}");
            }
        }
        assert!(changes > 0, "{name}: nothing found to change");
        // Nothing the code manages is created a second time: every role the index has for a bucket
        // is handed to that code in the data file.
        let index = tfremedy::scan::scan(std::slice::from_ref(&repo));
        for bucket in *buckets {
            let entry = data_entry(&out, bucket);
            let managed = &entry["managed_elsewhere"];
            for (role, _) in managed.as_object().into_iter().flatten() {
                assert!(
                    plan["groups"][0]["buckets"][bucket]["code_changes"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|c| c["role"] == role.as_str()),
                    "{name}/{bucket}: {role} handed over without a code change"
                );
            }
            for m in index.buckets.get(*bucket).into_iter().flatten() {
                let role = m.role.name();
                let wanted = match role {
                    "bucket" | "s3-bucket-module" => continue,
                    "policy" => true,
                    "encryption" => entry["default_encryption"] == true,
                    "public-access-block" => entry["public_access_block"] == true,
                    "versioning" => entry["versioning"] == true,
                    "ownership-controls" => entry["ownership_controls"] == true,
                    _ => entry["access_logging"] == true,
                };
                assert!(
                    !wanted || !managed[role].is_null(),
                    "{name}/{bucket}: {role} is managed by {} but the guard would create it too",
                    m.address
                );
            }
        }
        // Only the lines that must change do: the whole diff is a reviewed snapshot, and a changed
        // line keeps whatever comment it had.
        let mut diff = String::new();
        for (file, text) in &before {
            diff.push_str(&tfremedy::patch::diff(file, text, &after[file]));
            let (removed, added) = changed_lines(text, &after[file]);
            for line in removed {
                if let Some((_, comment)) = line.split_once(" # ") {
                    assert!(
                        added.iter().any(|a| a.ends_with(&format!(" # {comment}"))),
                        "{name}/{file}: the comment of {line:?} was lost"
                    );
                }
            }
        }
        insta::assert_snapshot!(format!("patch-{name}"), diff);
        for (file, text) in &before {
            let comments = |t: &str| {
                t.lines()
                    .filter(|l| l.trim_start().starts_with('#'))
                    .count()
            };
            assert_eq!(
                comments(text),
                comments(&after[file]),
                "{name}/{file}: a comment was lost"
            );
        }
        // Idempotent: the second run changes neither the repository nor the output.
        let generated = support::tree(&out);
        run();
        let again: std::collections::BTreeMap<String, String> = support::tree(&repo)
            .into_iter()
            .filter(|(k, _)| !k.starts_with("tfremedy/"))
            .collect();
        assert_eq!(again, after, "{name}: a second --patch changed the code");
        assert_eq!(
            support::tree(&out),
            generated,
            "{name}: a second run changed the output"
        );

        call_generated_module(&repo);
        if *name == "s3-bucket-module" {
            support::validate_skipping(&repo, "terraform-validate");
            support::validate_skipping(&with_module_stub(&repo, dir.path()), ALL_BUT_VALIDATE);
        } else {
            validate(&repo);
        }
    }
}

#[test]
fn harden_uses_the_teams_code_too() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = config_items(
        dir.path(),
        "acme-prod-data",
        serde_json::json!({"BucketPolicy": {"policyText": null}}),
    );
    let out = dir.path().join("out");
    let o = tfremedy()
        .args(["harden", "--inventory"])
        .arg(&inventory)
        .arg("--terraform-dir")
        .arg(terraform("plain-policy-document"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let managed = managed_elsewhere(&out, "acme-prod-data");
    for role in [
        "policy",
        "encryption",
        "public-access-block",
        "versioning",
        "ownership-controls",
        "logging",
    ] {
        assert!(managed.get(role).is_some(), "{role}: {managed}");
    }
    assert!(out.join(GROUP).join("code-changes.diff").exists());
}

#[test]
fn an_existing_trail_with_the_buckets_data_events_is_reused() {
    let dir = tempfile::tempdir().unwrap();
    let (out, pr) = remediate(dir.path(), "acme-prod-data", &terraform("trails"));
    assert_eq!(
        data_locals(&out)["tfremedy_monitor"]["existing_log_group"],
        Value::String("/aws/cloudtrail/org".into())
    );
    assert!(pr.contains("reusing your trail aws_cloudtrail.org"), "{pr}");

    // A bucket that trail does not record: a trail of ours, as before.
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = remediate(dir.path(), "acme-other", &terraform("trails"));
    assert!(data_locals(&out)["tfremedy_monitor"]["existing_log_group"].is_null());
}

#[test]
fn settings_in_aws_but_in_no_code_are_imported_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    // AWS Config says the bucket has a policy, SSE-S3 and a (partial) public access block.
    let inventory = config_items(
        dir.path(),
        "acme-unmanaged",
        serde_json::json!({
            "BucketPolicy": {"policyText": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Read\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::973743533182:role/reader\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::acme-unmanaged/*\"}]}"},
            "ServerSideEncryptionConfiguration": {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]},
            "PublicAccessBlockConfiguration": {"blockPublicAcls": true, "ignorePublicAcls": false, "blockPublicPolicy": true, "restrictPublicBuckets": false}
        }),
    );
    let out = dir.path().join("out");
    let o = tfremedy()
        .args([
            "remediate",
            &finding_for(dir.path(), "acme-unmanaged"),
            "--inventory",
        ])
        .arg(&inventory)
        .arg("--terraform-dir")
        .arg(terraform("variable-name"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let imports =
        std::fs::read_to_string(out.join(GROUP).join("root/tfremedy_imports.tf")).unwrap();
    for resource in [
        "aws_s3_bucket_policy",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_s3_bucket_public_access_block",
    ] {
        let block = format!(
            "import {{\n  to = module.tfremedy.module.bucket_guard[\"acme-unmanaged\"].{resource}.this[0]\n  id = \"acme-unmanaged\"\n}}"
        );
        assert!(imports.contains(&block), "{resource}:\n{imports}");
    }
    // Versioning is off for this finding type, and no code manages anything of this bucket.
    assert!(!imports.contains("aws_s3_bucket_versioning"));
    validate(&out.join(GROUP));

    // Without --terraform-dir nobody knows whether code manages them: no import is guessed.
    let out2 = dir.path().join("out2");
    let o = tfremedy()
        .args([
            "remediate",
            &finding_for(dir.path(), "acme-unmanaged"),
            "--inventory",
        ])
        .arg(&inventory)
        .arg("--out")
        .arg(&out2)
        .output()
        .unwrap();
    assert!(o.status.success());
    let imports = std::fs::read_to_string(out2.join(GROUP).join("root/tfremedy_imports.tf"))
        .unwrap_or_default();
    assert!(!imports.contains("bucket_guard"), "{imports}");
}

/// A file of the team's that does not parse may manage anything: the PR names it for a human to
/// check, the rest of the repository is still used, and the repository without that file (what the
/// team has once it is fixed) plus the generated module passes all seven checks.
#[test]
fn an_unparseable_file_is_named_in_the_pr_and_the_rest_still_used() {
    let dir = tempfile::tempdir().unwrap();
    let repo = copy_fixture("unparseable", dir.path());
    let out = repo.join("tfremedy");
    let o = tfremedy()
        .current_dir(dir.path())
        .args([
            "remediate",
            &finding_for(dir.path(), "acme-broken-neighbour"),
            "--terraform-dir",
            "repo",
            "--patch",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pr = std::fs::read_to_string(out.join(GROUP).join("PULL_REQUEST.md")).unwrap();
    assert!(
        pr.contains("--terraform-dir: repo/broken.tf:7 does not parse, so tfremedy cannot see what it manages"),
        "{pr}"
    );
    // Versioning is the team's (main.tf); nothing else of the bucket is in the code.
    assert!(managed_elsewhere(&out, "acme-broken-neighbour").is_null());
    std::fs::remove_file(repo.join("broken.tf")).unwrap();
    call_generated_module(&repo);
    validate(&repo);
}

/// A bucket that receives server access logs, or whose policy lets other accounts or AWS services in,
/// is not moved to SSE-KMS with the AWS-managed key (they cannot use it), whether the code, the
/// inventory or its policy says so; asking for the fix by name still makes the move.
#[test]
fn buckets_the_aws_managed_key_would_cut_off_keep_their_encryption() {
    // The code: aws_s3_bucket_logging.data sends acme-prod-data's logs to acme-prod-logs.
    let dir = tempfile::tempdir().unwrap();
    let (out, pr) = remediate(
        dir.path(),
        "acme-prod-logs",
        &terraform("plain-policy-document"),
    );
    assert_eq!(
        data_entry(&out, "acme-prod-logs")["default_encryption"],
        false
    );
    assert!(managed_elsewhere(&out, "acme-prod-logs")
        .get("encryption")
        .is_none());
    assert!(
        pr.contains("left as it is, because the bucket receives S3 server access logs (`the code sends access logs here: aws_s3_bucket_logging.data in "),
        "{pr}"
    );

    // The inventory: another bucket logs there (no --terraform-dir).
    let inventory = dir.path().join("inventory.json");
    std::fs::write(
        &inventory,
        serde_json::json!({"configurationItems": [
            config_item("acme-app", serde_json::json!({"BucketLoggingConfiguration": {"destinationBucketName": "acme-central-logs", "logFilePrefix": "app/"}})),
            config_item("acme-central-logs", serde_json::json!({"BucketLoggingConfiguration": {}})),
        ]})
        .to_string(),
    )
    .unwrap();
    let run = |only: Option<&str>, out: &Path| {
        let mut c = tfremedy();
        c.args([
            "remediate",
            &finding_for(dir.path(), "acme-central-logs"),
            "--inventory",
        ])
        .arg(&inventory)
        .arg("--out")
        .arg(out);
        if let Some(only) = only {
            c.args(["--only", only]);
        }
        let o = c.output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    let out = dir.path().join("inventory-out");
    run(None, &out);
    assert_eq!(
        data_entry(&out, "acme-central-logs")["default_encryption"],
        false
    );
    let pr = std::fs::read_to_string(out.join(GROUP).join("PULL_REQUEST.md")).unwrap();
    assert!(
        pr.contains("the inventory shows access logs of acme-app delivered here"),
        "{pr}"
    );
    // Asked for by name: the team decided (with a key whose policy allows log delivery, we trust).
    let out = dir.path().join("only-out");
    run(Some("default-encryption"), &out);
    assert_eq!(
        data_entry(&out, "acme-central-logs")["default_encryption"],
        true
    );

    // The policy: a partner account reads the exports.
    let policy = dir.path().join("policy.json");
    std::fs::write(
        &policy,
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/importer"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-exports/*"}]}"#,
    )
    .unwrap();
    let out = dir.path().join("policy-out");
    let o = tfremedy()
        .args([
            "remediate",
            &finding_for(dir.path(), "acme-exports"),
            "--bucket-policy",
        ])
        .arg(format!("acme-exports={}", policy.display()))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        data_entry(&out, "acme-exports")["default_encryption"],
        false
    );
    let pr = std::fs::read_to_string(out.join(GROUP).join("PULL_REQUEST.md")).unwrap();
    assert!(
        pr.contains("left as it is, because AWS services or other accounts reach its objects (`its bucket policy lets in arn:aws:iam::111122223333:role/importer`)"),
        "{pr}"
    );
}
