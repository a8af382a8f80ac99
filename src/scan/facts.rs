//! What one `.tf` file says, before any name is resolved: the blocks tfremedy cares about, each with
//! its line and the expressions it needs, parsed with hcl-edit (which keeps source positions). One
//! file at a time, so files can be read in parallel.

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Block, Body};
use hcl_edit::Span;

/// An expression naming something, as far as a file alone can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ref {
    /// A plain string.
    Literal(String),
    /// `TYPE.NAME.ATTR` (a managed resource's attribute).
    Resource {
        kind: String,
        name: String,
        attr: String,
    },
    /// `var.NAME`.
    Var(String),
    /// `local.NAME`.
    Local(String),
    /// Anything else, as written.
    Other(String),
}

/// A `resource` block of a type tfremedy knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceFact {
    pub kind: String,
    pub name: String,
    pub line: usize,
    /// `bucket` (every S3 resource), as written.
    pub bucket: Option<Ref>,
    /// `aws_s3_bucket_logging`: `target_bucket`, the bucket that receives the access logs.
    pub target_bucket: Option<Ref>,
    /// Every attribute, as written (for the policy's form, trails' log groups...).
    pub attrs: Vec<(String, String)>,
    /// `aws_cloudtrail`: the bucket ARNs its data-event selectors name (`arn:aws:s3:::NAME/`), and
    /// whether a selector covers every bucket.
    pub data_event_arns: Vec<String>,
    pub all_buckets: bool,
}

/// A `module` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleFact {
    pub name: String,
    pub line: usize,
    pub source: String,
    pub version: Option<String>,
    /// Every input, as a [`Ref`] and as written.
    pub inputs: Vec<(String, Ref, String)>,
    /// `logging = { target_bucket = ... }`: the bucket that receives the access logs.
    pub log_target: Option<Ref>,
}

/// Everything of interest in one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileFacts {
    pub resources: Vec<ResourceFact>,
    pub modules: Vec<ModuleFact>,
    /// `variable` blocks with a literal string default.
    pub variables: Vec<(String, Option<String>)>,
    /// `locals` entries that are literal strings.
    pub locals: Vec<(String, String)>,
    /// `data "aws_iam_policy_document"` names, with their lines.
    pub policy_documents: Vec<(String, usize)>,
}

/// Resource types the index records.
pub const KINDS: &[&str] = &[
    "aws_s3_bucket",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_logging",
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_ownership_controls",
    "aws_cloudtrail",
    "aws_cloudwatch_log_group",
];

/// Why a file does not parse: the line (when known) and hcl-edit's message.
pub type ParseError = (Option<usize>, String);

/// Parses one file.
pub fn read(text: &str) -> Result<FileFacts, ParseError> {
    let body: Body = hcl_edit::parser::parse_body(text).map_err(|e| {
        let at = e.location();
        (
            Some(at.line()),
            format!(
                "does not parse (column {}): {}",
                at.column(),
                one_line(e.message())
            ),
        )
    })?;
    let lines = LineIndex::new(text);
    let mut facts = FileFacts::default();
    for block in body.blocks() {
        let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
        let line = lines.line(block.span().map_or(0, |s| s.start));
        match (block.ident.as_str(), labels.as_slice()) {
            ("resource", [kind, name]) if KINDS.contains(kind) => {
                facts
                    .resources
                    .push(resource(kind, name, line, block, text));
            }
            ("module", [name]) => facts.modules.push(module(name, line, block, text)),
            ("variable", [name]) => {
                let default = block
                    .body
                    .get_attribute("default")
                    .and_then(|a| literal(&a.value));
                facts.variables.push((name.to_string(), default));
            }
            ("locals", []) => {
                for attr in block.body.attributes() {
                    if let Some(v) = literal(&attr.value) {
                        facts.locals.push((attr.key.as_str().to_string(), v));
                    }
                }
            }
            ("data", ["aws_iam_policy_document", name]) => {
                facts.policy_documents.push((name.to_string(), line));
            }
            _ => {}
        }
    }
    Ok(facts)
}

fn resource(kind: &str, name: &str, line: usize, block: &Block, text: &str) -> ResourceFact {
    let attrs: Vec<(String, String)> = block
        .body
        .attributes()
        .map(|a| (a.key.as_str().to_string(), source(&a.value, text)))
        .collect();
    let mut fact = ResourceFact {
        kind: kind.to_string(),
        name: name.to_string(),
        line,
        bucket: block
            .body
            .get_attribute("bucket")
            .map(|a| reference(&a.value, text)),
        target_bucket: block
            .body
            .get_attribute("target_bucket")
            .map(|a| reference(&a.value, text)),
        attrs,
        data_event_arns: Vec::new(),
        all_buckets: false,
    };
    if kind == "aws_cloudtrail" {
        trail_selectors(&block.body, &mut fact);
    }
    fact
}

