//! The current configuration of S3 buckets, from what AWS says about them: AWS Config configuration
//! items for `AWS::S3::Bucket`, or `terraform show -json` output (state or plan) and raw `.tfstate`
//! files.
//!
//! Every format is recognised from the content, never the file name (see [`read_inventory`]). Values
//! that may reach generated code (bucket names, account ids, regions, KMS keys, enumerations) are
//! validated on the way in; a bad value is an [`InputError`] naming the file, the JSON path and what
//! was expected, and the bucket it belongs to is left out (nothing is guessed).
//!
//! Layout: `source` (files, directories, stdin, gzip, one or several JSON documents), `config` (AWS
//! Config's shapes), `tfstate` (Terraform's shapes), and here the model, the shared value checks and
//! the merge of several inputs.

mod config;
mod source;
mod tfstate;

use crate::error::InputError;
use crate::model::BlockPublicAccess;
use crate::validate;
use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// What is known about one bucket's current configuration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BucketState {
    pub name: String,
    pub account_id: Option<String>,
    pub region: Option<String>,
    /// The bucket policy document; `None` when the inventory says the bucket has no policy.
    pub policy: Option<serde_json::Value>,
    /// Default encryption: `sse_algorithm` ("AES256", "aws:kms", "aws:kms:dsse"), KMS key id/ARN, bucket key.
    pub encryption: Option<EncryptionState>,
    /// Bucket-level Block Public Access; `None` when not configured.
    pub public_access_block: Option<BlockPublicAccess>,
    /// Server access logging target bucket; `None` when logging is off.
    pub logging_target: Option<String>,
    /// "Enabled" / "Suspended"; `None` when never enabled (Off).
    pub versioning: Option<String>,
    /// Object ownership ("BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"); `None` unknown/unset.
    pub object_ownership: Option<String>,
    /// Where this came from: "aws-config", "terraform-state" or "aws-api".
    pub source: &'static str,
}

/// A bucket to read live (`--from-aws`), and the account that must own it (sent as
/// `ExpectedBucketOwner`, so a bucket of another account is refused by S3 instead of being attributed
/// to the wrong one).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LiveTarget {
    pub bucket: String,
    pub account_id: Option<String>,
}

/// A bucket's default encryption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EncryptionState {
    /// "AES256", "aws:kms" or "aws:kms:dsse".
    pub sse_algorithm: String,
    /// A KMS key ARN, alias ARN, key id or `alias/NAME`, as the inventory gives it.
    pub kms_key_id: Option<String>,
    pub bucket_key_enabled: bool,
}

/// `source` of a [`BucketState`] read from AWS Config.
pub const SOURCE_AWS_CONFIG: &str = "aws-config";
/// `source` of a [`BucketState`] read from Terraform state or plan JSON.
pub const SOURCE_TERRAFORM: &str = "terraform-state";
/// `source` of a [`BucketState`] read live with S3's read-only API (`--from-aws`).
pub const SOURCE_AWS_API: &str = "aws-api";

/// What every accepted document looks like, for "found something else" messages.
pub(crate) const EXPECTED: &str = "expected AWS Config configuration items for AWS::S3::Bucket \
     (baseConfigurationItems, configurationItems, Results, or items with resourceType) or \
     `terraform show -json` output (format_version with values, prior_state or planned_values) \
     or a Terraform state file";

