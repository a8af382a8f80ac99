//! The one generated data file (`tfremedy_data.tf`): what came from findings, as plain HCL.
//!
//! The modules are static; this file says which buckets, which CIDRs, which switches. A new finding for a
//! known bucket changes one line here, so the PR diff says exactly that. The file is also the memory
//! between runs: it is read back (hcl-rs parses it, nothing is printed through hcl-rs) and merged, and
//! values a human changed by hand win over what the tool would choose, except that CIDR lists are
//! unioned. IPs in `ignore_cidrs` are never blocked again (the way to record "this is a partner's IP";
//! deleting a line from `deny` alone is undone by the next run over the same finding).
//!
//! Each denied CIDR is one line, a one-line object holding the CIDR and the reason (the finding that
//! named it): one-line objects are never aligned by `terraform fmt`, so adding an IP changes exactly one
//! line, and the reviewer sees why each IP is there. The reason and the bucket's tags are finding text,
//! escaped like every other value.

use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const FILE_NAME: &str = "tfremedy_data.tf";

/// Whether the bucket already has a policy, as far as anyone knows.
pub const POLICY_UNKNOWN: &str = "unknown";
pub const POLICY_NONE: &str = "none";
/// The reviewed policy is in `baseline_policy`: the module writes it with ours appended, and stops the
/// plan if the live policy has changed since.
pub const POLICY_PINNED: &str = "pinned";
/// The same, without reading the live policy first: for a policy deleted since the review.
pub const POLICY_RESTORE: &str = "restore";
/// Set by hand only: the live policy is read at plan time and adopted, unchecked.
pub const POLICY_READ: &str = "read";
const POLICY_MODES: [&str; 5] = [
    POLICY_UNKNOWN,
    POLICY_NONE,
    POLICY_PINNED,
    POLICY_RESTORE,
    POLICY_READ,
];

pub const SSE_KMS: &str = "aws:kms";
pub const SSE_DSSE_KMS: &str = "aws:kms:dsse";

/// The whole data file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DataFile {
    pub buckets: BTreeMap<String, DataBucket>,
    /// The account-level monitoring (trail, alarms, GuardDuty alert); one per output directory.
    pub monitor: Option<DataMonitor>,
    /// Credential responses, keyed `<kind>/<name>`.
    pub principals: BTreeMap<String, DataPrincipal>,
    /// Targets a human removed on purpose: never added back.
    pub ignore: DataIgnore,
}

/// The marker for "removed by a human, keep it removed": deleting an entry alone is undone by the next
/// run over the same findings; listing it here is not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataIgnore {
    #[serde(default)]
    pub buckets: Vec<String>,
    #[serde(default)]
    pub principals: Vec<String>,
}

/// One bucket's entry. A switch is `None` (`null` in the file) while no finding has asked for that
/// fix, `Some(false)` once a human or `--skip` turned it off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataBucket {
    pub account_id: String,
    pub existing_policy: String,
    /// The bucket policy as reviewed ([`crate::policy::canonical_json`]), with `pinned` and
    /// `restore`. Written only when set.
    #[serde(default)]
    pub baseline_policy: Option<String>,
    pub tls_only: Option<bool>,
    pub default_encryption: Option<bool>,
    pub sse_algorithm: String,
    pub kms_key_arn: Option<String>,
    pub public_access_block: Option<bool>,
    #[serde(default)]
    pub ownership_controls: Option<bool>,
    #[serde(default)]
    pub versioning: Option<bool>,
    #[serde(default)]
    pub access_logging: Option<bool>,
    pub deny: Vec<DenyEntry>,
    pub ignore_cidrs: Vec<String>,
    /// The bucket's tags as GuardDuty saw them: who owns the bucket, for the reviewer.
    pub bucket_tags: BTreeMap<String, String>,
    /// The opt-in allow-list (`harden --allow-cidrs`): written only when set, so that most entries stay
    /// short. Never without a break-glass principal (the planner refuses, the module too).
    #[serde(default)]
    pub allow_cidrs: Vec<String>,
    #[serde(default)]
    pub allow_vpce_ids: Vec<String>,
    #[serde(default)]
    pub allow_vpc_ids: Vec<String>,
    #[serde(default)]
    pub break_glass_principal_arns: Vec<String>,
    /// Statements to leave out of the live policy (`harden --remove-public`), as
    /// [`crate::policy::canonical_json`] writes them. Kept across runs: a statement put back by hand
    /// is removed again at the next apply. Written only when set.
    #[serde(default)]
    pub remove_statements: Vec<String>,
    /// What the team's own Terraform already manages for this bucket (`--terraform-dir`): role
    /// (`policy`, `encryption`, `public-access-block`, `logging`, `versioning`, `ownership-controls`)
    /// -> `ADDRESS in FILE`. The guard creates none of these; the PR says what to change there (with
    /// the line).
    /// Written only when set.
    #[serde(default)]
    pub managed_elsewhere: BTreeMap<String, String>,
}

