//! tls-only: deny requests over plain HTTP and TLS older than 1.2 (runbook step 6, encryption in transit).

use super::{Fix, FixId, Scope};

pub const FIX: Fix = Fix {
    id: FixId::TlsOnly,
    name: "tls-only",
    scope: Scope::Bucket,
    title: "Deny requests without TLS or with TLS older than 1.2",
    switch: "tls_only",
    default_on: true,
    doc_template: "fixes/tls-only.md",
};
