//! An exact evaluator for one AWS resource-based policy (an S3 bucket policy, say) against one request:
//! explicitly denied, allowed, or not addressed. It exists to prove generated policies request by
//! request, so it refuses ([`Unsupported`]) whatever it cannot decide for certain instead of guessing:
//! unknown elements or operators, policy variables, undocumented corners (`{"AWS": "*"}` for a service
//! principal, a `NotPrincipal` listing only part of a caller's identity chain, a set operator with
//! `IfExists` on a missing key, ...).
//!
//! A refusal tied to the request is only raised when it could change the answer: a statement whose
//! action, resource or condition already fails is not applicable whatever its principal says, and a
//! definite explicit deny stands even if another statement could not be decided.
//!
//! The answer covers this one policy. Whether the request finally succeeds also depends on identity
//! policies, SCPs/RCPs, ACLs, Block Public Access and, for cross-account or account-principal grants,
//! the caller's own account (IAM User Guide, "Policy evaluation logic" and "Cross-account policy
//! evaluation logic"). The request context is exactly what the caller supplies: nothing is derived
//! from the principal, so a test sets `aws:PrincipalArn`, `aws:SecureTransport` and the like itself.
//!
//! Layout: this file holds the public types and the policy-level decision; `statement` reads and matches
//! statements, `principal` the Principal/NotPrincipal elements, `condition` the Condition element,
//! `value` typed values (numbers, dates, IPs), `pattern` wildcard and ARN matching.

mod condition;
mod pattern;
mod principal;
mod statement;
mod value;

#[cfg(test)]
mod tests;

use serde_json::Value;
use statement::{Effect, Statement};
use std::collections::BTreeMap;
use std::fmt;

/// Why a policy or a request cannot be evaluated exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot evaluate exactly: {0}")]
pub struct Unsupported(String);

impl Unsupported {
    pub(crate) fn new(reason: impl Into<String>) -> Self {
        Self(reason.into())
    }

    /// Prefixes where in the policy the problem is.
    pub(crate) fn context(self, place: impl fmt::Display) -> Self {
        Self(format!("{place}: {}", self.0))
    }

    pub fn reason(&self) -> &str {
        &self.0
    }
}

/// A three-valued answer: yes, no, or cannot tell (with the reason).
pub(crate) type Verdict = Result<bool, Unsupported>;

/// AND of three-valued answers: a definite `false` decides even when another part cannot be told.
pub(crate) fn all_of(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
    let mut unknown = None;
    for verdict in verdicts {
        match verdict {
            Ok(false) => return Ok(false),
            Ok(true) => {}
            Err(e) => {
                unknown.get_or_insert(e);
            }
        }
    }
    unknown.map_or(Ok(true), Err)
}

/// OR of three-valued answers: a definite `true` decides even when another part cannot be told.
pub(crate) fn any_of(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
    let mut unknown = None;
    for verdict in verdicts {
        match verdict {
            Ok(true) => return Ok(true),
            Ok(false) => {}
            Err(e) => {
                unknown.get_or_insert(e);
            }
        }
    }
    unknown.map_or(Ok(false), Err)
}

/// Who makes the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// An unsigned request.
    Anonymous,
    /// An IAM user, an account's root user or an STS federated user, by the ARN `sts
    /// get-caller-identity` reports (`arn:aws:iam::111122223333:user/division/Bob`,
    /// `arn:aws:iam::111122223333:root`, `arn:aws:sts::111122223333:federated-user/Bob`). The account
    /// is the ARN's.
    Aws { arn: String },
    /// An assumed-role session. The role ARN is needed with its path, which the session ARN lacks.
    RoleSession {
        role_arn: String,
        session_name: String,
    },
    /// An AWS service principal, e.g. `cloudfront.amazonaws.com`.
    Service(String),
    /// A web identity or SAML provider, as role trust policies name it.
    Federated(String),
}

impl Principal {
    pub fn aws(arn: impl Into<String>) -> Self {
        Self::Aws { arn: arn.into() }
    }

    pub fn role_session(role_arn: impl Into<String>, session_name: impl Into<String>) -> Self {
        Self::RoleSession {
            role_arn: role_arn.into(),
            session_name: session_name.into(),
        }
    }

    pub fn service(name: impl Into<String>) -> Self {
        Self::Service(name.into())
    }
}

/// One value of a request context key, as text; operators read it as a number, date, boolean, IP or
/// ARN as they need (and refuse it if it is not one).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ContextValue(String);

impl ContextValue {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for ContextValue {
    fn from(s: &str) -> Self {
        Self(s.to_string())
    }
}

impl From<String> for ContextValue {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<bool> for ContextValue {
    fn from(b: bool) -> Self {
        Self(b.to_string())
    }
}

impl From<i32> for ContextValue {
    fn from(n: i32) -> Self {
        Self(n.to_string())
    }
}

impl From<i64> for ContextValue {
    fn from(n: i64) -> Self {
        Self(n.to_string())
    }
}

impl From<u64> for ContextValue {
    fn from(n: u64) -> Self {
        Self(n.to_string())
    }
}

/// `1.3` becomes `"1.3"` (Rust's shortest round-trip form); a non-finite value becomes text no numeric
/// operator accepts.
impl From<f64> for ContextValue {
    fn from(n: f64) -> Self {
        Self(n.to_string())
    }
}

/// Request context: key (matched without regard to case, as condition keys are) to its values. One
/// value for a single-valued key; any number, including none, for a multivalued key like
/// `aws:TagKeys`. An absent key is simply not in the map.
pub type Context = BTreeMap<String, Vec<ContextValue>>;

/// One request to judge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub principal: Principal,
    /// `service:Action`, e.g. `s3:GetObject`.
    pub action: String,
    /// The resource's ARN, e.g. `arn:aws:s3:::bucket/key`.
    pub resource: String,
    pub context: Context,
}

impl Request {
    pub fn new(
        principal: Principal,
        action: impl Into<String>,
        resource: impl Into<String>,
    ) -> Self {
        Self {
            principal,
            action: action.into(),
            resource: resource.into(),
            context: Context::new(),
        }
    }

