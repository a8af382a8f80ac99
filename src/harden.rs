//! `tfremedy harden`: the runbook's steps 3 and 6 for every bucket of an inventory, before GuardDuty
//! has to find anything.
//!
//! Each bucket's current state (from AWS Config or Terraform state, see `inventory`) is checked against
//! the bucket-level fixes; what is missing becomes the same data-file entries `remediate` writes, so the
//! same modules apply it and re-runs merge. A bucket that lacks nothing produces no code and is listed as
//! compliant. Public statements and wildcard actions in a bucket's policy are reported with the exact
//! statement, never removed silently.

use crate::datafile::{self, DataBucket, DataFile, DataMonitor};
use crate::fixes::FixId;
use crate::inventory::BucketState;
use crate::plan::{group_dir, Batch, BucketPlan, Plan, PlanError};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// The opt-in allow-list (`--allow-cidrs`), with the exemptions it is never generated without.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList {
    pub cidrs: Vec<String>,
    pub vpce_ids: Vec<String>,
    pub vpc_ids: Vec<String>,
    pub break_glass: Vec<String>,
}

/// How `harden` plans, beyond the inventory.
#[derive(Debug, Clone, Default)]
pub struct HardenOptions {
    /// For inventories that do not say (Terraform state carries no account).
    pub account: Option<String>,
    pub region: Option<String>,
    pub allow: Option<AllowList>,
    /// `--remove-public`: leave the public statements out of the bucket policy.
    pub remove_public: bool,
    /// `--terraform-dir`: what the team's own code manages, and the name its root gives our module.
    pub terraform: Option<(crate::scan::Index, String)>,
}

/// What the hardening found about one bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Compliance {
    pub bucket: String,
    /// Fixes the bucket lacks, in registry order.
    pub missing: Vec<FixId>,
    /// Policy statements that allow anyone (`Principal` `*` without a restricting condition), pretty.
    pub public_statements: Vec<String>,
    /// Why the bucket stays off the AWS-managed key (`log-target` or `shared`, and who would lose
    /// access); SSE-S3 then counts as encrypted.
    pub encryption_kept: Option<(&'static str, String)>,
    /// Allow statements with a wildcard action (`*` or `s3:*`), pretty.
    pub wildcard_statements: Vec<String>,
    /// The public statements, as [`crate::policy::canonical_json`] writes them (`--remove-public`).
    #[serde(skip)]
    pub public_canonical: Vec<String>,
    /// Whether this run leaves the public statements out of the policy (`--remove-public`).
    pub removes_public: bool,
    /// Whether the public access block is left off because a public statement stays (S3 would
    /// reject every later policy change under BlockPublicPolicy).
    pub block_held: bool,
}

/// Checks one bucket.
pub fn check(state: &BucketState) -> Compliance {
    let mut missing = Vec::new();
    let statements: Vec<&Value> = state
        .policy
        .as_ref()
        .map(crate::policy::statements)
        .unwrap_or_default();
    let tls_denied = statements.iter().any(|s| {
        s["Effect"] == "Deny"
            && s["Condition"]["Bool"]["aws:SecureTransport"]
                .as_str()
                .or_else(|| s["Condition"]["Bool"]["aws:SecureTransport"][0].as_str())
                == Some("false")
    });
    if !tls_denied {
        missing.push(FixId::TlsOnly);
    }
    if !on_kms(state) {
        missing.push(FixId::DefaultEncryption);
    }
    let pab = state.public_access_block.as_ref().is_some_and(|b| {
        b.block_public_acls
            && b.ignore_public_acls
            && b.block_public_policy
            && b.restrict_public_buckets
    });
    if !pab {
        missing.push(FixId::PublicAccessBlock);
    }
    if state.object_ownership.as_deref() != Some("BucketOwnerEnforced") {
        missing.push(FixId::OwnershipControls);
    }
    if state.versioning.as_deref() != Some("Enabled") {
        missing.push(FixId::Versioning);
    }
    if state.logging_target.is_none() {
        missing.push(FixId::AccessLogging);
    }
    let pretty = |s: &Value| serde_json::to_string_pretty(s).unwrap_or_default();
    let is_public = |s: &&&Value| crate::policy::is_public(s);
    let wildcard = |s: &Value| {
        s["Effect"] == "Allow"
            && crate::policy::strings(&s["Action"])
                .iter()
                .any(|a| *a == "*" || *a == "s3:*")
    };
    Compliance {
        bucket: state.name.clone(),
        missing,
        encryption_kept: None,
        public_statements: statements
            .iter()
            .filter(is_public)
            .map(|s| pretty(s))
            .collect(),
        public_canonical: statements
            .iter()
            .filter(is_public)
            .map(|s| crate::policy::canonical_json(s))
            .collect(),
        removes_public: false,
        block_held: false,
        wildcard_statements: statements
            .iter()
            .filter(|s| wildcard(s))
            .map(|s| pretty(s))
            .collect(),
    }
}

