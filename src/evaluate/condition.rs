//! The `Condition` element: operators, their `IfExists` and `ForAllValues:`/`ForAnyValue:` forms, and
//! what each does with a key the request lacks.
//!
//! Rules, from the IAM User Guide:
//! - "IAM JSON policy elements: Condition operators": a key missing from the request makes the
//!   condition false, except that a negated operator (`StringNotLike`, `ArnNotLike`, ...) is then true;
//!   `...IfExists` is true for a missing key; `Null` tests presence. ARN operators match each of the six
//!   parts separately; `ArnEquals` and `ArnLike` behave identically.
//! - "Creating a condition with multiple keys or values": operators are ANDed, keys within an operator
//!   are ANDed, values of one key are ORed, and for a negated operator "the effective permission works
//!   like a logical AND" (the request value matches none of them).
//! - "Single-valued vs. multivalued context keys": `ForAllValues` is true when the key is missing or
//!   resolves to an empty data set, `ForAnyValue` false.

use super::pattern::{arn_like, arn_parts, wildcard};
use super::value::{parse_bool, parse_ip_address, parse_ip_range, Decimal, Instant};
use super::{all_of, any_of, Context, ContextValue, Unsupported, Verdict};
use ipnet::IpNet;
use serde_json::Value;
use std::cmp::Ordering;

/// A parsed `Condition` element.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Conditions {
    clauses: Vec<Clause>,
}

