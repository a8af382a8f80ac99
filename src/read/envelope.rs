//! Recognises what a parsed JSON document is — a bare finding, an envelope, an EventBridge event, an
//! ASFF finding, or an array of those — from its content alone, and hands each finding to its reader.

use super::node::{describe, kind, push_index, Case, Ctx, Node};
use super::{asff, camel, Item};
use crate::error::InputError;
use serde_json::{Map, Value};

pub(crate) const EXPECTED: &str =
    "expected a GuardDuty finding (camelCase API/EventBridge-detail JSON), \
     a {\"Findings\": [...]} envelope, an EventBridge event, or a Security Hub ASFF finding";

/// Arrays of arrays are accepted, but not without bound: a hostile file should not exhaust the stack
/// (serde_json already stops at 128 levels; this keeps the reader's own recursion shallower).
const MAX_ARRAY_DEPTH: usize = 8;

/// Reads every finding of one JSON document (`path` is `$` for a whole document or line).
pub(crate) fn document(
    v: &Value,
    path: &str,
    file: &str,
    line: Option<u64>,
    sink: &mut dyn FnMut(Item),
) {
    dispatch(v, path, file, line, sink, 0);
}

fn dispatch(
    v: &Value,
    path: &str,
    file: &str,
    line: Option<u64>,
    sink: &mut dyn FnMut(Item),
    depth: usize,
) {
    let error = |path: &str, message: String| InputError::new(file, line, path, message);
    let obj = match v {
        Value::Array(items) if depth < MAX_ARRAY_DEPTH => {
            for (i, item) in items.iter().enumerate() {
                dispatch(item, &push_index(path, i), file, line, sink, depth + 1);
            }
            return;
        }
        Value::Object(obj) => obj,
        other => {
            sink(Item::Error(error(
                path,
                format!("{EXPECTED}, found {}", kind(other)),
            )));
            return;
        }
    };
    let node = Node::new(v, path, Case::Camel);
    if let Some(detail_type) = obj.get("detail-type") {
        eventbridge(&node, detail_type, file, line, sink, depth);
    } else if asff::is_asff(obj) {
        finding(
            &Node {
                case: Case::Pascal,
                ..node
            },
            Kind::Asff,
            file,
            line,
            sink,
        );
    } else if let Some(list) = obj.get("Findings").or_else(|| obj.get("findings")) {
        let pascal = obj.contains_key("Findings");
        let list_node = match node.get("findings") {
            Some(n) => n,
            None => Node::new(list, node.key_path("findings"), Case::Camel),
        };
        let Value::Array(items) = list else {
            sink(Item::Error(error(
                &list_node.path,
                format!("expected an array of findings, found {}", kind(list)),
            )));
            return;
        };
        for (i, item) in items.iter().enumerate() {
            let item_path = push_index(&list_node.path, i);
            // `{"Findings": [...]}` is both the GuardDuty CLI output and Security Hub's get-findings
            // output, so each item decides for itself.
            let kind = match item.as_object() {
                Some(o) if asff::is_asff(o) => Kind::Asff,
                _ if pascal => Kind::Pascal,
                _ => Kind::Camel,
            };
            let case = if kind == Kind::Camel {
                Case::Camel
            } else {
                Case::Pascal
            };
            finding(&Node::new(item, item_path, case), kind, file, line, sink);
        }
    } else if looks_like(obj, ["accountId", "schemaVersion", "type"]) {
        finding(&node, Kind::Camel, file, line, sink);
    } else if looks_like(obj, ["AccountId", "SchemaVersion", "Type"]) {
        finding(
            &Node {
                case: Case::Pascal,
                ..node
            },
            Kind::Pascal,
            file,
            line,
            sink,
        );
    } else {
        sink(Item::Error(error(
            path,
            format!("{EXPECTED}, found {}", describe(v)),
        )));
    }
}

/// A finding names its account or schema, or at least has a type next to an id or service block.
fn looks_like(obj: &Map<String, Value>, [account, schema, type_]: [&str; 3]) -> bool {
    let first_upper = type_.starts_with('T');
    let (id, service) = if first_upper {
        ("Id", "Service")
    } else {
        ("id", "service")
    };
    obj.contains_key(account)
        || obj.contains_key(schema)
        || (obj.contains_key(type_) && (obj.contains_key(id) || obj.contains_key(service)))
}

fn eventbridge(
    event: &Node<'_>,
    detail_type: &Value,
    file: &str,
    line: Option<u64>,
    sink: &mut dyn FnMut(Item),
    depth: usize,
) {
    let dt_path = event.key_path("detail-type");
    // Security Hub forwards ASFF findings, GuardDuty's among them, as `{"findings": [...]}` in
    // `detail`; the envelope reader sorts out which ones are GuardDuty's.
    if let Some(hub) = detail_type
        .as_str()
        .filter(|t| t.starts_with("Security Hub Findings"))
    {
        match event.get("detail") {
            Some(detail) if detail.v.get("findings").is_some() => {
                dispatch(detail.v, &detail.path, file, line, sink, depth + 1);
            }
            _ => sink(Item::Error(InputError::new(
                file,
                line,
                event.key_path("detail"),
                format!("expected a {{\"findings\": [...]}} object in this {hub:?} event"),
            ))),
        }
        return;
    }
    if detail_type.as_str() != Some("GuardDuty Finding") {
        let found = detail_type
            .as_str()
            .map_or_else(|| kind(detail_type).to_string(), |s| format!("{s:?}"));
        sink(Item::Error(InputError::new(
            file,
            line,
            dt_path,
            format!(
                "expected an EventBridge event with detail-type \"GuardDuty Finding\" (or \
                 \"Security Hub Findings - Imported\"), found {found}"
            ),
        )));
        return;
    }
    match event.get("detail") {
        Some(detail) if detail.v.is_object() => finding(&detail, Kind::Camel, file, line, sink),
        Some(detail) => sink(Item::Error(InputError::new(
            file,
            line,
            detail.path.clone(),
            format!(
                "expected the GuardDuty finding object, found {}",
                kind(detail.v)
            ),
        ))),
        None => sink(Item::Error(InputError::new(
            file,
            line,
            event.key_path("detail"),
            "missing required field: expected the GuardDuty finding object",
        ))),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Camel,
    Pascal,
    Asff,
}

fn finding(n: &Node<'_>, kind: Kind, file: &str, line: Option<u64>, sink: &mut dyn FnMut(Item)) {
    let mut ctx = Ctx::new(file, line);
    let read = match kind {
        Kind::Camel | Kind::Pascal => camel::finding(n, &mut ctx),
        Kind::Asff => asff::finding(n, &mut ctx),
    };
    match read {
        Ok(f) => {
            for w in ctx.warnings {
                sink(Item::Warning(w));
            }
            sink(Item::Finding(f));
        }
        Err(e) => sink(Item::Error(e)),
    }
}