/// Reads inventory files (paths, directories walked in sorted order, `-` for stdin), detecting each
/// format from its content; bad input is an InputError naming file, JSON path and what was expected.
///
/// Accepted, in any input, gzip-compressed or not, as one JSON document, several concatenated
/// documents or JSON Lines:
/// - AWS Config: `batch-get-resource-config` (`baseConfigurationItems`), `get-resource-config-history`
///   and snapshot / history files delivered to S3 (`configurationItems`), `select-resource-config`
///   (`Results`, JSON strings holding items), a change notification or EventBridge event
///   (`configurationItem`), a bare item, or an array of items. `configuration` and every
///   `supplementaryConfiguration` value may be a JSON object or a string holding one. Items of other
///   resource types are ignored. A `select-resource-config` result without `resourceType` is taken to
///   be a bucket (a query selecting specific fields usually filters on the type instead).
/// - Terraform: `terraform show -json` of a state (`values`) or a plan (`prior_state` — the current
///   state — is used when present, else `planned_values`), walking child modules; and raw state files
///   (`{"version": 4, "resources": [...]}`). Managed `aws_s3_bucket*` resources are joined by bucket
///   name; resources whose `bucket` is unknown (absent in a plan) are skipped.
///
/// Directories are walked recursively in file-name order, reading files ending `.json`, `.jsonl`,
/// `.ndjson`, `.gz` or `.tfstate` and skipping hidden entries.
///
/// When two sources describe the same bucket, the later input wins: inputs are applied in the order
/// given (files of a directory in walk order, documents of a file in file order), and a later
/// description replaces an earlier one whole — fields are not merged. Within one Config document
/// that holds several items for a bucket (a history), the one with the latest
/// `configurationItemCaptureTime` wins whatever the order (the history API lists newest first); an
/// item with status `ResourceDeleted` removes the bucket. Items with status `ResourceNotRecorded`
/// say nothing and are skipped. A bucket with any bad value is left out of that input's
/// contribution (and the error reported), so an earlier input's description of it stands.
///
/// The result is sorted by bucket name; errors come in input order.
pub fn read_inventory(
    inputs: &[String],
    stdin: &mut dyn std::io::Read,
) -> (Vec<BucketState>, Vec<InputError>) {
    let mut buckets: BTreeMap<String, BucketState> = BTreeMap::new();
    let mut errors = Vec::new();
    for input in inputs {
        source::input(input, stdin, &mut |doc| match doc {
            Ok((value, ctx)) => {
                for entry in document(&value, &ctx, &mut errors) {
                    match entry {
                        Entry::State(state) => {
                            buckets.insert(state.name.clone(), state);
                        }
                        Entry::Deleted(name) => {
                            buckets.remove(&name);
                        }
                    }
                }
            }
            Err(e) => errors.push(e),
        });
    }
    (buckets.into_values().collect(), errors)
}

/// What one document says about one bucket.
// Entries are built and consumed one at a time; boxing the state would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Entry {
    State(BucketState),
    /// The bucket no longer exists.
    Deleted(String),
}

/// Where a document came from: the input as named and, when a file holds several documents, the
/// line the document starts on.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub file: String,
    pub line: Option<u64>,
}

impl Ctx {
    pub fn err(&self, path: &str, message: impl Into<String>) -> InputError {
        InputError::new(self.file.clone(), self.line, path, message)
    }
}

fn document(doc: &Value, ctx: &Ctx, errors: &mut Vec<InputError>) -> Vec<Entry> {
    if let Some(entries) = tfstate::read(doc, ctx, errors) {
        return entries;
    }
    if let Some(entries) = config::read(doc, ctx, errors) {
        return entries;
    }
    errors.push(ctx.err("$", format!("{EXPECTED}, found {}", describe(doc))));
    Vec::new()
}

pub(crate) use crate::read::{describe, kind, push_index, push_key};

/// A value that AWS gives either as JSON or as a string holding JSON (`batch-get-resource-config`
/// encodes `configuration` and every `supplementaryConfiguration` value as strings). A string that
/// does not parse is an error; any other value is returned as it is.
pub(crate) fn decoded<'v>(
    v: &'v Value,
    path: &str,
    what: &str,
    ctx: &Ctx,
) -> Result<Cow<'v, Value>, InputError> {
    match v {
        Value::String(s) => serde_json::from_str::<Value>(s).map(Cow::Owned).map_err(|e| {
            ctx.err(
                path,
                format!("expected {what} (JSON, or a string holding JSON), found a string that is not valid JSON: {e}"),
            )
        }),
        other => Ok(Cow::Borrowed(other)),
    }
}

/// A string, or `None` for absent / null / empty.
pub(crate) fn opt_str<'v>(
    obj: &'v serde_json::Map<String, Value>,
    key: &str,
    path: &str,
    ctx: &Ctx,
) -> Result<Option<&'v str>, InputError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(ctx.err(
            &push_key(path, key),
            format!("expected a string, found {}", kind(other)),
        )),
    }
}

/// A boolean, `false` for absent / null.
pub(crate) fn opt_bool(
    obj: &serde_json::Map<String, Value>,
    key: &str,
    path: &str,
    ctx: &Ctx,
) -> Result<bool, InputError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        // Config's older items and some exports write booleans as strings.
        Some(Value::String(s)) if s == "true" || s == "false" => Ok(s == "true"),
        Some(other) => Err(ctx.err(
            &push_key(path, key),
            format!("expected a boolean, found {}", kind(other)),
        )),
    }
}

/// An object, or `None` for absent / null.
pub(crate) fn opt_object<'v>(
    v: Option<&'v Value>,
    path: &str,
    what: &str,
    ctx: &Ctx,
) -> Result<Option<&'v serde_json::Map<String, Value>>, InputError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(other) => Err(ctx.err(
            path,
            format!("expected {what} (an object), found {}", kind(other)),
        )),
    }
}