/// The S3 data-event selectors of a trail: `event_selector { data_resource { type = "AWS::S3::Object"
/// values = [...] } }` and `advanced_event_selector { field_selector { field = "resources.ARN"
/// starts_with / equals = [...] } }`. `arn:aws:s3` alone (or `arn:aws:s3:::`) covers every bucket.
fn trail_selectors(body: &Body, fact: &mut ResourceFact) {
    let mut values = Vec::new();
    for selector in body.get_blocks("event_selector") {
        for data in selector.body.get_blocks("data_resource") {
            let s3 = data
                .body
                .get_attribute("type")
                .and_then(|a| literal(&a.value))
                .is_some_and(|t| t == "AWS::S3::Object");
            if s3 {
                values.extend(strings(data.body.get_attribute("values").map(|a| &a.value)));
            }
        }
    }
    for selector in body.get_blocks("advanced_event_selector") {
        for field in selector.body.get_blocks("field_selector") {
            let on_arn = field
                .body
                .get_attribute("field")
                .and_then(|a| literal(&a.value))
                .is_some_and(|f| f == "resources.ARN");
            if on_arn {
                for key in ["starts_with", "equals"] {
                    values.extend(strings(field.body.get_attribute(key).map(|a| &a.value)));
                }
            }
        }
    }
    for v in values {
        if v == "arn:aws:s3" || v == "arn:aws:s3:::" {
            fact.all_buckets = true;
        } else if v.starts_with("arn:") && v.contains(":s3:::") {
            fact.data_event_arns.push(v);
        }
    }
}

fn module(name: &str, line: usize, block: &Block, text: &str) -> ModuleFact {
    let attr_literal = |key: &str| {
        block
            .body
            .get_attribute(key)
            .and_then(|a| literal(&a.value))
    };
    ModuleFact {
        name: name.to_string(),
        line,
        source: attr_literal("source").unwrap_or_default(),
        version: attr_literal("version"),
        inputs: block
            .body
            .attributes()
            .filter(|a| !matches!(a.key.as_str(), "source" | "version"))
            .map(|a| {
                (
                    a.key.as_str().to_string(),
                    reference(&a.value, text),
                    source(&a.value, text),
                )
            })
            .collect(),
        log_target: block
            .body
            .get_attribute("logging")
            .and_then(|a| match &a.value {
                Expression::Object(o) => o
                    .iter()
                    .find(|(k, _)| key_name(k) == Some("target_bucket"))
                    .map(|(_, v)| reference(v.expr(), text)),
                _ => None,
            }),
    }
}

/// What an expression names.
pub fn reference(expr: &Expression, text: &str) -> Ref {
    if let Some(s) = literal(expr) {
        return Ref::Literal(s);
    }
    if let Expression::Traversal(t) = expr {
        if let Expression::Variable(root) = &t.expr {
            let attrs: Vec<&str> = t
                .operators
                .iter()
                .map_while(|op| match op.value() {
                    TraversalOperator::GetAttr(ident) => Some(ident.as_str()),
                    _ => None,
                })
                .collect();
            match (root.as_str(), attrs.as_slice()) {
                ("var", [name]) => return Ref::Var(name.to_string()),
                ("local", [name]) => return Ref::Local(name.to_string()),
                (kind, [name, attr]) if kind.starts_with("aws_") => {
                    return Ref::Resource {
                        kind: kind.to_string(),
                        name: name.to_string(),
                        attr: attr.to_string(),
                    }
                }
                _ => {}
            }
        }
    }
    Ref::Other(source(expr, text))
}

/// An object key written as a name or a plain string.
pub(crate) fn key_name(key: &ObjectKey) -> Option<&str> {
    match key {
        ObjectKey::Ident(i) => Some(i.as_str()),
        ObjectKey::Expression(e) => e.as_str(),
    }
}

/// A string with no interpolation.
pub fn literal(expr: &Expression) -> Option<String> {
    match expr {
        Expression::String(s) => Some(s.value().to_string()),
        _ => None,
    }
}

fn strings(expr: Option<&Expression>) -> Vec<String> {
    match expr {
        Some(Expression::Array(items)) => items.iter().filter_map(literal).collect(),
        Some(other) => literal(other).into_iter().collect(),
        None => Vec::new(),
    }
}

/// An expression as written in the file (one line, trimmed), for reports.
pub fn source(expr: &Expression, text: &str) -> String {
    expr.span()
        .and_then(|r| text.get(r))
        .map(|s| one_line(s.trim()))
        .unwrap_or_default()
}

fn one_line(s: &str) -> String {
    let first = s.lines().next().unwrap_or_default();
    if s.lines().nth(1).is_some() {
        format!("{first} ...")
    } else {
        first.to_string()
    }
}

/// Byte offset to 1-based line number.
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(text: &str) -> Self {
        Self(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        )
    }
    fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&nl| nl < offset) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_blocks_with_lines_and_references() {
        let text = r#"# a comment
resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = data.aws_iam_policy_document.data.json
}

variable "name" {
  default = "acme-x"
}

locals {
  other = "acme-y"
  computed = "${var.name}-z"
}

module "assets" {
  source  = "terraform-aws-modules/s3-bucket/aws"
  version = "~> 4.1"
  bucket  = local.other
}
"#;
        let f = read(text).unwrap();
        assert_eq!(f.resources.len(), 2);
        assert_eq!((f.resources[0].line, f.resources[1].line), (2, 6));
        assert_eq!(
            f.resources[0].bucket,
            Some(Ref::Literal("acme-data".into()))
        );
        assert_eq!(
            f.resources[1].bucket,
            Some(Ref::Resource {
                kind: "aws_s3_bucket".into(),
                name: "data".into(),
                attr: "id".into()
            })
        );
        assert!(f.resources[1].attrs.contains(&(
            "policy".into(),
            "data.aws_iam_policy_document.data.json".into()
        )));
        assert_eq!(f.variables, vec![("name".into(), Some("acme-x".into()))]);
        assert_eq!(f.locals, vec![("other".into(), "acme-y".into())]);
        assert_eq!(f.modules[0].line, 20);
        assert_eq!(f.modules[0].version.as_deref(), Some("~> 4.1"));
        assert_eq!(f.modules[0].inputs[0].1, Ref::Local("other".into()));
        assert!(read("resource \"x\" {").is_err());
    }
}