/// One operator applied to one key.
#[derive(Debug, Clone, PartialEq)]
struct Clause {
    /// The operator as written, for messages.
    operator: String,
    /// The key as written; looked up without regard to case.
    key: String,
    set: Option<SetOperator>,
    if_exists: bool,
    test: Test,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetOperator {
    AllValues,
    AnyValue,
}

#[derive(Debug, Clone, PartialEq)]
enum Test {
    /// `Null`: each value says whether the key must be absent (`true`) or present (`false`).
    Null(Vec<bool>),
    /// Every other operator: a positive match against the policy's values, inverted when negated.
    Match { negated: bool, operands: Operands },
}

#[derive(Debug, Clone, PartialEq)]
enum Operands {
    String {
        mode: StringMode,
        values: Vec<String>,
    },
    Numeric {
        cmp: Cmp,
        values: Vec<Decimal>,
    },
    Date {
        cmp: Cmp,
        values: Vec<Instant>,
    },
    Bool(Vec<bool>),
    Ip(Vec<IpNet>),
    Arn(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StringMode {
    Exact,
    IgnoreCase,
    Like,
}

/// How the request's value must relate to the policy's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

/// What an operator name stands for before its values are read.
enum Family {
    String(StringMode),
    Numeric(Cmp),
    Date(Cmp),
    Bool,
    Ip,
    Arn,
    Null,
}

impl Conditions {
    /// `variables` is true for `"Version": "2012-10-17"`, where `${...}` in a value is a policy
    /// variable; this evaluator does not substitute them and refuses such values. In 2008-10-17 they
    /// are literal text (IAM User Guide, "IAM JSON policy elements: Version").
    pub(crate) fn parse(value: &Value, variables: bool) -> Result<Self, Unsupported> {
        let Value::Object(operators) = value else {
            return Err(Unsupported::new("Condition is not an object"));
        };
        if operators.is_empty() {
            return Err(Unsupported::new("Condition is empty"));
        }
        let mut clauses = vec![];
        for (operator, keys) in operators {
            let context = |e: Unsupported| e.context(format!("Condition operator `{operator}`"));
            let Value::Object(keys) = keys else {
                return Err(context(Unsupported::new(
                    "its value is not an object of keys",
                )));
            };
            if keys.is_empty() {
                return Err(context(Unsupported::new("it names no keys")));
            }
            for (key, values) in keys {
                let clause = Clause::parse(operator, key, values, variables)
                    .map_err(|e| context(e.context(format!("key `{key}`"))))?;
                clauses.push(clause);
            }
        }
        Ok(Self { clauses })
    }

    pub(crate) fn evaluate(&self, context: &Context) -> Verdict {
        all_of(self.clauses.iter().map(|clause| {
            clause.evaluate(context).map_err(|e| {
                e.context(format!(
                    "Condition `{}` on `{}`",
                    clause.operator, clause.key
                ))
            })
        }))
    }
}

impl Clause {
    fn parse(
        operator: &str,
        key: &str,
        values: &Value,
        variables: bool,
    ) -> Result<Self, Unsupported> {
        let (set, rest) = if let Some(rest) = operator.strip_prefix("ForAllValues:") {
            (Some(SetOperator::AllValues), rest)
        } else if let Some(rest) = operator.strip_prefix("ForAnyValue:") {
            (Some(SetOperator::AnyValue), rest)
        } else {
            (None, operator)
        };
        let (if_exists, base) = match rest.strip_suffix("IfExists") {
            Some(base) => (true, base),
            None => (false, rest),
        };
        let (negated, family) = family(base)?;
        let values = scalars(values)?;
        if variables {
            if let Some(v) = values.iter().find(|v| v.contains("${")) {
                return Err(Unsupported::new(format!(
                    "`{v}` holds a policy variable, which this evaluator does not substitute"
                )));
            }
        }
        let test = match family {
            Family::Null if set.is_some() || if_exists => {
                return Err(Unsupported::new(
                    "Null takes neither IfExists nor a set operator (Condition operators page)",
                ))
            }
            Family::Null => Test::Null(parse_all(&values, parse_bool)?),
            family => Test::Match {
                negated,
                operands: Operands::parse(family, &values)?,
            },
        };
        Ok(Self {
            operator: operator.to_string(),
            key: key.to_string(),
            set,
            if_exists,
            test,
        })
    }

    fn evaluate(&self, context: &Context) -> Verdict {
        let values = super::lookup(context, &self.key)?;
        let (negated, operands) = match &self.test {
            Test::Null(absent) => return null(absent, values),
            Test::Match { negated, operands } => (*negated, operands),
        };
        let test = |v: &ContextValue| operands.any_matches(v.as_str()).map(|hit| hit != negated);
        match (self.set, values) {
            // The Condition operators page: a missing key fails the test, a negated test passes, and
            // IfExists passes.
            (None, None) => Ok(self.if_exists || negated),
            (None, Some([one])) => test(one),
            (None, Some(many)) => Err(Unsupported::new(format!(
                "the request gives {} values; an operator without ForAllValues:/ForAnyValue: needs one",
                many.len()
            ))),
            (Some(SetOperator::AnyValue), None | Some([])) if self.if_exists => {
                Err(Unsupported::new(
                    "ForAnyValue with IfExists on a missing key: the docs say IfExists passes and \
                     ForAnyValue fails, and do not say which wins",
                ))
            }
            // Single-valued vs. multivalued context keys: ForAllValues passes on a missing key or an
            // empty set, ForAnyValue fails.
            (Some(set), None | Some([])) => Ok(set == SetOperator::AllValues),
            (Some(_), Some([one])) if one.as_str().is_empty() => Err(Unsupported::new(
                "a single empty string: the docs count \"an empty string\" as an empty data set, \
                 and whether this value is one is not clear",
            )),
            (Some(SetOperator::AllValues), Some(all)) => all_of(all.iter().map(test)),
            (Some(SetOperator::AnyValue), Some(all)) => any_of(all.iter().map(test)),
        }
    }
}

/// `Null`: `true` means the key must be absent, `false` that it must be present; several values are
/// ORed like any other.
fn null(absent: &[bool], values: Option<&[ContextValue]>) -> Verdict {
    let present = match values {
        None => false,
        Some([]) => return Err(Unsupported::new(
            "Null on a key given with no values: whether that counts as present is not documented",
        )),
        Some(_) => true,
    };
    Ok(absent
        .iter()
        .any(|&must_be_absent| must_be_absent != present))
}

fn family(base: &str) -> Result<(bool, Family), Unsupported> {
    use Cmp::*;
    Ok(match base {
        "StringEquals" => (false, Family::String(StringMode::Exact)),
        "StringNotEquals" => (true, Family::String(StringMode::Exact)),
        "StringEqualsIgnoreCase" => (false, Family::String(StringMode::IgnoreCase)),
        "StringNotEqualsIgnoreCase" => (true, Family::String(StringMode::IgnoreCase)),
        "StringLike" => (false, Family::String(StringMode::Like)),
        "StringNotLike" => (true, Family::String(StringMode::Like)),
        "NumericEquals" => (false, Family::Numeric(Eq)),
        "NumericNotEquals" => (true, Family::Numeric(Eq)),
        "NumericLessThan" => (false, Family::Numeric(Lt)),
        "NumericLessThanEquals" => (false, Family::Numeric(Le)),
        "NumericGreaterThan" => (false, Family::Numeric(Gt)),
        "NumericGreaterThanEquals" => (false, Family::Numeric(Ge)),
        "DateEquals" => (false, Family::Date(Eq)),
        "DateNotEquals" => (true, Family::Date(Eq)),
        "DateLessThan" => (false, Family::Date(Lt)),
        "DateLessThanEquals" => (false, Family::Date(Le)),
        "DateGreaterThan" => (false, Family::Date(Gt)),
        "DateGreaterThanEquals" => (false, Family::Date(Ge)),
        "Bool" => (false, Family::Bool),
        "IpAddress" => (false, Family::Ip),
        "NotIpAddress" => (true, Family::Ip),
        "ArnEquals" | "ArnLike" => (false, Family::Arn),
        "ArnNotEquals" | "ArnNotLike" => (true, Family::Arn),
        "Null" => (false, Family::Null),
        "BinaryEquals" => {
            return Err(Unsupported::new(
                "BinaryEquals is not supported (no binary context values here)",
            ))
        }
        other => {
            return Err(Unsupported::new(format!(
                "unknown condition operator `{other}`"
            )))
        }
    })
}

impl Operands {
    fn parse(family: Family, values: &[String]) -> Result<Self, Unsupported> {
        Ok(match family {
            Family::String(StringMode::IgnoreCase) => {
                if let Some(v) = values.iter().find(|v| !v.is_ascii()) {
                    return Err(Unsupported::new(format!(
                        "`{v}`: how IAM folds the case of non-ASCII text is not documented"
                    )));
                }
                Self::String {
                    mode: StringMode::IgnoreCase,
                    values: values.to_vec(),
                }
            }
            Family::String(mode) => Self::String {
                mode,
                values: values.to_vec(),
            },
            Family::Numeric(cmp) => Self::Numeric {
                cmp,
                values: parse_all(values, Decimal::parse)?,
            },
            Family::Date(cmp) => Self::Date {
                cmp,
                values: parse_all(values, Instant::parse)?,
            },
            Family::Bool => Self::Bool(parse_all(values, parse_bool)?),
            Family::Ip => Self::Ip(parse_all(values, parse_ip_range)?),
            Family::Arn => {
                if let Some(v) = values.iter().find(|v| arn_parts(v).is_none()) {
                    return Err(Unsupported::new(format!(
                        "`{v}` is not a six-part ARN pattern"
                    )));
                }
                Self::Arn(values.to_vec())
            }
            // `Clause::parse` reads Null's values itself.
            Family::Null => return Err(Unsupported::new("Null has no operands to compare")),
        })
    }

    /// Whether the request's value matches at least one of the policy's (before negation).
    fn any_matches(&self, request: &str) -> Verdict {
        Ok(match self {
            Self::String { mode, values } => match mode {
                StringMode::Exact => values.iter().any(|v| v == request),
                StringMode::IgnoreCase if !request.is_ascii() => {
                    return Err(Unsupported::new(format!(
                        "`{request}`: how IAM folds the case of non-ASCII text is not documented"
                    )))
                }
                StringMode::IgnoreCase => values.iter().any(|v| v.eq_ignore_ascii_case(request)),
                StringMode::Like => values.iter().any(|v| wildcard(v, request)),
            },
            Self::Numeric { cmp, values } => {
                let request = Decimal::parse(request)?;
                values.iter().any(|v| cmp.holds(request.cmp(v)))
            }
            Self::Date { cmp, values } => {
                let request = Instant::parse(request)?;
                values.iter().any(|v| cmp.holds(request.cmp(v)))
            }
            Self::Bool(values) => values.contains(&parse_bool(request)?),
            Self::Ip(nets) => {
                let address = parse_ip_address(request)?;
                nets.iter().any(|net| net.contains(&address))
            }
            Self::Arn(patterns) => {
                if arn_parts(request).is_none() {
                    return Err(Unsupported::new(format!(
                        "`{request}` is not a six-part ARN"
                    )));
                }
                patterns.iter().any(|p| arn_like(p, request) == Some(true))
            }
        })
    }
}

impl Cmp {
    /// Given how the request's value orders against the policy's.
    fn holds(self, order: Ordering) -> bool {
        match self {
            Cmp::Eq => order.is_eq(),
            Cmp::Lt => order.is_lt(),
            Cmp::Le => order.is_le(),
            Cmp::Gt => order.is_gt(),
            Cmp::Ge => order.is_ge(),
        }
    }
}

fn parse_all<T>(
    values: &[String],
    parse: impl Fn(&str) -> Result<T, Unsupported>,
) -> Result<Vec<T>, Unsupported> {
    values.iter().map(|v| parse(v)).collect()
}

/// A condition's values: one scalar or a non-empty list of them, each read as text. A JSON number keeps
/// its JSON spelling (`1.2` stays `1.2`) and a boolean becomes `true`/`false`, which is how AWS's own
/// examples (`"NumericLessThan": {"s3:TlsVersion": 1.2}`) and string forms (`"1.2"`) come out alike.
fn scalars(value: &Value) -> Result<Vec<String>, Unsupported> {
    let scalar = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(Unsupported::new(format!(
            "condition value `{other}` is not a string, number or boolean"
        ))),
    };
    match value {
        Value::Array(items) if items.is_empty() => {
            Err(Unsupported::new("condition value is an empty list"))
        }
        Value::Array(items) => items.iter().map(scalar).collect(),
        one => Ok(vec![scalar(one)?]),
    }
}
