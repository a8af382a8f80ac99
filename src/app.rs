//! The commands, end to end: read -> plan -> render -> write. Errors get their context here.
//!
//! A bad input does not stop the others from being read and reported; but when any input is bad, nothing
//! is written, so the output directory never reflects half of what the user asked for.

use crate::cli::{
    AwsArgs, Cli, Command, ExplainArgs, FetchArgs, Format, GuardDutyArgs, HardenArgs,
    RemediateArgs, ScanArgs,
};
use crate::error::{Error, InputError};
use crate::inventory::LiveTarget;
use crate::model::Finding;
use crate::plan::{self, Batch, PlanError, PlanOptions};
use crate::render::Renderer;
use crate::{finding_types, fixes, read, write};
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::io::Read;

/// How a successful run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok = 0,
    Drift = 1,
    /// Some inputs were bad; the rest was reported.
    InputErrors = 2,
}

pub fn run(cli: Cli, stdin: &mut dyn Read) -> Result<Outcome> {
    match cli.command {
        Command::Remediate(args) => remediate(args, stdin),
        Command::Explain(args) => explain(args, stdin),
        Command::Harden(args) => harden(args, stdin),
        Command::Fetch(args) => fetch(args),
        Command::Scan(args) => scan(args),
        Command::ListTypes => {
            print!("{}", list_types());
            Ok(Outcome::Ok)
        }
        Command::ListFixes => {
            print!("{}", list_fixes());
            Ok(Outcome::Ok)
        }
    }
}

/// The registry of finding types as a Markdown table (also in the README, checked by a test).
pub fn list_types() -> String {
    let mut out = String::from("| finding type | fixes |\n|---|---|\n");
    for t in finding_types::FINDING_TYPES {
        let ids: Vec<&str> = t.fixes.iter().map(|f| f.as_str()).collect();
        out.push_str(&format!("| `{}` | {} |\n", t.name, ids.join(", ")));
    }
    out
}

/// The registry of fixes as a Markdown table.
pub fn list_fixes() -> String {
    let mut out = String::from(
        "| fix | scope | what it does | switch in tfremedy_data.tf | default |\n|---|---|---|---|---|\n",
    );
    for f in fixes::FIXES {
        let scope = match f.scope {
            fixes::Scope::Bucket => "bucket",
            fixes::Scope::Account => "account",
            fixes::Scope::Principal => "principal",
        };
        let default = if f.default_on { "on" } else { "off" };
        out.push_str(&format!(
            "| `{}` | {scope} | {} | `{}` | {default} |\n",
            f.name, f.title, f.switch
        ));
    }
    out
}

fn parse_selection(only: &[String], skip: &[String]) -> Result<plan::Selection> {
    let parse =
        |flag: &str, names: &[String]| -> Result<std::collections::BTreeSet<fixes::FixId>> {
            names
                .iter()
                .map(|n| {
                    fixes::FixId::parse(n.trim()).with_context(|| {
                        let all: Vec<&str> = fixes::FIXES.iter().map(|f| f.name).collect();
                        format!("{flag} {n:?}: expected one of {}", all.join(", "))
                    })
                })
                .collect()
        };
    Ok(plan::Selection {
        only: if only.is_empty() {
            None
        } else {
            Some(parse("--only", only)?)
        },
        skip: parse("--skip", skip)?,
    })
}

/// `--from-guardduty`: the findings GuardDuty holds, read through the same reader as files (each
/// GetFindings answer is one document), so they yield the same model.
fn read_guardduty(
    gd: &GuardDutyArgs,
    aws: &AwsArgs,
    include_archived: bool,
) -> Result<(Vec<Finding>, Vec<String>, Vec<InputError>)> {
    let mut outcome = read::ReadOutcome::default();
    fetch_batches(gd, aws, include_archived, &mut |source, body| {
        read::read_value(body, source, &mut |item| outcome.add(item));
        Ok(())
    })?;
    let warnings = plan::warning_lines(&outcome.warnings);
    Ok((outcome.findings, warnings, outcome.errors))
}

