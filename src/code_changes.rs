//! What to change in the team's own Terraform when it already manages what a fix needs
//! (`--terraform-dir`): a bucket has one policy, one encryption configuration, one public access
//! block, so tfremedy creates none of those a second time. Instead each fix that lands on code the
//! scan found becomes a [`CodeChange`]: where (address, file:line) and exactly what to write there,
//! for the PR text.

use crate::datafile::DataBucket;
use crate::patch::{Set, Target};
use crate::scan::{Index, Managed, Role};
use serde::Serialize;
use std::collections::BTreeMap;

/// One edit of the team's code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeChange {
    /// `policy`, `encryption`, `public-access-block`, `logging`, `versioning`, `ownership-controls`.
    pub role: &'static str,
    pub address: String,
    pub file: String,
    pub line: usize,
    /// Whether `address` is a call of terraform-aws-modules/s3-bucket (the edit is of its inputs).
    pub s3_bucket_module: bool,
    /// The code is inside a module of the team's: tfremedy's document must be passed in as an input.
    pub in_child_module: bool,
    /// What to write, as HCL (rendered as a code block).
    pub change: String,
    /// The same change as edits `--patch` can make, and the file they go to; `None` when it takes a
    /// human (a policy written inline, or built inside a module of the team's).
    pub patch: Option<(String, Vec<Set>)>,
    /// The code already has it (made by `--patch`, or by hand).
    pub done: bool,
}

/// The roles a bucket entry's switched-on fixes need.
fn wanted(db: &DataBucket) -> Vec<Role> {
    let on = |s: Option<bool>| s == Some(true);
    [
        (db.needs_policy(), Role::Policy),
        (on(db.default_encryption), Role::Encryption),
        (on(db.public_access_block), Role::PublicAccessBlock),
        (on(db.access_logging), Role::Logging),
        (on(db.versioning), Role::Versioning),
        (on(db.ownership_controls), Role::OwnershipControls),
    ]
    .into_iter()
    .filter(|(needed, _)| *needed)
    .map(|(_, role)| role)
    .collect()
}

/// For one bucket: the `managed_elsewhere` map of its data entry, and the edits to make.
pub fn plan(
    bucket: &str,
    db: &DataBucket,
    index: &Index,
    module_name: &str,
) -> (BTreeMap<String, String>, Vec<CodeChange>) {
    let mut managed = BTreeMap::new();
    let mut changes = Vec::new();
    for role in wanted(db) {
        let name = role.name();
        let Some(m) = index.managing(bucket, role).into_iter().next() else {
            continue;
        };
        managed.insert(
            name.to_string(),
            // No line: the team's edits above the block would change the data file for nothing.
            format!("{} in {}", m.address, m.file),
        );
        changes.push(CodeChange {
            role: name,
            address: m.address.clone(),
            file: m.file.clone(),
            line: m.line,
            s3_bucket_module: m.role == Role::S3BucketModule,
            in_child_module: m.address.starts_with("module.") && m.role != Role::S3BucketModule,
            change: edit(bucket, role, m, db, module_name),
            patch: edits(bucket, role, m, db, module_name, index),
            done: false,
        });
    }
    (managed, changes)
}

/// The s3-bucket module's encryption input.
const SSE_INPUT: &str = "server_side_encryption_configuration";

/// `key = value` in the block at `block`, then its nested blocks or object values named `nested`.
fn set(block: &[&str], nested: &[&str], key: &str, value: &str) -> Set {
    Set {
        target: Target {
            block: block.iter().map(|s| s.to_string()).collect(),
            nested: nested.iter().map(|s| s.to_string()).collect(),
        },
        key: key.to_string(),
        value: value.to_string(),
        add_to_list: false,
        keep: Vec::new(),
    }
}

/// An `sse_algorithm` edit that leaves DSSE-KMS alone: the team's code may be stronger than what
/// the finding or inventory told us, and a fix never weakens.
fn algorithm(mut edit: Set) -> Set {
    edit.keep = vec![format!("\"{}\"", crate::datafile::SSE_DSSE_KMS)];
    edit
}

