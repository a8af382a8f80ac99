//! The planner: findings in, `Batch` out. Pure: no I/O, no clock, no randomness.
//!
//! It owns all merging. Findings are classified (supported, archived, sample, unsupported), de-duplicated
//! (GuardDuty updates a finding in place: the newest version counts once) and grouped per account and
//! region, because one output directory serves one provider. Within a group every bucket gets one entry
//! holding every CIDR to deny (aggregated, exact) and every fix that applies, every principal one
//! credential response, and the account one monitor; the result is merged into the data file of an
//! earlier run (hand edits win, CIDRs are unioned). Everything is kept in sorted collections so the same
//! findings in any order give the same plan, and the plan serialises to JSON for `--format json`.

use crate::datafile::{self, DataBucket, DataFile, DataMonitor};
use crate::finding_types::{self, FindingType};
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
    /// `--include-archived`.
    pub include_archived: bool,
    /// `--skip-samples`.
    pub skip_samples: bool,
    /// `--inventory`: the buckets' current state, by name.
    pub inventory: BTreeMap<String, crate::inventory::BucketState>,
    /// `--org-rcp`: also write an organisation resource control policy denying the CIDRs.
    pub org_rcp: bool,
    /// `--terraform-dir`: what the team's own code manages, and the name its root gives our module.
    pub terraform: Option<(crate::scan::Index, String)>,
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

    /// Merges one switch of the data file. The command line decides when it did (for a fix that applies
    /// here); otherwise an existing value stays; otherwise a fix a finding asks for gets its default.
    /// `None` means no finding has asked for the fix on this target yet.
    pub fn switch(&self, id: FixId, current: Option<bool>, asked: bool) -> Option<bool> {
        match (self.decided(id), current) {
            (Some(on), Some(_)) => Some(on),
            (Some(on), None) if asked => Some(on),
            (_, Some(v)) => Some(v),
            (None, None) if asked => Some(fixes::fix(id).default_on),
            _ => None,
        }
    }
}

/// Everything one run plans: one `Plan` per account and region, and what was left out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Batch {
    /// Sorted by account, then region.
    pub groups: Vec<Plan>,
    /// Findings read but not planned, sorted.
    pub skipped: Vec<Skipped>,
    /// Findings as read, before de-duplication and skipping.
    pub read: usize,
    /// Findings that were an older copy of another (same account, region and id).
    pub duplicates: usize,
    /// `harden` only: buckets of the inventory that lack nothing (no code is generated for them).
    pub compliant: Vec<String>,
    /// `--org-rcp`: every denied CIDR of the batch, for the organisation's resource control policy.
    pub rcp_cidrs: Option<Vec<String>>,
}

/// Resource control policies hold at most 5,120 characters.
pub const RCP_LIMIT: usize = 5120;

/// A finding left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Skipped {
    pub account_id: String,
    pub region: String,
    pub finding_type: String,
    pub id: String,
    /// `unsupported`, `archived`, `sample` or `no-bucket`.
    pub reason: &'static str,
    /// Where it was read from (for messages on stderr; not in generated files).
    #[serde(skip)]
    pub origin: crate::model::Origin,
}

/// The change for one account and region.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// The group's output directory, relative to `--out`: `<account>/<region>`.
    pub dir: String,
    pub account_id: String,
    pub region: String,
    pub partition: String,
    /// Planned findings, sorted by type and id.
    pub findings: Vec<Finding>,
    /// This group's findings that were left out.
    pub skipped: Vec<Skipped>,
    /// Buckets named by this run's findings.
    pub buckets: BTreeMap<String, BucketPlan>,
    /// The data file to write: the previous one merged with this run.
    pub data: DataFile,
    /// The account-level monitor, as the module will build it.
    pub monitor: Option<MonitorPlan>,
    /// Principals named by this run's findings and their credential response.
    pub principals: Vec<PrincipalPlan>,
    /// S3 data events at the rate the findings' calls came in, when their counts and windows give one.
    pub data_event_estimate: Option<CostEstimate>,
    /// Fixes in effect for this run's targets, in registry order.
    pub fixes: Vec<FixId>,
    /// The finding types of this run, with the notes their registry rows carry.
    pub types: Vec<&'static FindingType>,
    /// Non-fatal observations, sorted.
    pub warnings: Vec<String>,
    /// `harden` only: what each bucket of the inventory lacks, and its public or wildcard statements.
    pub compliance: Vec<crate::harden::Compliance>,
}