impl DataBucket {
    /// Whether the bucket policy needs statements beyond the TLS-only ones: denied IPs, an
    /// allow-list, or statements to remove.
    pub fn needs_more_than_tls(&self) -> bool {
        !self.deny.is_empty() || !self.allow_cidrs.is_empty() || !self.remove_statements.is_empty()
    }

    /// The reviewed policy the module merges ours into: `None` for a bucket without one (`none`) and
    /// where tfremedy does not know it (`unknown`, `read`).
    pub fn baseline(&self) -> Result<Option<serde_json::Value>, String> {
        if ![POLICY_PINNED, POLICY_RESTORE].contains(&self.existing_policy.as_str()) {
            return Ok(None);
        }
        let text = self.baseline_policy.as_deref().ok_or_else(|| {
            format!(
                "existing_policy is {:?} but baseline_policy is missing",
                self.existing_policy
            )
        })?;
        crate::policy::parse_policy(text)
            .map(Some)
            .map_err(|e| format!("baseline_policy: {e}"))
    }

    /// Whether the guard has anything to do in the bucket policy.
    pub fn needs_policy(&self) -> bool {
        self.tls_only == Some(true) || self.needs_more_than_tls()
    }

    /// A new entry: nothing known about its policy, no fix asked for yet, nothing denied.
    pub fn new(
        account_id: &str,
        sse_algorithm: &str,
        kms_key_arn: Option<String>,
        bucket_tags: BTreeMap<String, String>,
    ) -> Self {
        Self {
            account_id: account_id.to_string(),
            existing_policy: POLICY_UNKNOWN.into(),
            baseline_policy: None,
            tls_only: None,
            default_encryption: None,
            sse_algorithm: sse_algorithm.to_string(),
            kms_key_arn,
            public_access_block: None,
            ownership_controls: None,
            versioning: None,
            access_logging: None,
            deny: Vec::new(),
            ignore_cidrs: Vec::new(),
            bucket_tags,
            allow_cidrs: Vec::new(),
            allow_vpce_ids: Vec::new(),
            allow_vpc_ids: Vec::new(),
            break_glass_principal_arns: Vec::new(),
            remove_statements: Vec::new(),
            managed_elsewhere: BTreeMap::new(),
        }
    }
}

/// One denied CIDR and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DenyEntry {
    pub cidr: String,
    pub reason: String,
}

/// The account-level monitor's entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataMonitor {
    pub account_id: String,
    pub region: String,
    /// An existing (organisation) trail's log group: then no trail is created.
    pub existing_log_group: Option<String>,
    pub data_events: Option<bool>,
    pub alarms: Option<bool>,
    pub guardduty_alert: Option<bool>,
    #[serde(default)]
    pub account_public_access_block: Option<bool>,
}

pub const KIND_IAM_USER: &str = "iam-user";
pub const KIND_ASSUMED_ROLE: &str = "assumed-role";

