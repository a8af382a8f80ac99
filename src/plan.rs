//! The planner: findings in, `Plan` out. Pure: no I/O, no clock, no randomness.
//!
//! It owns all merging: findings are de-duplicated and sorted, every bucket gets one entry holding every
//! IP to deny and every fix that applies, and the result is merged into the data file of an earlier run
//! (hand edits win, CIDRs are unioned). Everything is kept in sorted collections so the same findings in
//! any order give the same plan, and the plan serialises to JSON for `--format json` and for tests.

use crate::datafile::{self, DataBucket, DataFile};
use crate::error::InputError;
use crate::finding_types;
use crate::fixes::FixId;
use crate::model::{Finding, Warning};
use crate::policy::{self, MergedPolicy};
use ipnet::IpNet;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What the user told us beyond the findings.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Current bucket policies (`--bucket-policy BUCKET=FILE`), parsed.
    pub bucket_policies: BTreeMap<String, serde_json::Value>,
}

/// The whole change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// Supported, non-archived findings, de-duplicated, sorted by type, account, region and id.
    pub findings: Vec<Finding>,
    /// One line per finding that was read but left out (archived).
    pub skipped: Vec<String>,
    /// Buckets named by this run's findings.
    pub buckets: BTreeMap<String, BucketPlan>,
    /// The data file to write: the previous one merged with this run.
    pub data: DataFile,
    /// Fixes applied by this run, in registry order.
    pub fixes: Vec<FixId>,
    /// Non-fatal observations, sorted.
    pub warnings: Vec<String>,
}

/// One bucket touched by this run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BucketPlan {
    pub name: String,
    pub account_id: String,
    pub region: String,
    pub partition: String,
    /// Caller IPs seen in this run's findings, as CIDRs.
    pub caller_cidrs: Vec<String>,
    /// CIDRs this run adds to the data file.
    pub new_cidrs: Vec<String>,
    /// Caller IPs not blocked because the data file lists them in `ignore_cidrs`.
    pub ignored_cidrs: Vec<String>,
    pub fixes: Vec<FixId>,
    /// Why the encryption target is what it is: `kept-data`, `dsse`, `kms-own-key`, `kms`, `sse-s3`,
    /// `unrecognised` or `unknown` (the PR template words each case).
    pub encryption_case: &'static str,
    /// GuardDuty's view of the bucket's exposure (`PUBLIC` / `NOT_PUBLIC`).
    pub effective_permission: Option<String>,
    /// The merge of our statements into the policy given with `--bucket-policy`.
    pub merged_policy: Option<MergedPolicy>,
}

