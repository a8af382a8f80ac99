//! Renderers: the serialised `Plan` in, file contents out. No decisions are made here.
//!
//! Two tera instances, one per target language, each with autoescape on and its own escape function
//! (see `escape`), so every `{{ value }}` is escaped for where it lands. Built-in templates are embedded
//! with `include_str!` under their path in `templates/`. After rendering, `.tf` output gets the
//! alignment pass of `terraform fmt` (see `align`) and every file gets its generated-file header.

pub mod align;
pub mod escape;

use crate::error::{Error, Result};
use crate::header;
use crate::plan::{Batch, Plan};
use serde::Serialize;

/// Every built-in template: (name, source), the name being the path under `templates/`.
macro_rules! t {
    ($name:literal) => {
        ($name, include_str!(concat!("../../templates/", $name)))
    };
}

static TEMPLATES: &[(&str, &str)] = &[
    t!("tf/versions.tf"),
    t!("tf/main.tf"),
    t!("tf/variables.tf"),
    t!("tf/outputs.tf"),
    t!("tf/tfremedy_data.tf"),
    t!("tf/modules/bucket-guard/main.tf"),
    t!("tf/modules/bucket-guard/policy.tf"),
    t!("tf/modules/bucket-guard/variables.tf"),
    t!("tf/modules/bucket-guard/outputs.tf"),
    t!("tf/modules/bucket-guard/versions.tf"),
    t!("tf/modules/account-monitor/main.tf"),
    t!("tf/modules/account-monitor/trail.tf"),
    t!("tf/modules/account-monitor/alarms.tf"),
    t!("tf/modules/account-monitor/alerts.tf"),
    t!("tf/modules/account-monitor/variables.tf"),
    t!("tf/modules/account-monitor/outputs.tf"),
    t!("tf/modules/account-monitor/versions.tf"),
    t!("tf/modules/principal-response/main.tf"),
    t!("tf/modules/principal-response/variables.tf"),
    t!("tf/modules/principal-response/outputs.tf"),
    t!("tf/modules/principal-response/versions.tf"),
    t!("tf/root/tfremedy_imports.tf"),
    t!("tf/organization/main.tf"),
    t!("tf/organization/variables.tf"),
    t!("tf/organization/versions.tf"),
    t!("md/README.md"),
    t!("md/PULL_REQUEST.md"),
    t!("md/triage.md"),
    t!("md/fixes/access-logging.md"),
    t!("md/fixes/account-public-access-block.md"),
    t!("md/fixes/ownership-controls.md"),
    t!("md/fixes/versioning.md"),
    t!("md/SUMMARY.md"),
    t!("md/types.md"),
    t!("md/hardening.md"),
    t!("md/fixes/alarms.md"),
    t!("md/fixes/deactivate-key.md"),
    t!("md/fixes/default-encryption.md"),
    t!("md/fixes/deny-ips.md"),
    t!("md/fixes/guardduty-alert.md"),
    t!("md/fixes/public-access-block.md"),
    t!("md/fixes/quarantine-user.md"),
    t!("md/fixes/require-mfa.md"),
    t!("md/fixes/revoke-sessions.md"),
    t!("md/fixes/s3-data-events.md"),
    t!("md/fixes/tls-only.md"),
];

/// Whether a conditional file is needed for a given view.
type Wanted = fn(&View<'_>) -> bool;

/// Files generated only when the plan needs them (the import blocks for the root module).
static CONDITIONAL_OUTPUTS: &[(&str, &str, Wanted)] = &[(
    "root/tfremedy_imports.tf",
    "tf/root/tfremedy_imports.tf",
    |v| !v.key_imports.is_empty() || !v.bucket_imports.is_empty(),
)];

/// The generated files (path relative to the output directory, template): every `.tf` template but the
/// conditional ones, at its path under `tf/`, and the two Markdown documents.
fn outputs() -> impl Iterator<Item = (&'static str, &'static str)> {
    let tf = TEMPLATES.iter().filter_map(|(name, _)| {
        let path = name.strip_prefix("tf/")?;
        let conditional = CONDITIONAL_OUTPUTS.iter().any(|(_, t, _)| t == name);
        (!conditional && !path.starts_with("organization/")).then_some((path, *name))
    });
    tf.chain([
        ("README.md", "md/README.md"),
        ("PULL_REQUEST.md", "md/PULL_REQUEST.md"),
    ])
}

/// The source of a built-in template (`md/...` or `tf/...`, or a fix doc name relative to `md/`).
pub fn template_source(name: &str) -> Option<&'static str> {
    TEMPLATES
        .iter()
        .find(|(n, _)| *n == name || n.strip_prefix("md/") == Some(name))
        .map(|(_, s)| *s)
}

