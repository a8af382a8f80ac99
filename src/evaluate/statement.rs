//! One statement: its elements read and checked, and whether it applies to a request.
//!
//! IAM User Guide pages: "IAM JSON policy elements: Action" and "NotAction" (action names are not case
//! sensitive, `*` and `?` allowed), "Resource" and "NotResource" (wildcards in any ARN segment; case
//! sensitive), "Principal" and "NotPrincipal" (see `principal`), "Condition" (see `condition`).

use super::condition::Conditions;
use super::pattern::{arn_like, arn_parts, wildcard};
use super::principal::{self, Principals};
use super::{all_of, any_of, Request, Unsupported, Verdict};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    Allow,
    Deny,
}

/// An element and whether it is the `Not...` form.
#[derive(Debug, Clone, PartialEq)]
struct Element<T> {
    negated: bool,
    value: T,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Statement {
    pub(crate) index: usize,
    pub(crate) sid: Option<String>,
    pub(crate) effect: Effect,
    principal: Element<Principals>,
    /// Lowercased: actions match without regard to case.
    actions: Element<Vec<String>>,
    resources: Element<Vec<String>>,
    condition: Option<Conditions>,
}

const ELEMENTS: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

impl Statement {
    pub(crate) fn parse(index: usize, value: &Value, variables: bool) -> Result<Self, Unsupported> {
        let place = || label(index, None);
        let Value::Object(map) = value else {
            return Err(Unsupported::new("not an object").context(place()));
        };
        let sid = match map.get("Sid") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                return Err(
                    Unsupported::new(format!("Sid {other} is not a string")).context(place())
                )
            }
        };
        Self::parse_elements(index, sid.clone(), map, variables)
            .map_err(|e| e.context(label(index, sid.as_deref())))
    }

    fn parse_elements(
        index: usize,
        sid: Option<String>,
        map: &serde_json::Map<String, Value>,
        variables: bool,
    ) -> Result<Self, Unsupported> {
        if let Some(key) = map.keys().find(|k| !ELEMENTS.contains(&k.as_str())) {
            return Err(Unsupported::new(format!(
                "unknown statement element `{key}`"
            )));
        }
        let effect = match map.get("Effect") {
            Some(Value::String(e)) if e == "Allow" => Effect::Allow,
            Some(Value::String(e)) if e == "Deny" => Effect::Deny,
            other => {
                return Err(Unsupported::new(format!(
                    "Effect {} is not \"Allow\" or \"Deny\"",
                    other.map_or("(missing)".to_string(), Value::to_string)
                )))
            }
        };
        let principal = parse_principal(map, effect)?;
        let (negated, value) = pick(map, "Action", "NotAction")?;
        let actions = Element {
            negated,
            value: parse_actions(value)?,
        };
        let (negated, value) = pick(map, "Resource", "NotResource")?;
        let resources = Element {
            negated,
            value: parse_resources(value, variables)?,
        };
        let condition = map
            .get("Condition")
            .map(|c| Conditions::parse(c, variables))
            .transpose()?;
        Ok(Self {
            index,
            sid,
            effect,
            principal,
            actions,
            resources,
            condition,
        })
    }

    /// Whether every element matches the request. The parts are folded with `all_of`, so an
    /// undecidable principal or condition only matters when the rest of the statement matches.
    pub(crate) fn applies(&self, request: &Request) -> Verdict {
        let action = request.action.to_ascii_lowercase();
        let action_hit = self.actions.value.iter().any(|p| wildcard(p, &action));
        if action_hit == self.actions.negated {
            return Ok(false);
        }
        let resource = any_of(
            self.resources
                .value
                .iter()
                .map(|p| resource_matches(p, &request.resource)),
        )
        .map(|hit| hit != self.resources.negated);
        let condition = self
            .condition
            .as_ref()
            .map_or(Ok(true), |c| c.evaluate(&request.context));
        let principal = match self.principal.negated {
            false => self.principal.value.matches(&request.principal),
            true => self.principal.value.not_matches(&request.principal),
        };
        all_of([resource, condition, principal])
            .map_err(|e| e.context(label(self.index, self.sid.as_deref())))
    }
}

/// How messages name a statement: its index, and its Sid when it has one.
fn label(index: usize, sid: Option<&str>) -> String {
    match sid {
        Some(sid) => format!("Statement {index} ({sid})"),
        None => format!("Statement {index}"),
    }
}

