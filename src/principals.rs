//! The credential response: which principal used which key, and what to do about it (runbook step 4).
//!
//! From `resource.accessKeyDetails`: an IAM user's long-term key is quarantined and deactivated; an
//! assumed role's sessions issued before the finding are revoked; root and AWS service principals get
//! prose only, because no code can safely act on them. Names and key ids are validated here before they
//! can reach code; a value that does not validate leaves that principal to prose, with a warning.

use crate::datafile::{self, DataPrincipal};
use crate::model::Finding;
use crate::validate;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One principal named by this run's findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrincipalPlan {
    /// Key in `tfremedy_data.tf` (`<kind>/<name>`); `None` when no code is generated.
    pub key: Option<String>,
    /// `iam-user`, `assumed-role`, `root`, `aws-service` or `other`.
    pub kind: &'static str,
    /// GuardDuty's `userType`, verbatim.
    pub user_type: Option<String>,
    pub name: Option<String>,
    pub principal_id: Option<String>,
    pub access_key_id: Option<String>,
    /// `long-term` (AKIA), `temporary` (ASIA) or `none`.
    pub key_kind: &'static str,
    pub finding_ids: Vec<String>,
    /// Earliest first-seen and latest last-seen of its findings: the window to search for persistence.
    pub window_from: Option<String>,
    pub window_to: Option<String>,
}

/// A principal entry to merge into the data file; its switches are unset, for the planner to decide
/// from the fixes its findings ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub key: String,
    pub entry: DataPrincipal,
    pub finding_ids: BTreeSet<String>,
}

/// `2022-01-28T21:12:25.470Z` → `2022-01-28T21:12:25Z`, the form `aws:TokenIssueTime` compares with.
fn to_seconds(ts: &str) -> Option<String> {
    let head = ts.get(..19)?;
    let out = format!("{head}Z");
    validate::utc_timestamp(&out).ok()?;
    ts.ends_with('Z').then_some(out)
}

/// Groups findings by principal and decides the response for each. `account_id` is the run's account.
pub fn plan(
    findings: &[Finding],
    account_id: &str,
) -> (Vec<PrincipalPlan>, Vec<Draft>, BTreeSet<String>) {
    let mut warnings = BTreeSet::new();
    let mut by_principal: BTreeMap<(String, String, String), Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        let Some(p) = &f.principal else { continue };
        let key = (
            p.user_type.clone().unwrap_or_default(),
            p.user_name.clone().unwrap_or_default(),
            p.access_key_id.clone().unwrap_or_default(),
        );
        by_principal.entry(key).or_default().push(f);
    }
    let mut plans = Vec::new();
    let mut drafts = Vec::new();
    for ((user_type, user_name, key_id), fs) in by_principal {
        let first = fs.iter().filter_map(|f| f.first_seen.clone()).min();
        let last = fs
            .iter()
            .filter_map(|f| f.last_seen.clone().or_else(|| f.updated_at.clone()))
            .max();
        let principal_id = fs
            .iter()
            .find_map(|f| f.principal.as_ref()?.principal_id.clone());
        let name_ok = !user_name.is_empty() && validate::iam_name(&user_name).is_ok();
        if !user_name.is_empty() && !name_ok {
            warnings.insert(format!(
                "principal name {user_name:?} is not a valid IAM name: its credential response is prose only"
            ));
        }
        let key = if key_id.is_empty() {
            None
        } else if validate::access_key_id(&key_id).is_ok() {
            Some(key_id.clone())
        } else {
            warnings.insert(format!(
                "access key id {key_id:?} is not a valid key id (a GuardDuty sample placeholder?): no key is deactivated"
            ));
            None
        };
        let key_kind = match key.as_deref() {
            Some(k) if k.starts_with("AKIA") => "long-term",
            Some(_) => "temporary",
            None => "none",
        };
        let kind = match user_type.as_str() {
            "IAMUser" if name_ok => datafile::KIND_IAM_USER,
            "AssumedRole" if name_ok => datafile::KIND_ASSUMED_ROLE,
            "Root" => "root",
            "AWSService" | "AwsService" | "Service" => "aws-service",
            _ => "other",
        };
        let data_key = match kind {
            datafile::KIND_IAM_USER | datafile::KIND_ASSUMED_ROLE => {
                Some(datafile::principal_key(kind, &user_name))
            }
            _ => None,
        };
        if let Some(data_key) = &data_key {
            let revoke_before = last.as_deref().and_then(to_seconds);
            if kind == datafile::KIND_ASSUMED_ROLE && revoke_before.is_none() {
                warnings.insert(format!(
                    "role {user_name}: the findings give no last-seen time, so no session revocation is generated"
                ));
            }
            drafts.push(Draft {
                key: data_key.clone(),
                entry: DataPrincipal {
                    account_id: account_id.to_string(),
                    kind: kind.to_string(),
                    name: user_name.clone(),
                    access_key_id: key.clone().filter(|_| kind == datafile::KIND_IAM_USER),
                    quarantine: None,
                    deactivate_key: None,
                    key_import_in_root: false,
                    require_mfa: None,
                    revoke_sessions: None,
                    revoke_sessions_before: revoke_before
                        .filter(|_| kind == datafile::KIND_ASSUMED_ROLE),
                },
                finding_ids: fs
                    .iter()
                    .map(|f| f.id.clone())
                    .collect::<BTreeSet<String>>(),
            });
        }
        plans.push(PrincipalPlan {
            key: data_key,
            kind,
            user_type: (!user_type.is_empty()).then_some(user_type),
            name: (!user_name.is_empty()).then_some(user_name),
            principal_id,
            access_key_id: key.or((!key_id.is_empty()).then_some(key_id)),
            key_kind,
            finding_ids: fs.iter().map(|f| f.id.clone()).collect(),
            window_from: first,
            window_to: last,
        });
    }
    (plans, drafts, warnings)
}

#[cfg(test)]
mod tests {
    use super::to_seconds;

    #[test]
    fn token_issue_time_is_whole_seconds_utc() {
        assert_eq!(
            to_seconds("2022-01-28T21:12:25.470Z").as_deref(),
            Some("2022-01-28T21:12:25Z")
        );
        assert_eq!(
            to_seconds("2022-01-28T21:12:25Z").as_deref(),
            Some("2022-01-28T21:12:25Z")
        );
        assert_eq!(to_seconds("2022-01-28T21:12:25+02:00"), None);
    }
}
