//! deny-ips: a bucket-policy statement denying every S3 action to the finding's caller IPs.
//!
//! A deny wins over any allow in IAM evaluation, so this blocks the IP whatever credentials it holds,
//! and it cannot lock anyone else out (unlike an allow-list). It keys on `aws:SourceIp`, which is the
//! public address of the caller: requests through a VPC endpoint carry no public IP and are not matched.

use super::{Fix, FixId, Scope};

pub const FIX: Fix = Fix {
    id: FixId::DenyIps,
    name: "deny-ips",
    scope: Scope::Bucket,
    title: "Deny the caller IPs on the bucket and its objects",
    switch: "deny",
    default_on: true,
    doc_template: "fixes/deny-ips.md",
};