/// Runs a GuardDuty fetch, handing each GetFindings answer (`{"findings": [...]}`) to `sink`, and
/// reports what was read on stderr.
#[cfg(feature = "aws")]
fn fetch_batches(
    gd: &GuardDutyArgs,
    aws: &AwsArgs,
    include_archived: bool,
    sink: &mut dyn FnMut(&str, &serde_json::Value) -> Result<()>,
) -> Result<()> {
    use crate::aws::guardduty;
    for r in &gd.regions {
        crate::validate::region(r).map_err(|e| anyhow::anyhow!("--region: {e}"))?;
    }
    let id = |flag: &str, v: &str| -> Result<String> {
        let ok = (1..=300).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric());
        anyhow::ensure!(
            ok,
            "{flag} {v:?}: expected letters and digits (a GuardDuty id)"
        );
        Ok(v.to_string())
    };
    let type_ok = |t: &String| {
        (1..=128).contains(&t.len())
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"*:/._-!".contains(&b))
    };
    if let Some(bad) = gd.types.iter().find(|t| !type_ok(t)) {
        anyhow::bail!("--type {bad:?}: expected a finding type such as Discovery:S3/MaliciousIPCaller.Custom, * for any run of characters");
    }
    for a in &gd.accounts {
        crate::validate::account_id(a).map_err(|e| anyhow::anyhow!("--account: {e}"))?;
    }
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default();
    let options = guardduty::FetchOptions {
        aws: aws_options(aws, None)?,
        regions: gd.regions.clone(),
        all_regions: gd.all_regions,
        detector_id: gd
            .detector_id
            .as_deref()
            .map(|d| id("--detector-id", d))
            .transpose()?,
        finding_ids: gd
            .finding_ids
            .iter()
            .map(|f| id("--finding-id", f))
            .collect::<Result<_>>()?,
        types: gd.types.clone(),
        min_severity: gd
            .min_severity
            .as_deref()
            .map(guardduty::parse_min_severity)
            .transpose()
            .map_err(|e| anyhow::anyhow!("--min-severity: {e}"))?,
        updated_since_ms: gd
            .since
            .as_deref()
            .map(|s| guardduty::parse_since(s, now_ms))
            .transpose()
            .map_err(|e| anyhow::anyhow!("--since: {e}"))?,
        accounts: gd.accounts.clone(),
        include_archived,
    };
    let mut failure = None;
    let report = guardduty::fetch(&options, &mut |batch| {
        sink(&batch.source, &batch.body).map_err(|e| {
            let message = format!("{e:#}");
            failure = Some(e);
            crate::aws::AwsError(message)
        })
    });
    if let Some(e) = failure {
        return Err(e);
    }
    let report = report?;
    for (region, why) in &report.skipped {
        eprintln!("note: {region} skipped: {why}");
    }
    let regions: Vec<String> = report
        .regions
        .iter()
        .map(|(r, d)| format!("{r} (detector {d})"))
        .collect();
    eprintln!(
        "guardduty: {} finding(s) listed, {} fetched from {}",
        report.listed,
        report.fetched,
        regions.join(", ")
    );
    Ok(())
}

#[cfg(not(feature = "aws"))]
fn fetch_batches(
    _: &GuardDutyArgs,
    _: &AwsArgs,
    _: bool,
    _: &mut dyn FnMut(&str, &serde_json::Value) -> Result<()>,
) -> Result<()> {
    anyhow::bail!(
        "this tfremedy was built without AWS support (cargo feature `aws`): export the findings to a file instead"
    )
}

/// `tfremedy fetch`: the findings as JSON Lines (GuardDuty's camelCase form, one finding a line) on
/// stdout, or atomically into --out-file.
fn fetch(args: FetchArgs) -> Result<Outcome> {
    let mut lines = String::new();
    let mut out = std::io::stdout().lock();
    let to_file = args.out_file.is_some();
    fetch_batches(
        &args.guardduty,
        &args.aws,
        args.include_archived,
        &mut |_, body| {
            for f in body["findings"].as_array().into_iter().flatten() {
                let line = serde_json::to_string(f)?;
                if to_file {
                    lines.push_str(&line);
                    lines.push('\n');
                } else {
                    use std::io::Write;
                    writeln!(out, "{line}").context("writing to stdout")?;
                }
            }
            Ok(())
        },
    )?;
    if let Some(path) = &args.out_file {
        write::write_file(path, &lines)?;
    }
    Ok(Outcome::Ok)
}

/// The edits of the team's code (`--terraform-dir`) as new file contents and per-group diffs.
#[derive(Debug, Default)]
struct CodeEdits {
    /// File path (as scanned) -> its content now.
    original: BTreeMap<String, String>,
    /// File path (as scanned) -> its content with every edit applied, for `--patch`.
    patched: BTreeMap<String, String>,
    /// Group directory -> unified diff of what is still to change.
    diffs: BTreeMap<String, String>,
}