/// What the data file says about a bucket's current policy, from the inventory. AWS Config records the
/// policy (or its absence) with the bucket, and S3 itself answers NoSuchBucketPolicy, so "none" can be
/// trusted from them; a Terraform state that has
/// no policy resource for the bucket says nothing about a policy managed elsewhere, so it stays
/// "unknown" and the plan stops until a human says.
pub fn existing_policy(state: &BucketState) -> &'static str {
    match (&state.policy, state.source) {
        (Some(_), _) => datafile::POLICY_PINNED,
        (None, crate::inventory::SOURCE_AWS_CONFIG | crate::inventory::SOURCE_AWS_API) => {
            datafile::POLICY_NONE
        }
        (None, _) => datafile::POLICY_UNKNOWN,
    }
}

/// Whether the bucket's default encryption is SSE-KMS or DSSE-KMS already.
fn on_kms(state: &BucketState) -> bool {
    state.encryption.as_ref().is_some_and(|e| {
        e.sse_algorithm == datafile::SSE_KMS || e.sse_algorithm == datafile::SSE_DSSE_KMS
    })
}

/// Plans the hardening of every bucket of the inventory. `account`/`region` fill in what the inventory
/// does not say (Terraform state carries no account).
pub fn plan_harden(
    states: &[BucketState],
    previous: &BTreeMap<String, DataFile>,
    options: &HardenOptions,
) -> Result<(Batch, Vec<Compliance>), PlanError> {
    let account = options.account.as_deref();
    let region = options.region.as_deref();
    let allow = options.allow.as_ref();
    if let Some(a) = allow {
        if a.break_glass.is_empty() {
            return Err(PlanError::Conflict(
                "--allow-cidrs without --break-glass: an allow-list denies every request from outside \
                 the listed networks, which can lock everyone out of the bucket, including whoever must \
                 fix it. Name at least one break-glass IAM role or user (--break-glass ARN) that is \
                 exempt; requests through VPC endpoints (--allow-vpce) and by AWS services stay allowed"
                    .into(),
            ));
        }
    }
    let mut reports = Vec::new();
    let mut groups: BTreeMap<(String, String), Vec<(&BucketState, Compliance)>> = BTreeMap::new();
    for state in states {
        let mut report = check(state);
        report.removes_public = options.remove_public && !report.public_canonical.is_empty();
        if !report.removes_public && !report.public_canonical.is_empty() {
            // S3 rejects a public policy under BlockPublicPolicy: turning the block on while the
            // statement stays would stop every policy change, ours included, from landing.
            report.block_held = report.missing.contains(&FixId::PublicAccessBlock);
            report.missing.retain(|f| *f != FixId::PublicAccessBlock);
        }
        let acct = state.account_id.as_deref().or(account);
        let reg = state.region.as_deref().or(region);
        let (Some(acct), Some(reg)) = (acct, reg) else {
            return Err(PlanError::Conflict(format!(
                "the inventory does not say which account and region bucket {:?} is in: pass --account and --region",
                state.name
            )));
        };
        report.encryption_kept = crate::aws_managed_key::blocker(
            &state.name,
            acct,
            options.terraform.as_ref().map(|(index, _)| index),
            states,
            state.policy.as_ref(),
        );
        if report.encryption_kept.is_some() && !on_kms(state) {
            // Its readers or writers cannot use the AWS-managed key (see crate::aws_managed_key):
            // SSE-S3 is what it can have, so nothing is missing.
            report.missing.retain(|f| *f != FixId::DefaultEncryption);
        }
        reports.push(report.clone());
        if !report.missing.is_empty() || allow.is_some() || report.removes_public {
            groups
                .entry((acct.to_string(), reg.to_string()))
                .or_default()
                .push((state, report));
        }
    }
    let mut plans = Vec::new();
    for ((account_id, region), items) in groups {
        let dir = group_dir(&account_id, &region);
        let mut data = previous.get(&dir).cloned().unwrap_or_default();
        let mut buckets = BTreeMap::new();
        for (state, report) in &items {
            let on = |id: FixId| report.missing.contains(&id).then_some(true);
            let (sse, key) = match &state.encryption {
                Some(e) if e.sse_algorithm == datafile::SSE_DSSE_KMS => {
                    (datafile::SSE_DSSE_KMS, e.kms_key_id.clone())
                }
                Some(e) if e.sse_algorithm == datafile::SSE_KMS => {
                    (datafile::SSE_KMS, e.kms_key_id.clone())
                }
                _ => (datafile::SSE_KMS, None),
            };
            let entry = data.buckets.entry(state.name.clone()).or_insert_with(|| {
                let key = key.filter(|k| crate::validate::kms_key_arn(k).is_ok());
                DataBucket::new(&account_id, sse, key, BTreeMap::new())
            });
            entry.existing_policy = existing_policy(state).into();
            // The policy read is the reviewed baseline the module writes and checks against.
            entry.baseline_policy = state.policy.as_ref().map(crate::policy::canonical_json);
            entry.tls_only = entry.tls_only.or(on(FixId::TlsOnly));
            entry.default_encryption = entry.default_encryption.or(on(FixId::DefaultEncryption));
            let held = report.encryption_kept.is_some()
                && crate::plan::hold_encryption(entry, !on_kms(state), None);
            entry.public_access_block = entry.public_access_block.or(on(FixId::PublicAccessBlock));
            entry.ownership_controls = entry.ownership_controls.or(on(FixId::OwnershipControls));
            entry.versioning = entry.versioning.or(on(FixId::Versioning));
            entry.access_logging = entry.access_logging.or(on(FixId::AccessLogging));
            if report.removes_public {
                for st in &report.public_canonical {
                    if !entry.remove_statements.contains(st) {
                        entry.remove_statements.push(st.clone());
                    }
                }
            }
            if let Some(a) = allow {
                entry.allow_cidrs = a.cidrs.clone();
                entry.allow_vpce_ids = a.vpce_ids.clone();
                entry.allow_vpc_ids = a.vpc_ids.clone();
                entry.break_glass_principal_arns = a.break_glass.clone();
            }
            let (code_changes, imports) = match &options.terraform {
                Some((index, module_name)) => {
                    let (managed, changes) =
                        crate::code_changes::plan(&state.name, entry, index, module_name);
                    entry.managed_elsewhere = managed;
                    (changes, crate::code_changes::imports(state, entry))
                }
                None => (Vec::new(), Vec::new()),
            };
            // The merged policy, for the PR's before/after and the size check.
            let partition = crate::validate::partition_for_region(&region);
            let ours = crate::policy::statements_for(partition, &state.name, entry);
            let merged = crate::policy::merge_checked(
                &state.name,
                &format!("{account_id} / {region}"),
                state.policy.as_ref(),
                entry,
                &ours,
                state.blocks_public_policy(),
            )
            .map_err(PlanError::Conflict)?;
            let shows_policy = state.policy.is_some() || !entry.allow_cidrs.is_empty();
            buckets.insert(
                state.name.clone(),
                BucketPlan {
                    name: state.name.clone(),
                    account_id: account_id.clone(),
                    region: region.clone(),
                    partition: crate::validate::partition_for_region(&region).into(),
                    caller_cidrs: Vec::new(),
                    new_cidrs: Vec::new(),
                    ignored_cidrs: Vec::new(),
                    fixes: report.missing.clone(),
                    encryption_case: match (&report.encryption_kept, &state.encryption) {
                        (Some((case, _)), _) if held => case,
                        (_, Some(e)) => crate::plan::inventory_encryption(e).2,
                        (_, None) => "not-configured",
                    },
                    encryption_kept: report
                        .encryption_kept
                        .as_ref()
                        .filter(|_| held)
                        .map(|(_, why)| why.clone()),
                    effective_permission: None,
                    public_by_acl: false,
                    public_by_policy: !report.public_statements.is_empty(),
                    merged_policy: shows_policy.then_some(merged),
                    code_changes,
                    imports,
                },
            );
        }
        if data.monitor.is_none() {
            data.monitor = Some(DataMonitor {
                account_id: account_id.clone(),
                region: region.clone(),
                existing_log_group: None,
                data_events: None,
                alarms: None,
                guardduty_alert: None,
                account_public_access_block: None,
            });
        }
        let mut fixes: Vec<FixId> = buckets
            .values()
            .flat_map(|b| b.fixes.iter().copied())
            .collect();
        fixes.sort();
        fixes.dedup();
        let monitor = crate::monitor::plan(&data, crate::validate::partition_for_region(&region))
            .map_err(PlanError::Conflict)?;
        plans.push(Plan {
            dir,
            partition: crate::validate::partition_for_region(&region).into(),
            account_id,
            region,
            findings: Vec::new(),
            skipped: Vec::new(),
            buckets,
            data,
            monitor,
            principals: Vec::new(),
            data_event_estimate: None,
            fixes,
            types: Vec::new(),
            warnings: options
                .terraform
                .iter()
                .flat_map(|(index, _)| index.review_notes())
                .chain(items.iter().filter(|(_, r)| r.block_held).map(|(_, r)| {
                    format!(
                        "{}: the public access block is left off: the policy keeps a statement that \
                         allows anyone, and S3 rejects a public policy under BlockPublicPolicy, so no \
                         policy change could land; --remove-public leaves that statement out, and the \
                         block then goes on",
                        r.bucket
                    )
                }))
                .collect(),
            compliance: items.iter().map(|(_, r)| r.clone()).collect(),
        });
    }
    let compliant = reports
        .iter()
        .filter(|r| r.missing.is_empty() && allow.is_none() && !r.removes_public)
        .map(|r| r.bucket.clone())
        .collect();
    let batch = Batch {
        groups: plans,
        skipped: Vec::new(),
        read: states.len(),
        duplicates: 0,
        compliant,
        rcp_cidrs: None,
    };
    Ok((batch, reports))
}
