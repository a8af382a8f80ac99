//! The registry of supported GuardDuty finding types and the fixes each one calls for.
//!
//! One static table: adding a type that uses existing fixes is one row plus one fixture (a test checks
//! that every row has a fixture of its type under `tests/fixtures/findings/`). A row's `note` names the
//! part of the PR text that explains what is special about the type (`templates/md/types.md`).

use crate::fixes::{self, FixId, Scope};
use serde::Serialize;

/// One supported finding type (or a `*:` pattern over the part before the colon).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FindingType {
    /// GuardDuty type name, or `*:IAMUser/...` for every threat purpose of that type.
    pub name: &'static str,
    /// Fixes it calls for, in output order.
    pub fixes: &'static [FixId],
    /// Fixture file (under `tests/fixtures/findings/`) that exercises it.
    pub fixture: &'static str,
    /// Which explanation the PR text adds for this type: `malicious-ip`, `tor`, `pentest`, `public`,
    /// `account-public`, `logging`, `anomalous`, `attack-sequence`, `iam`.
    pub note: &'static str,
    /// For a retired type, the type that replaced it.
    pub successor: Option<&'static str>,
}

impl FindingType {
    /// Whether the type's fixes act on buckets, so that a finding of it must name one.
    pub fn needs_bucket(&self) -> bool {
        self.fixes
            .iter()
            .any(|id| fixes::fix(*id).scope == Scope::Bucket)
    }
}

use FixId::*;

/// The seed playbook: an IP on a threat list called S3 APIs on the bucket.
const MALICIOUS_IP: &[FixId] = &[
    DenyIps,
    TlsOnly,
    DefaultEncryption,
    PublicAccessBlock,
    S3DataEvents,
    Alarms,
    GuardDutyAlert,
    QuarantineUser,
    DeactivateKey,
    RevokeSessions,
    RequireMfa,
];
/// Credentials used from a pentest distribution: block the IP, review the credentials.
const PENTEST: &[FixId] = &[
    DenyIps,
    QuarantineUser,
    DeactivateKey,
    RevokeSessions,
    RequireMfa,
];
/// A bucket opened to the public: close it, and turn ACLs off.
const PUBLIC: &[FixId] = &[PublicAccessBlock, OwnershipControls];
const ACCOUNT_PUBLIC: &[FixId] = &[AccountPublicAccessBlock];
const LOGGING: &[FixId] = &[AccessLogging, S3DataEvents];
/// Unusual behaviour of a principal: no IP to deny; make damage recoverable, and answer for the
/// credentials.
const ANOMALOUS: &[FixId] = &[
    Versioning,
    OwnershipControls,
    QuarantineUser,
    DeactivateKey,
    RevokeSessions,
    RequireMfa,
];
/// An attack sequence: the union of what its signals call for.
const ATTACK_SEQUENCE: &[FixId] = &[
    DenyIps,
    TlsOnly,
    DefaultEncryption,
    PublicAccessBlock,
    OwnershipControls,
    Versioning,
    AccessLogging,
    S3DataEvents,
    Alarms,
    GuardDutyAlert,
    QuarantineUser,
    DeactivateKey,
    RevokeSessions,
    RequireMfa,
];
const CREDENTIALS: &[FixId] = &[QuarantineUser, DeactivateKey, RevokeSessions, RequireMfa];

const fn row(
    name: &'static str,
    fixes: &'static [FixId],
    fixture: &'static str,
    note: &'static str,
) -> FindingType {
    FindingType {
        name,
        fixes,
        fixture,
        note,
        successor: None,
    }
}

const fn retired(
    name: &'static str,
    successor: &'static str,
    fixes: &'static [FixId],
    fixture: &'static str,
) -> FindingType {
    FindingType {
        name,
        fixes,
        fixture,
        note: "anomalous",
        successor: Some(successor),
    }
}

