//! default-encryption: SSE-KMS with an S3 Bucket Key by default, never weakening a stronger setting.
//!
//! What the finding says about the bucket's current encryption decides the target: DSSE-KMS stays
//! DSSE-KMS, SSE-KMS with a customer key keeps that key, anything else becomes SSE-KMS with the key from
//! the `kms_key_arn` variable (the AWS-managed `aws/s3` key when unset).

use super::{Fix, FixId, Scope};

pub const FIX: Fix = Fix {
    id: FixId::DefaultEncryption,
    name: "default-encryption",
    scope: Scope::Bucket,
    title: "Default encryption with SSE-KMS and an S3 Bucket Key",
    switch: "default_encryption",
    default_on: true,
    doc_template: "fixes/default-encryption.md",
};