impl CodeEdits {
    /// Says of each change whether the code already has it, judged on the files as they will be
    /// (patched with `--patch`), and moves its line to where the block will be; so a run with
    /// `--patch` and the run after it describe the same code the same way.
    fn describe(&self, batch: &mut Batch, patch: bool) {
        for group in &mut batch.groups {
            for b in group.buckets.values_mut() {
                for c in &mut b.code_changes {
                    let Some((file, edits)) = &c.patch else {
                        continue;
                    };
                    let (Some(before), Some(after)) =
                        (self.original.get(file), self.patched.get(file))
                    else {
                        continue;
                    };
                    let text = if patch { after } else { before };
                    c.done = crate::patch::apply(text, edits).is_ok_and(|t| &t == text);
                    if patch && c.file == *file {
                        c.line = crate::patch::new_line(before, after, c.line);
                    }
                }
            }
        }
    }

    /// `<group>/code-changes.diff` for every group with something left to change.
    fn diff_files(&self) -> Vec<crate::render::OutputFile> {
        self.diffs
            .iter()
            .map(|(dir, diff)| crate::render::OutputFile {
                path: format!("{dir}/{}", CODE_DIFF),
                content: crate::header::stamp_diff(diff),
                is_data: false,
            })
            .collect()
    }
}

/// The diff of the edits `--patch` would make, beside each generated module.
const CODE_DIFF: &str = "code-changes.diff";

/// Applies each group's code changes to the files they name (as read now). A file whose edits
/// cannot be placed is reported and left alone: the PR text says what to change by hand.
fn code_edits(batch: &Batch) -> CodeEdits {
    let mut out = CodeEdits::default();
    for group in &batch.groups {
        let mut by_file: BTreeMap<&str, Vec<crate::patch::Set>> = BTreeMap::new();
        for b in group.buckets.values() {
            for c in &b.code_changes {
                if let Some((file, edits)) = &c.patch {
                    by_file
                        .entry(file)
                        .or_default()
                        .extend(edits.iter().cloned());
                }
            }
        }
        let mut diff = String::new();
        for (file, edits) in by_file {
            let before = match out.patched.get(file) {
                Some(text) => text.clone(),
                None => {
                    match std::fs::read_to_string(file) {
                        Ok(text) => text,
                        Err(e) => {
                            eprintln!("warning: --terraform-dir: {file}: cannot read ({e}); edit it by hand");
                            continue;
                        }
                    }
                }
            };
            match crate::patch::apply(&before, &edits) {
                Ok(after) => {
                    diff.push_str(&crate::patch::diff(file, &before, &after));
                    out.original.entry(file.to_string()).or_insert(before);
                    out.patched.insert(file.to_string(), after);
                }
                Err(why) => eprintln!(
                    "warning: --terraform-dir: {file}: {why}; the PR text says what to change"
                ),
            }
        }
        if !diff.is_empty() {
            out.diffs.insert(group.dir.clone(), diff);
        }
    }
    out
}

/// `--terraform-dir`: the scanned index (its problems reported as warnings), for the planner.
fn terraform_index(
    dirs: &[std::path::PathBuf],
    module_name: &str,
) -> Result<Option<(crate::scan::Index, String)>> {
    if dirs.is_empty() {
        return Ok(None);
    }
    let index = scan_dirs(dirs)?;
    for n in index.unparsed.iter().chain(&index.unresolved) {
        let at = n.line.map(|l| format!(":{l}")).unwrap_or_default();
        eprintln!("warning: --terraform-dir: {}{at}: {}", n.file, n.message);
    }
    Ok(Some((index, module_name.to_string())))
}

/// Renders the batch with the edits of the team's code: the diff files beside the modules, or,
/// with `--patch`, the patched files to write once the output is written.
/// Also returns the files an earlier run may have written that this one does not: the
/// `code-changes.diff` of a group with nothing left to change (or made by `--patch`).
fn render_with_edits(
    batch: &mut Batch,
    module_name: &str,
    patch: bool,
) -> Result<(Vec<crate::render::OutputFile>, CodeEdits, Vec<String>)> {
    let edits = code_edits(batch);
    edits.describe(batch, patch);
    let mut files = Renderer::new(module_name)?.render_batch(batch)?;
    if !patch {
        files.extend(edits.diff_files());
    }
    let retired = batch
        .groups
        .iter()
        .map(|g| format!("{}/{CODE_DIFF}", g.dir))
        .filter(|p| !files.iter().any(|f| f.path == *p))
        .collect();
    Ok((files, edits, retired))
}