/// Every supported type.
pub static FINDING_TYPES: &[FindingType] = &[
    row(
        "Discovery:S3/MaliciousIPCaller",
        MALICIOUS_IP,
        "discovery-s3-maliciousipcaller.json",
        "malicious-ip",
    ),
    row(
        "Discovery:S3/MaliciousIPCaller.Custom",
        MALICIOUS_IP,
        "discovery-s3-maliciousipcaller-custom.json",
        "malicious-ip",
    ),
    row(
        "Exfiltration:S3/MaliciousIPCaller",
        MALICIOUS_IP,
        "exfiltration-s3-maliciousipcaller.json",
        "malicious-ip",
    ),
    row(
        "Exfiltration:S3/MaliciousIPCaller.Custom",
        MALICIOUS_IP,
        "exfiltration-s3-maliciousipcaller-custom-synthetic.json",
        "malicious-ip",
    ),
    row(
        "Impact:S3/MaliciousIPCaller",
        MALICIOUS_IP,
        "impact-s3-maliciousipcaller.json",
        "malicious-ip",
    ),
    row(
        "Impact:S3/MaliciousIPCaller.Custom",
        MALICIOUS_IP,
        "impact-s3-maliciousipcaller-custom-synthetic.json",
        "malicious-ip",
    ),
    row(
        "UnauthorizedAccess:S3/MaliciousIPCaller",
        MALICIOUS_IP,
        "unauthorizedaccess-s3-maliciousipcaller-synthetic.json",
        "malicious-ip",
    ),
    row(
        "UnauthorizedAccess:S3/MaliciousIPCaller.Custom",
        MALICIOUS_IP,
        "unauthorizedaccess-s3-maliciousipcaller-custom.json",
        "malicious-ip",
    ),
    row(
        "Discovery:S3/TorIPCaller",
        MALICIOUS_IP,
        "discovery-s3-toripcaller.json",
        "tor",
    ),
    row(
        "UnauthorizedAccess:S3/TorIPCaller",
        MALICIOUS_IP,
        "unauthorizedaccess-s3-toripcaller.json",
        "tor",
    ),
    row(
        "PenTest:S3/KaliLinux",
        PENTEST,
        "pentest-s3-kalilinux.json",
        "pentest",
    ),
    row(
        "PenTest:S3/ParrotLinux",
        PENTEST,
        "pentest-s3-parrotlinux.json",
        "pentest",
    ),
    row(
        "PenTest:S3/PentooLinux",
        PENTEST,
        "pentest-s3-pentoolinux.json",
        "pentest",
    ),
    row(
        "Policy:S3/BucketBlockPublicAccessDisabled",
        PUBLIC,
        "policy-s3-bucketblockpublicaccessdisabled.json",
        "public",
    ),
    row(
        "Policy:S3/BucketAnonymousAccessGranted",
        PUBLIC,
        "policy-s3-bucketanonymousaccessgranted.json",
        "public",
    ),
    row(
        "Policy:S3/BucketPublicAccessGranted",
        PUBLIC,
        "policy-s3-bucketpublicaccessgranted.json",
        "public",
    ),
    row(
        "Policy:S3/AccountBlockPublicAccessDisabled",
        ACCOUNT_PUBLIC,
        "policy-s3-accountblockpublicaccessdisabled.json",
        "account-public",
    ),
    row(
        "Stealth:S3/ServerAccessLoggingDisabled",
        LOGGING,
        "stealth-s3-serveraccessloggingdisabled.json",
        "logging",
    ),
    row(
        "Impact:S3/AnomalousBehavior.Delete",
        ANOMALOUS,
        "impact-s3-anomalousbehavior-delete-synthetic.json",
        "anomalous",
    ),
    row(
        "Impact:S3/AnomalousBehavior.Write",
        ANOMALOUS,
        "impact-s3-anomalousbehavior-write-synthetic.json",
        "anomalous",
    ),
    row(
        "Impact:S3/AnomalousBehavior.Permission",
        ANOMALOUS,
        "impact-s3-anomalousbehavior-permission-synthetic.json",
        "anomalous",
    ),
    row(
        "Exfiltration:S3/AnomalousBehavior",
        ANOMALOUS,
        "exfiltration-s3-anomalousbehavior-synthetic.json",
        "anomalous",
    ),
    row(
        "Discovery:S3/AnomalousBehavior",
        ANOMALOUS,
        "discovery-s3-anomalousbehavior-synthetic.json",
        "anomalous",
    ),
    row(
        "AttackSequence:S3/CompromisedData",
        ATTACK_SEQUENCE,
        "attacksequence-s3-compromiseddata-synthetic.json",
        "attack-sequence",
    ),
    retired(
        "Exfiltration:S3/ObjectRead.Unusual",
        "Exfiltration:S3/AnomalousBehavior",
        ANOMALOUS,
        "exfiltration-s3-objectread-unusual-retired.json",
    ),
    retired(
        "Impact:S3/PermissionsModification.Unusual",
        "Impact:S3/AnomalousBehavior.Permission",
        ANOMALOUS,
        "impact-s3-permissionsmodification-unusual-retired-synthetic.json",
    ),
    retired(
        "Impact:S3/ObjectDelete.Unusual",
        "Impact:S3/AnomalousBehavior.Delete",
        ANOMALOUS,
        "impact-s3-objectdelete-unusual-retired-synthetic.json",
    ),
    retired(
        "Discovery:S3/BucketEnumeration.Unusual",
        "Discovery:S3/AnomalousBehavior",
        ANOMALOUS,
        "discovery-s3-bucketenumeration-unusual-retired-synthetic.json",
    ),
    row(
        "*:IAMUser/MaliciousIPCaller",
        CREDENTIALS,
        "unauthorizedaccess-iamuser-maliciousipcaller.json",
        "iam",
    ),
    row(
        "*:IAMUser/MaliciousIPCaller.Custom",
        CREDENTIALS,
        "recon-iamuser-maliciousipcaller-custom.json",
        "iam",
    ),
    row(
        "*:IAMUser/TorIPCaller",
        CREDENTIALS,
        "unauthorizedaccess-iamuser-toripcaller-eventbridge.json",
        "iam",
    ),
];