impl Plan {
    /// A copy without the findings (they are the large part), for views that show a few of them.
    pub fn clone_without_findings(&self) -> Plan {
        Plan {
            dir: self.dir.clone(),
            account_id: self.account_id.clone(),
            region: self.region.clone(),
            partition: self.partition.clone(),
            findings: Vec::new(),
            skipped: self.skipped.clone(),
            buckets: self.buckets.clone(),
            data: self.data.clone(),
            monitor: self.monitor.clone(),
            principals: self.principals.clone(),
            data_event_estimate: self.data_event_estimate.clone(),
            fixes: self.fixes.clone(),
            types: self.types.clone(),
            warnings: self.warnings.clone(),
            compliance: self.compliance.clone(),
        }
    }
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
    /// Bucket-level fixes in effect.
    pub fixes: Vec<FixId>,
    /// Why the encryption target is what it is: `kept-data`, `dsse`, `kms-own-key`, `kms`, `sse-s3`,
    /// `unrecognised`, `unknown`, `not-configured` (harden: the inventory shows none), or
    /// `log-target` / `shared` (left as it is, see `encryption_kept`; the PR template words each
    /// case).
    pub encryption_case: &'static str,
    /// Why the bucket keeps its encryption instead of moving to the AWS-managed key (see
    /// [`crate::aws_managed_key`]): who would lose access.
    pub encryption_kept: Option<String>,
    /// GuardDuty's view of the bucket's exposure (`PUBLIC` / `NOT_PUBLIC`).
    pub effective_permission: Option<String>,
    /// What made it public, per GuardDuty: `acl`, `policy`, both, or none.
    pub public_by_acl: bool,
    pub public_by_policy: bool,
    /// The merge of our statements into the policy given with `--bucket-policy`.
    pub merged_policy: Option<MergedPolicy>,
    /// Edits of the team's own Terraform (`--terraform-dir`), where it manages what a fix needs.
    pub code_changes: Vec<crate::code_changes::CodeChange>,
    /// Resource types of the guard to import: they exist in AWS (inventory) and in no code
    /// (`--terraform-dir`), so creating them would overwrite what is there.
    pub imports: Vec<&'static str>,
}

/// Errors of the planner: a conflict the user must resolve (two accounts claiming one bucket, a data
/// file that disagrees with the findings, a cap AWS would enforce).
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{0}")]
    Conflict(String),
}

/// The output directory of an account and region, relative to `--out`.
pub fn group_dir(account_id: &str, region: &str) -> String {
    format!("{account_id}/{region}")
}

