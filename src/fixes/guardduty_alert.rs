//! guardduty-alert: an EventBridge rule forwarding new findings of the same family to the alerts topic.

use super::{Fix, FixId, Scope};

pub const FIX: Fix = Fix {
    id: FixId::GuardDutyAlert,
    name: "guardduty-alert",
    scope: Scope::Account,
    title: "Page on the next GuardDuty finding of the same family",
    switch: "guardduty_alert",
    default_on: true,
    doc_template: "fixes/guardduty-alert.md",
};
