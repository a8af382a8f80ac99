//! ownership-controls: `BucketOwnerEnforced` object ownership, which turns ACLs off for the bucket.
//!
//! With ACLs off, only policies grant access, so a public or cross-account ACL grant (the usual way a
//! bucket is made public by accident) stops counting.

use super::{Fix, FixId, Scope};

pub const FIX: Fix = Fix {
    id: FixId::OwnershipControls,
    name: "ownership-controls",
    scope: Scope::Bucket,
    title: "Disable ACLs (object ownership BucketOwnerEnforced)",
    switch: "ownership_controls",
    default_on: true,
    doc_template: "fixes/ownership-controls.md",
};
