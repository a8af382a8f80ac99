//! Real `terraform plan` / `apply` of generated code: the `terraform` CLI with the hashicorp/aws
//! provider from a filesystem mirror, against a moto server as every AWS endpoint.
//!
//! [`Terraform::find`] locates both (`TERRAFORM` and `TFREMEDY_PROVIDER_MIRROR`, the folder above
//! `registry.terraform.io`, or the usual places); when one is missing it prints one
//! `SKIP real-apply tests: ...` line and returns `None`, except under `CI=true`, where it panics.
//! A [`Workspace`] is a temporary root module: a provider pointing every service at moto, the
//! generated directory (copied) called as `module "tfremedy"`, and whatever root HCL a test adds.
//! Provider installation (`terraform init -plugin-dir`, offline) runs once per provider requirement
//! and is shared by every workspace; a workspace only installs its (local) modules.
//!
//! Terraform runs hermetically: its own CLI config (no checkpoint calls, the mirror as the only
//! installation source), no `TF_*` or `AWS_*` variable of the developer's, fake keys, and an HTTP(S)
//! proxy on a closed loopback port, so that a request to anything but loopback fails at once
//! instead of leaving the machine.

use super::moto::{self, Moto};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The provider requirement every workspace's root declares (and the shared init installs).
const VERSIONS_TF: &str = r#"terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}
"#;

/// The provider's endpoint keys sent to moto. EC2 stays out: account-monitor checks the region
/// through `data.aws_region.current.endpoint` (an EC2 host name), which only the default resolves.
pub const ENDPOINTS: &[&str] = &[
    "cloudtrail",
    "cloudwatch",
    "events",
    "iam",
    "kms",
    "logs",
    "s3",
    "s3control",
    "sns",
    "sts",
];

/// The terraform binary and the provider mirror, found once per test binary.
#[derive(Debug)]
pub struct Terraform {
    pub bin: PathBuf,
    /// The folder above `registry.terraform.io` (what `terraform init -plugin-dir` takes).
    pub mirror: PathBuf,
    /// The hashicorp/aws versions the mirror holds for this platform.
    pub aws_versions: Vec<String>,
}

