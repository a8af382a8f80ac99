//! Terraform's view of S3 buckets: `terraform show -json` of a state (`values.root_module`) or of a
//! plan (`prior_state.values.root_module`, the state Terraform refreshed before planning, or
//! `planned_values.root_module` when there is no prior state), child modules walked recursively; and
//! raw state files (`{"version": 4, "terraform_version": ..., "resources": [{"instances":
//! [{"attributes": ...}]}]}`).
//!
//! Managed resources are joined by bucket name: `aws_s3_bucket` (`bucket`, `region`, and the
//! attributes provider v4+ still computes from AWS: `policy`, `server_side_encryption_configuration`,
//! `logging`, `versioning`) first, then the standalone resources, which override it whatever their
//! order: `aws_s3_bucket_policy`, `aws_s3_bucket_server_side_encryption_configuration`,
//! `aws_s3_bucket_public_access_block`, `aws_s3_bucket_logging`, `aws_s3_bucket_versioning` and
//! `aws_s3_bucket_ownership_controls`. Data sources are not read.

use super::{
    bucket_name, check, first, kind, kms_key, object_ownership, opt_bool, opt_object, opt_str,
    policy, push_index, push_key, sse_algorithm, versioning, BucketState, Ctx, EncryptionState,
    Entry, SOURCE_TERRAFORM,
};
use crate::error::InputError;
use crate::model::BlockPublicAccess;
use crate::validate;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// A managed resource's attributes and their JSON path.
struct Resource<'v> {
    kind: &'v str,
    values: &'v Map<String, Value>,
    path: String,
}

/// Reads a Terraform document; `None` if the document is not one.
pub(super) fn read(doc: &Value, ctx: &Ctx, errors: &mut Vec<InputError>) -> Option<Vec<Entry>> {
    let obj = doc.as_object()?;
    let mut resources = Vec::new();
    if obj.contains_key("format_version") {
        let root = if obj.get("prior_state").is_some_and(|p| !p.is_null()) {
            ["prior_state", "values", "root_module"].as_slice()
        } else if obj.contains_key("values") {
            ["values", "root_module"].as_slice()
        } else {
            ["planned_values", "root_module"].as_slice()
        };
        let mut v = doc;
        let mut path = "$".to_string();
        for key in root {
            path = push_key(&path, key);
            match v.get(key) {
                // An empty state has no `values`; a plan of nothing no root module.
                None | Some(Value::Null) => return Some(Vec::new()),
                Some(next) => v = next,
            }
        }
        if let Err(e) = module(v, &path, ctx, &mut resources) {
            errors.push(e);
            return Some(Vec::new());
        }
    } else if obj.contains_key("terraform_version")
        && obj.get("version").is_some_and(Value::is_number)
        && obj.contains_key("resources")
    {
        if let Err(e) = raw_state(obj, ctx, &mut resources) {
            errors.push(e);
            return Some(Vec::new());
        }
    } else {
        return None;
    }
    Some(join(&resources, ctx, errors))
}

fn array<'v>(v: Option<&'v Value>, path: &str, ctx: &Ctx) -> Result<&'v [Value], InputError> {
    match v {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(ctx.err(path, format!("expected an array, found {}", kind(other)))),
    }
}

fn is_managed(obj: &Map<String, Value>) -> bool {
    obj.get("mode")
        .and_then(Value::as_str)
        .is_none_or(|m| m == "managed")
}

/// A module of `terraform show -json`: `resources` and `child_modules`, recursively.
fn module<'v>(
    v: &'v Value,
    path: &str,
    ctx: &Ctx,
    out: &mut Vec<Resource<'v>>,
) -> Result<(), InputError> {
    let Some(obj) = opt_object(Some(v), path, "a module", ctx)? else {
        return Ok(());
    };
    let resources_path = push_key(path, "resources");
    for (i, r) in array(obj.get("resources"), &resources_path, ctx)?
        .iter()
        .enumerate()
    {
        let r_path = push_index(&resources_path, i);
        let Some(r) = opt_object(Some(r), &r_path, "a resource", ctx)? else {
            continue;
        };
        let Some(kind) = r.get("type").and_then(Value::as_str) else {
            continue;
        };
        if !kind.starts_with("aws_s3_bucket") || !is_managed(r) {
            continue;
        }
        let values_path = push_key(&r_path, "values");
        if let Some(values) = opt_object(r.get("values"), &values_path, "resource values", ctx)? {
            out.push(Resource {
                kind,
                values,
                path: values_path,
            });
        }
    }
    let children_path = push_key(path, "child_modules");
    for (i, child) in array(obj.get("child_modules"), &children_path, ctx)?
        .iter()
        .enumerate()
    {
        module(child, &push_index(&children_path, i), ctx, out)?;
    }
    Ok(())
}