/// Names of all built-in templates.
pub fn template_names() -> impl Iterator<Item = &'static str> {
    TEMPLATES.iter().map(|(n, _)| *n)
}

/// One file to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path relative to the output directory, `/`-separated.
    pub path: String,
    pub content: String,
    /// Whether the file is the data file (merged across runs, may be edited by hand).
    pub is_data: bool,
}

/// The template engines, built once per run.
#[allow(missing_debug_implementations)]
pub struct Renderer {
    tf: tera::Tera,
    md: tera::Tera,
    module_name: String,
}

/// Findings shown one by one in a PR: past this, a table of counts by type says more than the rows.
pub const DETAILED_FINDINGS: usize = 25;

/// The plan as the templates see it: the first `DETAILED_FINDINGS` findings in full, and every
/// finding counted by type (`findings_total`, `findings_by_type`).
fn plan_view(plan: &Plan) -> serde_json::Value {
    let mut value = serde_json::to_value(PlanHead {
        plan,
        findings: &plan.findings[..plan.findings.len().min(DETAILED_FINDINGS)],
    })
    .unwrap_or_default();
    let mut by_type: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for f in &plan.findings {
        *by_type.entry(f.finding_type.as_str()).or_default() += 1;
    }
    value["findings_total"] = plan.findings.len().into();
    value["findings_more"] = plan.findings.len().saturating_sub(DETAILED_FINDINGS).into();
    value["findings_by_type"] = serde_json::json!(by_type.into_iter().collect::<Vec<_>>());
    value["skipped"] = shown(&plan.skipped);
    value["skipped_more"] = plan.skipped.len().saturating_sub(DETAILED_FINDINGS).into();
    value
}

/// The first `DETAILED_FINDINGS` of a list, as the templates see it.
fn shown<T: Serialize>(items: &[T]) -> serde_json::Value {
    serde_json::to_value(&items[..items.len().min(DETAILED_FINDINGS)]).unwrap_or_default()
}

/// The batch as the summary sees it: per group its counts, never its findings (an organisation's
/// export can hold millions), and the first `DETAILED_FINDINGS` findings left out.
fn summary_view(batch: &Batch) -> serde_json::Value {
    let groups: Vec<serde_json::Value> = batch
        .groups
        .iter()
        .map(|plan| {
            let mut v = serde_json::to_value(plan.clone_without_findings()).unwrap_or_default();
            v["findings_total"] = plan.findings.len().into();
            v["skipped"] = shown(&plan.skipped);
            v
        })
        .collect();
    serde_json::json!({
        "groups": groups,
        "rcp_cidrs": batch.rcp_cidrs,
        "skipped": shown(&batch.skipped),
        "skipped_more": batch.skipped.len().saturating_sub(DETAILED_FINDINGS),
        "compliant": batch.compliant,
    })
}

/// The plan with its findings replaced by a slice of them.
struct PlanHead<'a> {
    plan: &'a Plan,
    findings: &'a [crate::model::Finding],
}

impl Serialize for PlanHead<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut v = serde_json::to_value(self.plan.clone_without_findings())
            .map_err(serde::ser::Error::custom)?;
        v["findings"] = serde_json::to_value(self.findings).map_err(serde::ser::Error::custom)?;
        v.serialize(s)
    }
}

/// What the top-level summary sees.
#[derive(Serialize)]
struct SummaryView {
    version: &'static str,
    /// See `summary_view`.
    batch: serde_json::Value,
}

/// What the templates see.
#[derive(Serialize)]
struct View<'a> {
    version: &'static str,
    /// The plan, with at most `DETAILED_FINDINGS` findings in full (see `plan_view`).
    plan: serde_json::Value,
    /// Ids of the fixes applied, for the PR template to include their docs.
    fix_ids: Vec<&'static str>,
    /// The type notes (`finding_types`) of this plan's types, for `md/types.md`.
    note_ids: Vec<&'static str>,
    /// Athena and CloudTrail Lake queries over the findings' IPs and window.
    queries: Option<crate::queries::Queries>,
    /// The finding types the GuardDuty alert forwards: every type whose row includes it.
    guardduty_types: Vec<&'static str>,
    /// The name of this directory's module call in the user's root (for import addresses).
    module_name: &'a str,
    /// Access keys to import (and deactivate) in the user's root module.
    key_imports: Vec<KeyImport<'a>>,
    /// Bucket settings that exist in AWS and in no code, to import before the guard manages them.
    bucket_imports: Vec<BucketImport<'a>>,
}

#[derive(Serialize)]
struct BucketImport<'a> {
    bucket: &'a str,
    resource: &'static str,
}

#[derive(Serialize)]
struct KeyImport<'a> {
    key: &'a str,
    access_key_id: &'a str,
}

