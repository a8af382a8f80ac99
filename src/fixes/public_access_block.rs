//! public-access-block: all four S3 Block Public Access settings on the bucket.

use super::{Fix, FixId, Scope};

pub const FIX: Fix = Fix {
    id: FixId::PublicAccessBlock,
    name: "public-access-block",
    scope: Scope::Bucket,
    title: "Block all public access to the bucket",
    switch: "public_access_block",
    default_on: true,
    doc_template: "fixes/public-access-block.md",
};
