//! revoke-sessions: deny everything to role sessions issued before the finding's last-seen time
//! (`aws:TokenIssueTime`), the policy the IAM console's "Revoke active sessions" attaches.

use super::{Fix, FixId, Scope};

pub const FIX: Fix = Fix {
    id: FixId::RevokeSessions,
    name: "revoke-sessions",
    scope: Scope::Principal,
    title: "Revoke the role's sessions issued before the finding",
    switch: "revoke_sessions",
    default_on: true,
    doc_template: "fixes/revoke-sessions.md",
};
