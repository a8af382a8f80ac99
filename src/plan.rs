//! The planner: findings in, `Plan` out. Pure: no I/O, no clock, no randomness.
//!
//! It owns all merging: findings are de-duplicated and sorted, every bucket gets one entry holding every
//! IP to deny and every fix that applies, and the result is merged into the data file of an earlier run
//! (hand edits win, CIDRs are unioned). Everything is kept in sorted collections so the same findings in
//! any order give the same plan, and the plan serialises to JSON for `--format json` and for tests.

use crate::datafile::{self, DataBucket, DataFile, DataMonitor};
use crate::error::InputError;
use crate::finding_types;
use crate::fixes::{self, FixId, Scope};
use crate::model::{Finding, Warning};
use crate::monitor::{self, MonitorPlan};
use crate::policy::{self, MergedPolicy};
use crate::principals::{self, PrincipalPlan};
use ipnet::IpNet;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What the user told us beyond the findings.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Current bucket policies (`--bucket-policy BUCKET=FILE`), parsed.
    pub bucket_policies: BTreeMap<String, serde_json::Value>,
    /// `--only` / `--skip`.
    pub selection: Selection,
    /// `--existing-log-group`: an organisation trail's log group to alarm on instead of a new trail.
    pub existing_log_group: Option<String>,
}

/// Which fixes the command line turned on or off. What it does not decide is left to the data file
/// (for entries an earlier run wrote) or to each fix's default (for new entries).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub only: Option<BTreeSet<FixId>>,
    pub skip: BTreeSet<FixId>,
}

impl Selection {
    /// `Some(on)` when the command line decided `id`.
    pub fn decided(&self, id: FixId) -> Option<bool> {
        if self.skip.contains(&id) {
            return Some(false);
        }
        self.only.as_ref().map(|only| only.contains(&id))
    }

    /// The switch for `id`: the command line's choice, else `current`.
    pub fn on(&self, id: FixId, current: bool) -> bool {
        self.decided(id).unwrap_or(current)
    }

    /// For a new entry: the command line's choice, else the fix's default.
    pub fn default_for(&self, id: FixId) -> bool {
        self.on(id, fixes::fix(id).default_on)
    }
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
    /// The account, region and partition of this run (one each per output directory).
    pub account_id: String,
    pub region: String,
    pub partition: String,
    /// The account-level monitor, as the module will build it.
    pub monitor: Option<MonitorPlan>,
    /// Principals named by this run's findings and their credential response.
    pub principals: Vec<PrincipalPlan>,
    /// S3 data events at the rate the findings' calls came in, when their counts and windows give one.
    pub data_event_estimate: Option<CostEstimate>,
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