/// The registry row for a finding type name: an exact row, else a `*:` row matching after the colon.
pub fn lookup(name: &str) -> Option<&'static FindingType> {
    FINDING_TYPES.iter().find(|t| t.name == name).or_else(|| {
        let (purpose, rest) = name.split_once(':')?;
        if purpose.is_empty() || !purpose.bytes().all(|b| b.is_ascii_alphabetic()) {
            return None;
        }
        FINDING_TYPES
            .iter()
            .find(|t| t.name.strip_prefix("*:") == Some(rest))
    })
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
    fn patterns_match_every_purpose_and_nothing_else() {
        assert_eq!(
            lookup("Recon:IAMUser/MaliciousIPCaller.Custom").map(|t| t.name),
            Some("*:IAMUser/MaliciousIPCaller.Custom")
        );
        assert_eq!(
            lookup("UnauthorizedAccess:IAMUser/TorIPCaller").map(|t| t.name),
            Some("*:IAMUser/TorIPCaller")
        );
        assert!(lookup("IAMUser/TorIPCaller").is_none());
        assert!(lookup("UnauthorizedAccess:EC2/SSHBruteForce").is_none());
        assert!(lookup("Recon:IAMUser/UserPermissions").is_none());
    }

    #[test]
    fn every_row_has_a_fixture_of_its_type() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/findings");
        for t in FINDING_TYPES {
            let text = std::fs::read_to_string(dir.join(t.fixture))
                .unwrap_or_else(|e| panic!("{}: fixture {}: {e}", t.name, t.fixture));
            let ty = text
                .split("\"type\":\"")
                .nth(1)
                .or_else(|| text.split("\"type\": \"").nth(1))
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_else(|| panic!("{}: no type in {}", t.name, t.fixture));
            assert_eq!(
                lookup(ty).map(|r| r.name),
                Some(t.name),
                "{} holds {ty}",
                t.fixture
            );
        }
    }

    #[test]
    fn retired_types_map_to_supported_successors() {
        for t in FINDING_TYPES {
            if let Some(next) = t.successor {
                let row = lookup(next).unwrap_or_else(|| panic!("{next} is not supported"));
                assert_eq!(
                    row.fixes, t.fixes,
                    "{} fixes differ from its successor",
                    t.name
                );
            }
        }
    }
}
