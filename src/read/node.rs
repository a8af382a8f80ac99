//! A JSON value together with its JSON path and the key casing of the document it came from, plus the
//! per-finding context (file, line, warnings) that turns a bad value into an `InputError`.
//!
//! The camelCase and PascalCase forms of a GuardDuty finding differ only in the first letter of each
//! key, so one reader serves both: lookups are written in camelCase and tried in the document's own
//! casing first. Paths are built from the keys actually found, so errors quote the user's own spelling
//! (`$.Findings[0].Service.Action...`).

use crate::error::InputError;
use crate::model::{Origin, Warning};
use serde_json::Value;
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Case {
    Camel,
    Pascal,
}

impl Case {
    fn spell(self, camel: &str) -> Cow<'_, str> {
        match self {
            Case::Camel => Cow::Borrowed(camel),
            Case::Pascal => Cow::Owned(flip_first(camel, true)),
        }
    }

    fn other(self) -> Case {
        match self {
            Case::Camel => Case::Pascal,
            Case::Pascal => Case::Camel,
        }
    }
}

fn flip_first(s: &str, upper: bool) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if upper => c.to_uppercase().chain(chars).collect(),
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `path.key`, or `path["key"]` when the key is not a plain identifier (`aws/guardduty/...`).
pub(crate) fn push_key(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if plain {
        format!("{path}.{key}")
    } else {
        let quoted = serde_json::to_string(key).unwrap_or_else(|_| format!("{key:?}"));
        format!("{path}[{quoted}]")
    }
}

pub(crate) fn push_index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// "an object with keys \"a\", \"b\"", "an array"... for messages.
pub(crate) fn describe(v: &Value) -> String {
    match v {
        Value::Object(map) if map.is_empty() => "an empty object".to_string(),
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().take(5).map(|k| format!("{k:?}")).collect();
            let more = if map.len() > 5 { ", ..." } else { "" };
            format!("an object with keys {}{more}", keys.join(", "))
        }
        other => kind(other).to_string(),
    }
}

/// "a string", "an object"... for messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Node<'v> {
    pub v: &'v Value,
    pub path: String,
    pub case: Case,
}

impl<'v> Node<'v> {
    pub fn new(v: &'v Value, path: impl Into<String>, case: Case) -> Self {
        Self {
            v,
            path: path.into(),
            case,
        }
    }

    /// The camelCase `key` of this object, in the document's casing or else the other one; `null`
    /// counts as absent because GuardDuty writes `null` for "not applicable".
    pub fn get(&self, key: &str) -> Option<Node<'v>> {
        let obj = self.v.as_object()?;
        for case in [self.case, self.case.other()] {
            let spelled = case.spell(key);
            if let Some((k, v)) = obj.get_key_value(spelled.as_ref()) {
                if v.is_null() {
                    return None;
                }
                return Some(Node::new(v, push_key(&self.path, k), self.case));
            }
        }
        None
    }

    /// `get` along several keys.
    pub fn at(&self, keys: &[&str]) -> Option<Node<'v>> {
        let mut node = self.clone();
        for key in keys {
            node = node.get(key)?;
        }
        Some(node)
    }

    /// Where `key` would be, in the document's casing: for "missing field" errors.
    pub fn key_path(&self, key: &str) -> String {
        push_key(&self.path, &self.case.spell(key))
    }

    /// Elements of an array (none for anything else).
    pub fn items(&self) -> Vec<Node<'v>> {
        match self.v {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| Node::new(v, push_index(&self.path, i), self.case))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The file and line a finding came from, and the warnings gathered while reading it (emitted only if
/// the finding itself reads).
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    pub file: &'a str,
    pub line: Option<u64>,
    pub warnings: Vec<Warning>,
}

impl<'a> Ctx<'a> {
    pub fn new(file: &'a str, line: Option<u64>) -> Self {
        Self {
            file,
            line,
            warnings: Vec::new(),
        }
    }

    pub fn origin(&self, path: &str) -> Origin {
        Origin {
            file: self.file.to_string(),
            line: self.line,
            path: path.to_string(),
        }
    }

    pub fn error(&self, path: &str, message: impl Into<String>) -> InputError {
        InputError::new(self.file, self.line, path, message)
    }

    pub fn warn(&mut self, path: &str, message: impl Into<String>) {
        self.warnings.push(Warning {
            origin: self.origin(path),
            message: message.into(),
        });
    }