/// The change of [`edit`] as edits of one file, when a splice can make it safely.
fn edits(
    bucket: &str,
    role: Role,
    m: &Managed,
    db: &DataBucket,
    module_name: &str,
    index: &Index,
) -> Option<(String, Vec<Set>)> {
    let ours = format!("module.{module_name}.policy_documents[\"{bucket}\"]");
    // The block's type and name are the address's last segments; a module call's name follows
    // `module.`. Calls nested in the team's own modules are left to a human.
    let parts: Vec<&str> = m.address.split('.').collect();
    let module = m.role == Role::S3BucketModule;
    let block: Vec<&str> = match (module, parts.as_slice()) {
        (true, ["module", name]) => vec!["module", name],
        (false, [.., kind, name]) => vec!["resource", kind, name],
        _ => return None,
    };
    let in_root = !m.address.starts_with("module.") || module;
    let file = m.file.clone();
    let sse = format!("\"{}\"", db.sse_algorithm);
    let all = |keys: &[&str], value: &str| -> Vec<Set> {
        keys.iter().map(|k| set(&block, &[], k, value)).collect()
    };
    let document = |policy: &str| -> Option<(String, Vec<Set>)> {
        let name = policy
            .strip_prefix("data.aws_iam_policy_document.")?
            .strip_suffix(".json")?;
        let (doc_file, _) = index
            .policy_documents
            .get(&format!("data.aws_iam_policy_document.{name}"))?;
        let mut add = set(
            &["data", "aws_iam_policy_document", name],
            &[],
            "source_policy_documents",
            &ours,
        );
        add.add_to_list = true;
        Some((doc_file.clone(), vec![add]))
    };
    let edits = match role {
        Role::Policy if !in_root => return None,
        Role::Policy if module => {
            match m.details.get("policy").filter(|p| **p != ours) {
                _ if !db.needs_more_than_tls() => all(
                    &["attach_deny_insecure_transport_policy", "attach_require_latest_tls_policy"],
                    "true",
                ),
                Some(policy) => return document(policy),
                None => vec![
                    set(&block, &[], "attach_policy", "true"),
                    set(&block, &[], "policy", &ours),
                ],
            }
        }
        Role::Policy => return document(m.details.get("policy")?),
        // An object the call already passes is edited inside, keeping the rest of it.
        Role::Encryption if module && m.details.contains_key(SSE_INPUT) => vec![
            algorithm(set(
                &block,
                &[SSE_INPUT, "rule", "apply_server_side_encryption_by_default"],
                "sse_algorithm",
                &sse,
            )),
            set(&block, &[SSE_INPUT, "rule"], "bucket_key_enabled", "true"),
        ],
        Role::Encryption if module => vec![set(
            &block,
            &[],
            "server_side_encryption_configuration",
            &format!(
                "{{\n  rule = {{\n    apply_server_side_encryption_by_default = {{\n      sse_algorithm = {sse}\n    }}\n    bucket_key_enabled = true\n  }}\n}}"
            ),
        )],
        Role::Encryption => vec![
            algorithm(set(
                &block,
                &["rule", "apply_server_side_encryption_by_default"],
                "sse_algorithm",
                &sse,
            )),
            set(&block, &["rule"], "bucket_key_enabled", "true"),
        ],
        Role::PublicAccessBlock => all(
            &[
                "block_public_acls",
                "block_public_policy",
                "ignore_public_acls",
                "restrict_public_buckets",
            ],
            "true",
        ),
        Role::Versioning if module && m.details.contains_key("versioning") => {
            vec![set(&block, &["versioning"], "enabled", "true")]
        }
        Role::Versioning if module => vec![set(&block, &[], "versioning", "{\n  enabled = true\n}")],
        Role::Versioning => vec![set(&block, &["versioning_configuration"], "status", "\"Enabled\"")],
        Role::OwnershipControls if module => vec![
            set(&block, &[], "control_object_ownership", "true"),
            set(&block, &[], "object_ownership", "\"BucketOwnerEnforced\""),
        ],
        Role::OwnershipControls => vec![set(&block, &["rule"], "object_ownership", "\"BucketOwnerEnforced\"")],
        Role::Logging if module && !m.details.contains_key("logging") => vec![set(
            &block,
            &[],
            "logging",
            &format!(
                "{{\n  target_bucket = module.{module_name}.access_log_bucket\n  target_prefix = \"s3-access-logs/{bucket}/\"\n}}"
            ),
        )],
        Role::Logging | Role::Bucket | Role::S3BucketModule => return None,
    };
    Some((file, edits))
}