impl Terraform {
    /// Terraform and the mirror, or `None` (after one `SKIP real-apply tests:` line) when either is
    /// missing outside CI. Under `CI=true` a missing piece is a failure, never a skip.
    pub fn find() -> Option<&'static Terraform> {
        static FOUND: OnceLock<Option<Terraform>> = OnceLock::new();
        FOUND
            .get_or_init(|| match Self::locate() {
                Ok(tf) => {
                    eprintln!(
                        "real-apply tests: {} with hashicorp/aws {} from {}",
                        tf.bin.display(),
                        tf.aws_versions.join(", "),
                        tf.mirror.display()
                    );
                    Some(tf)
                }
                Err(why) => {
                    assert!(
                        std::env::var("CI").as_deref() != Ok("true"),
                        "real-apply tests cannot run and CI=true: {why}"
                    );
                    skip(&why);
                    None
                }
            })
            .as_ref()
    }

    fn locate() -> Result<Terraform, String> {
        let bin = match std::env::var_os("TERRAFORM") {
            Some(path) => {
                let path = PathBuf::from(path);
                if !path.is_file() {
                    return Err(format!(
                        "TERRAFORM={} is not a file (unset it to search PATH)",
                        path.display()
                    ));
                }
                path
            }
            None => on_path("terraform").ok_or(
                "no terraform on PATH (install terraform >= 1.5, or set TERRAFORM to the binary)",
            )?,
        };
        let mirror = match std::env::var_os("TFREMEDY_PROVIDER_MIRROR") {
            Some(path) => {
                let path = PathBuf::from(path);
                if aws_versions(&path).is_empty() {
                    return Err(format!(
                        "TFREMEDY_PROVIDER_MIRROR={} holds no registry.terraform.io/hashicorp/aws/<version>/{}/terraform-provider-aws_v* (it must be the folder above registry.terraform.io)",
                        path.display(),
                        platform()
                    ));
                }
                path
            }
            None => mirror_candidates()
                .into_iter()
                .find(|p| !aws_versions(p).is_empty())
                .ok_or_else(|| {
                    format!(
                        "no hashicorp/aws provider mirror found (looked in {}); set TFREMEDY_PROVIDER_MIRROR to the folder above registry.terraform.io",
                        mirror_candidates()
                            .iter()
                            .map(|p| p.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })?,
        };
        let aws_versions = aws_versions(&mirror);
        Ok(Terraform {
            bin,
            mirror,
            aws_versions,
        })
    }

    /// The init every workspace shares: a directory under the cargo target's tmp dir holding the
    /// lock file and `.terraform/providers` of `VERSIONS_TF`, made once (by whichever test binary or
    /// run comes first; made aside and renamed, so concurrent runs never see half of one).
    fn shared_init(&'static self) -> &'static Path {
        static INIT: OnceLock<PathBuf> = OnceLock::new();
        INIT.get_or_init(|| {
            use sha2::{Digest, Sha256};
            let mut key = Sha256::new();
            for part in [
                self.bin.to_string_lossy().as_bytes(),
                self.mirror.to_string_lossy().as_bytes(),
                self.aws_versions.join(",").as_bytes(),
                VERSIONS_TF.as_bytes(),
            ] {
                key.update(part);
                key.update([0]);
            }
            let key: String = key.finalize()[..8]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tfremedy-apply");
            let done = base.join(format!("init-{key}"));
            if done.join(".terraform.lock.hcl").is_file() {
                eprintln!(
                    "terraform init: reusing {} (one init per provider requirement)",
                    done.display()
                );
                return done;
            }
            std::fs::create_dir_all(&base).expect("target tmp dir");
            let fresh = tempfile::tempdir_in(&base).expect("tempdir");
            std::fs::write(fresh.path().join("versions.tf"), VERSIONS_TF).expect("write");
            let cli_config = fresh.path().join("terraformrc");
            std::fs::write(&cli_config, self.cli_config()).expect("write");
            let run = self.run(
                fresh.path(),
                &cli_config,
                &[
                    "init",
                    "-input=false",
                    "-no-color",
                    "-backend=false",
                    &format!("-plugin-dir={}", self.mirror.display()),
                ],
            );
            assert!(
                run.success(),
                "terraform init (shared) failed:\n{}",
                run.output()
            );
            let fresh = fresh.keep();
            if std::fs::rename(&fresh, &done).is_err() {
                // Another run made it first: use theirs.
                let _ = std::fs::remove_dir_all(&fresh);
            }
            assert!(
                done.join(".terraform.lock.hcl").is_file(),
                "shared init {} has no lock file",
                done.display()
            );
            done
        })
    }

    fn cli_config(&self) -> String {
        format!(
            "disable_checkpoint = true\n\nprovider_installation {{\n  filesystem_mirror {{\n    path = {}\n  }}\n}}\n",
            hcl_string(&self.mirror.to_string_lossy())
        )
    }

    /// Runs terraform in `dir` with a hermetic environment; prints the command and its time.
    fn run(&self, dir: &Path, cli_config: &Path, args: &[&str]) -> Run {
        let mut cmd = Command::new(&self.bin);
        cmd.current_dir(dir).args(args);
        for (var, _) in std::env::vars_os() {
            let name = var.to_string_lossy();
            if name.starts_with("TF_")
                || name.starts_with("AWS_")
                || name.eq_ignore_ascii_case("http_proxy")
                || name.eq_ignore_ascii_case("https_proxy")
                || name.eq_ignore_ascii_case("no_proxy")
                || name.eq_ignore_ascii_case("all_proxy")
            {
                cmd.env_remove(&var);
            }
        }
        let dead = format!("http://127.0.0.1:{}", closed_port());
        cmd.env("TF_CLI_CONFIG_FILE", cli_config)
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env("CHECKPOINT_DISABLE", "1")
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_CONFIG_FILE", "/nonexistent/tfremedy-test-config")
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/tfremedy-test-credentials",
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("HTTP_PROXY", &dead)
            .env("HTTPS_PROXY", &dead)
            .env("NO_PROXY", "127.0.0.1,localhost");
        let started = Instant::now();
        let out = cmd.output().expect("terraform runs");
        let run = Run {
            command: format!("terraform {}", args.join(" ")),
            status: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            elapsed: started.elapsed(),
        };
        eprintln!(
            "[{:>5.1}s] {} (exit {})",
            run.elapsed.as_secs_f64(),
            run.command,
            run.status.map_or("signal".into(), |c| c.to_string())
        );
        run
    }
}

/// Prints `SKIP real-apply tests: <why>` once per test binary, straight to stderr: libtest captures
/// only the print macros, so the line shows even when the (passing) tests' output is hidden.
pub fn skip(why: &str) {
    use std::io::Write;
    static SAID: OnceLock<()> = OnceLock::new();
    SAID.get_or_init(|| {
        let _ = writeln!(std::io::stderr(), "SKIP real-apply tests: {why}");
    });
}

fn platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

/// The hashicorp/aws versions under `mirror` for this platform, sorted.
fn aws_versions(mirror: &Path) -> Vec<String> {
    let dir = mirror.join("registry.terraform.io/hashicorp/aws");
    let mut versions: Vec<String> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|version| {
            std::fs::read_dir(version.path().join(platform()))
                .into_iter()
                .flatten()
                .flatten()
                .any(|f| {
                    f.file_name()
                        .to_string_lossy()
                        .starts_with("terraform-provider-aws_v")
                })
        })
        .map(|v| v.file_name().to_string_lossy().into_owned())
        .collect();
    versions.sort();
    versions
}

/// Where provider mirrors usually are: the implied local mirror directories of Terraform's CLI
/// configuration documentation, and /opt/tf-plugins.
fn mirror_candidates() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from("/opt/tf-plugins")];
    if let Some(home) = std::env::var_os("HOME") {
        let home = PathBuf::from(home);
        dirs.push(home.join(".terraform.d/plugins"));
        dirs.push(home.join(".local/share/terraform/plugins"));
    }
    if let Some(data) = std::env::var_os("XDG_DATA_HOME") {
        dirs.push(PathBuf::from(data).join("terraform/plugins"));
    }
    dirs.push(PathBuf::from("/usr/local/share/terraform/plugins"));
    dirs.push(PathBuf::from("/usr/share/terraform/plugins"));
    dirs
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// A loopback port nothing listens on (bound, then released): the proxy that refuses everything.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// `s` as an HCL string literal.
pub fn hcl_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

