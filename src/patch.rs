//! Edits of the team's own Terraform files (`--patch`, or a unified diff without it): set an
//! attribute in a block, found by its type and labels and then nested block names or object-valued
//! attributes (a module input such as `server_side_encryption_configuration = { rule = { ... } }`).
//!
//! Files are parsed with hcl-edit only to find where things are (byte spans); the edit itself is a
//! splice of those bytes, so every comment, blank line and alignment outside the changed lines stays
//! byte for byte. An attribute that already has the wanted value is left alone, so applying the
//! same edits twice changes nothing the second time. New attributes go just before the block's
//! closing brace, as their own group (after a blank line when an attribute precedes them), aligned
//! the way `terraform fmt` aligns a group, so the file stays fmt-canonical.

use crate::scan::key_name;
use hcl_edit::expr::{Expression, Object};
use hcl_edit::structure::{Block, Body};
use hcl_edit::Span;
use serde::Serialize;
use std::ops::Range;

/// Where an attribute goes: a top-level block (`["resource", "aws_s3_bucket_policy", "data"]`) and
/// then nested block names (`["rule", "apply_server_side_encryption_by_default"]`), or keys of
/// object values, so an edit inside a module input's object keeps the rest of it (comments too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    pub block: Vec<String>,
    pub nested: Vec<String>,
}

/// `key = value` (value as HCL, possibly several lines) in the block at `target`. With
/// `add_to_list`, `value` is one element of a list attribute: added when the attribute is absent
/// (`key = [value]`), left alone when the list already holds it, and refused when the attribute
/// holds something else (a human merges two lists better than a splice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Set {
    pub target: Target,
    pub key: String,
    pub value: String,
    pub add_to_list: bool,
    /// Values (as HCL) at least as strong as `value`: an attribute that already holds one is left
    /// alone (DSSE-KMS is never "fixed" down to SSE-KMS).
    pub keep: Vec<String>,
}

/// New attributes for one block: where its closing line starts, their indentation, `(key, value)`s.
type Insert = (usize, String, Vec<(String, String)>);

/// Applies the edits to one file's text; `Err` says which edit could not be placed (the file is then
/// left to a human, as the PR text describes).
pub fn apply(text: &str, edits: &[Set]) -> Result<String, String> {
    let body: Body = hcl_edit::parser::parse_body(text)
        .map_err(|e| format!("does not parse: {}", e.message()))?;
    let mut replacements: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    // Insertions per block (by the offset of its closing line), in edit order.
    let mut inserts: Vec<Insert> = Vec::new();
    for edit in edits {
        let block = find(&body, &edit.target)
            .ok_or_else(|| format!("no block {} here", describe(&edit.target)))?;
        let value = if edit.add_to_list {
            format!("[{}]", edit.value)
        } else {
            edit.value.clone()
        };
        match block.attribute(&edit.key) {
            Some((_, span)) if edit.add_to_list => {
                if !text[span].contains(&edit.value) {
                    return Err(format!(
                        "{} already sets {}: add {} to it by hand",
                        describe(&edit.target),
                        edit.key,
                        edit.value
                    ));
                }
            }
            Some((_, span)) if edit.keep.iter().any(|k| text[span.clone()].trim() == k) => {}
            Some((start, span)) => {
                let value = indent_tail(&edit.value, &line_indent(text, start));
                if text[span.clone()] != value {
                    replacements.push((span, value));
                }
            }
            None => {
                let span = block.span().ok_or("a block without a position")?;
                let close = span.end - 1;
                let line_start = text[..close].rfind('\n').map_or(0, |i| i + 1);
                if !text[line_start..close].trim().is_empty() {
                    return Err(format!(
                        "block {} closes on a line with other content: edit it by hand",
                        describe(&edit.target)
                    ));
                }
                let indent = format!("{}  ", &text[line_start..close]);
                match inserts.iter_mut().find(|(at, _, _)| *at == line_start) {
                    Some((_, _, attrs)) => attrs.push((edit.key.clone(), value)),
                    None => inserts.push((line_start, indent, vec![(edit.key.clone(), value)])),
                }
            }
        }
    }
    for (at, indent, attrs) in inserts {
        let previous = text[..at].trim_end_matches('\n');
        let after_attribute = !previous.ends_with('{') && !previous.is_empty();
        let mut lines = String::new();
        if after_attribute {
            lines.push('\n');
        }
        lines.push_str(&group(&indent, &attrs));
        replacements.push((at..at, lines));
    }
    replacements.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = text.to_string();
    let mut last = usize::MAX;
    for (range, with) in replacements {
        if range.end > last {
            return Err("two edits overlap".into());
        }
        last = range.start;
        out.replace_range(range, &with);
    }
    Ok(out)
}

