//! The `Principal` and `NotPrincipal` elements: which callers a statement names, and how a caller's
//! chain of identities (account, role, session) meets that list.
//!
//! Sources, IAM User Guide: "AWS JSON policy elements: Principal" (account ids and `:root` ARNs delegate
//! to the whole account; `"*"` and `{"AWS": "*"}` are equivalent for anonymous users; no partial
//! wildcards) and "AWS JSON policy elements: NotPrincipal" (Deny only; AWS "might validate the account
//! first, then the role, and then the assumed-role user", so a caller is spared only when every
//! identity in its chain is listed).

use super::pattern::{arn_parts, has_wildcard};
use super::{any_of, Principal, Unsupported, Verdict};
use serde_json::Value;

/// One value of `{"AWS": ...}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AwsEntry {
    Any,
    /// A 12-digit id (any partition) or `arn:PARTITION:iam::ACCOUNT:root`.
    Account {
        partition: Option<String>,
        account: String,
    },
    /// An IAM role: its sessions are the callers. Compared by name, because a session ARN carries the
    /// role's name but not its path, and role names are unique within an account.
    Role {
        partition: String,
        account: String,
        name: String,
    },
    /// A user, assumed-role session or federated-user ARN: compared as a whole, case-sensitively (the
    /// Principal page: "the user name part of the ARN is case sensitive").
    Exact(String),
}

/// A parsed `Principal` or `NotPrincipal` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Principals {
    /// `"Principal": "*"`.
    Everyone,
    Listed {
        aws: Vec<AwsEntry>,
        service: Vec<String>,
        federated: Vec<String>,
        canonical_user: Vec<String>,
    },
}

/// One identity a caller acts as. A role session is its account, its role and itself.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Identity {
    Account {
        partition: String,
        account: String,
    },
    Role {
        partition: String,
        account: String,
        name: String,
    },
    Exact(String),
    Service(String),
    Federated(String),
}

impl Principals {
    pub(crate) fn parse(value: &Value) -> Result<Self, Unsupported> {
        let map = match value {
            Value::String(s) if s == "*" => return Ok(Self::Everyone),
            Value::Object(map) if !map.is_empty() => map,
            other => {
                return Err(Unsupported::new(format!(
                    "`{other}` is not \"*\" or a map of principal types"
                )))
            }
        };
        let (mut aws, mut service, mut federated, mut canonical_user) =
            (vec![], vec![], vec![], vec![]);
        for (kind, values) in map {
            let values = super::statement::string_list(values, kind)?;
            for v in &values {
                if v.contains("${") {
                    return Err(Unsupported::new(format!(
                        "principal `{v}`: policy variables are not allowed in Principal"
                    )));
                }
                if v != "*" && has_wildcard(v) {
                    return Err(Unsupported::new(format!(
                        "principal `{v}`: IAM allows no partial wildcards in a principal"
                    )));
                }
            }
            match kind.as_str() {
                "AWS" => {
                    aws = values
                        .iter()
                        .map(|v| parse_aws(v))
                        .collect::<Result<_, _>>()?
                }
                "Service" => service = exact_names(values, kind)?,
                "Federated" => federated = exact_names(values, kind)?,
                "CanonicalUser" => canonical_user = exact_names(values, kind)?,
                other => {
                    return Err(Unsupported::new(format!(
                        "unknown principal type `{other}`"
                    )))
                }
            }
        }
        Ok(Self::Listed {
            aws,
            service,
            federated,
            canonical_user,
        })
    }

    /// For `NotPrincipal`: refuses what has no documented meaning there.
    pub(crate) fn parse_not(value: &Value) -> Result<Self, Unsupported> {
        let parsed = Self::parse(value)?;
        match &parsed {
            Self::Everyone => Err(Unsupported::new("`\"NotPrincipal\": \"*\"` excludes everyone")),
            Self::Listed { aws, .. } if aws.contains(&AwsEntry::Any) => Err(Unsupported::new(
                "`{\"AWS\": \"*\"}` in NotPrincipal has no documented meaning",
            )),
            Self::Listed { canonical_user, .. } if !canonical_user.is_empty() => {
                Err(Unsupported::new(
                    "CanonicalUser in NotPrincipal: which account a canonical id names is not known here",
                ))
            }
            Self::Listed { .. } => Ok(parsed),
        }
    }

