//! `tfremedy scan`: the index of what the fixture repositories manage (tests/fixtures/terraform,
//! see its README.md), files that do not parse, and links that leave the tree.

#![allow(clippy::unwrap_used)]

mod support;

use pretty_assertions::assert_eq;
use std::path::PathBuf;
use support::{root, tfremedy};
use tfremedy::scan::{scan, Role};

fn fixtures() -> PathBuf {
    root().join("tests/fixtures/terraform")
}

/// `(address, file relative to the fixtures, line)` of what manages `bucket`.
fn managing(index: &tfremedy::scan::Index, bucket: &str) -> Vec<(String, String, usize)> {
    let base = format!("{}/", fixtures().display());
    index.buckets[bucket]
        .iter()
        .map(|m| {
            (
                m.address.clone(),
                m.file.trim_start_matches(&base).to_string(),
                m.line,
            )
        })
        .collect()
}

#[test]
fn resources_modules_variables_locals_and_child_modules_are_resolved() {
    let index = scan(&[fixtures()]);
    let own = |a: &str, f: &str, l: usize| (a.to_string(), f.to_string(), l);
    assert_eq!(
        managing(&index, "acme-ml-datasets"),
        vec![
            own(
                "module.storage.aws_s3_bucket.this",
                "child-module/modules/bucket/main.tf",
                1
            ),
            own(
                "module.storage.aws_s3_bucket_policy.this",
                "child-module/modules/bucket/main.tf",
                13
            ),
        ]
    );
    assert_eq!(
        managing(&index, "acme-analytics-raw"),
        vec![
            own("aws_s3_bucket.this", "variable-name/main.tf", 6),
            own(
                "aws_s3_bucket_public_access_block.this",
                "variable-name/main.tf",
                16
            ),
        ]
    );
    assert_eq!(
        managing(&index, "acme-analytics-reports"),
        vec![own("aws_s3_bucket.reports", "variable-name/main.tf", 26)]
    );
    let data: Vec<Role> = index.buckets["acme-prod-data"]
        .iter()
        .map(|m| m.role)
        .collect();
    assert_eq!(
        data,
        vec![
            Role::Bucket,
            Role::Policy,
            Role::Encryption,
            Role::PublicAccessBlock,
            Role::Logging,
            Role::Versioning,
            Role::OwnershipControls
        ]
    );
    let policy = &index.managing("acme-prod-data", Role::Policy)[0];
    assert_eq!(
        policy.details["policy"],
        "data.aws_iam_policy_document.data.json"
    );
    let heredoc = &index.managing("acme-legacy-exports", Role::Policy)[0];
    assert!(
        heredoc.details["policy"].starts_with("<<EOF"),
        "{heredoc:?}"
    );
    // The s3-bucket module, in its three source forms, manages every role of its bucket.
    for (bucket, address) in [
        ("acme-web-assets", "module.web_assets"),
        ("acme-backups", "module.backups"),
        ("acme-tmp-uploads", "module.tmp_uploads"),
    ] {
        let m = index.managing(bucket, Role::Encryption);
        assert_eq!(m.len(), 1, "{bucket}");
        assert_eq!(
            (m[0].role, m[0].address.as_str()),
            (Role::S3BucketModule, address)
        );
    }
    assert_eq!(
        index.buckets["acme-web-assets"][0].details["attach_policy"],
        "true"
    );
    assert_eq!(
        index.buckets["acme-web-assets"][0].details["version"],
        "~> 4.1"
    );
}

#[test]
fn unparseable_files_are_reported_and_hidden_folders_skipped() {
    let index = scan(&[fixtures().join("unparseable")]);
    assert_eq!(index.unparsed.len(), 1);
    assert!(index.unparsed[0].file.ends_with("unparseable/broken.tf"));
    assert_eq!(index.unparsed[0].line, Some(7));
    // The good neighbour is still read; .terraform/ and .hidden/ are not.
    assert!(index.buckets.contains_key("acme-broken-neighbour"));
    assert!(!index.buckets.contains_key("must-not-be-scanned"));
    assert!(!index.buckets.contains_key("hidden-must-not-be-scanned"));
}

#[cfg(unix)]
#[test]
fn links_that_leave_the_tree_are_not_followed() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("outside.tf"),
        "resource \"aws_s3_bucket\" \"x\" {\n  bucket = \"outside-bucket\"\n}\n",
    )
    .unwrap();
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(
        tree.path().join("main.tf"),
        "resource \"aws_s3_bucket\" \"y\" {\n  bucket = \"inside-bucket\"\n}\n",
    )
    .unwrap();
    std::fs::create_dir(tree.path().join("sub")).unwrap();
    std::fs::write(
        tree.path().join("sub/real.tf"),
        "resource \"aws_s3_bucket\" \"z\" {\n  bucket = \"linked-inside\"\n}\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path(), tree.path().join("dir-link")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("outside.tf"),
        tree.path().join("file-link.tf"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        tree.path().join("sub/real.tf"),
        tree.path().join("inside-link.tf"),
    )
    .unwrap();

    let out = tfremedy()
        .args(["scan", "--format", "json"])
        .arg(tree.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let index: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let buckets: Vec<&String> = index["buckets"].as_object().unwrap().keys().collect();
    assert_eq!(buckets, vec!["inside-bucket", "linked-inside"]);
    let skipped: Vec<&str> = index["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        skipped,
        vec![
            "link to a directory: not followed",
            "link to a file outside the tree: not followed"
        ]
    );
}

#[test]
fn a_missing_directory_is_an_error() {
    let out = tfremedy()
        .args(["scan", "/nonexistent/tfremedy-scan"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a directory"));
}

/// tfremedy's own output inside the scanned tree (`--out` under `--terraform-dir`) is not the team's
/// code: nothing in it is indexed or reported.
#[test]
fn tfremedys_own_output_is_not_scanned() {
    let tree = tempfile::tempdir().unwrap();
    let o = tfremedy()
        .args([
            "remediate",
            &support::fixture("discovery-s3-maliciousipcaller-custom.json"),
            "--out",
        ])
        .arg(tree.path().join("tfremedy"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let index = scan(&[tree.path().to_path_buf()]);
    assert!(index.files > 10);
    assert!(index.buckets.is_empty(), "{:?}", index.buckets);
    assert!(index.unresolved.is_empty(), "{:?}", index.unresolved);
    assert!(index.trails.is_empty() && index.log_groups.is_empty());
}
