//! The registry of fixes: what tfremedy can change, each in its own file.
//!
//! A fix is a unit of remediation a reviewer can reason about on its own: it has an id (used in the plan,
//! the CLI and the data file), the module input that switches it on, and its part of the PR text (a
//! Markdown template under `templates/md/fixes/`, saying what it does, why, what `terraform plan` will
//! show, what it costs and how to roll it back). The Terraform for the bucket-level fixes lives in one
//! reusable module (`templates/tf/modules/bucket-guard`), toggled per fix.

mod default_encryption;
mod deny_ips;
mod public_access_block;
mod tls_only;

use serde::Serialize;

/// One fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// Stable id, kebab-case.
    pub id: FixId,
    /// One line for tables.
    pub title: &'static str,
    /// The bucket-guard module input that turns it on.
    pub module_input: &'static str,
    /// Template (under `templates/md/`) with this fix's part of the PR text.
    pub doc_template: &'static str,
}

/// Fix ids; the order here is the order fixes appear in output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixId {
    DenyIps,
    TlsOnly,
    DefaultEncryption,
    PublicAccessBlock,
}

impl FixId {
    pub fn as_str(self) -> &'static str {
        fix(self).id_str()
    }
}

impl Fix {
    pub fn id_str(&self) -> &'static str {
        match self.id {
            FixId::DenyIps => "deny-ips",
            FixId::TlsOnly => "tls-only",
            FixId::DefaultEncryption => "default-encryption",
            FixId::PublicAccessBlock => "public-access-block",
        }
    }
}

/// Every fix, in output order.
pub static FIXES: &[Fix] = &[
    deny_ips::FIX,
    tls_only::FIX,
    default_encryption::FIX,
    public_access_block::FIX,
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
    fn ids_are_unique_and_every_id_has_a_row() {
        let ids: BTreeSet<_> = FIXES.iter().map(|f| f.id_str()).collect();
        assert_eq!(ids.len(), FIXES.len());
        for id in [
            FixId::DenyIps,
            FixId::TlsOnly,
            FixId::DefaultEncryption,
            FixId::PublicAccessBlock,
        ] {
            assert_eq!(fix(id).id, id);
        }
    }

    #[test]
    fn every_fix_has_its_doc_template() {
        for f in FIXES {
            assert!(
                crate::render::template_source(f.doc_template).is_some(),
                "{} has no template {}",
                f.id_str(),
                f.doc_template
            );
        }
    }
}
