//! The scanned directories as Terraform modules: which directory calls which (local `source`s),
//! names resolved through literals, resources, variables, locals and the inputs a caller passes,
//! and the [`Index`] built from them.

use super::facts::{FileFacts, ModuleFact, Ref, ResourceFact};
use super::{Index, LogGroup, Managed, Note, Role, Trail};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

/// Module calls nested deeper than this are not followed (a loop of local sources, say).
const MAX_DEPTH: usize = 10;

/// The inputs of terraform-aws-modules/s3-bucket/aws that decide what it manages.
const MODULE_INPUTS: &[&str] = &[
    "attach_deny_insecure_transport_policy",
    "attach_policy",
    "attach_require_latest_tls_policy",
    "block_public_acls",
    "block_public_policy",
    "control_object_ownership",
    "ignore_public_acls",
    "logging",
    "object_ownership",
    "policy",
    "restrict_public_buckets",
    "server_side_encryption_configuration",
    "versioning",
];

/// Whether a module source is terraform-aws-modules/s3-bucket, in any form: registry
/// (`terraform-aws-modules/s3-bucket/aws`, with or without a host), GitHub or git URL of
/// `terraform-aws-s3-bucket`, with or without `?ref=`. Its sub-modules (`//modules/object`,
/// `//modules/notification`) manage other things and are not it.
pub fn is_s3_bucket_module(source: &str) -> bool {
    let s = source.to_ascii_lowercase();
    let path = s.split('?').next().unwrap_or_default();
    let without_scheme = path.split_once("://").map_or(path, |(_, rest)| rest);
    if without_scheme.contains("//modules/") || path.contains("/s3-bucket/aws//") {
        return false;
    }
    path.trim_end_matches('/')
        .ends_with("terraform-aws-modules/s3-bucket/aws")
        || path.contains("terraform-aws-modules/terraform-aws-s3-bucket")
}

/// Lexical normalisation (`a/./b/../c` -> `a/c`), so that `./modules/x` from two places compares.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// One directory, as a module.
struct Dir<'a> {
    resources: Vec<(&'a str, &'a ResourceFact)>,
    documents: Vec<(&'a str, &'a str, usize)>,
    modules: Vec<(&'a str, &'a ModuleFact)>,
    variables: BTreeMap<&'a str, Option<&'a str>>,
    locals: BTreeMap<&'a str, &'a str>,
}

/// Where a name is looked up: a directory, and (for a called module) the inputs its caller passes
/// and where those are resolved.
struct Env<'a> {
    dir: &'a Dir<'a>,
    caller: Option<(&'a ModuleFact, &'a Env<'a>)>,
}

pub fn build(by_dir: &BTreeMap<PathBuf, Vec<(String, FileFacts)>>, index: &mut Index) {
    let dirs: BTreeMap<&PathBuf, Dir<'_>> = by_dir
        .iter()
        .map(|(path, files)| (path, dir(files)))
        .collect();
    let child = |from: &Path, m: &ModuleFact| -> Option<PathBuf> {
        (m.source.starts_with("./") || m.source.starts_with("../"))
            .then(|| normalize(&from.join(&m.source)))
    };
    let called: BTreeSet<PathBuf> = dirs
        .iter()
        .flat_map(|(path, d)| d.modules.iter().filter_map(|(_, m)| child(path, m)))
        .collect();
    for (path, d) in &dirs {
        if called.contains(*path) {
            continue;
        }
        let env = Env {
            dir: d,
            caller: None,
        };
        visit(path, &env, "", 0, &dirs, &child, index);
    }
    for managed in index.buckets.values_mut() {
        managed.sort();
        managed.dedup();
    }
}

