//! quarantine-user: the AWS-managed quarantine policy on the IAM user whose key was used; nothing deleted.

use super::{Fix, FixId, Scope};

pub const FIX: Fix = Fix {
    id: FixId::QuarantineUser,
    name: "quarantine-user",
    scope: Scope::Principal,
    title: "Attach AWSCompromisedKeyQuarantineV3 to the IAM user",
    switch: "quarantine",
    default_on: true,
    doc_template: "fixes/quarantine-user.md",
};
