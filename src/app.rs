//! The commands, end to end: read -> plan -> render -> write. Errors get their context here.
//!
//! A bad input does not stop the others from being read and reported; but when any input is bad, nothing
//! is written, so the output directory never reflects half of what the user asked for.

use crate::cli::{Cli, Command, ExplainArgs, Format, RemediateArgs};
use crate::error::{Error, InputError};
use crate::model::Finding;
use crate::plan::{self, Plan, PlanError, PlanOptions};
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

/// Reads every input; prints each problem on stderr. Returns the good findings and whether any input
/// was bad.
fn read_all(
    inputs: &[String],
    stdin: &mut dyn Read,
) -> (Vec<Finding>, Vec<String>, Vec<InputError>) {
    let outcome = read::read_inputs(inputs, stdin);
    let warnings = plan::warning_lines(&outcome.warnings);
    (outcome.findings, warnings, outcome.errors)
}

fn report_errors(errors: &[InputError], good: usize) {
    for e in errors {
        eprintln!("error: {e}");
    }
    eprintln!(
        "{} input error(s); {good} good finding(s) reported",
        errors.len()
    );
}

fn plan_or_report(
    findings: Vec<Finding>,
    mut read_errors: Vec<InputError>,
    warnings: Vec<String>,
    previous: Option<crate::datafile::DataFile>,
    options: &PlanOptions,
) -> Result<Result<Plan, Outcome>> {
    let summary: Vec<String> = findings
        .iter()
        .map(|f| format!("read: {} {} ({})", f.finding_type, f.id, f.origin))
        .collect();
    let count = findings.len();
    match plan::plan(findings, previous, options) {
        Ok(mut plan) if read_errors.is_empty() => {
            plan.warnings.extend(warnings);
            plan.warnings.sort();
            plan.warnings.dedup();
            Ok(Ok(plan))
        }
        Ok(_) => {
            for line in &summary {
                eprintln!("{line}");
            }
            report_errors(&read_errors, count);
            Ok(Err(Outcome::InputErrors))
        }
        Err(PlanError::Inputs(errs)) => {
            for line in &summary {
                eprintln!("{line}");
            }
            let bad = errs.len();
            read_errors.extend(errs);
            report_errors(&read_errors, count - bad);
            Ok(Err(Outcome::InputErrors))
        }
        Err(PlanError::Conflict(msg)) => Err(Error::Plan(msg).into()),
    }
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
    };
    if !is_identifier(&args.module_name) {
        anyhow::bail!(
            "--module-name {:?}: expected a Terraform identifier (letters, digits, '_' and '-', not starting with a digit)",
            args.module_name
        );
    }
    let (findings, warnings, errors) = read_all(&args.inputs, stdin);
    let previous =
        write::read_previous(&args.out).context("reading the previous run's data file")?;
    let plan = match plan_or_report(findings, errors, warnings, previous, &options)? {
        Ok(plan) => plan,
        Err(outcome) => {
            eprintln!("nothing was written to {}", args.out.display());
            return Ok(outcome);
        }
    };
    if plan.findings.is_empty() {
        for s in &plan.skipped {
            eprintln!("skipped: {s}");
        }
        eprintln!(
            "no finding to remediate; nothing was written to {}",
            args.out.display()
        );
        return Ok(Outcome::Ok);
    }
    let files = Renderer::new(&args.module_name)?.render_all(&plan)?;
    if args.check {
        let report = write::check(&args.out, &files)?;
        if report.changed.is_empty() {
            eprintln!("{}: up to date", args.out.display());
            return Ok(Outcome::Ok);
        }
        for f in &report.changed {
            eprintln!("would change: {}", args.out.join(f).display());
        }
        return Ok(Outcome::Drift);
    }
    let report = write::write(&args.out, &files, args.force)?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&plan)?),
        Format::Text => {
            for w in &plan.warnings {
                eprintln!("warning: {w}");
            }
            for f in &report.changed {
                println!("wrote {}", args.out.join(f).display());
            }
            println!(
                "{} file(s) written, {} unchanged; open a PR with {} as its description",
                report.changed.len(),
                report.unchanged.len(),
                args.out.join("PULL_REQUEST.md").display()
            );
        }
    }
    Ok(Outcome::Ok)
}

fn explain(args: ExplainArgs, stdin: &mut dyn Read) -> Result<Outcome> {
    let (findings, warnings, mut errors) = read_all(&args.inputs, stdin);
    // Explain reports every good finding even when others are bad, then exits 2: the planner refuses
    // a batch with unsupported findings, so those are set aside first.
    let (supported, unsupported): (Vec<Finding>, Vec<Finding>) = findings
        .into_iter()
        .partition(|f| finding_types::lookup(&f.finding_type).is_some());
    if let Err(PlanError::Inputs(errs)) = plan::plan(unsupported, None, &PlanOptions::default()) {
        errors.extend(errs);
    }
    let mut plan = match plan::plan(supported, None, &PlanOptions::default()) {
        Ok(plan) => plan,
        Err(PlanError::Inputs(errs)) => {
            errors.extend(errs);
            report_errors(&errors, 0);
            return Ok(Outcome::InputErrors);
        }
        Err(PlanError::Conflict(msg)) => return Err(Error::Plan(msg).into()),
    };
    plan.warnings.extend(warnings);
    plan.warnings.sort();
    plan.warnings.dedup();
    if !plan.findings.is_empty() || errors.is_empty() {
        match args.format {
            Format::Json => println!("{}", serde_json::to_string_pretty(&plan)?),
            Format::Text => print!("{}", Renderer::new("tfremedy")?.render_triage(&plan)?),
        }
    }
    if !errors.is_empty() {
        report_errors(&errors, plan.findings.len());
        return Ok(Outcome::InputErrors);
    }
    Ok(Outcome::Ok)
}