/// The request's own shape, checked before any statement is read against it.
pub(crate) fn check_request(request: &Request) -> Result<(), Unsupported> {
    principal::check_caller(&request.principal)?;
    let keys: Vec<&String> = request.context.keys().collect();
    for (i, a) in keys.iter().enumerate() {
        if let Some(b) = keys[i + 1..].iter().find(|b| b.eq_ignore_ascii_case(a)) {
            return Err(Unsupported::new(format!(
                "the request context has both `{a}` and `{b}`, which are the same condition key"
            )));
        }
    }
    let action = &request.action;
    let well_formed = action
        .split_once(':')
        .is_some_and(|(service, name)| !service.is_empty() && !name.is_empty());
    if !well_formed || !action.is_ascii() || action.contains(['*', '?']) {
        return Err(Unsupported::new(format!(
            "request action `{action}` is not `service:Action`"
        )));
    }
    if !request.resource.starts_with("arn:") || arn_parts(&request.resource).is_none() {
        return Err(Unsupported::new(format!(
            "request resource `{}` is not an ARN",
            request.resource
        )));
    }
    Ok(())
}

fn parse_principal(
    map: &serde_json::Map<String, Value>,
    effect: Effect,
) -> Result<Element<Principals>, Unsupported> {
    match pick(map, "Principal", "NotPrincipal")? {
        (false, value) => Ok(Element {
            negated: false,
            value: Principals::parse(value).map_err(|e| e.context("Principal"))?,
        }),
        // IAM User Guide, "NotPrincipal": "NotPrincipal must be used with "Effect":"Deny". Using it
        // with "Effect":"Allow" is not supported."
        (true, _) if effect == Effect::Allow => Err(Unsupported::new(
            "NotPrincipal with Allow is not supported by AWS (NotPrincipal page)",
        )),
        (true, value) => Ok(Element {
            negated: true,
            value: Principals::parse_not(value).map_err(|e| e.context("NotPrincipal"))?,
        }),
    }
}

/// Exactly one of the element and its `Not` form.
fn pick<'a>(
    map: &'a serde_json::Map<String, Value>,
    name: &str,
    not_name: &str,
) -> Result<(bool, &'a Value), Unsupported> {
    match (map.get(name), map.get(not_name)) {
        (Some(v), None) => Ok((false, v)),
        (None, Some(v)) => Ok((true, v)),
        (Some(_), Some(_)) => Err(Unsupported::new(format!(
            "both {name} and {not_name} are given"
        ))),
        // A resource-based policy must name its principal and its resource (S3 rejects a bucket
        // policy statement without them); guessing a default would be exactly what this refuses.
        (None, None) => Err(Unsupported::new(format!(
            "neither {name} nor {not_name} is given"
        ))),
    }
}

fn parse_actions(value: &Value) -> Result<Vec<String>, Unsupported> {
    let actions = string_list(value, "Action")?;
    for action in &actions {
        let well_formed = action == "*"
            || action
                .split_once(':')
                .is_some_and(|(service, name)| !service.is_empty() && !name.is_empty());
        if !well_formed || !action.is_ascii() {
            return Err(Unsupported::new(format!(
                "action `{action}` is not `*` or `service:Action`"
            )));
        }
    }
    Ok(actions.iter().map(|a| a.to_ascii_lowercase()).collect())
}

fn parse_resources(value: &Value, variables: bool) -> Result<Vec<String>, Unsupported> {
    let resources = string_list(value, "Resource")?;
    for resource in &resources {
        if variables && resource.contains("${") {
            return Err(Unsupported::new(format!(
                "resource `{resource}` holds a policy variable, which this evaluator does not substitute"
            )));
        }
        if resource != "*" && arn_parts(resource).is_none_or(|p| p[0] != "arn") {
            return Err(Unsupported::new(format!(
                "resource `{resource}` is not `*` or an ARN"
            )));
        }
    }
    Ok(resources)
}

/// A Resource pattern against the request's ARN. The Resource page allows wildcards "in any ARN
/// segment" but does not say whether a `*` may reach across a colon. The answer is given when matching
/// the whole string and matching segment by segment agree; an S3 ARN pattern with wildcards only in
/// its bucket/key part always agrees.
fn resource_matches(pattern: &str, resource: &str) -> Verdict {
    if pattern == "*" {
        return Ok(true);
    }
    let whole = wildcard(pattern, resource);
    match arn_like(pattern, resource) {
        Some(by_segment) if by_segment == whole => Ok(whole),
        _ => Err(Unsupported::new(format!(
            "resource pattern `{pattern}` matches `{resource}` as a string but not segment by \
             segment (or the reverse); which AWS does is not documented"
        ))),
    }
}

/// An element value that is one string or a non-empty list of strings.
pub(crate) fn string_list(value: &Value, what: &str) -> Result<Vec<String>, Unsupported> {
    let one = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        other => Err(Unsupported::new(format!(
            "{what} value {other} is not a string"
        ))),
    };
    match value {
        Value::Array(items) if items.is_empty() => {
            Err(Unsupported::new(format!("{what} is an empty list")))
        }
        Value::Array(items) => items.iter().map(one).collect(),
        other => Ok(vec![one(other)?]),
    }
}
