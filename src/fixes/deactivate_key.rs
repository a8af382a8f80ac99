//! deactivate-key: the long-term access key the caller used, imported into Terraform with `status = "Inactive"`.
//!
//! Import blocks only work in a root module, so the import goes to a separate file the user moves there;
//! until they say they did (`key_import_in_root`), the module refuses to plan, because without the import
//! Terraform would create a new key for the compromised user.

use super::{Fix, FixId, Scope};

pub const FIX: Fix = Fix {
    id: FixId::DeactivateKey,
    name: "deactivate-key",
    scope: Scope::Principal,
    title: "Deactivate the access key (imported, status Inactive)",
    switch: "deactivate_key",
    default_on: true,
    doc_template: "fixes/deactivate-key.md",
};