impl Renderer {
    /// `module_name` is what the user's root module calls this directory (import addresses need it).
    pub fn new(module_name: &str) -> Result<Self> {
        let mut tf = tera::Tera::new();
        tf.autoescape_on([".tf"]);
        tf.set_escape_fn(escape::hcl_string);
        let mut md = tera::Tera::new();
        md.autoescape_on([".md"]);
        md.set_escape_fn(escape::markdown_code_span);
        md.register_filter("code_block", filter_code_block);
        tf.register_filter("ident", filter_ident);
        tf.register_filter("hcl_bool", filter_hcl_bool);
        // Added in one go per engine, because a template's includes must resolve when it is added.
        for (engine, prefix) in [(&mut tf, "tf/"), (&mut md, "md/")] {
            let batch = TEMPLATES
                .iter()
                .filter(|(n, _)| n.starts_with(prefix))
                .copied();
            engine
                .add_raw_templates(batch)
                .map_err(|source| Error::Render {
                    template: format!("{prefix}*"),
                    source,
                })?;
        }
        Ok(Self {
            tf,
            md,
            module_name: module_name.to_string(),
        })
    }

    fn view<'a>(&'a self, plan: &'a Plan) -> View<'a> {
        View {
            version: header::VERSION,
            plan: plan_view(plan),
            fix_ids: plan.fixes.iter().map(|id| id.as_str()).collect(),
            note_ids: plan.types.iter().map(|t| t.note).collect(),
            queries: crate::queries::build(plan),
            guardduty_types: crate::finding_types::FINDING_TYPES
                .iter()
                .filter(|t| t.fixes.contains(&crate::fixes::FixId::GuardDutyAlert))
                .map(|t| t.name)
                .collect(),
            module_name: &self.module_name,
            bucket_imports: plan
                .buckets
                .iter()
                .flat_map(|(name, b)| {
                    b.imports.iter().map(move |r| BucketImport {
                        bucket: name,
                        resource: r,
                    })
                })
                .collect(),
            key_imports: plan
                .data
                .principals
                .iter()
                .filter(|(_, p)| {
                    p.kind == crate::datafile::KIND_IAM_USER && p.deactivate_key == Some(true)
                })
                .filter_map(|(key, p)| {
                    let id = p
                        .access_key_id
                        .as_deref()
                        .filter(|k| k.starts_with("AKIA"))?;
                    Some(KeyImport {
                        key,
                        access_key_id: id,
                    })
                })
                .collect(),
        }
    }

    fn render_one(&self, template: &str, plan: &Plan) -> Result<String> {
        self.render_any(template, &self.view(plan))
    }

    /// The tera context of a view; building it converts the whole view, so callers that render several
    /// templates from one view build it once.
    fn context(template: &str, view: &impl Serialize) -> Result<tera::Context> {
        tera::Context::from_serialize(view).map_err(|source| Error::Render {
            template: template.to_string(),
            source,
        })
    }

    fn render_ctx(&self, template: &str, ctx: &tera::Context) -> Result<String> {
        let engine = if template.starts_with("tf/") {
            &self.tf
        } else {
            &self.md
        };
        engine
            .render(template, ctx)
            .map_err(|source| Error::Render {
                template: template.to_string(),
                source,
            })
    }

    fn render_any(&self, template: &str, view: &impl Serialize) -> Result<String> {
        self.render_ctx(template, &Self::context(template, view)?)
    }

    /// Renders every output file of `plan`.
    pub fn render_all(&self, plan: &Plan) -> Result<Vec<OutputFile>> {
        let view = self.view(plan);
        let conditional = CONDITIONAL_OUTPUTS
            .iter()
            .filter(|(_, _, wanted)| wanted(&view))
            .map(|(path, template, _)| (*path, *template));
        // One context for all of the group's templates: converting the plan is the costly part.
        let ctx = Self::context("(context)", &view)?;
        let mut files = Vec::new();
        for (path, template) in outputs().chain(conditional) {
            let body = self.render_ctx(template, &ctx)?;
            let is_data = path == crate::datafile::FILE_NAME;
            let content = if path.ends_with(".tf") {
                let body = tidy(&align::align_equals(&body));
                if is_data {
                    header::data_file(&body)
                } else {
                    header::stamp_tf(&body)
                }
            } else {
                header::stamp_md(&tidy(&body))
            };
            files.push(OutputFile {
                path: path.to_string(),
                content,
                is_data,
            });
        }
        Ok(files)
    }

