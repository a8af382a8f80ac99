//! require-mfa: deny everything but MFA self-service to the user unless signed in with MFA.
//!
//! Off by default: it stops programmatic use without MFA session credentials, which breaks automation
//! that uses the user's keys.

use super::{Fix, FixId, Scope};

pub const FIX: Fix = Fix {
    id: FixId::RequireMfa,
    name: "require-mfa",
    scope: Scope::Principal,
    title: "Require MFA for the IAM user (off unless turned on)",
    switch: "require_mfa",
    default_on: false,
    doc_template: "fixes/require-mfa.md",
};