fn dir(files: &[(String, FileFacts)]) -> Dir<'_> {
    let mut d = Dir {
        resources: Vec::new(),
        documents: Vec::new(),
        modules: Vec::new(),
        variables: BTreeMap::new(),
        locals: BTreeMap::new(),
    };
    for (file, f) in files {
        d.resources
            .extend(f.resources.iter().map(|r| (file.as_str(), r)));
        d.modules
            .extend(f.modules.iter().map(|m| (file.as_str(), m)));
        d.documents.extend(
            f.policy_documents
                .iter()
                .map(|(name, line)| (file.as_str(), name.as_str(), *line)),
        );
        for (name, default) in &f.variables {
            d.variables.insert(name.as_str(), default.as_deref());
        }
        for (name, value) in &f.locals {
            d.locals.insert(name.as_str(), value.as_str());
        }
    }
    d
}

fn visit(
    path: &Path,
    env: &Env<'_>,
    prefix: &str,
    depth: usize,
    dirs: &BTreeMap<&PathBuf, Dir<'_>>,
    child: &dyn Fn(&Path, &ModuleFact) -> Option<PathBuf>,
    index: &mut Index,
) {
    for (file, r) in &env.dir.resources {
        let address = format!("{prefix}{}.{}", r.kind, r.name);
        match r.kind.as_str() {
            "aws_cloudtrail" => index.trails.push(Trail {
                address,
                file: file.to_string(),
                line: r.line,
                data_event_buckets: r
                    .data_event_arns
                    .iter()
                    .filter_map(|arn| arn.split(":s3:::").nth(1))
                    .map(|rest| rest.split('/').next().unwrap_or_default().to_string())
                    .filter(|b| !b.is_empty())
                    .collect(),
                all_buckets: r.all_buckets,
                log_group_arn: attr(r, "cloud_watch_logs_group_arn"),
            }),
            "aws_cloudwatch_log_group" => index.log_groups.push(LogGroup {
                address,
                file: file.to_string(),
                line: r.line,
                name: attr(r, "name").and_then(|n| plain_string(&n)),
            }),
            kind => {
                let Some(role) = Role::of(kind) else { continue };
                let name = r.bucket.as_ref().and_then(|b| resolve(b, env, 0));
                let Some(name) = name else {
                    let said = attr(r, "bucket").unwrap_or_else(|| "(no bucket argument)".into());
                    index.unresolved.push(Note {
                        file: file.to_string(),
                        line: Some(r.line),
                        message: format!("{address}: bucket = {said}: name not resolved"),
                    });
                    continue;
                };
                log_target(r.target_bucket.as_ref(), env, &address, file, index);
                let details = match role {
                    Role::Policy => attr(r, "policy")
                        .map(|p| BTreeMap::from([("policy".to_string(), p)]))
                        .unwrap_or_default(),
                    _ => BTreeMap::new(),
                };
                index.buckets.entry(name).or_default().push(Managed {
                    role,
                    address,
                    file: file.to_string(),
                    line: r.line,
                    details,
                });
            }
        }
    }
    for (file, name, line) in &env.dir.documents {
        index.policy_documents.insert(
            format!("{prefix}data.aws_iam_policy_document.{name}"),
            (file.to_string(), *line),
        );
    }
    for (file, m) in &env.dir.modules {
        let address = format!("{prefix}module.{}", m.name);
        if is_s3_bucket_module(&m.source) {
            let bucket = m.inputs.iter().find(|(k, _, _)| k == "bucket");
            match bucket.and_then(|(_, r, _)| resolve(r, env, 0)) {
                Some(name) => {
                    log_target(m.log_target.as_ref(), env, &address, file, index);
                    let mut details: BTreeMap<String, String> = m
                        .inputs
                        .iter()
                        .filter(|(k, _, _)| MODULE_INPUTS.contains(&k.as_str()))
                        .map(|(k, _, text)| (k.clone(), text.clone()))
                        .collect();
                    if let Some(v) = &m.version {
                        details.insert("version".into(), v.clone());
                    }
                    index.buckets.entry(name).or_default().push(Managed {
                        role: Role::S3BucketModule,
                        address,
                        file: file.to_string(),
                        line: m.line,
                        details,
                    });
                }
                None => index.unresolved.push(Note {
                    file: file.to_string(),
                    line: Some(m.line),
                    message: format!(
                        "{address}: bucket = {}: name not resolved",
                        bucket.map_or("(no bucket input)", |(_, _, t)| t.as_str())
                    ),
                }),
            }
            continue;
        }
        let Some(child_path) = child(path, m) else {
            continue;
        };
        let Some(child_dir) = dirs.get(&child_path) else {
            continue;
        };
        if depth >= MAX_DEPTH {
            index.unresolved.push(Note {
                file: file.to_string(),
                line: Some(m.line),
                message: format!(
                    "{address}: modules nested more than {MAX_DEPTH} deep: not followed"
                ),
            });
            continue;
        }
        let child_env = Env {
            dir: child_dir,
            caller: Some((m, env)),
        };
        visit(
            &child_path,
            &child_env,
            &format!("{address}."),
            depth + 1,
            dirs,
            child,
            index,
        );
    }
}

