//! The commands, end to end: read -> plan -> render -> write. Errors get their context here.
//!
//! A bad input does not stop the others from being read and reported; but when any input is bad, nothing
//! is written, so the output directory never reflects half of what the user asked for.

use crate::cli::{Cli, Command, ExplainArgs, Format, RemediateArgs};
use crate::error::{Error, InputError};
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
    let options = PlanOptions {
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
    };
    if !is_identifier(&args.module_name) {
        anyhow::bail!(
            "--module-name {:?}: expected a Terraform identifier (letters, digits, '_' and '-', not starting with a digit)",
            args.module_name
        );
    }
    let (findings, warnings, errors) = read_all(&args.inputs, stdin);
    report_errors(&errors);
    // A bad input does not stop the batch: the good findings are remediated, and the run exits 2.
    let failed = if errors.is_empty() {
        Outcome::Ok
    } else {
        Outcome::InputErrors
    };
    let previous = previous_data(&args.out, &findings)?;
    let batch = plan_and_report(findings, warnings, &previous, &options)?;
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
    let files = Renderer::new(&args.module_name)?.render_batch(&batch)?;
    if args.check {
        let report = write::check(&args.out, &files)?;
        eprintln!("{}", summary(&batch, errors.len(), None));
        if report.changed.is_empty() {
            eprintln!("{}: up to date", args.out.display());
            return Ok(failed);
        }
        for f in &report.changed {
            eprintln!("would change: {}", args.out.join(f).display());
        }
        return Ok(if errors.is_empty() {
            Outcome::Drift
        } else {
            failed
        });
    }
    let report = write::write(&args.out, &files, args.force)?;
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
    let (findings, warnings, errors) = read_all(&args.inputs, stdin);
    report_errors(&errors);
    let batch = plan_and_report(
        findings,
        warnings,
        &BTreeMap::new(),
        &PlanOptions::default(),
    )?;
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