    let sel = &options.selection;
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
            if row.fixes.contains(&FixId::DenyIps) && sel.default_for(FixId::DenyIps) {
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
                    tls_only: sel.default_for(FixId::TlsOnly),
                    default_encryption: sel.default_for(FixId::DefaultEncryption),
                    sse_algorithm: sse.into(),
                    kms_key_arn: key.clone(),
                    public_access_block: sel.default_for(FixId::PublicAccessBlock),
                    deny: Vec::new(),
                    ignore_cidrs: Vec::new(),
                    bucket_tags: b.tags.iter().cloned().collect(),
                });
            db.tls_only = sel.on(FixId::TlsOnly, db.tls_only);
            db.default_encryption = sel.on(FixId::DefaultEncryption, db.default_encryption);
            db.public_access_block = sel.on(FixId::PublicAccessBlock, db.public_access_block);
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
        entry.fixes.retain(|id| match id {
            FixId::DenyIps => !db.deny.is_empty(),
            FixId::TlsOnly => db.tls_only,
            FixId::DefaultEncryption => db.default_encryption,
            FixId::PublicAccessBlock => db.public_access_block,
            _ => false,
        });

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
    if findings.is_empty() {
        // Nothing usable (every input was bad, or every finding archived): no account to plan for.
        return Ok(Plan {
            findings,
            skipped,
            buckets,
            data,
            account_id: String::new(),
            region: String::new(),
            partition: String::new(),
            monitor: None,
            principals: Vec::new(),
            data_event_estimate: None,
            fixes: Vec::new(),
            warnings: warnings.into_iter().collect(),
        });
    }
    let (account_id, region, partition) = one_account(&findings)?;
    let monitor_entry = data.monitor.clone().unwrap_or_else(|| DataMonitor {
        account_id: account_id.clone(),
        region: region.clone(),
        existing_log_group: None,
        data_events: sel.default_for(FixId::S3DataEvents),
        alarms: sel.default_for(FixId::Alarms),
        guardduty_alert: sel.default_for(FixId::GuardDutyAlert),
    });
    let monitor_entry = DataMonitor {
        existing_log_group: options
            .existing_log_group
            .clone()
            .or(monitor_entry.existing_log_group),
        data_events: sel.on(FixId::S3DataEvents, monitor_entry.data_events),
        alarms: sel.on(FixId::Alarms, monitor_entry.alarms),
        guardduty_alert: sel.on(FixId::GuardDutyAlert, monitor_entry.guardduty_alert),
        ..monitor_entry
    };
    if monitor_entry.account_id != account_id || monitor_entry.region != region {
        return Err(PlanError::Conflict(format!(
            "{}: the monitor is for {} / {}, but these findings are from {account_id} / {region}; \
             use one output directory per account and region",
            datafile::FILE_NAME,
            monitor_entry.account_id,
            monitor_entry.region
        )));
    }
    data.monitor = Some(monitor_entry);

    let (principal_plans, drafts, principal_warnings) = principals::plan(&findings, &account_id);
    warnings.extend(principal_warnings);
    for draft in drafts {
        let mut entry = data.principals.get(&draft.key).cloned().unwrap_or_else(|| {
            let mut e = draft.entry.clone();
            e.quarantine = sel.default_for(FixId::QuarantineUser);
            e.deactivate_key = sel.default_for(FixId::DeactivateKey);
            e.require_mfa = sel.default_for(FixId::RequireMfa);
            e.revoke_sessions = e.revoke_sessions && sel.default_for(FixId::RevokeSessions);
            e
        });
        if entry.account_id != account_id {
            return Err(PlanError::Conflict(format!(
                "{}: principal {} has account_id {}, but these findings are from {account_id}",
                datafile::FILE_NAME,
                draft.key,
                entry.account_id
            )));
        }
        entry.quarantine = sel.on(FixId::QuarantineUser, entry.quarantine);
        entry.deactivate_key = sel.on(FixId::DeactivateKey, entry.deactivate_key);
        entry.require_mfa = sel.on(FixId::RequireMfa, entry.require_mfa);
        entry.revoke_sessions = sel.on(FixId::RevokeSessions, entry.revoke_sessions);
        if entry.access_key_id.is_none() {
            entry.access_key_id = draft.entry.access_key_id.clone();
        }
        // A later finding moves the revocation time forward; never backward.
        entry.revoke_sessions_before = entry
            .revoke_sessions_before
            .clone()
            .max(draft.entry.revoke_sessions_before.clone());
        data.principals.insert(draft.key, entry);
    }
    let monitor = monitor::plan(&data, &partition).map_err(PlanError::Conflict)?;
    let fixes_used = fixes_in_effect(&fixes_used, &data, &buckets, &principal_plans);

    for name in options.bucket_policies.keys() {
        if !buckets.contains_key(name) {
            warnings.insert(format!(
                "--bucket-policy names bucket {name:?}, which no finding of this run names: ignored"
            ));
        }
    }

    let data_event_estimate = data_event_estimate(&findings);
    Ok(Plan {
        data_event_estimate,
        findings,
        skipped,
        buckets,
        data,
        account_id,
        region,
        partition,
        monitor,
        principals: principal_plans,
        fixes: fixes_used,
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

/// A rough monthly cost, for the PR text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CostEstimate {
    pub events_per_month: u64,
    /// US dollars, `0.00` form; "less than 0.01" shows as `< 0.01`.
    pub dollars: String,
}

/// CloudTrail's price for data events: $0.10 per 100,000 events delivered.
pub const DATA_EVENT_PRICE_PER_100K: f64 = 0.10;

/// The findings' own call rate (count over first-to-last-seen) as data events per month. It measures
/// the attacker's calls only; the bucket's normal traffic is what dominates, and the PR says so.
fn data_event_estimate(findings: &[Finding]) -> Option<CostEstimate> {
    let mut per_month = 0.0;
    let mut any = false;
    for f in findings {
        let (Some(first), Some(last)) = (f.first_seen.as_deref(), f.last_seen.as_deref()) else {
            continue;
        };
        let (Some(a), Some(b)) = (
            crate::validate::epoch_seconds(first),
            crate::validate::epoch_seconds(last),
        ) else {
            continue;
        };
        if b <= a || f.count == 0 {
            continue;
        }
        any = true;
        per_month += f.count as f64 / (b - a) as f64 * 30.0 * 86_400.0;
    }
    if !any {
        return None;
    }
    let dollars = per_month / 100_000.0 * DATA_EVENT_PRICE_PER_100K;
    Some(CostEstimate {
        events_per_month: per_month.ceil() as u64,
        dollars: if dollars < 0.01 {
            "< 0.01".into()
        } else {
            format!("{dollars:.2}")
        },
    })
}

/// The one account, region and partition of the findings; an output directory serves one of each,
/// because its modules run with one provider.
fn one_account(findings: &[Finding]) -> Result<(String, String, String), PlanError> {
    let set: BTreeSet<(&str, &str, &str)> = findings
        .iter()
        .map(|f| {
            (
                f.account_id.as_str(),
                f.region.as_str(),
                f.partition.as_str(),
            )
        })
        .collect();
    match set.len() {
        0 | 1 => {
            let (a, r, p) = set.into_iter().next().unwrap_or_default();
            Ok((a.to_string(), r.to_string(), p.to_string()))
        }
        _ => {
            let list: Vec<String> = set.iter().map(|(a, r, _)| format!("{a} / {r}")).collect();
            Err(PlanError::Conflict(format!(
                "the findings come from several accounts or regions ({}); an output directory serves one \
                 (its modules use one provider): run tfremedy once per account and region, each with its \
                 own --out",
                list.join(", ")
            )))
        }
    }
}

/// The fixes of this run's finding types that are switched on for at least one of the targets the run
/// touched, in registry order: the fixes the PR text must explain.
fn fixes_in_effect(
    wanted: &BTreeSet<FixId>,
    data: &DataFile,
    buckets: &BTreeMap<String, BucketPlan>,
    principals: &[PrincipalPlan],
) -> Vec<FixId> {
    let touched_buckets: Vec<&DataBucket> =
        buckets.keys().filter_map(|b| data.buckets.get(b)).collect();
    let touched_principals: Vec<&datafile::DataPrincipal> = principals
        .iter()
        .filter_map(|p| data.principals.get(p.key.as_ref()?))
        .collect();
    let m = data.monitor.as_ref();
    wanted
        .iter()
        .copied()
        .filter(|id| match fixes::fix(*id).scope {
            Scope::Bucket => touched_buckets.iter().any(|b| match id {
                FixId::DenyIps => !b.deny.is_empty(),
                FixId::TlsOnly => b.tls_only,
                FixId::DefaultEncryption => b.default_encryption,
                _ => b.public_access_block,
            }),
            Scope::Account => m.is_some_and(|m| match id {
                FixId::S3DataEvents => m.data_events && m.existing_log_group.is_none(),
                FixId::Alarms => m.alarms,
                _ => m.guardduty_alert,
            }),
            Scope::Principal => touched_principals.iter().any(|p| match id {
                FixId::QuarantineUser => p.kind == datafile::KIND_IAM_USER && p.quarantine,
                FixId::DeactivateKey => {
                    p.deactivate_key
                        && p.access_key_id
                            .as_deref()
                            .is_some_and(|k| k.starts_with("AKIA"))
                }
                FixId::RevokeSessions => p.revoke_sessions && p.revoke_sessions_before.is_some(),
                _ => p.kind == datafile::KIND_IAM_USER && p.require_mfa,
            }),
        })
        .collect()
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
