//! access-logging: S3 server access logs for the bucket, delivered to the account's hardened log bucket.

use super::{Fix, FixId, Scope};

pub const FIX: Fix = Fix {
    id: FixId::AccessLogging,
    name: "access-logging",
    scope: Scope::Bucket,
    title: "Server access logging to a hardened log bucket",
    switch: "access_logging",
    default_on: true,
    doc_template: "fixes/access-logging.md",
};
