//! alarms: CloudWatch Logs metric filters and alarms on the trail's log group.
//!
//! Filter patterns are at most 1,024 characters and a log group holds at most 100 metric filters, so
//! IPs and bucket names are split into chunks whose worst-case pattern fits (checked here and in tests).

use super::{Fix, FixId, Scope};

pub const FIX: Fix = Fix {
    id: FixId::Alarms,
    name: "alarms",
    scope: Scope::Account,
    title: "Alarm on the blocked IPs, bucket policy/ACL/configuration and CloudTrail changes",
    switch: "alarms",
    default_on: true,
    doc_template: "fixes/alarms.md",
};
