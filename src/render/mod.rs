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
use crate::plan::Plan;
use serde::Serialize;

/// Every built-in template: (name, source).
static TEMPLATES: &[(&str, &str)] = &[
    (
        "tf/versions.tf",
        include_str!("../../templates/tf/versions.tf"),
    ),
    ("tf/main.tf", include_str!("../../templates/tf/main.tf")),
    (
        "tf/variables.tf",
        include_str!("../../templates/tf/variables.tf"),
    ),
    (
        "tf/outputs.tf",
        include_str!("../../templates/tf/outputs.tf"),
    ),
    (
        "tf/tfremedy_data.tf",
        include_str!("../../templates/tf/tfremedy_data.tf"),
    ),
    (
        "tf/modules/bucket-guard/main.tf",
        include_str!("../../templates/tf/modules/bucket-guard/main.tf"),
    ),
    (
        "tf/modules/bucket-guard/variables.tf",
        include_str!("../../templates/tf/modules/bucket-guard/variables.tf"),
    ),
    (
        "tf/modules/bucket-guard/outputs.tf",
        include_str!("../../templates/tf/modules/bucket-guard/outputs.tf"),
    ),
    (
        "tf/modules/bucket-guard/versions.tf",
        include_str!("../../templates/tf/modules/bucket-guard/versions.tf"),
    ),
    ("md/README.md", include_str!("../../templates/md/README.md")),
    (
        "md/PULL_REQUEST.md",
        include_str!("../../templates/md/PULL_REQUEST.md"),
    ),
    ("md/triage.md", include_str!("../../templates/md/triage.md")),
    (
        "md/fixes/deny-ips.md",
        include_str!("../../templates/md/fixes/deny-ips.md"),
    ),
    (
        "md/fixes/tls-only.md",
        include_str!("../../templates/md/fixes/tls-only.md"),
    ),
    (
        "md/fixes/default-encryption.md",
        include_str!("../../templates/md/fixes/default-encryption.md"),
    ),
    (
        "md/fixes/public-access-block.md",
        include_str!("../../templates/md/fixes/public-access-block.md"),
    ),
];

/// The generated files, relative to the output directory, with the template each comes from.
static OUTPUTS: &[(&str, &str)] = &[
    ("versions.tf", "tf/versions.tf"),
    ("main.tf", "tf/main.tf"),
    ("variables.tf", "tf/variables.tf"),
    ("outputs.tf", "tf/outputs.tf"),
    (crate::datafile::FILE_NAME, "tf/tfremedy_data.tf"),
    (
        "modules/bucket-guard/main.tf",
        "tf/modules/bucket-guard/main.tf",
    ),
    (
        "modules/bucket-guard/variables.tf",
        "tf/modules/bucket-guard/variables.tf",
    ),
    (
        "modules/bucket-guard/outputs.tf",
        "tf/modules/bucket-guard/outputs.tf",
    ),
    (
        "modules/bucket-guard/versions.tf",
        "tf/modules/bucket-guard/versions.tf",
    ),
    ("README.md", "md/README.md"),
    ("PULL_REQUEST.md", "md/PULL_REQUEST.md"),
];

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
}

/// What the templates see.
#[derive(Serialize)]
struct View<'a> {
    version: &'static str,
    plan: &'a Plan,
    /// Ids of the fixes applied, for the PR template to include their docs.
    fix_ids: Vec<&'static str>,
    /// Athena and CloudTrail Lake queries over the findings' IPs and window.
    queries: Option<crate::queries::Queries>,
}

impl Renderer {
    pub fn new() -> Result<Self> {
        let mut tf = tera::Tera::new();
        tf.autoescape_on([".tf"]);
        tf.set_escape_fn(escape::hcl_string);
        let mut md = tera::Tera::new();
        md.autoescape_on([".md"]);
        md.set_escape_fn(escape::markdown_code_span);
        md.register_filter("code_block", filter_code_block);
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
        Ok(Self { tf, md })
    }

    fn view<'a>(&self, plan: &'a Plan) -> View<'a> {
        View {
            version: header::VERSION,
            plan,
            fix_ids: plan.fixes.iter().map(|id| id.as_str()).collect(),
            queries: crate::queries::build(plan),
        }
    }

    fn render_one(&self, template: &str, plan: &Plan) -> Result<String> {
        let ctx =
            tera::Context::from_serialize(&self.view(plan)).map_err(|source| Error::Render {
                template: template.to_string(),
                source,
            })?;
        let engine = if template.starts_with("tf/") {
            &self.tf
        } else {
            &self.md
        };
        let text = engine
            .render(template, &ctx)
            .map_err(|source| Error::Render {
                template: template.to_string(),
                source,
            })?;
        Ok(text)
    }

    /// Renders every output file of `plan`.
    pub fn render_all(&self, plan: &Plan) -> Result<Vec<OutputFile>> {
        let mut files = Vec::with_capacity(OUTPUTS.len());
        for (path, template) in OUTPUTS {
            let body = self.render_one(template, plan)?;
            let is_data = *path == crate::datafile::FILE_NAME;
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
                path: (*path).to_string(),
                content,
                is_data,
            });
        }
        Ok(files)
    }

    /// The triage report alone (`tfremedy explain`).
    pub fn render_triage(&self, plan: &Plan) -> Result<String> {
        Ok(tidy(&self.render_one("md/triage.md", plan)?))
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
                    assert!(
                        quotes % 2 == 1,
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
    fn tidy_collapses_blank_runs() {
        assert_eq!(tidy("\n\na  \n\n\n\nb\n\n"), "a\n\nb\n");
    }
}