/// Plans the change. Unsupported finding types are input errors (with the finding's origin), reported
/// together; nothing is planned unless every finding is usable.
pub fn plan(
    findings: Vec<Finding>,
    previous: Option<DataFile>,
    options: &PlanOptions,
) -> Result<Plan, PlanError> {
    let mut errors = Vec::new();
    let mut warnings = BTreeSet::new();
    let mut skipped = Vec::new();
    let mut kept: BTreeMap<(String, String, String), Finding> = BTreeMap::new();

    for f in findings {
        let Some(row) = finding_types::lookup(&f.finding_type) else {
            errors.push(InputError::new(
                f.origin.file.clone(),
                f.origin.line,
                format!("{}.type", f.origin.path),
                format!(
                    "finding type {:?} is not supported (see `tfremedy list-types`)",
                    f.finding_type
                ),
            ));
            continue;
        };
        if f.buckets.is_empty() {
            errors.push(InputError::new(
                f.origin.file.clone(),
                f.origin.line,
                format!("{}.resource.s3BucketDetails", f.origin.path),
                format!("a {} finding must name at least one bucket", row.name),
            ));
            continue;
        }
        if f.archived {
            skipped.push(format!("{} {} (archived)", f.finding_type, f.id));
            continue;
        }
        // The same finding exported twice (or updated): keep the latest version.
        let key = (f.account_id.clone(), f.region.clone(), f.id.clone());
        match kept.get(&key) {
            Some(old) if old.updated_at >= f.updated_at => {}
            _ => {
                kept.insert(key, f);
            }
        }
    }
    if !errors.is_empty() {
        return Err(PlanError::Inputs(errors));
    }
    let mut findings: Vec<Finding> = kept.into_values().collect();
    findings.sort_by(|a, b| {
        (&a.finding_type, &a.account_id, &a.region, &a.id).cmp(&(
            &b.finding_type,
            &b.account_id,
            &b.region,
            &b.id,
        ))
    });
    skipped.sort();

    let mut data = previous.unwrap_or_default();
    let mut buckets: BTreeMap<String, BucketPlan> = BTreeMap::new();
    let mut fixes_used = BTreeSet::new();
    let mut ips: BTreeMap<String, BTreeMap<IpNet, String>> = BTreeMap::new();

    for f in &findings {
        let row =
            finding_types::lookup(&f.finding_type).unwrap_or_else(|| unreachable!("checked above"));
        if f.sample {
            warnings.insert(format!(
                "finding {} is a GuardDuty sample finding (generated, not a real event)",
                f.id
            ));
        }
        for b in &f.buckets {
            let entry = buckets.entry(b.name.clone()).or_insert_with(|| BucketPlan {
                name: b.name.clone(),
                account_id: f.account_id.clone(),
                region: f.region.clone(),
                partition: f.partition.clone(),
                caller_cidrs: Vec::new(),
                new_cidrs: Vec::new(),
                ignored_cidrs: Vec::new(),
                fixes: Vec::new(),
                encryption_case: "unknown",
                effective_permission: None,
                merged_policy: None,
            });
            if entry.account_id != f.account_id {
                return Err(PlanError::Conflict(format!(
                    "bucket {:?} is named by findings of two accounts ({} and {}); a bucket belongs to one account",
                    b.name, entry.account_id, f.account_id
                )));
            }
            let mut fx: BTreeSet<FixId> = entry.fixes.iter().copied().collect();
            fx.extend(row.fixes.iter().copied());
            entry.fixes = fx.into_iter().collect();
            fixes_used.extend(row.fixes.iter().copied());
            if let Some(p) = b
                .public_access
                .as_ref()
                .and_then(|p| p.effective_permission.clone())
            {
                entry.effective_permission = Some(p);
            }
            if row.fixes.contains(&FixId::DenyIps) {
                match f.remote_ip() {
                    Some(ip) => {
                        // Findings are sorted, so the first to name an IP gives its reason.
                        ips.entry(b.name.clone())
                            .or_default()
                            .entry(IpNet::from(ip))
                            .or_insert_with(|| deny_reason(f));
                    }
                    None => {
                        warnings.insert(format!(
                            "finding {} names no caller IP: nothing to deny for bucket {}",
                            f.id, b.name
                        ));
                    }
                }
            }
            let (sse, key, reason) = encryption_target(b);
            let mut db = data
                .buckets
                .get(&b.name)
                .cloned()
                .unwrap_or_else(|| DataBucket {
                    account_id: f.account_id.clone(),
                    existing_policy: datafile::POLICY_UNKNOWN.into(),
                    tls_only: true,
                    default_encryption: true,
                    sse_algorithm: sse.into(),
                    kms_key_arn: key.clone(),
                    public_access_block: true,
                    deny: Vec::new(),
                    ignore_cidrs: Vec::new(),
                    bucket_tags: b.tags.iter().cloned().collect(),
                });
            if db.account_id != f.account_id {
                return Err(PlanError::Conflict(format!(
                    "{}: bucket {:?} has account_id {} but finding {} says {}; fix the data file or the input",
                    datafile::FILE_NAME, b.name, db.account_id, f.id, f.account_id
                )));
            }
            // Worded from the finding unless the data file says otherwise, so that re-running over
            // the same directory gives the same PR text.
            let from_finding = db.sse_algorithm == sse && db.kms_key_arn == key;
            entry.encryption_case = if from_finding { reason } else { "kept-data" };
            if options.bucket_policies.contains_key(&b.name) {
                // A policy was handed to us, so one exists: read it at plan time and merge.
                db.existing_policy = datafile::POLICY_READ.into();
            }
            data.buckets.insert(b.name.clone(), db);
        }
    }

    for (name, entry) in &mut buckets {
        let db = data
            .buckets
            .get_mut(name)
            .unwrap_or_else(|| unreachable!("inserted above"));
        let ignore: Vec<IpNet> = db
            .ignore_cidrs
            .iter()
            .filter_map(|c| c.parse().ok())
            .collect();
        let seen = ips.remove(name).unwrap_or_default();
        entry.caller_cidrs = datafile::normalise_cidrs(seen.keys().copied());
        let (ignored, blocked): (Vec<_>, Vec<_>) = seen
            .into_iter()
            .partition(|(ip, _)| ignore.iter().any(|net| net.contains(ip)));
        entry.ignored_cidrs = ignored.iter().map(|(ip, _)| ip.to_string()).collect();
        let before: BTreeSet<String> = db.deny.iter().map(|d| d.cidr.clone()).collect();
        let previous = db
            .deny
            .iter()
            .filter_map(|d| Some((d.cidr.parse::<IpNet>().ok()?, d.reason.clone())));
        db.deny = datafile::normalise_deny(previous.chain(blocked));
        entry.new_cidrs = db
            .deny
            .iter()
            .filter(|d| !before.contains(&d.cidr))
            .map(|d| d.cidr.clone())
            .collect();
        let cidrs: Vec<String> = db.deny.iter().map(|d| d.cidr.clone()).collect();

        let ours = policy::our_statements(&entry.partition, name, &cidrs, db.tls_only);
        let empty = serde_json::json!({"Version": "2012-10-17", "Statement": []});
        let base = options.bucket_policies.get(name).unwrap_or(&empty);
        let merged = policy::merge(base, &ours);
        let budget = policy::S3_POLICY_LIMIT - policy::S3_POLICY_MARGIN;
        if merged.minified_size > budget {
            return Err(PlanError::Conflict(format!(
                "bucket {name:?}: the merged bucket policy would be {} bytes, over the {} byte budget \
                 (S3 allows {} bytes; {} are kept as margin). Nothing was written. Alternatives: an \
                 allow-list of trusted networks (aws:SourceIp with NotIpAddress, with VPC endpoint and \
                 service exemptions), VPC endpoint conditions (aws:SourceVpce), or an organisation \
                 resource control policy denying the IPs",
                merged.minified_size,
                budget,
                policy::S3_POLICY_LIMIT,
                policy::S3_POLICY_MARGIN
            )));
        }
        if options.bucket_policies.contains_key(name) {
            entry.merged_policy = Some(merged);
        }
    }
    for name in options.bucket_policies.keys() {
        if !buckets.contains_key(name) {
            warnings.insert(format!(
                "--bucket-policy names bucket {name:?}, which no finding of this run names: ignored"
            ));
        }
    }

    Ok(Plan {
        findings,
        skipped,
        buckets,
        data,
        fixes: fixes_used.into_iter().collect(),
        warnings: warnings.into_iter().collect(),
    })
}

