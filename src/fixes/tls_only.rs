//! tls-only: deny requests over plain HTTP and TLS older than 1.2 (runbook step 6, encryption in transit).

use super::{Fix, FixId};

pub const FIX: Fix = Fix {
    id: FixId::TlsOnly,
    title: "Deny requests without TLS or with TLS older than 1.2",
    module_input: "enable_tls_only",
    doc_template: "fixes/tls-only.md",
};