/// `--patch`: writes the team's patched files (after the output directory was written).
fn write_patched(edits: &CodeEdits) -> Result<()> {
    for (path, text) in &edits.patched {
        if edits.original.get(path) != Some(text) {
            write::write_file(std::path::Path::new(path), text)?;
            eprintln!("patched {path}");
        }
    }
    Ok(())
}

/// `tfremedy scan`: what the trees manage. Unparseable files and unresolved names are reported in
/// the output, not errors; a directory that does not exist is.
fn scan(args: ScanArgs) -> Result<Outcome> {
    let index = scan_dirs(&args.dirs)?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&index)?),
        Format::Text => print!("{}", crate::scan::render_text(&index)),
    }
    Ok(Outcome::Ok)
}

/// Scans `--terraform-dir`s (or `scan`'s directories), refusing what is not a directory.
fn scan_dirs(dirs: &[std::path::PathBuf]) -> Result<crate::scan::Index> {
    for d in dirs {
        anyhow::ensure!(d.is_dir(), "{}: not a directory", d.display());
    }
    Ok(crate::scan::scan(dirs))
}

/// Refuses GuardDuty options without `--from-guardduty`: silently ignoring them would remediate
/// something else than what was asked.
fn check_guardduty_flags(from_guardduty: bool, gd: &GuardDutyArgs) -> Result<()> {
    anyhow::ensure!(
        from_guardduty || !gd.any(),
        "--region, --all-regions, --detector-id, --finding-id, --type, --min-severity, --since and --account select GuardDuty findings: add --from-guardduty"
    );
    Ok(())
}

/// `--from-aws`: reads the targets' state with read-only S3 calls. Per-bucket failures come back as
/// input errors (the bucket is left out, its state unknown); a failure every call would share (no
/// credentials, no network) stops the run.
#[cfg(feature = "aws")]
fn read_live(
    targets: &[LiveTarget],
    aws: &crate::cli::AwsArgs,
    region: Option<&str>,
) -> Result<(Vec<crate::inventory::BucketState>, Vec<InputError>)> {
    let options = aws_options(aws, region)?;
    Ok(crate::aws::s3::read_buckets(targets, &options)?)
}

#[cfg(not(feature = "aws"))]
fn read_live(
    _: &[LiveTarget],
    _: &crate::cli::AwsArgs,
    _: Option<&str>,
) -> Result<(Vec<crate::inventory::BucketState>, Vec<InputError>)> {
    anyhow::bail!(NO_AWS)
}

#[cfg(not(feature = "aws"))]
const NO_AWS: &str =
    "--from-aws: this tfremedy was built without AWS support (cargo feature `aws`); read an inventory file instead";

#[cfg(feature = "aws")]
fn aws_options(aws: &crate::cli::AwsArgs, region: Option<&str>) -> Result<crate::aws::AwsOptions> {
    if let Some(url) = &aws.endpoint_url {
        crate::aws::check_endpoint_url(url).map_err(|e| anyhow::anyhow!("--endpoint-url: {e}"))?;
    }
    if let Some(p) = &aws.profile {
        anyhow::ensure!(
            !p.is_empty() && p.chars().all(|c| c.is_ascii_graphic()),
            "--profile {p:?}: expected a profile name"
        );
    }
    Ok(crate::aws::AwsOptions {
        profile: aws.profile.clone(),
        region: region.map(str::to_string),
        endpoint_url: aws.endpoint_url.clone(),
    })
}

/// The account whose buckets `harden --from-aws` reads: `--account`, else the caller's.
#[cfg(feature = "aws")]
fn live_account(
    account: Option<&str>,
    aws: &crate::cli::AwsArgs,
    region: Option<&str>,
) -> Result<String> {
    match account {
        Some(a) => Ok(a.to_string()),
        None => Ok(crate::aws::caller_account(&aws_options(aws, region)?)?),
    }
}

#[cfg(not(feature = "aws"))]
fn live_account(_: Option<&str>, _: &crate::cli::AwsArgs, _: Option<&str>) -> Result<String> {
    anyhow::bail!(NO_AWS)
}

/// `--bucket` names, checked before anything is read.
fn bucket_args(names: &[String]) -> Result<Vec<String>> {
    names
        .iter()
        .map(|n| {
            crate::validate::bucket_name(n)
                .map(|_| n.clone())
                .map_err(|e| anyhow::anyhow!("--bucket {n:?}: {e}"))
        })
        .collect()
}