/// Errors of the planner.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{} finding(s) cannot be planned", .0.len())]
    Inputs(Vec<InputError>),
    #[error("{0}")]
    Conflict(String),
}

/// The encryption to configure: never weaker than what the bucket has.
fn encryption_target(b: &crate::model::Bucket) -> (&'static str, Option<String>, &'static str) {
    let current = b.encryption.as_ref();
    let kind = current.and_then(|e| e.encryption_type.as_deref());
    let key = current.and_then(|e| e.kms_key_arn.clone());
    match (kind, key) {
        (Some("aws:kms:dsse"), key) => (datafile::SSE_DSSE_KMS, key, "dsse"),
        (Some("aws:kms"), Some(key)) => (datafile::SSE_KMS, Some(key), "kms-own-key"),
        (Some("aws:kms"), None) => (datafile::SSE_KMS, None, "kms"),
        (Some("AES256"), _) => (datafile::SSE_KMS, None, "sse-s3"),
        (Some(_), _) => (datafile::SSE_KMS, None, "unrecognised"),
        (None, _) => (datafile::SSE_KMS, None, "unknown"),
    }
}

/// Why an IP is denied, in one line of the data file: the finding that named it and what it says.
fn deny_reason(f: &Finding) -> String {
    let mut parts = vec![format!("{} {}", f.finding_type, f.id)];
    if let Some(seen) = &f.first_seen {
        parts.push(format!("first seen {seen}"));
    }
    if let Some(list) = &f.threat_list {
        parts.push(format!("threat list {list}"));
    }
    if let Some(call) = &f.api_call {
        let api = call.api.as_deref().unwrap_or("unknown API");
        let outcome = call.error_code.as_deref().unwrap_or("succeeded");
        parts.push(format!("{api} ({outcome})"));
        if let Some(ua) = &call.user_agent {
            parts.push(format!("user agent {ua}"));
        }
    }
    if let Some(name) = f.principal.as_ref().and_then(|p| p.user_name.as_ref()) {
        parts.push(format!("principal {name}"));
    }
    parts.join("; ")
}

/// Reader warnings, rendered for the plan.
pub fn warning_lines(ws: &[Warning]) -> Vec<String> {
    let set: BTreeSet<String> = ws.iter().map(|w| w.message.clone()).collect();
    set.into_iter().collect()
}
