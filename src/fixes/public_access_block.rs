//! public-access-block: all four S3 Block Public Access settings on the bucket.

use super::{Fix, FixId};

pub const FIX: Fix = Fix {
    id: FixId::PublicAccessBlock,
    title: "Block all public access to the bucket",
    module_input: "enable_public_access_block",
    doc_template: "fixes/public-access-block.md",
};
