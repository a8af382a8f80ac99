//! versioning: keeps every version of every object, so deletions and overwrites can be undone.

use super::{Fix, FixId, Scope};

pub const FIX: Fix = Fix {
    id: FixId::Versioning,
    name: "versioning",
    scope: Scope::Bucket,
    title: "Enable versioning so deleted or overwritten objects can be recovered",
    switch: "versioning",
    default_on: true,
    doc_template: "fixes/versioning.md",
};