    /// Renders a whole batch: each account/region group's files under its directory, and the top-level
    /// PULL_REQUEST.md summarising them.
    pub fn render_batch(&self, batch: &Batch) -> Result<Vec<OutputFile>> {
        let mut files = Vec::new();
        for plan in &batch.groups {
            for mut f in self.render_all(plan)? {
                f.path = format!("{}/{}", plan.dir, f.path);
                files.push(f);
            }
        }
        if let Some(cidrs) = &batch.rcp_cidrs {
            let ctx = Self::context(
                "tf/organization",
                &serde_json::json!({ "rcp_cidrs": cidrs }),
            )?;
            for file in ["main.tf", "variables.tf", "versions.tf"] {
                let body = self.render_ctx(&format!("tf/organization/{file}"), &ctx)?;
                files.push(OutputFile {
                    path: format!("organization/{file}"),
                    content: header::stamp_tf(&tidy(&align::align_equals(&body))),
                    is_data: false,
                });
            }
        }
        let summary = SummaryView {
            version: header::VERSION,
            batch: summary_view(batch),
        };
        let body = self.render_any("md/SUMMARY.md", &summary)?;
        files.push(OutputFile {
            path: "PULL_REQUEST.md".into(),
            content: header::stamp_md(&tidy(&body)),
            is_data: false,
        });
        Ok(files)
    }

    /// The triage report alone (`tfremedy explain`): every group's, one after the other.
    pub fn render_triage(&self, batch: &Batch) -> Result<String> {
        let mut out = String::new();
        for plan in &batch.groups {
            out.push_str(&self.render_one("md/triage.md", plan)?);
            out.push('\n');
        }
        Ok(tidy(&out))
    }
}

/// Trailing spaces removed, runs of blank lines collapsed, exactly one final newline: templates can
/// then use readable control-flow tags without leaking whitespace into the output.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    let trimmed = out.trim_start_matches('\n').trim_end_matches('\n');
    format!("{trimmed}\n")
}

/// The one escape for a slot outside quotes in a `.tf` template: only a Terraform identifier passes,
/// anything else is a render error (the CLI validates it first, so this is a second line of defence).
fn filter_ident(value: &str, _: tera::Kwargs, _: &tera::State) -> tera::TeraResult<tera::Value> {
    let mut chars = value.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(tera::Value::safe_string(value))
    } else {
        Err(tera::Error::message(format!(
            "{value:?} is not a Terraform identifier"
        )))
    }
}

/// A switch of the data file, outside quotes: `true`, `false`, or `null` (not asked for yet).
fn filter_hcl_bool(
    value: &tera::Value,
    _: tera::Kwargs,
    _: &tera::State,
) -> tera::TeraResult<tera::Value> {
    if value.is_none() {
        return Ok(tera::Value::safe_string("null"));
    }
    match value.as_bool() {
        Some(true) => Ok(tera::Value::safe_string("true")),
        Some(false) => Ok(tera::Value::safe_string("false")),
        None => Err(tera::Error::message(format!(
            "{value} is not a boolean or null"
        ))),
    }
}

fn filter_code_block(body: &str, kwargs: tera::Kwargs, _: &tera::State) -> tera::Value {
    let lang: String = kwargs
        .get::<&str>("lang")
        .ok()
        .flatten()
        .unwrap_or("")
        .to_string();
    tera::Value::safe_string(&escape::markdown_code_block(&lang, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tf_slot_is_inside_quotes() {
        for (name, source) in TEMPLATES.iter().filter(|(n, _)| n.ends_with(".tf")) {
            for (i, line) in source.lines().enumerate() {
                let mut rest = line;
                let mut offset = 0;
                while let Some(pos) = rest.find("{{") {
                    let before = &line[..offset + pos];
                    let quotes = before.matches('"').count() - before.matches("\\\"").count();
                    let slot = &line[offset + pos..];
                    let slot = &slot[..slot.find("}}").unwrap_or(slot.len())];
                    assert!(
                        quotes % 2 == 1
                            || slot.trim_end().ends_with("| ident")
                            || slot.trim_end().ends_with("| hcl_bool"),
                        "{name}:{}: a value slot outside quotes is an injection point: {line}",
                        i + 1
                    );
                    offset += pos + 2;
                    rest = &rest[pos + 2..];
                }
            }
        }
    }

    #[test]
    fn no_template_marks_values_safe() {
        for (name, source) in TEMPLATES {
            assert!(
                !source.contains("| safe") && !source.contains("|safe"),
                "{name} uses safe"
            );
        }
    }

    #[test]
    fn every_template_file_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        for entry in walkdir::WalkDir::new(&dir) {
            let entry = entry.unwrap();
            let rel = entry
                .path()
                .strip_prefix(&dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if entry.file_type().is_file() && !rel.ends_with("NOTES.md") {
                assert!(
                    template_names().any(|n| n == rel),
                    "templates/{rel} is not in TEMPLATES"
                );
            }
        }
    }

    #[test]
    fn tidy_collapses_blank_runs() {
        assert_eq!(tidy("\n\na  \n\n\n\nb\n\n"), "a\n\nb\n");
    }
}
