//! The registry of fixes: what tfremedy can change, each in its own file.
//!
//! A fix is a unit of remediation a reviewer can reason about on its own: it has an id (used in the plan,
//! the CLI's `--only`/`--skip` and the PR text), a scope (one bucket, the account, one principal), the
//! key in `tfremedy_data.tf` that switches it, and its part of the PR text (a Markdown template under
//! `templates/md/fixes/` saying what it does, why, what `terraform plan` will show, what it costs and how
//! to roll it back). The Terraform lives in three static modules under `templates/tf/modules/`
//! (bucket-guard, account-monitor, principal-response), toggled per fix by the data file.

mod access_logging;
mod account_public_access_block;
mod alarms;
mod deactivate_key;
mod default_encryption;
mod deny_ips;
mod guardduty_alert;
mod ownership_controls;
mod public_access_block;
mod quarantine_user;
mod require_mfa;
mod revoke_sessions;
mod s3_data_events;
mod tls_only;
mod versioning;

use serde::Serialize;

/// One fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub id: FixId,
    /// Stable id, kebab-case, as the CLI and the PR text spell it.
    pub name: &'static str,
    pub scope: Scope,
    /// One line for tables.
    pub title: &'static str,
    /// The key of `tfremedy_data.tf` that switches it (in the bucket's, the monitor's or the
    /// principal's entry).
    pub switch: &'static str,
    /// Whether it is on unless asked otherwise.
    pub default_on: bool,
    /// Template (under `templates/md/`) with this fix's part of the PR text.
    pub doc_template: &'static str,
}

/// What one instance of a fix applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    Bucket,
    Account,
    Principal,
}

/// Fix ids; the order here is the order fixes appear in output. They serialise as their name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FixId {
    DenyIps,
    TlsOnly,
    DefaultEncryption,
    PublicAccessBlock,
    OwnershipControls,
    Versioning,
    AccessLogging,
    AccountPublicAccessBlock,
    S3DataEvents,
    Alarms,
    GuardDutyAlert,
    QuarantineUser,
    DeactivateKey,
    RevokeSessions,
    RequireMfa,
}

impl Serialize for FixId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl FixId {
    pub fn as_str(self) -> &'static str {
        fix(self).name
    }

    /// Parses a fix name as the CLI takes it.
    pub fn parse(name: &str) -> Option<FixId> {
        FIXES.iter().find(|f| f.name == name).map(|f| f.id)
    }
}

/// Every fix, in output order.
pub static FIXES: &[Fix] = &[
    deny_ips::FIX,
    tls_only::FIX,
    default_encryption::FIX,
    public_access_block::FIX,
    ownership_controls::FIX,
    versioning::FIX,
    access_logging::FIX,
    account_public_access_block::FIX,
    s3_data_events::FIX,
    alarms::FIX,
    guardduty_alert::FIX,
    quarantine_user::FIX,
    deactivate_key::FIX,
    revoke_sessions::FIX,
    require_mfa::FIX,
];

/// The registry entry of `id`.
pub fn fix(id: FixId) -> &'static Fix {
    FIXES
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| unreachable!("every FixId has a FIXES row (tested)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_are_unique_ordered_and_every_id_has_a_row() {
        let names: BTreeSet<_> = FIXES.iter().map(|f| f.name).collect();
        assert_eq!(names.len(), FIXES.len());
        for f in FIXES {
            assert_eq!(fix(f.id).name, f.name);
            assert_eq!(FixId::parse(f.name), Some(f.id));
            assert_eq!(
                serde_json::to_value(f.id).unwrap(),
                serde_json::json!(f.name)
            );
        }
        assert!(
            FIXES.windows(2).all(|w| w[0].id < w[1].id),
            "FIXES is in FixId order"
        );
    }

    #[test]
    fn every_fix_has_its_doc_template() {
        for f in FIXES {
            assert!(
                crate::render::template_source(f.doc_template).is_some(),
                "{} has no template {}",
                f.name,
                f.doc_template
            );
        }
    }
}