/// The first element of an array that Terraform and Config use for single blocks; `None` for
/// absent / null / empty.
pub(crate) fn first<'v>(
    v: Option<&'v Value>,
    path: &str,
    ctx: &Ctx,
) -> Result<Option<(&'v Value, String)>, InputError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => Ok(items.first().map(|v| (v, push_index(path, 0)))),
        Some(other) => Err(ctx.err(path, format!("expected an array, found {}", kind(other)))),
    }
}

/// Checks a value with one of [`crate::validate`]'s functions, turning its message into an error.
pub(crate) fn check(result: Result<(), String>, path: &str, ctx: &Ctx) -> Result<(), InputError> {
    result.map_err(|message| ctx.err(path, message))
}

pub(crate) fn bucket_name(s: &str, path: &str, ctx: &Ctx) -> Result<String, InputError> {
    check(validate::bucket_name(s).map(|_| ()), path, ctx)?;
    Ok(s.to_string())
}

/// A bucket policy: a JSON object, or a string holding one.
pub(crate) fn policy(v: &Value, path: &str, ctx: &Ctx) -> Result<Value, InputError> {
    let parsed = match v {
        Value::String(s) => serde_json::from_str::<Value>(s).map_err(|e| {
            ctx.err(
                path,
                format!("expected a bucket policy (a JSON document), found a string that is not valid JSON: {e}"),
            )
        })?,
        other => other.clone(),
    };
    if parsed.is_object() {
        Ok(parsed)
    } else {
        Err(ctx.err(
            path,
            format!(
                "expected a bucket policy (a JSON object), found {}",
                kind(&parsed)
            ),
        ))
    }
}

pub(crate) fn sse_algorithm(s: &str, path: &str, ctx: &Ctx) -> Result<String, InputError> {
    one_of(
        s,
        &["AES256", "aws:kms", "aws:kms:dsse"],
        "an SSE algorithm",
        path,
        ctx,
    )
}

pub(crate) fn object_ownership(s: &str, path: &str, ctx: &Ctx) -> Result<String, InputError> {
    one_of(
        s,
        &[
            "BucketOwnerEnforced",
            "BucketOwnerPreferred",
            "ObjectWriter",
        ],
        "an object ownership setting",
        path,
        ctx,
    )
}

/// A versioning status: `Enabled` and `Suspended` are kept; `Off` (Config) and `Disabled`
/// (Terraform) mean never enabled, `None`.
pub(crate) fn versioning(s: &str, path: &str, ctx: &Ctx) -> Result<Option<String>, InputError> {
    match s {
        "Off" | "Disabled" => Ok(None),
        _ => one_of(
            s,
            &["Enabled", "Suspended", "Off", "Disabled"],
            "a versioning status",
            path,
            ctx,
        )
        .map(Some),
    }
}

fn one_of(
    s: &str,
    allowed: &[&str],
    what: &str,
    path: &str,
    ctx: &Ctx,
) -> Result<String, InputError> {
    if allowed.contains(&s) {
        Ok(s.to_string())
    } else {
        Err(ctx.err(
            path,
            format!("expected {what} ({}), found {s:?}", allowed.join(", ")),
        ))
    }
}

/// A KMS key as S3 reports it: a key or alias ARN, a key id, or `alias/NAME`.
pub(crate) fn kms_key(s: &str, path: &str, ctx: &Ctx) -> Result<String, InputError> {
    let bare = (1..=256).contains(&s.len())
        && !s.starts_with("arn:")
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'/'));
    if bare || validate::kms_key_arn(s).is_ok() {
        Ok(s.to_string())
    } else {
        Err(ctx.err(
            path,
            format!(
                "expected a KMS key (a key or alias ARN, a key id, or alias/NAME), found {s:?}"
            ),
        ))
    }
}

impl BucketState {
    /// Whether the bucket's public access block, as read, already blocks public policies.
    pub fn blocks_public_policy(&self) -> bool {
        self.public_access_block
            .as_ref()
            .is_some_and(|b| b.block_public_policy)
    }

    /// A bucket about which nothing is known yet.
    pub fn empty(name: String, source: &'static str) -> Self {
        Self {
            name,
            account_id: None,
            region: None,
            policy: None,
            encryption: None,
            public_access_block: None,
            logging_target: None,
            versioning: None,
            object_ownership: None,
            source,
        }
    }
}