    /// A required string field; `what` completes "expected ...".
    pub fn req_str<'v>(
        &self,
        n: &Node<'v>,
        key: &str,
        what: &str,
    ) -> Result<(&'v str, String), InputError> {
        match n.get(key) {
            None => Err(self.error(
                &n.key_path(key),
                format!("missing required field: expected {what}"),
            )),
            Some(Node {
                v: Value::String(s),
                path,
                ..
            }) => Ok((s.as_str(), path)),
            Some(other) => Err(self.error(
                &other.path,
                format!("expected {what}, found {}", kind(other.v)),
            )),
        }
    }

    /// Free text: strings verbatim, numbers and booleans as written (`asn` is a number in some
    /// findings and a string in others); objects and arrays are ignored with a warning.
    pub fn text(&mut self, n: Option<Node<'_>>) -> Option<String> {
        let n = n?;
        match n.v {
            Value::String(s) => Some(s.clone()),
            Value::Number(x) => Some(x.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            other => {
                self.warn(
                    &n.path,
                    format!("expected a string, found {}; ignored", kind(other)),
                );
                None
            }
        }
    }

    pub fn opt_text(&mut self, n: &Node<'_>, key: &str) -> Option<String> {
        self.text(n.get(key))
    }

    /// A boolean, also accepted as the string `"true"`/`"false"` (Security Hub flattens to strings).
    pub fn flag(&mut self, n: Option<Node<'_>>) -> bool {
        let Some(n) = n else { return false };
        match n.v {
            Value::Bool(b) => *b,
            Value::String(s) if s.eq_ignore_ascii_case("true") => true,
            Value::String(s) if s.eq_ignore_ascii_case("false") || s.is_empty() => false,
            other => {
                self.warn(
                    &n.path,
                    format!(
                        "expected true or false, found {}; read as false",
                        kind(other)
                    ),
                );
                false
            }
        }
    }

    /// A number, also accepted as a numeric string.
    pub fn number(&mut self, n: Option<Node<'_>>) -> Option<f64> {
        let n = n?;
        let parsed = match n.v {
            Value::Number(x) => x.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        if !parsed.is_some_and(f64::is_finite) {
            self.warn(
                &n.path,
                format!("expected a number, found {}; ignored", kind(n.v)),
            );
            return None;
        }
        parsed
    }

    /// A non-negative count.
    pub fn count(&mut self, n: Option<Node<'_>>) -> u64 {
        let Some(n) = n else { return 0 };
        let parsed = match n.v {
            Value::Number(x) => x.as_u64(),
            Value::String(s) => s.trim().parse::<u64>().ok(),
            _ => None,
        };
        parsed.unwrap_or_else(|| {
            self.warn(
                &n.path,
                format!(
                    "expected a non-negative integer, found {}; read as 0",
                    kind(n.v)
                ),
            );
            0
        })
    }

    /// A timestamp: strings are kept verbatim; numbers are epoch seconds (GuardDuty writes bucket
    /// `createdAt` as `1513612691.551`) and become RFC 3339 so every reader yields the same text.
    pub fn timestamp(&mut self, n: Option<Node<'_>>) -> Option<String> {
        let n = n?;
        match n.v {
            Value::Number(x) => match x.as_f64().and_then(epoch_to_rfc3339) {
                Some(t) => Some(t),
                None => Some(x.to_string()),
            },
            _ => self.text(Some(n)),
        }
    }
}

/// Epoch seconds (or milliseconds, for values past the year 5000) to `YYYY-MM-DDTHH:MM:SS[.mmm]Z`.
fn epoch_to_rfc3339(secs: f64) -> Option<String> {
    if !secs.is_finite() || secs < 0.0 {
        return None;
    }
    let secs = if secs > 1.0e11 { secs / 1000.0 } else { secs };
    let total_ms = (secs * 1000.0).round();
    if total_ms > 253_402_300_799_999.0 {
        return None;
    }
    // The range check above keeps the value well inside i64.
    #[allow(clippy::cast_possible_truncation)]
    let total_ms = total_ms as i64;
    let (days, ms_of_day) = (
        total_ms.div_euclid(86_400_000),
        total_ms.rem_euclid(86_400_000),
    );
    let (y, m, d) = civil_from_days(days);
    let (h, min, s, ms) = (
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000,
    );
    Some(if ms == 0 {
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}Z")
    } else {
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{ms:03}Z")
    })
}

/// Howard Hinnant's days-from-civil inverse (proleptic Gregorian calendar).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn epochs() {
        assert_eq!(
            epoch_to_rfc3339(1513612691.551).as_deref(),
            Some("2017-12-18T15:58:11.551Z")
        );
        assert_eq!(
            epoch_to_rfc3339(1642021898.0).as_deref(),
            Some("2022-01-12T21:11:38Z")
        );
        assert_eq!(
            epoch_to_rfc3339(1513609200000.0).as_deref(),
            Some("2017-12-18T15:00:00Z")
        );
        assert_eq!(
            epoch_to_rfc3339(0.0).as_deref(),
            Some("1970-01-01T00:00:00Z")
        );
        assert_eq!(epoch_to_rfc3339(-1.0), None);
    }

    #[test]
    fn paths() {
        assert_eq!(push_key("$", "detail"), "$.detail");
        assert_eq!(push_key("$", "detail-type"), "$.detail-type");
        assert_eq!(
            push_key("$.ProductFields", "aws/guardduty/service/count"),
            "$.ProductFields[\"aws/guardduty/service/count\"]"
        );
    }

    #[test]
    fn casing() {
        let v: Value = serde_json::json!({"Service": {"IpAddressV4": "1.2.3.4", "Nothing": null}});
        let n = Node::new(&v, "$.Findings[0]", Case::Pascal);
        let ip = n.at(&["service", "ipAddressV4"]).unwrap();
        assert_eq!(ip.path, "$.Findings[0].Service.IpAddressV4");
        assert!(n.at(&["service", "nothing"]).is_none());
        assert_eq!(n.key_path("accountId"), "$.Findings[0].AccountId");
    }
}