/// One principal's credential response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataPrincipal {
    pub account_id: String,
    /// `iam-user` or `assumed-role`.
    pub kind: String,
    /// The IAM user or role name.
    pub name: String,
    pub access_key_id: Option<String>,
    pub quarantine: Option<bool>,
    pub deactivate_key: Option<bool>,
    /// Set by a human once the import block is in the root module.
    pub key_import_in_root: bool,
    pub require_mfa: Option<bool>,
    pub revoke_sessions: Option<bool>,
    /// RFC 3339 UTC, seconds precision.
    pub revoke_sessions_before: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Root {
    locals: Locals,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Locals {
    #[serde(default)]
    tfremedy_buckets: BTreeMap<String, DataBucket>,
    #[serde(default)]
    tfremedy_monitor: Option<DataMonitor>,
    #[serde(default)]
    tfremedy_principals: BTreeMap<String, DataPrincipal>,
    #[serde(default)]
    tfremedy_ignore: DataIgnore,
}

/// Parses a data file written by an earlier run (possibly edited by hand) and checks every value that
/// goes into code.
pub fn parse(text: &str) -> Result<DataFile, String> {
    let value: hcl::Value = hcl::from_str(text).map_err(|e| format!("not valid HCL: {e}"))?;
    let json = serde_json::to_value(value).map_err(|e| e.to_string())?;
    let root: Root = serde_json::from_value(json).map_err(|e| {
        format!("expected `locals {{ tfremedy_buckets = {{ \"<bucket>\" = {{ ... }} }} }}` as tfremedy writes it: {e}")
    })?;
    let locals = root.locals;
    for (name, b) in &locals.tfremedy_buckets {
        check_bucket(name, b).map_err(|e| format!("local.tfremedy_buckets[\"{name}\"].{e}"))?;
    }
    if let Some(m) = &locals.tfremedy_monitor {
        check_monitor(m).map_err(|e| format!("local.tfremedy_monitor.{e}"))?;
    }
    for (key, p) in &locals.tfremedy_principals {
        check_principal(key, p).map_err(|e| format!("local.tfremedy_principals[\"{key}\"].{e}"))?;
    }
    Ok(DataFile {
        buckets: locals.tfremedy_buckets,
        monitor: locals.tfremedy_monitor,
        principals: locals.tfremedy_principals,
        ignore: locals.tfremedy_ignore,
    })
}

fn check_bucket(name: &str, b: &DataBucket) -> Result<(), String> {
    crate::validate::bucket_name(name).map_err(|e| format!(": bucket name: {e}"))?;
    crate::validate::account_id(&b.account_id).map_err(|e| format!("account_id: {e}"))?;
    if !POLICY_MODES.contains(&b.existing_policy.as_str()) {
        return Err(format!(
            "existing_policy: expected one of {POLICY_MODES:?}, found {:?}",
            b.existing_policy
        ));
    }
    b.baseline()?;
    if ![SSE_KMS, SSE_DSSE_KMS].contains(&b.sse_algorithm.as_str()) {
        return Err(format!(
            "sse_algorithm: expected \"aws:kms\" or \"aws:kms:dsse\", found {:?}",
            b.sse_algorithm
        ));
    }
    if let Some(arn) = &b.kms_key_arn {
        crate::validate::kms_key_arn(arn).map_err(|e| format!("kms_key_arn: {e}"))?;
    }
    let deny = b.deny.iter().map(|d| ("deny", &d.cidr));
    let ignore = b.ignore_cidrs.iter().map(|c| ("ignore_cidrs", c));
    for (field, c) in deny.chain(ignore) {
        c.parse::<IpNet>().map_err(|_| {
            format!("{field}: expected a CIDR such as \"192.0.2.1/32\", found {c:?}")
        })?;
    }
    Ok(())
}

fn check_monitor(m: &DataMonitor) -> Result<(), String> {
    crate::validate::account_id(&m.account_id).map_err(|e| format!("account_id: {e}"))?;
    crate::validate::region(&m.region).map_err(|e| format!("region: {e}"))?;
    if let Some(group) = &m.existing_log_group {
        crate::validate::log_group_name(group).map_err(|e| format!("existing_log_group: {e}"))?;
    }
    Ok(())
}

fn check_principal(key: &str, p: &DataPrincipal) -> Result<(), String> {
    crate::validate::account_id(&p.account_id).map_err(|e| format!("account_id: {e}"))?;
    if ![KIND_IAM_USER, KIND_ASSUMED_ROLE].contains(&p.kind.as_str()) {
        return Err(format!(
            "kind: expected \"{KIND_IAM_USER}\" or \"{KIND_ASSUMED_ROLE}\", found {:?}",
            p.kind
        ));
    }
    crate::validate::iam_name(&p.name).map_err(|e| format!("name: {e}"))?;
    if key != principal_key(&p.kind, &p.name) {
        return Err(format!(
            ": the key must be \"{}\" (kind/name)",
            principal_key(&p.kind, &p.name)
        ));
    }
    if let Some(id) = &p.access_key_id {
        crate::validate::access_key_id(id).map_err(|e| format!("access_key_id: {e}"))?;
    }
    if let Some(ts) = &p.revoke_sessions_before {
        crate::validate::utc_timestamp(ts).map_err(|e| format!("revoke_sessions_before: {e}"))?;
    }
    Ok(())
}

/// The data-file key of a principal.
pub fn principal_key(kind: &str, name: &str) -> String {
    format!("{kind}/{name}")
}

/// Sorts CIDRs by address family and address and aggregates them into the fewest CIDRs that cover
/// exactly the same addresses (never a wider range).
pub fn normalise_cidrs(cidrs: impl IntoIterator<Item = IpNet>) -> Vec<String> {
    normalise_deny(cidrs.into_iter().map(|n| (n, String::new())))
        .into_iter()
        .map(|d| d.cidr)
        .collect()
}

/// The same for deny entries. An entry whose CIDR survives keeps its reason, so an IP named again by a
/// later finding does not churn its line; a merged entry takes the reason of its lowest part, with a
/// count of the others.
pub fn normalise_deny(entries: impl IntoIterator<Item = (IpNet, String)>) -> Vec<DenyEntry> {
    let mut inputs: BTreeMap<IpNet, String> = BTreeMap::new();
    for (net, reason) in entries {
        inputs.entry(net.trunc()).or_insert(reason);
    }
    let nets: Vec<IpNet> = inputs.keys().copied().collect();
    let mut merged = IpNet::aggregate(&nets);
    merged.sort();
    merged
        .into_iter()
        .map(|net| {
            let reason = inputs.get(&net).cloned().unwrap_or_else(|| {
                let parts: Vec<&String> = inputs
                    .iter()
                    .filter(|(n, _)| net.contains(*n))
                    .map(|(_, r)| r)
                    .collect();
                let first = parts.first().map_or("", |r| without_count(r));
                match parts.len() {
                    0 | 1 => first.to_string(),
                    n => format!("{first} (+{} more)", n - 1),
                }
            });
            DenyEntry {
                cidr: net.to_string(),
                reason,
            }
        })
        .collect()
}

/// A reason without the ` (+N more)` a previous merge appended.
fn without_count(reason: &str) -> &str {
    match reason.rfind(" (+") {
        Some(at) if reason.ends_with(" more)") => &reason[..at],
        _ => reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregation_covers_exactly_the_input_addresses() {
        use std::collections::BTreeSet;
        use std::net::IpAddr;
        // A deterministic scatter of addresses with some complete aligned blocks among them.
        let mut addrs: BTreeSet<IpAddr> = BTreeSet::new();
        let mut x: u32 = 0x9E37_79B9;
        for i in 0..3000u32 {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let base = 0x0A00_0000 | (x >> 16);
            addrs.insert(IpAddr::from(base.to_be_bytes()));
            if i % 7 == 0 {
                for k in 0..8 {
                    addrs.insert(IpAddr::from(((base & !7) | k).to_be_bytes()));
                }
            }
            if i % 11 == 0 {
                let v6: u128 = 0x2001_0db8_u128 << 96 | u128::from(x & 0xFFFF);
                addrs.insert(IpAddr::from(v6.to_be_bytes()));
            }
        }
        let cidrs = normalise_cidrs(addrs.iter().map(|a| IpNet::from(*a)));
        assert!(cidrs.len() < addrs.len(), "complete blocks were merged");
        let mut covered: BTreeSet<IpAddr> = BTreeSet::new();
        for c in &cidrs {
            let net: IpNet = c.parse().unwrap();
            let hosts: Vec<IpAddr> = match net {
                IpNet::V4(n) => n
                    .hosts()
                    .map(IpAddr::from)
                    .chain([IpAddr::from(n.network()), IpAddr::from(n.broadcast())])
                    .collect(),
                IpNet::V6(n) => n.hosts().map(IpAddr::from).collect(),
            };
            covered.extend(hosts);
        }
        assert_eq!(
            covered, addrs,
            "the CIDRs cover exactly the input addresses"
        );
        // Fewest: no two results could merge further.
        let nets: Vec<IpNet> = cidrs.iter().map(|c| c.parse().unwrap()).collect();
        assert_eq!(IpNet::aggregate(&nets), nets);
    }

    #[test]
    fn merged_reasons_are_stable() {
        let a: IpNet = "10.0.0.0/32".parse().unwrap();
        let b: IpNet = "10.0.0.1/32".parse().unwrap();
        let first = normalise_deny([(b, "second".to_string()), (a, "first".to_string())]);
        assert_eq!(
            first,
            vec![DenyEntry {
                cidr: "10.0.0.0/31".into(),
                reason: "first (+1 more)".into()
            }]
        );
        // Re-running with the same IPs keeps the line as it is.
        let again = normalise_deny(
            first
                .iter()
                .map(|d| (d.cidr.parse().unwrap(), d.reason.clone()))
                .chain([(a, "first".to_string()), (b, "second".to_string())]),
        );
        assert_eq!(again, first);
    }

    #[test]
    fn normalises_and_drops_covered() {
        let got = normalise_cidrs(
            [
                "10.0.0.0/24",
                "10.0.0.5/32",
                "2001:db8::1/128",
                "1.2.3.4/32",
                "1.2.3.4/32",
            ]
            .iter()
            .map(|s| s.parse().unwrap()),
        );
        assert_eq!(got, vec!["1.2.3.4/32", "10.0.0.0/24", "2001:db8::1/128"]);
    }
}