/// The bucket name an expression stands for, if it can be known without running Terraform.
/// Records that the logging configuration at `address` sends access logs to `target`.
fn log_target(target: Option<&Ref>, env: &Env<'_>, address: &str, file: &str, index: &mut Index) {
    if let Some(bucket) = target.and_then(|t| resolve(t, env, 0)) {
        index
            .log_targets
            .entry(bucket)
            .or_default()
            .push(format!("{address} in {file}"));
    }
}

fn resolve(r: &Ref, env: &Env<'_>, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    match r {
        Ref::Literal(s) => Some(s.clone()),
        Ref::Var(name) => {
            if let Some((call, caller_env)) = env.caller {
                if let Some((_, passed, _)) = call.inputs.iter().find(|(k, _, _)| k == name) {
                    return resolve(passed, caller_env, depth + 1);
                }
            }
            env.dir
                .variables
                .get(name.as_str())
                .copied()
                .flatten()
                .map(str::to_string)
        }
        Ref::Local(name) => env.dir.locals.get(name.as_str()).map(|s| s.to_string()),
        Ref::Resource { kind, name, attr } => {
            let by_name = kind == "aws_s3_bucket" && matches!(attr.as_str(), "id" | "bucket");
            if !by_name {
                return None;
            }
            let (_, bucket) = env
                .dir
                .resources
                .iter()
                .find(|(_, res)| res.kind == *kind && res.name == *name)?;
            resolve(bucket.bucket.as_ref()?, env, depth + 1)
        }
        Ref::Other(_) => None,
    }
}

fn attr(r: &ResourceFact, key: &str) -> Option<String> {
    r.attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
}

/// `"text"` without interpolation, unquoted.
fn plain_string(s: &str) -> Option<String> {
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains("${") && !inner.contains('"') && !inner.contains('\\'))
        .then(|| inner.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_s3_bucket_module_in_every_source_form() {
        for s in [
            "terraform-aws-modules/s3-bucket/aws",
            "registry.terraform.io/terraform-aws-modules/s3-bucket/aws",
            "app.terraform.io/terraform-aws-modules/s3-bucket/aws",
            "git::https://github.com/terraform-aws-modules/terraform-aws-s3-bucket.git?ref=v4.2.0",
            "github.com/terraform-aws-modules/terraform-aws-s3-bucket",
        ] {
            assert!(is_s3_bucket_module(s), "{s}");
        }
        assert!(!is_s3_bucket_module(
            "git::https://github.com/terraform-aws-modules/terraform-aws-s3-bucket.git//modules/object?ref=v4.0.0"
        ));
        assert!(!is_s3_bucket_module(
            "terraform-aws-modules/s3-bucket/aws//modules/notification"
        ));
        assert!(!is_s3_bucket_module("./modules/bucket"));
        assert!(!is_s3_bucket_module("cloudposse/s3-bucket/aws"));
    }

    #[test]
    fn normalises_paths() {
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalize(Path::new("a/../../b")), PathBuf::from("../b"));
    }
}
