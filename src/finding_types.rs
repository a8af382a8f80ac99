//! The registry of supported GuardDuty finding types and the fixes each one calls for.
//!
//! One static table: adding a type that uses existing fixes is one row plus one fixture (a test checks
//! that every row has a fixture under `tests/fixtures/findings/`).

use crate::fixes::FixId;
use serde::Serialize;

/// One supported finding type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FindingType {
    /// Exact GuardDuty type name.
    pub name: &'static str,
    /// Fixes it calls for, in output order.
    pub fixes: &'static [FixId],
    /// Fixture file (under `tests/fixtures/findings/`) that exercises it.
    pub fixture: &'static str,
}

/// The seed playbook: an IP on a threat list called S3 APIs on the bucket.
const MALICIOUS_IP: &[FixId] = &[
    FixId::DenyIps,
    FixId::TlsOnly,
    FixId::DefaultEncryption,
    FixId::PublicAccessBlock,
    FixId::S3DataEvents,
    FixId::Alarms,
    FixId::GuardDutyAlert,
    FixId::QuarantineUser,
    FixId::DeactivateKey,
    FixId::RevokeSessions,
    FixId::RequireMfa,
];

macro_rules! malicious_ip_rows {
    ($($name:literal => $fixture:literal),* $(,)?) => {
        &[$(FindingType { name: $name, fixes: MALICIOUS_IP, fixture: $fixture }),*]
    };
}

/// Every supported type.
pub static FINDING_TYPES: &[FindingType] = malicious_ip_rows![
    "Discovery:S3/MaliciousIPCaller" => "discovery-s3-maliciousipcaller.json",
    "Discovery:S3/MaliciousIPCaller.Custom" => "discovery-s3-maliciousipcaller-custom.json",
    "Exfiltration:S3/MaliciousIPCaller" => "exfiltration-s3-maliciousipcaller.json",
    "Exfiltration:S3/MaliciousIPCaller.Custom" => "exfiltration-s3-maliciousipcaller-custom-synthetic.json",
    "Impact:S3/MaliciousIPCaller" => "impact-s3-maliciousipcaller.json",
    "Impact:S3/MaliciousIPCaller.Custom" => "impact-s3-maliciousipcaller-custom-synthetic.json",
    "UnauthorizedAccess:S3/MaliciousIPCaller" => "unauthorizedaccess-s3-maliciousipcaller-synthetic.json",
    "UnauthorizedAccess:S3/MaliciousIPCaller.Custom" => "unauthorizedaccess-s3-maliciousipcaller-custom.json",
];

/// The registry row for a finding type name.
pub fn lookup(name: &str) -> Option<&'static FindingType> {
    FINDING_TYPES.iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn names_are_unique() {
        let names: BTreeSet<_> = FINDING_TYPES.iter().map(|t| t.name).collect();
        assert_eq!(names.len(), FINDING_TYPES.len());
    }

    #[test]
    fn every_row_has_a_fixture_of_its_type() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/findings");
        for t in FINDING_TYPES {
            let text = std::fs::read_to_string(dir.join(t.fixture))
                .unwrap_or_else(|e| panic!("{}: fixture {}: {e}", t.name, t.fixture));
            assert!(
                text.contains(&format!("\"{}\"", t.name)),
                "{} not in {}",
                t.name,
                t.fixture
            );
        }
    }
}