    /// `Principal`: does the statement name this caller?
    pub(crate) fn matches(&self, caller: &Principal) -> Verdict {
        let Self::Listed {
            aws,
            service,
            federated,
            canonical_user,
        } = self
        else {
            return Ok(true);
        };
        let identities = identities(caller)?;
        let aws_hits = aws.iter().map(|entry| match entry {
            AwsEntry::Any => aws_wildcard(caller),
            entry => any_of(identities.iter().map(|id| entry.names(id))),
        });
        let service_hit = matches!(caller, Principal::Service(s) if service.contains(s));
        let federated_hit = matches!(caller, Principal::Federated(f) if federated.contains(f));
        let canonical = (!canonical_user.is_empty()).then(|| canonical_user_matches(caller));
        any_of(
            aws_hits
                .chain([Ok(service_hit), Ok(federated_hit)])
                .chain(canonical),
        )
    }

    /// `NotPrincipal` with Deny: does the deny reach this caller? Not when every identity of its chain
    /// is listed; yes when none is; a partial listing is what the NotPrincipal page warns "might deny",
    /// so it is refused.
    pub(crate) fn not_matches(&self, caller: &Principal) -> Verdict {
        let identities = identities(caller)?;
        let listed = identities
            .iter()
            .map(|id| self.lists(id))
            .collect::<Result<Vec<bool>, _>>()?;
        let count = listed.iter().filter(|&&l| l).count();
        if count == 0 {
            Ok(true)
        } else if count == listed.len() {
            Ok(false)
        } else {
            Err(Unsupported::new(format!(
                "NotPrincipal lists only {count} of the {} identities of {caller:?} (account, role, \
                 session): AWS documents that such a deny might still apply",
                listed.len()
            )))
        }
    }

    fn lists(&self, id: &Identity) -> Verdict {
        let Self::Listed {
            aws,
            service,
            federated,
            ..
        } = self
        else {
            return Ok(true);
        };
        match id {
            Identity::Service(s) => Ok(service.contains(s)),
            Identity::Federated(f) => Ok(federated.contains(f)),
            id => any_of(aws.iter().map(|entry| entry.names(id))),
        }
    }
}

impl AwsEntry {
    fn names(&self, id: &Identity) -> Verdict {
        Ok(match (self, id) {
            (
                Self::Account { partition, account },
                Identity::Account {
                    partition: p,
                    account: a,
                },
            ) => account == a && partition.as_ref().is_none_or(|pp| pp == p),
            (
                Self::Role {
                    partition,
                    account,
                    name,
                },
                Identity::Role {
                    partition: p,
                    account: a,
                    name: n,
                },
            ) => {
                if partition != p || account != a {
                    false
                } else if name == n {
                    true
                } else if name.eq_ignore_ascii_case(n) {
                    return Err(Unsupported::new(format!(
                        "role `{name}` and session role `{n}` differ only in case; IAM role names are \
                         unique regardless of case but the Principal page does not say how they compare"
                    )));
                } else {
                    false
                }
            }
            (Self::Exact(arn), Identity::Exact(a)) => arn == a,
            _ => false,
        })
    }
}

/// `{"AWS": "*"}`: documented as equivalent to `"*"` for anonymous users; it evidently covers IAM
/// principals. Whether it covers service or federated principals is not documented (the CDK's
/// `StarPrincipal` notes that "some services behave differently"), so that is refused.
fn aws_wildcard(caller: &Principal) -> Verdict {
    match caller {
        Principal::Anonymous | Principal::Aws { .. } | Principal::RoleSession { .. } => Ok(true),
        Principal::Service(_) | Principal::Federated(_) => Err(Unsupported::new(format!(
            "whether {{\"AWS\": \"*\"}} covers {caller:?} is not documented"
        ))),
    }
}

/// S3 maps a canonical user id to an account, a mapping this evaluator does not have. Anonymous
/// callers belong to no account, so for them the answer is known.
fn canonical_user_matches(caller: &Principal) -> Verdict {
    match caller {
        Principal::Anonymous => Ok(false),
        _ => Err(Unsupported::new(
            "CanonicalUser principal: which account a canonical id names is not known here",
        )),
    }
}

fn exact_names(values: Vec<String>, kind: &str) -> Result<Vec<String>, Unsupported> {
    match values.iter().find(|v| v.as_str() == "*") {
        Some(_) => Err(Unsupported::new(format!(
            "`{{\"{kind}\": \"*\"}}` has no documented meaning"
        ))),
        None => Ok(values),
    }
}