/// `--module-name` goes into import addresses, outside quotes: only an identifier will do.
fn check_module_name(name: &str) -> Result<()> {
    if !is_identifier(name) {
        anyhow::bail!(
            "--module-name {name:?}: expected a Terraform identifier (letters, digits, '_' and '-', not starting with a digit)"
        );
    }
    Ok(())
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn parse_bucket_policies(specs: &[String]) -> Result<BTreeMap<String, serde_json::Value>> {
    let mut map = BTreeMap::new();
    for spec in specs {
        let (bucket, file) = spec
            .split_once('=')
            .with_context(|| format!("--bucket-policy {spec:?}: expected BUCKET=FILE"))?;
        crate::validate::bucket_name(bucket)
            .map_err(|e| anyhow::anyhow!("--bucket-policy {spec:?}: bucket name: {e}"))?;
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("--bucket-policy {bucket}: reading {file}"))?;
        let policy = crate::policy::parse_policy(&text)
            .map_err(|e| anyhow::anyhow!("--bucket-policy {bucket}: {file}: {e}"))?;
        if map.insert(bucket.to_string(), policy).is_some() {
            anyhow::bail!("--bucket-policy names bucket {bucket:?} twice");
        }
    }
    Ok(map)
}

/// Reads every input. Returns the good findings, the reader's warnings and the bad inputs.
fn read_all(
    inputs: &[String],
    stdin: &mut dyn Read,
) -> (Vec<Finding>, Vec<String>, Vec<InputError>) {
    let outcome = read::read_inputs(inputs, stdin);
    let warnings = plan::warning_lines(&outcome.warnings);
    (outcome.findings, warnings, outcome.errors)
}

fn report_errors(errors: &[InputError]) {
    for e in errors {
        eprintln!("error: {e}");
    }
}

/// The data files of the account/region directories these findings go to, as earlier runs left them.
fn previous_data(
    out: &std::path::Path,
    findings: &[Finding],
) -> Result<BTreeMap<String, crate::datafile::DataFile>> {
    let dirs: std::collections::BTreeSet<String> = findings
        .iter()
        .map(|f| plan::group_dir(&f.account_id, &f.region))
        .collect();
    let mut map = BTreeMap::new();
    for dir in dirs {
        if let Some(data) = write::read_previous(&out.join(&dir))
            .with_context(|| format!("reading the previous run's data file in {dir}"))?
        {
            map.insert(dir, data);
        }
    }
    Ok(map)
}

/// Plans, reporting skipped findings on stderr; a conflict is an error (exit 2, nothing written).
fn plan_and_report(
    findings: Vec<Finding>,
    warnings: Vec<String>,
    previous: &BTreeMap<String, crate::datafile::DataFile>,
    options: &PlanOptions,
) -> Result<Batch> {
    let batch = match plan::plan_batch(findings, previous, options) {
        Ok(batch) => batch,
        Err(PlanError::Conflict(msg)) => return Err(Error::Plan(msg).into()),
    };
    for s in &batch.skipped {
        let why = match s.reason {
            "unsupported" => "finding type not supported (see `tfremedy list-types`)",
            "archived" => "archived (--include-archived plans it)",
            "sample" => "GuardDuty sample finding (--skip-samples)",
            _ => "names no bucket",
        };
        let o = &s.origin;
        let line = o.line.map(|l| format!(":{l}")).unwrap_or_default();
        eprintln!(
            "skipped: {}{line}: {}.type: {} {}: {why}",
            o.file, o.path, s.finding_type, s.id
        );
    }
    // The reader's warnings are about inputs, not about one account's change: they go to stderr; the
    // planner words the ones a PR needs (legacy bucket names, samples) per group.
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    Ok(batch)
}

/// The one line a run ends with: what was read, left out, merged and written.
fn summary(batch: &Batch, errors: usize, written: Option<&write::Report>) -> String {
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &batch.skipped {
        *reasons.entry(s.reason).or_default() += 1;
    }
    let skipped: Vec<String> = reasons.iter().map(|(r, n)| format!("{n} {r}")).collect();
    let planned: usize = batch.groups.iter().map(|g| g.findings.len()).sum();
    let samples: usize = batch
        .groups
        .iter()
        .flat_map(|g| &g.findings)
        .filter(|f| f.sample)
        .count();
    let buckets: usize = batch.groups.iter().map(|g| g.data.buckets.len()).sum();
    let cidrs: usize = batch
        .groups
        .iter()
        .flat_map(|g| g.data.buckets.values())
        .map(|b| b.deny.len())
        .sum();
    let mut line = format!(
        "tfremedy: {} finding(s) read, {} duplicate(s), skipped: {}; {planned} planned ({samples} of them \
         GuardDuty samples) in {} account/region group(s); {buckets} bucket(s), {cidrs} denied CIDR(s)",
        batch.read,
        batch.duplicates,
        if skipped.is_empty() { "none".to_string() } else { skipped.join(", ") },
        batch.groups.len(),
    );
    if let Some(r) = written {
        line.push_str(&format!(
            "; {} file(s) written, {} unchanged",
            r.changed.len(),
            r.unchanged.len()
        ));
    }
    if errors > 0 {
        line.push_str(&format!("; {errors} input error(s)"));
    }
    line
}