/// The HCL to write where `m` is.
fn edit(bucket: &str, role: Role, m: &Managed, db: &DataBucket, module_name: &str) -> String {
    let ours = format!("module.{module_name}.policy_documents[\"{bucket}\"]");
    let module = m.role == Role::S3BucketModule;
    let sse = &db.sse_algorithm;
    match role {
        Role::Policy if module => {
            // `policy` already naming our document is an earlier run's edit, not the team's policy.
            match m.details.get("policy").filter(|p| **p != ours) {
                _ if !db.needs_more_than_tls() => "attach_deny_insecure_transport_policy = true\n\
                     attach_require_latest_tls_policy      = true"
                    .to_string(),
                Some(policy) => format!(
                    "# in the aws_iam_policy_document behind `policy = {policy}`:\n\
                     source_policy_documents = [{ours}]"
                ),
                None => format!("attach_policy = true\npolicy        = {ours}"),
            }
        }
        Role::Policy => {
            let policy = m.details.get("policy").cloned().unwrap_or_default();
            let document = policy
                .strip_prefix("data.aws_iam_policy_document.")
                .and_then(|p| p.strip_suffix(".json"));
            match document {
                Some(doc) => format!(
                    "# in data \"aws_iam_policy_document\" \"{doc}\":\n\
                     source_policy_documents = [{ours}]"
                ),
                None => {
                    let id = bucket.replace(['.', '-'], "_");
                    format!(
                        "# the policy is written inline: move it to local.{id}_policy, then\n\
                         data \"aws_iam_policy_document\" \"{id}_with_tfremedy\" {{\n  \
                         source_policy_documents = [local.{id}_policy, {ours}]\n}}\n\
                         # and in {}: policy = data.aws_iam_policy_document.{id}_with_tfremedy.json",
                        m.address
                    )
                }
            }
        }
        Role::Encryption if module => format!(
            "server_side_encryption_configuration = {{\n  rule = {{\n    \
             apply_server_side_encryption_by_default = {{\n      sse_algorithm = \"{sse}\"\n    }}\n    \
             bucket_key_enabled = true\n  }}\n}}"
        ),
        Role::Encryption => format!(
            "rule {{\n  apply_server_side_encryption_by_default {{\n    sse_algorithm = \"{sse}\"\n  }}\n  \
             bucket_key_enabled = true\n}}"
        ),
        Role::PublicAccessBlock => "block_public_acls       = true\nblock_public_policy     = true\n\
             ignore_public_acls      = true\nrestrict_public_buckets = true"
            .to_string(),
        Role::Versioning if module => "versioning = {\n  enabled = true\n}".to_string(),
        Role::Versioning => "versioning_configuration {\n  status = \"Enabled\"\n}".to_string(),
        Role::OwnershipControls if module => "control_object_ownership = true\n\
             object_ownership         = \"BucketOwnerEnforced\""
            .to_string(),
        Role::OwnershipControls => "rule {\n  object_ownership = \"BucketOwnerEnforced\"\n}".to_string(),
        Role::Logging if module && !m.details.contains_key("logging") => format!(
            "logging = {{\n  target_bucket = module.{module_name}.access_log_bucket\n  \
             target_prefix = \"s3-access-logs/{bucket}/\"\n}}"
        ),
        Role::Logging => "# nothing to change: server access logging is already configured here".to_string(),
        Role::Bucket | Role::S3BucketModule => String::new(),
    }
}

/// Settings that exist in AWS (the inventory says so) but in no code of the team's (`--terraform-dir`
/// found none), which the guard will manage: each needs an `import` block, or the first apply would
/// silently overwrite it (S3's Put calls replace a configuration whole). Resource types of the
/// bucket-guard module, in a fixed order.
pub fn imports(state: &crate::inventory::BucketState, db: &DataBucket) -> Vec<&'static str> {
    let on = |s: Option<bool>| s == Some(true);
    let ours = |role: &str| !db.managed_elsewhere.contains_key(role);
    [
        (
            state.policy.is_some() && db.needs_policy() && ours("policy"),
            "aws_s3_bucket_policy",
        ),
        (
            state.encryption.is_some() && on(db.default_encryption) && ours("encryption"),
            "aws_s3_bucket_server_side_encryption_configuration",
        ),
        (
            state.public_access_block.is_some()
                && on(db.public_access_block)
                && ours("public-access-block"),
            "aws_s3_bucket_public_access_block",
        ),
        (
            state.object_ownership.is_some()
                && on(db.ownership_controls)
                && ours("ownership-controls"),
            "aws_s3_bucket_ownership_controls",
        ),
        (
            state.versioning.is_some() && on(db.versioning) && ours("versioning"),
            "aws_s3_bucket_versioning",
        ),
        (
            state.logging_target.is_some() && on(db.access_logging) && ours("logging"),
            "aws_s3_bucket_logging",
        ),
    ]
    .into_iter()
    .filter(|(needed, _)| *needed)
    .map(|(_, kind)| kind)
    .collect()
}