/// A raw state file (format version 4): every resource's instances' attributes.
fn raw_state<'v>(
    obj: &'v Map<String, Value>,
    ctx: &Ctx,
    out: &mut Vec<Resource<'v>>,
) -> Result<(), InputError> {
    for (i, r) in array(obj.get("resources"), "$.resources", ctx)?
        .iter()
        .enumerate()
    {
        let r_path = push_index("$.resources", i);
        let Some(r) = opt_object(Some(r), &r_path, "a resource", ctx)? else {
            continue;
        };
        let Some(kind) = r.get("type").and_then(Value::as_str) else {
            continue;
        };
        if !kind.starts_with("aws_s3_bucket") || !is_managed(r) {
            continue;
        }
        let instances_path = push_key(&r_path, "instances");
        for (j, instance) in array(r.get("instances"), &instances_path, ctx)?
            .iter()
            .enumerate()
        {
            let instance_path = push_index(&instances_path, j);
            let Some(instance) = opt_object(Some(instance), &instance_path, "an instance", ctx)?
            else {
                continue;
            };
            let attributes_path = push_key(&instance_path, "attributes");
            if let Some(values) = opt_object(
                instance.get("attributes"),
                &attributes_path,
                "attributes",
                ctx,
            )? {
                out.push(Resource {
                    kind,
                    values,
                    path: attributes_path,
                });
            }
        }
    }
    Ok(())
}