/// New attributes as `terraform fmt` writes a group: single-line ones aligned on `=`, each
/// multi-line one on its own, separated by a blank line.
fn group(indent: &str, attrs: &[(String, String)]) -> String {
    let single: Vec<&(String, String)> = attrs.iter().filter(|(_, v)| !v.contains('\n')).collect();
    let width = single.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (k, v) in &single {
        out.push_str(&format!("{indent}{k:width$} = {v}\n"));
    }
    for (k, v) in attrs.iter().filter(|(_, v)| v.contains('\n')) {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("{indent}{k} = {}\n", indent_tail(v, indent)));
    }
    out
}

/// Indents every line but the first (a multi-line value placed after `key = `).
fn indent_tail(value: &str, indent: &str) -> String {
    let mut lines = value.lines();
    let mut out = lines.next().unwrap_or_default().to_string();
    for l in lines {
        out.push('\n');
        if !l.is_empty() {
            out.push_str(indent);
        }
        out.push_str(l);
    }
    out
}

fn line_indent(text: &str, at: usize) -> String {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    text[start..at].chars().take_while(|c| *c == ' ').collect()
}

/// Something attributes are set in: a block, or an object value (`{ key = value }`).
#[derive(Clone, Copy)]
enum Node<'a> {
    Block(&'a Block),
    Object(&'a Object),
}

impl<'a> Node<'a> {
    /// From its opening to its closing brace.
    fn span(self) -> Option<Range<usize>> {
        match self {
            Node::Block(b) => b.span(),
            Node::Object(o) => o.span(),
        }
    }

    /// Where the attribute or object entry `key` starts, and its value's span.
    fn attribute(self, key: &str) -> Option<(usize, Range<usize>)> {
        match self {
            Node::Block(b) => {
                let attr = b.body.get_attribute(key)?;
                Some((attr.span()?.start, attr.value.span()?))
            }
            Node::Object(o) => o
                .iter()
                .find(|(k, _)| key_name(k) == Some(key))
                .and_then(|(k, v)| Some((k.span()?.start, v.expr().span()?))),
        }
    }

    /// A nested block named `name`, else an object-valued attribute `name`.
    fn child(self, name: &str) -> Option<Node<'a>> {
        let object = |e: &'a Expression| match e {
            Expression::Object(o) => Some(Node::Object(o)),
            _ => None,
        };
        match self {
            Node::Block(b) => match b.body.blocks().find(|n| n.ident.as_str() == name) {
                Some(nested) => Some(Node::Block(nested)),
                None => object(&b.body.get_attribute(name)?.value),
            },
            Node::Object(o) => o
                .iter()
                .find(|(k, _)| key_name(k) == Some(name))
                .and_then(|(_, v)| object(v.expr())),
        }
    }
}

fn find<'b>(body: &'b Body, target: &'b Target) -> Option<Node<'b>> {
    let (ident, labels) = target.block.split_first()?;
    let mut node = Node::Block(body.blocks().find(|b| {
        b.ident.as_str() == ident
            && b.labels.len() == labels.len()
            && b.labels
                .iter()
                .zip(labels)
                .all(|(l, want)| l.as_str() == want)
    })?);
    for name in &target.nested {
        node = node.child(name)?;
    }
    Some(node)
}

fn describe(t: &Target) -> String {
    let mut s = t.block.join(".");
    for n in &t.nested {
        s.push_str(" > ");
        s.push_str(n);
    }
    s
}

/// Where line `line` (1-based) of `before` is in `after`; lines the edits never touch (a block's
/// first line) always map.
pub fn new_line(before: &str, after: &str, line: usize) -> usize {
    let diff = similar::TextDiff::from_lines(before, after);
    for op in diff.ops() {
        if let similar::DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = *op
        {
            if (old_index..old_index + len).contains(&(line - 1)) {
                return new_index + (line - 1 - old_index) + 1;
            }
        }
    }
    line
}