fn remediate(args: RemediateArgs, stdin: &mut dyn Read) -> Result<Outcome> {
    let mut options = PlanOptions {
        bucket_policies: parse_bucket_policies(&args.bucket_policies)?,
        selection: parse_selection(&args.only, &args.skip)?,
        existing_log_group: args
            .existing_log_group
            .as_deref()
            .map(|g| {
                crate::validate::log_group_name(g)
                    .map(|()| g.to_string())
                    .map_err(|e| anyhow::anyhow!("--existing-log-group: {e}"))
            })
            .transpose()?,
        include_archived: args.include_archived,
        skip_samples: args.skip_samples,
        inventory: BTreeMap::new(),
        org_rcp: args.org_rcp,
        terraform: None,
    };
    check_module_name(&args.module_name)?;
    check_guardduty_flags(args.from_guardduty, &args.guardduty)?;
    let extra_buckets = bucket_args(&args.buckets)?;
    options.terraform = terraform_index(&args.terraform_dirs, &args.module_name)?;
    let (mut findings, mut warnings, mut errors) = read_all(&args.inputs, stdin);
    if args.from_guardduty {
        let (f, w, e) = read_guardduty(&args.guardduty, &args.aws, args.include_archived)?;
        findings.extend(f);
        warnings.extend(w);
        errors.extend(e);
    }
    if !args.inventory.is_empty() {
        let (states, inventory_errors) = crate::inventory::read_inventory(&args.inventory, stdin);
        errors.extend(inventory_errors);
        options.inventory = states.into_iter().map(|s| (s.name.clone(), s)).collect();
    }
    if args.from_aws {
        // Each finding's bucket is expected to belong to the finding's account.
        let mut targets: std::collections::BTreeSet<LiveTarget> = findings
            .iter()
            .flat_map(|f| {
                f.buckets.iter().map(|b| LiveTarget {
                    bucket: b.name.clone(),
                    account_id: Some(f.account_id.clone()),
                })
            })
            .collect();
        for bucket in extra_buckets {
            if !targets.iter().any(|t| t.bucket == bucket) {
                targets.insert(LiveTarget {
                    bucket,
                    account_id: None,
                });
            }
        }
        let targets: Vec<LiveTarget> = targets.into_iter().collect();
        let (states, live_errors) = read_live(&targets, &args.aws, None)?;
        errors.extend(live_errors);
        for state in states {
            options.inventory.insert(state.name.clone(), state);
        }
    }
    report_errors(&errors);
    // A bad input does not stop the batch: the good findings are remediated, and the run exits 2.
    let failed = if errors.is_empty() {
        Outcome::Ok
    } else {
        Outcome::InputErrors
    };
    let previous = previous_data(&args.out, &findings)?;
    let mut batch = plan_and_report(findings, warnings, &previous, &options)?;
    if batch.groups.is_empty() {
        eprintln!("{}", summary(&batch, errors.len(), None));
        eprintln!(
            "no finding to remediate; nothing was written to {}",
            args.out.display()
        );
        // Unsupported findings beside supported ones are not fatal; a run with nothing it can act
        // on is an error.
        let unsupported = batch.skipped.iter().any(|s| s.reason == "unsupported");
        return Ok(if unsupported {
            Outcome::InputErrors
        } else {
            failed
        });
    }
    let (files, edits, retired) = render_with_edits(&mut batch, &args.module_name, args.patch)?;
    if args.check {
        let report = write::check(&args.out, &files, &retired)?;
        eprintln!("{}", summary(&batch, errors.len(), None));
        if report.changed.is_empty() && report.removed.is_empty() {
            eprintln!("{}: up to date", args.out.display());
            return Ok(failed);
        }
        for f in &report.changed {
            eprintln!("would change: {}", args.out.join(f).display());
        }
        for f in &report.removed {
            eprintln!("would remove: {}", args.out.join(f).display());
        }
        return Ok(if errors.is_empty() {
            Outcome::Drift
        } else {
            failed
        });
    }
    let report = write::write(&args.out, &files, &retired, args.force)?;
    if args.patch {
        write_patched(&edits)?;
    }
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&batch)?),
        Format::Text => {
            for g in &batch.groups {
                for w in &g.warnings {
                    eprintln!("warning: {}: {w}", g.dir);
                }
            }
            for f in &report.changed {
                println!("wrote {}", args.out.join(f).display());
            }
            for f in &report.removed {
                println!(
                    "removed {} (nothing left to change)",
                    args.out.join(f).display()
                );
            }
            println!(
                "open a PR with {} as its description",
                args.out.join("PULL_REQUEST.md").display()
            );
        }
    }
    eprintln!("{}", summary(&batch, errors.len(), Some(&report)));
    Ok(failed)
}