/// Joins the resources by bucket name. A bucket with a bad value is left out.
fn join(resources: &[Resource<'_>], ctx: &Ctx, errors: &mut Vec<InputError>) -> Vec<Entry> {
    let mut buckets: BTreeMap<String, BucketState> = BTreeMap::new();
    let mut broken = BTreeSet::new();
    // Buckets first, so that the standalone resources override what the bucket computes.
    let (own, standalone): (Vec<_>, Vec<_>) =
        resources.iter().partition(|r| r.kind == "aws_s3_bucket");
    for r in own.into_iter().chain(standalone) {
        let name = match opt_str(r.values, "bucket", &r.path, ctx) {
            // Unknown until apply (a plan creating the bucket): nothing to say yet.
            Ok(None) => continue,
            Ok(Some(n)) => match bucket_name(n, &push_key(&r.path, "bucket"), ctx) {
                Ok(n) => n,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            },
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let state = buckets
            .entry(name.clone())
            .or_insert_with(|| BucketState::empty(name.clone(), SOURCE_TERRAFORM));
        if let Err(e) = apply(r, ctx, state) {
            errors.push(e);
            broken.insert(name);
        }
    }
    buckets
        .into_iter()
        .filter(|(name, _)| !broken.contains(name))
        .map(|(_, state)| Entry::State(state))
        .collect()
}

fn apply(r: &Resource<'_>, ctx: &Ctx, state: &mut BucketState) -> Result<(), InputError> {
    let (v, path) = (r.values, r.path.as_str());
    match r.kind {
        "aws_s3_bucket" => {
            if let Some(region) = opt_str(v, "region", path, ctx)? {
                check(validate::region(region), &push_key(path, "region"), ctx)?;
                state.region = Some(region.to_string());
            }
            bucket_policy(v, path, ctx, state)?;
            let sse_path = push_key(path, "server_side_encryption_configuration");
            if let Some((sse, sse_path)) = first(
                v.get("server_side_encryption_configuration"),
                &sse_path,
                ctx,
            )? {
                if let Some(sse) = opt_object(Some(sse), &sse_path, "an encryption block", ctx)? {
                    state.encryption = encryption(sse, &sse_path, ctx)?;
                }
            }
            if let Some((logging, logging_path)) =
                first(v.get("logging"), &push_key(path, "logging"), ctx)?
            {
                if let Some(logging) =
                    opt_object(Some(logging), &logging_path, "a logging block", ctx)?
                {
                    state.logging_target = logging_target(logging, &logging_path, ctx)?;
                }
            }
            if let Some((versioning, versioning_path)) =
                first(v.get("versioning"), &push_key(path, "versioning"), ctx)?
            {
                if let Some(versioning) = opt_object(
                    Some(versioning),
                    &versioning_path,
                    "a versioning block",
                    ctx,
                )? {
                    // `enabled = false` cannot tell Suspended from never enabled: say nothing.
                    if opt_bool(versioning, "enabled", &versioning_path, ctx)? {
                        state.versioning = Some("Enabled".to_string());
                    }
                }
            }
        }
        "aws_s3_bucket_policy" => {
            if v.get("policy").is_none_or(Value::is_null) {
                return Err(ctx.err(
                    &push_key(path, "policy"),
                    "expected a bucket policy (a JSON document), found nothing",
                ));
            }
            bucket_policy(v, path, ctx, state)?;
        }
        "aws_s3_bucket_server_side_encryption_configuration" => {
            state.encryption = encryption(v, path, ctx)?;
        }
        "aws_s3_bucket_public_access_block" => {
            state.public_access_block = Some(BlockPublicAccess {
                block_public_acls: opt_bool(v, "block_public_acls", path, ctx)?,
                ignore_public_acls: opt_bool(v, "ignore_public_acls", path, ctx)?,
                block_public_policy: opt_bool(v, "block_public_policy", path, ctx)?,
                restrict_public_buckets: opt_bool(v, "restrict_public_buckets", path, ctx)?,
            });
        }
        "aws_s3_bucket_logging" => {
            state.logging_target = logging_target(v, path, ctx)?;
        }
        "aws_s3_bucket_versioning" => {
            let config_path = push_key(path, "versioning_configuration");
            if let Some((config, config_path)) =
                first(v.get("versioning_configuration"), &config_path, ctx)?
            {
                if let Some(config) = opt_object(
                    Some(config),
                    &config_path,
                    "a versioning configuration",
                    ctx,
                )? {
                    if let Some(status) = opt_str(config, "status", &config_path, ctx)? {
                        state.versioning =
                            versioning(status, &push_key(&config_path, "status"), ctx)?;
                    }
                }
            }
        }
        "aws_s3_bucket_ownership_controls" => {
            if let Some((rule, rule_path)) = first(v.get("rule"), &push_key(path, "rule"), ctx)? {
                if let Some(rule) = opt_object(Some(rule), &rule_path, "an ownership rule", ctx)? {
                    if let Some(o) = opt_str(rule, "object_ownership", &rule_path, ctx)? {
                        state.object_ownership = Some(object_ownership(
                            o,
                            &push_key(&rule_path, "object_ownership"),
                            ctx,
                        )?);
                    }
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// `policy`: a JSON string (empty when the bucket has none, as `aws_s3_bucket` computes it).
fn bucket_policy(
    v: &Map<String, Value>,
    path: &str,
    ctx: &Ctx,
    state: &mut BucketState,
) -> Result<(), InputError> {
    match v.get("policy") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s.trim().is_empty() => {}
        Some(p) => state.policy = Some(policy(p, &push_key(path, "policy"), ctx)?),
    }
    Ok(())
}

fn logging_target(
    v: &Map<String, Value>,
    path: &str,
    ctx: &Ctx,
) -> Result<Option<String>, InputError> {
    opt_str(v, "target_bucket", path, ctx)?
        .map(|t| bucket_name(t, &push_key(path, "target_bucket"), ctx))
        .transpose()
}

/// A block holding `rule[0].apply_server_side_encryption_by_default[0]` and
/// `rule[0].bucket_key_enabled`.
fn encryption(
    v: &Map<String, Value>,
    path: &str,
    ctx: &Ctx,
) -> Result<Option<EncryptionState>, InputError> {
    let Some((rule, rule_path)) = first(v.get("rule"), &push_key(path, "rule"), ctx)? else {
        return Ok(None);
    };
    let Some(rule) = opt_object(Some(rule), &rule_path, "an encryption rule", ctx)? else {
        return Ok(None);
    };
    let default_path = push_key(&rule_path, "apply_server_side_encryption_by_default");
    let Some((default, default_path)) = first(
        rule.get("apply_server_side_encryption_by_default"),
        &default_path,
        ctx,
    )?
    else {
        return Ok(None);
    };
    let Some(default) = opt_object(Some(default), &default_path, "the default encryption", ctx)?
    else {
        return Ok(None);
    };
    let Some(algorithm) = opt_str(default, "sse_algorithm", &default_path, ctx)? else {
        return Ok(None);
    };
    Ok(Some(EncryptionState {
        sse_algorithm: sse_algorithm(algorithm, &push_key(&default_path, "sse_algorithm"), ctx)?,
        kms_key_id: opt_str(default, "kms_master_key_id", &default_path, ctx)?
            .map(|k| kms_key(k, &push_key(&default_path, "kms_master_key_id"), ctx))
            .transpose()?,
        bucket_key_enabled: opt_bool(rule, "bucket_key_enabled", &rule_path, ctx)?,
    }))
}
