//! s3-data-events: a CloudTrail trail recording S3 data events for the affected buckets only.
//!
//! Data events are billed per event, so the selectors name the affected buckets' object ARNs and
//! nothing else; the caps (500 selector values per trail) are checked here, before anything is written.

use super::{Fix, FixId, Scope};

pub const FIX: Fix = Fix {
    id: FixId::S3DataEvents,
    name: "s3-data-events",
    scope: Scope::Account,
    title: "Record S3 data events for the affected buckets in a hardened trail",
    switch: "data_events",
    default_on: true,
    doc_template: "fixes/s3-data-events.md",
};