/// One finished terraform command.
#[derive(Debug, Clone)]
pub struct Run {
    pub command: String,
    /// The exit code (None when killed by a signal).
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    pub fn success(&self) -> bool {
        self.status == Some(0)
    }

    /// stdout then stderr: what a person would have seen.
    pub fn output(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// The output with every run of whitespace made one space (Terraform wraps some messages).
    pub fn squeezed(&self) -> String {
        squeeze(&self.output())
    }

    #[track_caller]
    pub fn assert_ok(&self) -> &Self {
        assert!(
            self.success(),
            "{} failed (exit {:?}):\n{}",
            self.command,
            self.status,
            self.output()
        );
        self
    }

    /// Asserts the command failed and its output holds `message` (whitespace-insensitive).
    #[track_caller]
    pub fn assert_fails_with(&self, message: &str) -> &Self {
        assert!(
            !self.success() && self.status.is_some(),
            "{} was expected to fail with {message:?}, but exited {:?}:\n{}",
            self.command,
            self.status,
            self.output()
        );
        assert!(
            self.squeezed().contains(&squeeze(message)),
            "{} failed, but not with {message:?}:\n{}",
            self.command,
            self.output()
        );
        eprintln!("checked: {} failed with {message:?}", self.command);
        self
    }
}

pub fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A `terraform plan -detailed-exitcode -out=...`, and, when it succeeded, the saved plan as
/// `terraform show -json` prints it.
#[derive(Debug, Clone)]
pub struct PlanResult {
    pub run: Run,
    /// The saved plan file (exists when the plan succeeded).
    pub file: PathBuf,
    /// `terraform show -json` of the saved plan; `Value::Null` when the plan failed or was not shown.
    pub json: Value,
}

impl PlanResult {
    /// Exit 0 or 2: the plan was made.
    pub fn ok(&self) -> bool {
        matches!(self.run.status, Some(0) | Some(2))
    }

    /// Exit 2: the plan has changes (resources or outputs).
    pub fn has_changes(&self) -> bool {
        self.run.status == Some(2)
    }

    /// Exit 0: "No changes".
    pub fn is_noop(&self) -> bool {
        self.run.status == Some(0)
    }

    /// The human-readable plan (or the errors).
    pub fn output(&self) -> String {
        self.run.output()
    }