/// A unified diff of one file (`a/PATH`, `b/PATH`), empty when nothing changes.
pub fn diff(path: &str, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(block: &[&str], nested: &[&str], key: &str, value: &str) -> Set {
        Set {
            target: Target {
                block: block.iter().map(|s| s.to_string()).collect(),
                nested: nested.iter().map(|s| s.to_string()).collect(),
            },
            key: key.into(),
            value: value.into(),
            add_to_list: false,
            keep: Vec::new(),
        }
    }

    #[test]
    fn adds_to_a_list_once_and_never_overwrites_one() {
        let doc =
            "data \"aws_iam_policy_document\" \"d\" {\n  statement {\n    sid = \"A\"\n  }\n}\n";
        let mut add = set(
            &["data", "aws_iam_policy_document", "d"],
            &[],
            "source_policy_documents",
            "module.t.docs[\"b\"]",
        );
        add.add_to_list = true;
        let out = apply(doc, &[add.clone()]).unwrap();
        assert!(
            out.contains("  }\n\n  source_policy_documents = [module.t.docs[\"b\"]]\n}\n"),
            "{out}"
        );
        assert_eq!(apply(&out, &[add.clone()]).unwrap(), out);
        let theirs = doc.replace(
            "  statement {",
            "  source_policy_documents = [local.x]\n\n  statement {",
        );
        assert!(apply(&theirs, &[add]).is_err());
    }

    const PAB: &str = "# keep me\nresource \"aws_s3_bucket_public_access_block\" \"data\" {\n  bucket = aws_s3_bucket.data.id # the bucket\n\n  block_public_acls   = false # why not\n  block_public_policy = true\n}\n\n# after\n";

    #[test]
    fn sets_and_inserts_keeping_everything_else() {
        let edits = [
            set(
                &["resource", "aws_s3_bucket_public_access_block", "data"],
                &[],
                "block_public_acls",
                "true",
            ),
            set(
                &["resource", "aws_s3_bucket_public_access_block", "data"],
                &[],
                "block_public_policy",
                "true",
            ),
            set(
                &["resource", "aws_s3_bucket_public_access_block", "data"],
                &[],
                "ignore_public_acls",
                "true",
            ),
            set(
                &["resource", "aws_s3_bucket_public_access_block", "data"],
                &[],
                "restrict_public_buckets",
                "true",
            ),
        ];
        let out = apply(PAB, &edits).unwrap();
        assert_eq!(
            out,
            "# keep me\nresource \"aws_s3_bucket_public_access_block\" \"data\" {\n  bucket = aws_s3_bucket.data.id # the bucket\n\n  block_public_acls   = true # why not\n  block_public_policy = true\n\n  ignore_public_acls      = true\n  restrict_public_buckets = true\n}\n\n# after\n"
        );
        // Idempotent.
        assert_eq!(apply(&out, &edits).unwrap(), out);
    }

    #[test]
    fn nested_blocks_and_multi_line_values() {
        let text = "resource \"x\" \"y\" {\n  rule {\n    apply {\n      algo = \"AES256\"\n    }\n  }\n}\n";
        let out = apply(
            text,
            &[
                set(
                    &["resource", "x", "y"],
                    &["rule", "apply"],
                    "algo",
                    "\"aws:kms\"",
                ),
                set(&["resource", "x", "y"], &["rule"], "key_enabled", "true"),
                set(
                    &["resource", "x", "y"],
                    &[],
                    "versioning",
                    "{\n  enabled = true\n}",
                ),
            ],
        )
        .unwrap();
        assert_eq!(
            out,
            "resource \"x\" \"y\" {\n  rule {\n    apply {\n      algo = \"aws:kms\"\n    }\n\n    key_enabled = true\n  }\n\n  versioning = {\n    enabled = true\n  }\n}\n"
        );
        assert!(apply(text, &[set(&["resource", "x", "z"], &[], "a", "1")]).is_err());
    }

    #[test]
    fn object_values_are_edited_inside_keeping_their_comments() {
        let text = "module \"m\" {\n  sse = {\n    rule = {\n      apply = {\n        algo = \"aws:kms\" # managed key\n      }\n    }\n  }\n  versioning = { \"enabled\" = false }\n}\n";
        let edits = [
            set(
                &["module", "m"],
                &["sse", "rule", "apply"],
                "algo",
                "\"aws:kms\"",
            ),
            set(&["module", "m"], &["sse", "rule"], "bucket_key", "true"),
            set(&["module", "m"], &["versioning"], "enabled", "true"),
        ];
        let out = apply(text, &edits).unwrap();
        assert_eq!(
            out,
            "module \"m\" {\n  sse = {\n    rule = {\n      apply = {\n        algo = \"aws:kms\" # managed key\n      }\n\n      bucket_key = true\n    }\n  }\n  versioning = { \"enabled\" = true }\n}\n"
        );
        assert_eq!(apply(&out, &edits).unwrap(), out);
        // A shape that is not there is refused, not guessed.
        assert!(apply(text, &[set(&["module", "m"], &["sse", "rules"], "x", "1")]).is_err());
    }

    #[test]
    fn a_stronger_value_is_kept() {
        let text = "resource \"x\" \"y\" {\n  algo = \"aws:kms:dsse\"\n}\n";
        let mut edit = set(&["resource", "x", "y"], &[], "algo", "\"aws:kms\"");
        edit.keep = vec!["\"aws:kms:dsse\"".into()];
        assert_eq!(apply(text, &[edit.clone()]).unwrap(), text);
        let weaker = text.replace("aws:kms:dsse", "AES256");
        assert!(apply(&weaker, &[edit])
            .unwrap()
            .contains("algo = \"aws:kms\""));
    }

    #[test]
    fn diffs_are_unified() {
        let d = diff("main.tf", "a\nb\n", "a\nc\n");
        assert!(d.starts_with("--- a/main.tf\n+++ b/main.tf\n@@"), "{d}");
        assert!(d.contains("-b\n+c\n"));
        assert_eq!(diff("main.tf", "a\n", "a\n"), "");
    }
}