fn parse_aws(value: &str) -> Result<AwsEntry, Unsupported> {
    if value == "*" {
        return Ok(AwsEntry::Any);
    }
    if is_account_id(value) {
        return Ok(AwsEntry::Account {
            partition: None,
            account: value.to_string(),
        });
    }
    let arn = PrincipalArn::parse(value)?;
    Ok(match arn.kind {
        Kind::Root => AwsEntry::Account {
            partition: Some(arn.partition),
            account: arn.account,
        },
        Kind::Role { name } => AwsEntry::Role {
            partition: arn.partition,
            account: arn.account,
            name,
        },
        Kind::User | Kind::Session | Kind::FederatedUser => AwsEntry::Exact(value.to_string()),
    })
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// An IAM or STS principal ARN, split.
struct PrincipalArn {
    partition: String,
    account: String,
    kind: Kind,
}

enum Kind {
    Root,
    User,
    Role { name: String },
    Session,
    FederatedUser,
}

impl PrincipalArn {
    /// `arn:P:iam::A:root|user/..|role/..` or `arn:P:sts::A:assumed-role/R/S|federated-user/N`. The
    /// account part may also be a service's pseudo-account, such as `cloudfront` in an origin access
    /// identity's `arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E...`.
    fn parse(arn: &str) -> Result<Self, Unsupported> {
        let refuse = || {
            Unsupported::new(format!(
                "principal `{arn}` is not an account id or an IAM/STS principal ARN"
            ))
        };
        let [prefix, partition, service, region, account, resource] =
            arn_parts(arn).ok_or_else(refuse)?;
        let plain =
            |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if prefix != "arn" || !plain(partition) || !region.is_empty() || !plain(account) {
            return Err(refuse());
        }
        let kind = match (service, resource.split_once('/')) {
            ("iam", None) if resource == "root" => Kind::Root,
            ("iam", Some(("user", rest))) if !rest.is_empty() => Kind::User,
            ("iam", Some(("role", rest))) => match rest.rsplit_once('/').map_or(rest, |(_, n)| n) {
                "" => return Err(refuse()),
                name => Kind::Role {
                    name: name.to_string(),
                },
            },
            ("sts", Some(("assumed-role", rest)))
                if rest.split('/').count() == 2 && !rest.split('/').any(str::is_empty) =>
            {
                Kind::Session
            }
            ("sts", Some(("federated-user", rest))) if !rest.is_empty() => Kind::FederatedUser,
            _ => return Err(refuse()),
        };
        Ok(Self {
            partition: partition.to_string(),
            account: account.to_string(),
            kind,
        })
    }

    fn account_identity(&self) -> Identity {
        Identity::Account {
            partition: self.partition.clone(),
            account: self.account.clone(),
        }
    }
}

/// Refuses a caller given in a form this evaluator cannot place, before any statement is read.
pub(crate) fn check_caller(caller: &Principal) -> Result<(), Unsupported> {
    identities(caller).map(drop)
}

/// The chain of identities a caller acts as, outermost first.
fn identities(caller: &Principal) -> Result<Vec<Identity>, Unsupported> {
    match caller {
        Principal::Anonymous => Ok(vec![]),
        Principal::Service(s) => Ok(vec![Identity::Service(s.clone())]),
        Principal::Federated(f) => Ok(vec![Identity::Federated(f.clone())]),
        Principal::Aws { arn } => {
            let parsed = PrincipalArn::parse(arn)?;
            match parsed.kind {
                Kind::Root => Ok(vec![parsed.account_identity()]),
                Kind::User | Kind::FederatedUser => Ok(vec![
                    parsed.account_identity(),
                    Identity::Exact(arn.clone()),
                ]),
                Kind::Role { .. } | Kind::Session => Err(Unsupported::new(format!(
                    "caller `{arn}`: a role makes no requests, and a role session is given as \
                     Principal::RoleSession (role ARN with its path, and session name)"
                ))),
            }
        }
        Principal::RoleSession {
            role_arn,
            session_name,
        } => {
            let parsed = PrincipalArn::parse(role_arn)?;
            let Kind::Role { name } = &parsed.kind else {
                return Err(Unsupported::new(format!("`{role_arn}` is not a role ARN")));
            };
            if session_name.is_empty() || session_name.contains('/') {
                return Err(Unsupported::new(format!(
                    "`{session_name}` is not a role session name"
                )));
            }
            let session = format!(
                "arn:{}:sts::{}:assumed-role/{name}/{session_name}",
                parsed.partition, parsed.account
            );
            Ok(vec![
                parsed.account_identity(),
                Identity::Role {
                    partition: parsed.partition.clone(),
                    account: parsed.account.clone(),
                    name: name.clone(),
                },
                Identity::Exact(session),
            ])
        }
    }
}