    /// Sets a single-valued key (replacing any earlier values).
    pub fn with(mut self, key: impl Into<String>, value: impl Into<ContextValue>) -> Self {
        self.context.insert(key.into(), vec![value.into()]);
        self
    }

    /// Sets a multivalued key; an empty list is a present key with an empty set of values.
    pub fn with_values<V: Into<ContextValue>>(
        mut self,
        key: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        self.context
            .insert(key.into(), values.into_iter().map(Into::into).collect());
        self
    }
}

/// Looks a condition key up without regard to case. Two request keys that differ only in case are
/// refused rather than one picked (`Policy::evaluate` refuses them up front; this keeps the rule local).
pub(crate) fn lookup<'a>(
    context: &'a Context,
    key: &str,
) -> Result<Option<&'a [ContextValue]>, Unsupported> {
    let mut found = context.iter().filter(|(k, _)| k.eq_ignore_ascii_case(key));
    match (found.next(), found.next()) {
        (None, _) => Ok(None),
        (Some((_, values)), None) => Ok(Some(values)),
        (Some((a, _)), Some((b, _))) => Err(Unsupported::new(format!(
            "the request context has both `{a}` and `{b}`, which are the same condition key"
        ))),
    }
}

/// What one resource-based policy says about one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// A Deny statement applies; it wins over any Allow. `statement` is the 0-based index of the first
    /// such statement.
    ExplicitDeny {
        sid: Option<String>,
        statement: usize,
    },
    /// An Allow statement applies and no Deny does.
    Allow {
        sid: Option<String>,
        statement: usize,
    },
    /// No statement applies: this policy neither allows nor denies (an implicit deny unless something
    /// else allows).
    NotApplicable,
}

impl Decision {
    pub fn is_explicit_deny(&self) -> bool {
        matches!(self, Self::ExplicitDeny { .. })
    }

    pub fn is_allow(&self) -> bool {
        matches!(self, Self::Allow { .. })
    }
}

/// A policy read once and checked for support, to judge many requests.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    statements: Vec<Statement>,
}

impl Policy {
    /// Reads a policy document. Every unknown or unsupported element is refused here, whatever the
    /// request.
    pub fn parse(document: &Value) -> Result<Self, Unsupported> {
        let Value::Object(top) = document else {
            return Err(Unsupported::new("the policy is not a JSON object"));
        };
        if let Some(key) = top
            .keys()
            .find(|k| !matches!(k.as_str(), "Version" | "Id" | "Statement"))
        {
            return Err(Unsupported::new(format!("unknown policy element `{key}`")));
        }
        // IAM User Guide, "IAM JSON policy elements: Version": without a Version the policy is
        // 2008-10-17, where `${...}` is literal text.
        let variables = match top.get("Version") {
            None => false,
            Some(Value::String(v)) if v == "2008-10-17" => false,
            Some(Value::String(v)) if v == "2012-10-17" => true,
            Some(other) => return Err(Unsupported::new(format!("unknown policy Version {other}"))),
        };
        if top.get("Id").is_some_and(|id| !id.is_string()) {
            return Err(Unsupported::new("policy Id is not a string"));
        }
        let statements = match top.get("Statement") {
            Some(Value::Array(list)) if !list.is_empty() => list.iter().collect::<Vec<_>>(),
            Some(one @ Value::Object(_)) => vec![one],
            _ => {
                return Err(Unsupported::new(
                    "Statement is missing, empty, or not an object or a list",
                ))
            }
        };
        let statements = statements
            .into_iter()
            .enumerate()
            .map(|(index, s)| Statement::parse(index, s, variables))
            .collect::<Result<_, _>>()?;
        Ok(Self { statements })
    }

    /// IAM User Guide, "Policy evaluation logic": an explicit deny in any statement wins, else an allow
    /// in any statement, else the policy does not apply.
    pub fn evaluate(&self, request: &Request) -> Result<Decision, Unsupported> {
        statement::check_request(request)?;
        let verdicts: Vec<(&Statement, Verdict)> = self
            .statements
            .iter()
            .map(|s| (s, s.applies(request)))
            .collect();
        for effect in [Effect::Deny, Effect::Allow] {
            let of_effect = || verdicts.iter().filter(|(s, _)| s.effect == effect);
            if let Some((s, _)) = of_effect().find(|(_, v)| matches!(v, Ok(true))) {
                let (sid, statement) = (s.sid.clone(), s.index);
                return Ok(match effect {
                    Effect::Deny => Decision::ExplicitDeny { sid, statement },
                    Effect::Allow => Decision::Allow { sid, statement },
                });
            }
            // An undecidable statement of this effect could have decided: nothing weaker may answer.
            if let Some((_, Err(e))) = of_effect().find(|(_, v)| v.is_err()) {
                return Err(e.clone());
            }
        }
        Ok(Decision::NotApplicable)
    }
}

/// Parses `policy` and judges `request` against it.
pub fn evaluate(policy: &Value, request: &Request) -> Result<Decision, Unsupported> {
    Policy::parse(policy)?.evaluate(request)
}