/// Plans a batch. `previous` holds the data file of each group directory that already exists.
pub fn plan_batch(
    findings: Vec<Finding>,
    previous: &BTreeMap<String, DataFile>,
    options: &PlanOptions,
) -> Result<Batch, PlanError> {
    let read = findings.len();
    let mut skipped = Vec::new();
    let mut kept: BTreeMap<(String, String, String), Finding> = BTreeMap::new();
    let mut duplicates = 0;
    for f in findings {
        let skip = |reason: &'static str| Skipped {
            account_id: f.account_id.clone(),
            region: f.region.clone(),
            finding_type: f.finding_type.clone(),
            id: f.id.clone(),
            reason,
            origin: f.origin.clone(),
        };
        let Some(row) = finding_types::lookup(&f.finding_type) else {
            skipped.push(skip("unsupported"));
            continue;
        };
        if f.archived && !options.include_archived {
            skipped.push(skip("archived"));
            continue;
        }
        if f.sample && options.skip_samples {
            skipped.push(skip("sample"));
            continue;
        }
        if f.buckets.is_empty() && row.needs_bucket() {
            skipped.push(skip("no-bucket"));
            continue;
        }
        // GuardDuty updates a finding in place (a higher count, a later updatedAt): keep the newest.
        let key = (f.account_id.clone(), f.region.clone(), f.id.clone());
        match kept.get(&key) {
            Some(old) => {
                duplicates += 1;
                if (&f.updated_at, f.count) > (&old.updated_at, old.count) {
                    kept.insert(key, f);
                }
            }
            None => {
                kept.insert(key, f);
            }
        }
    }
    skipped.sort();
    skipped.dedup();

    let mut by_group: BTreeMap<(String, String), Vec<Finding>> = BTreeMap::new();
    for ((account, region, _), f) in kept {
        by_group.entry((account, region)).or_default().push(f);
    }
    let mut groups = Vec::new();
    for ((account, region), mut fs) in by_group {
        fs.sort_by(|a, b| (&a.finding_type, &a.id).cmp(&(&b.finding_type, &b.id)));
        let dir = group_dir(&account, &region);
        let group_skipped: Vec<Skipped> = skipped
            .iter()
            .filter(|s| s.account_id == account && s.region == region)
            .cloned()
            .collect();
        groups.push(plan_group(
            &dir,
            fs,
            group_skipped,
            previous.get(&dir).cloned(),
            options,
        )?);
    }
    for name in options.bucket_policies.keys() {
        if !groups.iter().any(|g| g.buckets.contains_key(name)) {
            for g in &mut groups {
                g.warnings.push(format!(
                    "--bucket-policy names bucket {name:?}, which no finding of this run names: ignored"
                ));
            }
        }
    }
    let rcp_cidrs = if options.org_rcp {
        let cidrs = datafile::normalise_cidrs(
            groups
                .iter()
                .flat_map(|g| g.data.buckets.values())
                .flat_map(|b| b.deny.iter())
                .filter_map(|d| d.cidr.parse::<IpNet>().ok()),
        );
        let doc = serde_json::json!({"Version": "2012-10-17", "Statement": [{
            "Sid": "TfremedyDenyThreatIps", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": cidrs}}}]});
        let size = serde_json::to_string(&doc)
            .map(|s| s.len())
            .unwrap_or(usize::MAX);
        if size > RCP_LIMIT {
            return Err(PlanError::Conflict(format!(
                "--org-rcp: the resource control policy for {} CIDRs would be {size} characters, over the \
                 {RCP_LIMIT} AWS allows; aggregate the IPs into wider ranges or split them over several \
                 policies by hand",
                cidrs.len()
            )));
        }
        Some(cidrs)
    } else {
        None
    };
    Ok(Batch {
        groups,
        skipped,
        read,
        duplicates,
        compliant: Vec::new(),
        rcp_cidrs,
    })
}

/// Plans one account and region. `findings` are sorted, supported and de-duplicated.
fn plan_group(
    dir: &str,
    findings: Vec<Finding>,
    skipped: Vec<Skipped>,
    previous: Option<DataFile>,
    options: &PlanOptions,
) -> Result<Plan, PlanError> {
    let sel = &options.selection;
    let first = &findings[0];
    let (account_id, region, partition) = (
        first.account_id.clone(),
        first.region.clone(),
        first.partition.clone(),
    );
    let mut warnings: BTreeSet<String> = options
        .terraform
        .iter()
        .flat_map(|(index, _)| index.review_notes())
        .collect();
    let mut data = previous.unwrap_or_default();
    let mut buckets: BTreeMap<String, BucketPlan> = BTreeMap::new();
    let mut asked: BTreeSet<FixId> = BTreeSet::new();
    let mut asked_by_bucket: BTreeMap<String, BTreeSet<FixId>> = BTreeMap::new();
    let mut ips: BTreeMap<String, BTreeMap<IpNet, String>> = BTreeMap::new();
    let mut types: BTreeSet<&'static str> = BTreeSet::new();
    let mut samples = 0;

    for f in &findings {
        let row = finding_types::lookup(&f.finding_type)
            .unwrap_or_else(|| unreachable!("plan_batch keeps supported findings only"));
        types.insert(row.name);
        asked.extend(row.fixes.iter().copied());
        samples += usize::from(f.sample);
        for b in &f.buckets {
            if data.ignore.buckets.contains(&b.name) {
                warnings.insert(format!(
                    "bucket {} is in tfremedy_ignore.buckets: left out",
                    b.name
                ));
                continue;
            }
            let row_bucket_fixes: Vec<FixId> = row
                .fixes
                .iter()
                .copied()
                .filter(|id| fixes::fix(*id).scope == Scope::Bucket)
                .collect();
            if row_bucket_fixes.is_empty() {
                continue;
            }
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
                encryption_kept: None,
                effective_permission: None,
                public_by_acl: false,
                public_by_policy: false,
                merged_policy: None,
                code_changes: Vec::new(),
                imports: Vec::new(),
            });
            asked_by_bucket
                .entry(b.name.clone())
                .or_default()
                .extend(row_bucket_fixes.iter().copied());
            if let Some(p) = &b.public_access {
                if p.effective_permission.is_some() {
                    entry.effective_permission = p.effective_permission.clone();
                }
                entry.public_by_acl |= p.acl_allows_public_read || p.acl_allows_public_write;
                entry.public_by_policy |=
                    p.policy_allows_public_read || p.policy_allows_public_write;
            }
            if row.fixes.contains(&FixId::DenyIps) && sel.decided(FixId::DenyIps) != Some(false) {
                match f.remote_ip() {
                    // Findings are sorted, so the first to name an IP gives its reason.
                    Some(ip) => {
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
            let known = options.inventory.get(&b.name);
            let (sse, key, reason) = match known.and_then(|k| k.encryption.as_ref()) {
                // The inventory's encryption is the truth; the finding's is a snapshot.
                Some(e) => inventory_encryption(e),
                None => encryption_target(b),
            };
            let db = data.buckets.entry(b.name.clone()).or_insert_with(|| {
                DataBucket::new(
                    &f.account_id,
                    sse,
                    key.clone(),
                    b.tags.iter().cloned().collect(),
                )
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
            // A policy handed to us or read from the inventory is pinned below; an inventory that
            // says there is none is believed (a new bucket policy starts from nothing).
            if let Some(k) = known.filter(|_| !options.bucket_policies.contains_key(&b.name)) {
                if crate::harden::existing_policy(k) == datafile::POLICY_NONE {
                    db.existing_policy = datafile::POLICY_NONE.into();
                    db.baseline_policy = None;
                }
            }
        }
    }

    for name in buckets.keys() {
        if crate::validate::bucket_name(name).is_ok_and(|b| b.legacy) {
            warnings.insert(format!(
                "legacy bucket name {name:?}: capitals, underscores or more than 63 characters are only \
                 possible for buckets created in us-east-1 before March 2018 (a GuardDuty sample \
                 placeholder?)"
            ));
        }
    }
    if samples > 0 {
        warnings.insert(format!(
            "{samples} of these findings are GuardDuty sample findings (generated, not real events): \
             try the change, do not apply it (--skip-samples leaves them out)"
        ));
    }

    for (name, entry) in &mut buckets {
        let wanted = asked_by_bucket.remove(name).unwrap_or_default();
        let db = data
            .buckets
            .get_mut(name)
            .unwrap_or_else(|| unreachable!("inserted above"));
        let ask = |id| wanted.contains(&id);
        db.tls_only = sel.switch(FixId::TlsOnly, db.tls_only, ask(FixId::TlsOnly));
        db.default_encryption = sel.switch(
            FixId::DefaultEncryption,
            db.default_encryption,
            ask(FixId::DefaultEncryption),
        );
        db.public_access_block = sel.switch(
            FixId::PublicAccessBlock,
            db.public_access_block,
            ask(FixId::PublicAccessBlock),
        );
        db.ownership_controls = sel.switch(
            FixId::OwnershipControls,
            db.ownership_controls,
            ask(FixId::OwnershipControls),
        );
        db.versioning = sel.switch(FixId::Versioning, db.versioning, ask(FixId::Versioning));
        db.access_logging = sel.switch(
            FixId::AccessLogging,
            db.access_logging,
            ask(FixId::AccessLogging),
        );

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
        let given = options
            .bucket_policies
            .get(name)
            .or_else(|| options.inventory.get(name).and_then(|k| k.policy.as_ref()));
        let blocker = crate::aws_managed_key::blocker(
            name,
            &entry.account_id,
            options.terraform.as_ref().map(|(index, _)| index),
            options.inventory.values(),
            given,
        );
        let weaker = matches!(
            entry.encryption_case,
            "sse-s3" | "unknown" | "unrecognised" | "kept-data"
        );
        if let Some((case, why)) = blocker {
            if hold_encryption(db, weaker, sel.decided(FixId::DefaultEncryption)) {
                entry.encryption_case = case;
                entry.encryption_kept = Some(why);
            }
        }
        if let Some((index, module_name)) = &options.terraform {
            let (managed, changes) = crate::code_changes::plan(name, db, index, module_name);
            db.managed_elsewhere = managed;
            entry.code_changes = changes;
            if let Some(state) = options.inventory.get(name) {
                entry.imports = crate::code_changes::imports(state, db);
            }
        }
        let on = |v: Option<bool>| v == Some(true);
        entry.fixes = fixes::FIXES
            .iter()
            .map(|f| f.id)
            .filter(|id| match id {
                FixId::DenyIps => !db.deny.is_empty(),
                FixId::TlsOnly => on(db.tls_only),
                FixId::DefaultEncryption => on(db.default_encryption),
                FixId::PublicAccessBlock => on(db.public_access_block),
                FixId::OwnershipControls => on(db.ownership_controls),
                FixId::Versioning => on(db.versioning),
                FixId::AccessLogging => on(db.access_logging),
                _ => false,
            })
            .collect();

        let ours = policy::statements_for(&entry.partition, name, db);
        if let Some(given) = given {
            // The reviewed policy becomes the baseline the module writes (and checks the live one
            // against), so the PR shows exactly what is applied.
            db.existing_policy = datafile::POLICY_PINNED.into();
            db.baseline_policy = Some(policy::canonical_json(given));
        }
        let baseline = db.baseline().map_err(|e| {
            PlanError::Conflict(format!("{}: bucket {name:?}: {e}", datafile::FILE_NAME))
        })?;
        let merged = policy::merge_checked(
            name,
            &format!("{account_id} / {region}"),
            baseline.as_ref(),
            db,
            &ours,
            options
                .inventory
                .get(name)
                .is_some_and(crate::inventory::BucketState::blocks_public_policy),
        )
        .map_err(PlanError::Conflict)?;
        if baseline.is_some() {
            entry.merged_policy = Some(merged);
        }
    }

    let monitor_asked: Vec<FixId> = asked
        .iter()
        .copied()
        .filter(|id| fixes::fix(*id).scope == Scope::Account)
        .collect();
    // Every directory has a monitor entry (the root module refers to it); its switches stay null
    // until a finding asks for an account-level fix.
    {
        let m = data.monitor.clone().unwrap_or_else(|| DataMonitor {
            account_id: account_id.clone(),
            region: region.clone(),
            existing_log_group: None,
            data_events: None,
            alarms: None,
            guardduty_alert: None,
            account_public_access_block: None,
        });
        if m.account_id != account_id || m.region != region {
            return Err(PlanError::Conflict(format!(
                "{dir}/{}: the monitor is for {} / {}, but the directory is for {account_id} / {region}",
                datafile::FILE_NAME,
                m.account_id,
                m.region
            )));
        }
        let ask = |id| monitor_asked.contains(&id);
        let mut existing_log_group = options
            .existing_log_group
            .clone()
            .or(m.existing_log_group.clone());
        if let (None, Some((index, _))) = (&existing_log_group, &options.terraform) {
            let names: Vec<&str> = buckets.keys().map(String::as_str).collect();
            if let Some((trail, group)) = index.trail_for(&names) {
                warnings.insert(format!(
                    "reusing your trail {} ({}:{}): it already records S3 data events for these buckets, \
                     so no trail is created and the alarms use its log group {group:?} (check that it is \
                     in account {account_id}, region {region})",
                    trail.address, trail.file, trail.line
                ));
                existing_log_group = Some(group);
            }
        }
        data.monitor = Some(DataMonitor {
            existing_log_group,
            data_events: sel.switch(FixId::S3DataEvents, m.data_events, ask(FixId::S3DataEvents)),
            alarms: sel.switch(FixId::Alarms, m.alarms, ask(FixId::Alarms)),
            guardduty_alert: sel.switch(
                FixId::GuardDutyAlert,
                m.guardduty_alert,
                ask(FixId::GuardDutyAlert),
            ),
            account_public_access_block: sel.switch(
                FixId::AccountPublicAccessBlock,
                m.account_public_access_block,
                ask(FixId::AccountPublicAccessBlock),
            ),
            ..m
        });
    }

    let (principal_plans, drafts, principal_warnings) = principals::plan(&findings, &account_id);
    warnings.extend(principal_warnings);
    for draft in drafts {
        if data.ignore.principals.contains(&draft.key) {
            warnings.insert(format!(
                "principal {} is in tfremedy_ignore.principals: left out",
                draft.key
            ));
            continue;
        }
        let wanted: BTreeSet<FixId> = findings
            .iter()
            .filter(|f| draft.finding_ids.contains(&f.id))
            .filter_map(|f| finding_types::lookup(&f.finding_type))
            .flat_map(|row| row.fixes.iter().copied())
            .collect();
        let is_user = draft.entry.kind == datafile::KIND_IAM_USER;
        let ask = |id: FixId| {
            wanted.contains(&id)
                && match id {
                    FixId::RevokeSessions => !is_user,
                    _ => is_user,
                }
        };
        let mut entry = data
            .principals
            .get(&draft.key)
            .cloned()
            .unwrap_or_else(|| draft.entry.clone());
        if entry.account_id != account_id {
            return Err(PlanError::Conflict(format!(
                "{dir}/{}: principal {} has account_id {}, but these findings are from {account_id}",
                datafile::FILE_NAME,
                draft.key,
                entry.account_id
            )));
        }
        entry.quarantine = sel.switch(
            FixId::QuarantineUser,
            entry.quarantine,
            ask(FixId::QuarantineUser),
        );
        entry.deactivate_key = sel.switch(
            FixId::DeactivateKey,
            entry.deactivate_key,
            ask(FixId::DeactivateKey),
        );
        entry.require_mfa =
            sel.switch(FixId::RequireMfa, entry.require_mfa, ask(FixId::RequireMfa));
        entry.revoke_sessions = sel.switch(
            FixId::RevokeSessions,
            entry.revoke_sessions,
            ask(FixId::RevokeSessions),
        );
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
    // A target a human listed in tfremedy_ignore leaves the data file, and so the change.
    let ignore = data.ignore.clone();
    data.buckets
        .retain(|name, _| !ignore.buckets.contains(name));
    data.principals
        .retain(|key, _| !ignore.principals.contains(key));
    let monitor = monitor::plan(&data, &partition).map_err(PlanError::Conflict)?;
    let fixes_used = fixes_in_effect(&asked, &data, &buckets, &principal_plans);
    let data_event_estimate = data_event_estimate(&findings);
    Ok(Plan {
        dir: dir.to_string(),
        account_id,
        region,
        partition,
        data_event_estimate,
        findings,
        skipped,
        buckets,
        data,
        monitor,
        principals: principal_plans,
        fixes: fixes_used,
        types: types
            .into_iter()
            .filter_map(finding_types::lookup)
            .collect(),
        warnings: warnings.into_iter().collect(),
        compliance: Vec::new(),
    })
}

/// The fixes of this run's finding types that are switched on for at least one of the targets the run
/// touched, in registry order: the fixes the PR text must explain.
fn fixes_in_effect(
    wanted: &BTreeSet<FixId>,
    data: &DataFile,
    buckets: &BTreeMap<String, BucketPlan>,
    principals: &[PrincipalPlan],
) -> Vec<FixId> {
    let on = |v: Option<bool>| v == Some(true);
    let touched_principals: Vec<&datafile::DataPrincipal> = principals
        .iter()
        .filter_map(|p| data.principals.get(p.key.as_ref()?))
        .collect();
    let m = data.monitor.as_ref();
    wanted
        .iter()
        .copied()
        .filter(|id| match fixes::fix(*id).scope {
            Scope::Bucket => buckets.values().any(|b| b.fixes.contains(id)),
            Scope::Account => m.is_some_and(|m| match id {
                FixId::S3DataEvents => on(m.data_events) && m.existing_log_group.is_none(),
                FixId::Alarms => on(m.alarms),
                FixId::GuardDutyAlert => on(m.guardduty_alert),
                _ => on(m.account_public_access_block),
            }),
            Scope::Principal => touched_principals.iter().any(|p| match id {
                FixId::QuarantineUser => p.kind == datafile::KIND_IAM_USER && on(p.quarantine),
                FixId::DeactivateKey => {
                    on(p.deactivate_key)
                        && p.access_key_id
                            .as_deref()
                            .is_some_and(|k| k.starts_with("AKIA"))
                }
                FixId::RevokeSessions => {
                    on(p.revoke_sessions) && p.revoke_sessions_before.is_some()
                }
                _ => p.kind == datafile::KIND_IAM_USER && on(p.require_mfa),
            }),
        })
        .collect()
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

/// Whether a bucket that someone reaches who cannot use the AWS-managed key (log delivery, AWS
/// services, other accounts: see [`crate::aws_managed_key`]) keeps its encryption: it would otherwise
/// move to SSE-KMS under that key. A key of the team's own (the data file's `kms_key_arn`), or
/// `--only default-encryption`, is a decision to make the move. `weaker`: the bucket is not on
/// SSE-KMS already (or nobody knows). When it holds, a switched encryption fix is switched off.
pub fn hold_encryption(db: &mut DataBucket, weaker: bool, decided: Option<bool>) -> bool {
    let hold = db.sse_algorithm == datafile::SSE_KMS
        && db.kms_key_arn.is_none()
        && weaker
        && decided != Some(true);
    if hold && db.default_encryption.is_some() {
        db.default_encryption = Some(false);
    }
    hold
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

/// The encryption to configure when the inventory says what the bucket has: never weaker.
pub(crate) fn inventory_encryption(
    e: &crate::inventory::EncryptionState,
) -> (&'static str, Option<String>, &'static str) {
    let key = e
        .kms_key_id
        .clone()
        .filter(|k| crate::validate::kms_key_arn(k).is_ok());
    match e.sse_algorithm.as_str() {
        "aws:kms:dsse" => (datafile::SSE_DSSE_KMS, key, "dsse"),
        "aws:kms" if key.is_some() => (datafile::SSE_KMS, key, "kms-own-key"),
        "aws:kms" => (datafile::SSE_KMS, None, "kms"),
        "AES256" => (datafile::SSE_KMS, None, "sse-s3"),
        _ => (datafile::SSE_KMS, None, "unrecognised"),
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