fn explain(args: ExplainArgs, stdin: &mut dyn Read) -> Result<Outcome> {
    check_guardduty_flags(args.from_guardduty, &args.guardduty)?;
    let (mut findings, mut warnings, mut errors) = read_all(&args.inputs, stdin);
    if args.from_guardduty {
        let (f, w, e) = read_guardduty(&args.guardduty, &args.aws, args.include_archived)?;
        findings.extend(f);
        warnings.extend(w);
        errors.extend(e);
    }
    let options = PlanOptions {
        include_archived: args.include_archived,
        ..PlanOptions::default()
    };
    report_errors(&errors);
    let batch = plan_and_report(findings, warnings, &BTreeMap::new(), &options)?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&batch)?),
        Format::Text => print!("{}", Renderer::new("tfremedy")?.render_triage(&batch)?),
    }
    eprintln!("{}", summary(&batch, errors.len(), None));
    Ok(if errors.is_empty() {
        Outcome::Ok
    } else {
        Outcome::InputErrors
    })
}

/// Checks the allow-list flags: every value validated, and never an allow-list without a break-glass
/// principal (the planner refuses that too, with the reason).
fn allow_list(args: &HardenArgs) -> Result<Option<crate::harden::AllowList>> {
    if args.allow_cidrs.is_empty() {
        if !args.allow_vpce.is_empty() || !args.allow_vpc.is_empty() || !args.break_glass.is_empty()
        {
            anyhow::bail!(
                "--allow-vpce, --allow-vpc and --break-glass only make sense with --allow-cidrs"
            );
        }
        return Ok(None);
    }
    for c in &args.allow_cidrs {
        c.parse::<ipnet::IpNet>().map_err(|_| {
            anyhow::anyhow!("--allow-cidrs {c:?}: expected a CIDR such as 203.0.113.0/24")
        })?;
    }
    let check = |flag: &str, values: &[String], prefix: &str| -> Result<()> {
        for v in values {
            let ok = v.strip_prefix(prefix).is_some_and(|rest| {
                !rest.is_empty()
                    && rest
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            });
            if !ok {
                anyhow::bail!("{flag} {v:?}: expected an id like {prefix}0123abcd");
            }
        }
        Ok(())
    };
    if args.break_glass.is_empty() {
        // The planner says why (one message for both ways in).
        return Ok(Some(crate::harden::AllowList {
            cidrs: args.allow_cidrs.clone(),
            ..Default::default()
        }));
    }
    if args.allow_vpce.is_empty() && args.allow_vpc.is_empty() {
        anyhow::bail!(
            "--allow-cidrs without --allow-vpce or --allow-vpc: requests through VPC endpoints carry no \
             public source IP, so an allow-list would deny them all; name the endpoints or VPCs your \
             workloads use"
        );
    }
    check("--allow-vpce", &args.allow_vpce, "vpce-")?;
    check("--allow-vpc", &args.allow_vpc, "vpc-")?;
    for arn in &args.break_glass {
        let ok = crate::validate::arn(arn).is_ok_and(|a| {
            a.service == "iam"
                && (a.resource.starts_with("role/") || a.resource.starts_with("user/"))
        });
        if !ok {
            anyhow::bail!("--break-glass {arn:?}: expected an IAM role or user ARN");
        }
    }
    Ok(Some(crate::harden::AllowList {
        cidrs: args.allow_cidrs.clone(),
        vpce_ids: args.allow_vpce.clone(),
        vpc_ids: args.allow_vpc.clone(),
        break_glass: args.break_glass.clone(),
    }))
}

