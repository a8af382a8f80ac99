//! account-public-access-block: the account-level S3 Block Public Access settings, all four on.

use super::{Fix, FixId, Scope};

pub const FIX: Fix = Fix {
    id: FixId::AccountPublicAccessBlock,
    name: "account-public-access-block",
    scope: Scope::Account,
    title: "Block public access for every bucket of the account",
    switch: "account_public_access_block",
    default_on: true,
    doc_template: "fixes/account-public-access-block.md",
};
