//! Helpers shared by the integration tests: running the binary, reading a generated tree, and running
//! the offline Terraform validators (tools/tf-validators) on it.

#![allow(dead_code)]

pub mod http_stub;
pub mod judge;
pub mod moto;
pub mod terraform;

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> String {
    root()
        .join("tests/fixtures/findings")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

pub fn tfremedy() -> Command {
    let mut cmd = Command::cargo_bin("tfremedy").expect("binary builds");
    cmd.current_dir(root());
    cmd
}

#[track_caller]
pub fn remediate(inputs: &[String], out: &Path, extra: &[&str]) -> Output {
    let out = tfremedy()
        .arg("remediate")
        .args(inputs)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("runs");
    out
}

#[track_caller]
pub fn remediate_ok(inputs: &[String], out: &Path) {
    let o = remediate(inputs, out, &[]);
    assert!(
        o.status.success(),
        "remediate failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Isolates a command from the developer's own AWS set-up (profiles, keys, region, endpoints,
/// instance metadata) and, with `keys`, gives it fake access keys for a local endpoint.
pub fn aws_env(cmd: &mut Command, keys: Option<(&str, &str)>) {
    for var in [
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("AWS_CONFIG_FILE", "/nonexistent/tfremedy-test-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/tfremedy-test-credentials",
        )
        .env("AWS_EC2_METADATA_DISABLED", "true");
    if let Some((id, secret)) = keys {
        cmd.env("AWS_ACCESS_KEY_ID", id)
            .env("AWS_SECRET_ACCESS_KEY", secret);
    }
}

/// Every file under `dir`, by relative path.
pub fn tree(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    if !dir.exists() {
        return files;
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).expect("prefix");
            let text = std::fs::read_to_string(entry.path()).expect("utf-8 file");
            files.insert(rel.to_string_lossy().replace('\\', "/"), text);
        }
    }
    files
}

/// `$VAR` when set, else `$XDG_CACHE_HOME/NAME` (default `~/.cache/NAME`), as scripts/test.sh does.
pub fn cache_home(var: &str, name: &str) -> PathBuf {
    if let Ok(home) = std::env::var(var) {
        return PathBuf::from(home);
    }
    let cache = std::env::var("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache")
        });
    cache.join(name)
}

pub fn validators_home() -> PathBuf {
    cache_home("TFVAL_HOME", "tf-validators")
}

/// Whether the validators are installed; under CI=true their absence is a failure, never a skip.
pub fn validators_ready() -> bool {
    let home = validators_home();
    let ready = ["bin/tfhcl", "py/bin/python", "checkov/bin/checkov"]
        .iter()
        .all(|p| home.join(p).exists());
    if !ready {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the Terraform validators are not installed in {} and CI=true: run \
             `sh tools/tf-validators/validate-tf.sh --install` (scripts/test.sh does it)",
            home.display()
        );
        eprintln!("SKIP validators: not installed (run scripts/test.sh, which installs them)");
    }
    ready
}

/// The two provider schemas every generated module must validate against.
pub const SCHEMAS: &[(&str, &str, &str)] = &[
    ("6.47.0", "aws-schema-subset.json", "aws-type-names.json"),
    (
        "5.100.0",
        "aws-schema-subset-v5.100.0.json",
        "aws-type-names-v5.100.0.json",
    ),
];

/// Runs all seven checks of validate-tf.sh on `dir` against both schemas; panics with the report.
#[track_caller]
pub fn validate(dir: &Path) {
    validate_skipping(dir, "");
}

/// Validates many directories, two at a time (the machine has two cores and the checks are
/// processes). `skip` names checks left out (`TFVAL_SKIP`), for directories whose skipped checks
/// another call covers; the report names them as skipped.
pub fn validate_all(dirs: &[PathBuf], skip: &'static str) {
    let chunks: Vec<Vec<PathBuf>> = dirs
        .chunks(dirs.len().div_ceil(2).max(1))
        .map(<[PathBuf]>::to_vec)
        .collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                s.spawn(move || {
                    for d in &chunk {
                        validate_skipping(d, skip);
                    }
                })
            })
            .collect();
        for h in handles {
            if let Err(panic) = h.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
}

#[track_caller]
pub fn validate_skipping(dir: &Path, skip: &str) {
    if !validators_ready() {
        return;
    }
    let tools = root().join("tools/tf-validators");
    for (version, schema, names) in SCHEMAS {
        let out = std::process::Command::new("sh")
            .arg(tools.join("validate-tf.sh"))
            .arg(dir)
            .env("TFVAL_SCHEMA", tools.join(schema))
            .env("TFVAL_NAMES", tools.join(names))
            .env("TFVAL_SKIP", skip)
            .env_remove("TFVAL_ALLOW_MISSING")
            .env_remove("CHECKOV_SKIP")
            .output()
            .expect("validate-tf.sh runs");
        let report = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        let skipped_ok = if skip.is_empty() {
            report.contains("skipped: none")
        } else {
            !report.contains("not installed")
        };
        assert!(
            out.status.success() && report.contains("failed: none") && skipped_ok,
            "validate-tf.sh {} (aws {version}) failed:\n{report}",
            dir.display()
        );
    }
}

/// Validates a generated output tree: its root and its child module.
#[track_caller]
pub fn validate_output(out: &Path) {
    validate(out);
    validate(&out.join("modules/bucket-guard"));
}