fn harden(args: HardenArgs, stdin: &mut dyn Read) -> Result<Outcome> {
    check_module_name(&args.module_name)?;
    if let Some(a) = &args.account {
        crate::validate::account_id(a).map_err(|e| anyhow::anyhow!("--account: {e}"))?;
    }
    if let Some(r) = &args.region {
        crate::validate::region(r).map_err(|e| anyhow::anyhow!("--region: {e}"))?;
    }
    let allow = allow_list(&args)?;
    let buckets = bucket_args(&args.buckets)?;
    let (states, mut errors) = crate::inventory::read_inventory(&args.inventory, stdin);
    let states = if args.from_aws {
        let account = live_account(args.account.as_deref(), &args.aws, args.region.as_deref())?;
        let targets: Vec<LiveTarget> = buckets
            .into_iter()
            .map(|bucket| LiveTarget {
                bucket,
                account_id: Some(account.clone()),
            })
            .collect();
        let (live, live_errors) = read_live(&targets, &args.aws, args.region.as_deref())?;
        errors.extend(live_errors);
        // The live read is the freshest: it replaces what the files said of the same bucket.
        let mut by_name: BTreeMap<String, crate::inventory::BucketState> =
            states.into_iter().map(|s| (s.name.clone(), s)).collect();
        for s in live {
            by_name.insert(s.name.clone(), s);
        }
        by_name.into_values().collect()
    } else {
        states
    };
    report_errors(&errors);
    let failed = if errors.is_empty() {
        Outcome::Ok
    } else {
        Outcome::InputErrors
    };
    let mut previous = BTreeMap::new();
    for s in &states {
        let (Some(a), Some(r)) = (
            s.account_id.as_deref().or(args.account.as_deref()),
            s.region.as_deref().or(args.region.as_deref()),
        ) else {
            continue;
        };
        let dir = plan::group_dir(a, r);
        if let Some(data) = write::read_previous(&args.out.join(&dir))? {
            previous.insert(dir, data);
        }
    }
    let options = crate::harden::HardenOptions {
        account: args.account.clone(),
        region: args.region.clone(),
        allow: allow.clone(),
        remove_public: args.remove_public,
        terraform: terraform_index(&args.terraform_dirs, &args.module_name)?,
    };
    let (mut batch, reports) = match crate::harden::plan_harden(&states, &previous, &options) {
        Ok(x) => x,
        Err(PlanError::Conflict(msg)) => return Err(Error::Plan(msg).into()),
    };
    for r in &reports {
        if batch.compliant.contains(&r.bucket) {
            eprintln!("compliant: {} (no code)", r.bucket);
        } else if !r.missing.is_empty() {
            let missing: Vec<&str> = r.missing.iter().map(|f| f.as_str()).collect();
            eprintln!("{}: missing {}", r.bucket, missing.join(", "));
        }
        for _ in &r.public_statements {
            if r.removes_public {
                eprintln!(
                    "{}: a policy statement allows anyone; removed on request (--remove-public)",
                    r.bucket
                );
            } else {
                eprintln!(
                    "warning: {}: a policy statement allows anyone (see the PR text; --remove-public removes it)",
                    r.bucket
                );
            }
        }
        if r.block_held {
            eprintln!(
                "warning: {}: the public access block is left off while that statement stays (S3 \
                 rejects a public policy under BlockPublicPolicy)",
                r.bucket
            );
        }
    }
    if batch.groups.is_empty() {
        eprintln!(
            "tfremedy: {} bucket(s) in the inventory, all compliant; nothing was written to {}",
            states.len(),
            args.out.display()
        );
        return Ok(failed);
    }
    let (files, edits, retired) = render_with_edits(&mut batch, &args.module_name, args.patch)?;
    if args.check {
        let report = write::check(&args.out, &files, &retired)?;
        if report.changed.is_empty() && report.removed.is_empty() {
            return Ok(failed);
        }
        for f in &report.changed {
            eprintln!("would change: {}", args.out.join(f).display());
        }
        for f in &report.removed {
            eprintln!("would remove: {}", args.out.join(f).display());
        }
        return Ok(if errors.is_empty() {
            Outcome::Drift
        } else {
            failed
        });
    }
    let report = write::write(&args.out, &files, &retired, args.force)?;
    if args.patch {
        write_patched(&edits)?;
    }
    eprintln!(
        "tfremedy: {} bucket(s) in the inventory, {} compliant, {} to harden; {} file(s) written, {} unchanged",
        states.len(),
        batch.compliant.len(),
        states.len() - batch.compliant.len(),
        report.changed.len(),
        report.unchanged.len()
    );
    Ok(failed)
}