    #[track_caller]
    pub fn assert_ok(&self) -> &Self {
        assert!(
            self.ok(),
            "{} failed (exit {:?}):\n{}",
            self.run.command,
            self.run.status,
            self.output()
        );
        self
    }

    #[track_caller]
    pub fn assert_fails_with(&self, message: &str) -> &Self {
        self.run.assert_fails_with(message);
        self
    }

    /// `(address, actions)` of every resource change that is not a no-op, in plan order
    /// (actions: "create", "update", "delete", "read"; a replacement has two).
    pub fn changes(&self) -> Vec<(String, Vec<String>)> {
        self.json["resource_changes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|rc| {
                let actions: Vec<String> = rc["change"]["actions"]
                    .as_array()?
                    .iter()
                    .filter_map(|a| a.as_str().map(str::to_string))
                    .collect();
                if actions == ["no-op"] {
                    return None;
                }
                Some((rc["address"].as_str()?.to_string(), actions))
            })
            .collect()
    }

    /// The addresses the plan would act on with `action` ("create", "update", "delete", "read").
    pub fn addresses(&self, action: &str) -> Vec<String> {
        self.changes()
            .into_iter()
            .filter(|(_, actions)| actions.iter().any(|a| a == action))
            .map(|(address, _)| address)
            .collect()
    }

    /// The planned values of the resource at `address` ("after"), Null when it has none.
    pub fn after(&self, address: &str) -> Value {
        self.json["resource_changes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|rc| rc["address"] == address)
            .map(|rc| rc["change"]["after"].clone())
            .unwrap_or(Value::Null)
    }

    /// Addresses with an import in the plan (Terraform 1.5+ import blocks).
    pub fn imports(&self) -> Vec<String> {
        self.json["resource_changes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|rc| rc["change"]["importing"].is_object())
            .filter_map(|rc| rc["address"].as_str().map(str::to_string))
            .collect()
    }
}

/// A temporary root module around one generated directory, wired to one moto server.
///
/// Layout: `<tmp>/terraformrc` (CLI config), `<tmp>/root/` (versions.tf, provider.tf, main.tf
/// calling `./tfremedy`, the test's extra files, the state and saved plans) and
/// `<tmp>/root/tfremedy/` (the copied generated directory, free to edit).
#[derive(Debug)]
pub struct Workspace {
    tf: &'static Terraform,
    dir: tempfile::TempDir,
    pub root: PathBuf,
    pub region: String,
    pub endpoint: String,
    plans: std::cell::Cell<u32>,
}

impl Workspace {
    /// A root module for `generated` (a `<account>/<region>` directory tfremedy wrote) whose
    /// provider sends every service of [`ENDPOINTS`] to `moto` in `region`.
    pub fn new(tf: &'static Terraform, moto: &Moto, region: &str, generated: &Path) -> Workspace {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("root");
        copy_tree(generated, &root.join("tfremedy"));
        std::fs::write(dir.path().join("terraformrc"), tf.cli_config()).expect("write");
        std::fs::write(root.join("versions.tf"), VERSIONS_TF).expect("write");
        std::fs::write(
            root.join("provider.tf"),
            provider_block(&moto.endpoint, region),
        )
        .expect("write");
        std::fs::write(
            root.join("main.tf"),
            "module \"tfremedy\" {\n  source = \"./tfremedy\"\n}\n\n\
             # Everything the generated module outputs, for `terraform output -json`.\n\
             output \"tfremedy\" {\n  value = module.tfremedy\n}\n",
        )
        .expect("write");
        Workspace {
            tf,
            dir,
            root,
            region: region.to_string(),
            endpoint: moto.endpoint.clone(),
            plans: std::cell::Cell::new(0),
        }
    }

    /// The copied generated directory (the module "tfremedy" calls).
    pub fn module_dir(&self) -> PathBuf {
        self.root.join("tfremedy")
    }

    /// Adds (or replaces) a root module file, e.g. the import blocks of root/tfremedy_imports.tf.
    pub fn add_root_file(&self, name: &str, hcl: &str) -> &Self {
        std::fs::write(self.root.join(name), hcl).expect("write root file");
        self
    }

    /// Sets `key = value` on every line of the copied tfremedy_data.tf that assigns `key` (every
    /// bucket or principal entry that has it), keeping the indentation; `value` is HCL (`"none"`
    /// with its quotes, `true`, `null`). Panics when no line assigns `key`. Returns how many did.
    #[track_caller]
    pub fn set_data(&self, key: &str, value: &str) -> usize {
        let path = self.module_dir().join("tfremedy_data.tf");
        let text = std::fs::read_to_string(&path).expect("tfremedy_data.tf");
        let mut count = 0;
        let lines: Vec<String> = text
            .lines()
            .map(|line| {
                let trimmed = line.trim_start();
                let assigns = trimmed
                    .strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with('='));
                if assigns && !trimmed.starts_with('#') {
                    count += 1;
                    let indent = &line[..line.len() - trimmed.len()];
                    format!("{indent}{key} = {value}")
                } else {
                    line.to_string()
                }
            })
            .collect();
        assert!(count > 0, "no `{key} =` line in {}", path.display());
        std::fs::write(&path, lines.join("\n") + "\n").expect("write tfremedy_data.tf");
        eprintln!("tfremedy_data.tf: {key} = {value} ({count} line(s))");
        count
    }

    /// Runs any terraform command in the root (hermetic environment, timed).
    pub fn terraform(&self, args: &[&str]) -> Run {
        self.tf
            .run(&self.root, &self.dir.path().join("terraformrc"), args)
    }

    /// Links the shared provider install (one `terraform init -plugin-dir` per provider
    /// requirement, see [`Terraform::shared_init`]) and installs this root's modules (`terraform
    /// get`: local paths only, no provider work). Panics on failure.
    pub fn init(&self) -> &Self {
        let shared = self.tf.shared_init();
        std::fs::copy(
            shared.join(".terraform.lock.hcl"),
            self.root.join(".terraform.lock.hcl"),
        )
        .expect("copy lock file");
        let data = self.root.join(".terraform");
        std::fs::create_dir_all(&data).expect(".terraform");
        let providers = data.join("providers");
        if !providers.exists() {
            symlink_dir(&shared.join(".terraform/providers"), &providers);
        }
        self.terraform(&["get", "-no-color"]).assert_ok();
        self
    }

    /// `terraform plan -detailed-exitcode -out=...` with `extra` arguments (`-target=...`), then
    /// `terraform show -json` of the saved plan when it succeeded.
    pub fn plan(&self, extra: &[&str]) -> PlanResult {
        self.plan_showing(extra, true)
    }

    fn plan_showing(&self, extra: &[&str], show: bool) -> PlanResult {
        let n = self.plans.get() + 1;
        self.plans.set(n);
        let file = self.root.join(format!("plan-{n}.tfplan"));
        let out = format!("-out={}", file.display());
        let mut args = vec![
            "plan",
            "-input=false",
            "-no-color",
            "-detailed-exitcode",
            &out,
        ];
        args.extend_from_slice(extra);
        let run = self.terraform(&args);
        let mut plan = PlanResult {
            run,
            file,
            json: Value::Null,
        };
        if show && plan.ok() {
            let shown =
                self.terraform(&["show", "-json", "-no-color", &plan.file.to_string_lossy()]);
            shown.assert_ok();
            plan.json = serde_json::from_str(&shown.stdout).expect("terraform show -json is JSON");
            for (address, actions) in plan.changes() {
                eprintln!("  plan: {} {address}", actions.join("+"));
            }
        }
        plan
    }

    /// `terraform apply` of the saved plan.
    pub fn apply(&self, plan: &PlanResult) -> Run {
        plan.assert_ok();
        self.terraform(&[
            "apply",
            "-input=false",
            "-no-color",
            "-auto-approve",
            &plan.file.to_string_lossy(),
        ])
    }

    /// Whether a fresh plan (refreshing from moto, with the same `extra` arguments) has no changes;
    /// prints the plan when it has. Panics when the plan fails.
    pub fn replan_is_noop(&self, extra: &[&str]) -> bool {
        let plan = self.plan_showing(extra, false);
        plan.assert_ok();
        if !plan.is_noop() {
            eprintln!("re-plan is not a no-op:\n{}", plan.output());
        } else {
            eprintln!("checked: re-plan after apply is a no-op (exit 0, \"No changes\")");
        }
        plan.is_noop()
    }

    /// `terraform output -json`, parsed: the root's outputs (`tfremedy` is the whole module's).
    pub fn outputs(&self) -> Value {
        let run = self.terraform(&["output", "-json", "-no-color"]);
        run.assert_ok();
        serde_json::from_str(&run.stdout).expect("terraform output -json is JSON")
    }
}

fn provider_block(endpoint: &str, region: &str) -> String {
    let endpoint = hcl_string(endpoint);
    let endpoints: String = ENDPOINTS
        .iter()
        .map(|e| format!("    {e:<10} = {endpoint}\n"))
        .collect();
    format!(
        r#"# Every service at moto ({endpoint}); fake keys; nothing read from the machine.
provider "aws" {{
  region                      = {region}
  access_key                  = "test"
  secret_key                  = "test"
  s3_use_path_style           = true
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  # moto answers an unimplemented call with a 500, which the SDK retries with back-off (25 times by
  # default, minutes): fail after one retry instead.
  max_retries = 1

  endpoints {{
{endpoints}  }}
}}
"#,
        region = hcl_string(region),
    )
}

/// Copies a directory tree (files and directories; symlinks as what they point to).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let rel = entry.path().strip_prefix(from).expect("prefix");
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

#[cfg(unix)]
fn symlink_dir(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("symlink");
}

#[cfg(not(unix))]
fn symlink_dir(target: &Path, link: &Path) {
    copy_tree(target, link);
}

/// The one `<account>/<region>` group tfremedy wrote under `out`: (account, region, directory).
#[track_caller]
pub fn generated_group(out: &Path) -> (String, String, PathBuf) {
    let mut groups = Vec::new();
    for account in std::fs::read_dir(out).expect("out dir").flatten() {
        if !account.path().is_dir() {
            continue;
        }
        for region in std::fs::read_dir(account.path())
            .expect("account dir")
            .flatten()
        {
            if region.path().join("main.tf").is_file() {
                groups.push((
                    account.file_name().to_string_lossy().into_owned(),
                    region.file_name().to_string_lossy().into_owned(),
                    region.path(),
                ));
            }
        }
    }
    assert_eq!(
        groups.len(),
        1,
        "expected one account/region group in {}",
        out.display()
    );
    groups.remove(0)
}

/// Runs tests/apply/moto_aws.py with moto's Python (boto3) against `moto` in `region`; its stdout
/// parsed as JSON. Panics with its stderr when it fails.
#[track_caller]
pub fn moto_aws(moto: &Moto, region: &str, args: &[&str]) -> Value {
    let script = super::root().join("tests/apply/moto_aws.py");
    let out = Command::new(moto::home().join("bin/python"))
        .arg(&script)
        .arg(&moto.endpoint)
        .arg(region)
        .args(args)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "moto_aws.py {} failed: {}",
        args.first().copied().unwrap_or(""),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("moto_aws.py prints JSON")
}

/// Creates what `spec` names in moto (see moto_aws.py: buckets, policies, log_groups, users,
/// access_keys); returns what moto made (`{"access_keys": {"user": "AKIA..."}}`).
#[track_caller]
pub fn moto_setup(moto: &Moto, region: &str, spec: &Value) -> Value {
    eprintln!("moto setup: {spec}");
    moto_aws(moto, region, &["setup", &spec.to_string()])
}

/// What moto holds now (see moto_aws.py `state`).
#[track_caller]
pub fn moto_state(moto: &Moto, region: &str) -> Value {
    moto_aws(moto, region, &["state"])
}

/// Terraform and a moto server acting as `account`, or `None` (a skip, announced once).
pub fn setup(account: &str) -> Option<(&'static Terraform, Moto)> {
    let tf = Terraform::find()?;
    if !moto::home().join("bin/moto_server").exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "real-apply tests need moto in {} and CI=true: scripts/test.sh installs it",
            moto::home().display()
        );
        skip(&format!(
            "moto not installed in {} (run scripts/test.sh)",
            moto::home().display()
        ));
        return None;
    }
    let moto = Moto::start_for_account(account)?;
    eprintln!("moto for account {account} at {}", moto.endpoint);
    Some((tf, moto))
}

/// Runs `tfremedy remediate` on `inputs` into a fresh temp dir; the dir and its one group.
pub fn generate(inputs: &[String], extra: &[&str]) -> (tempfile::TempDir, String, String, PathBuf) {
    let out = tempfile::tempdir().expect("tempdir");
    let o = super::remediate(inputs, out.path(), extra);
    assert!(
        o.status.success(),
        "remediate failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let (account, region, dir) = generated_group(out.path());
    (out, account, region, dir)
}
