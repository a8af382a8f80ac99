//! `tfremedy scan` and `--terraform-dir`: what the team's own Terraform already manages, so that
//! generated code never fights it (a bucket has one policy, one encryption configuration, one public
//! access block).
//!
//! The walk skips `.terraform/`, hidden folders and links that leave the tree; every `.tf` file is
//! parsed with hcl-edit (files in parallel), and the blocks found are joined into an [`Index`]:
//! bucket name -> the resources and module calls that manage it, with file and line. Names are
//! resolved from literals, `aws_s3_bucket.X.id`/`.bucket`, `var.X` with a literal default (or the
//! value a calling module passes), and `local.X` literals. A file that does not parse, or a name
//! that cannot be resolved, is reported, never fatal.
//!
//! Layout: `facts` (one file, no resolution), `resolve` (the directories as modules, names resolved,
//! the index built), here the index and the walk.

mod facts;
mod resolve;

// hcl-edit reading shared with `patch`, which finds the same blocks and object keys.
pub(crate) use facts::key_name;

use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What manages something of a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Bucket,
    Policy,
    Encryption,
    PublicAccessBlock,
    Logging,
    Versioning,
    OwnershipControls,
    /// A call of terraform-aws-modules/s3-bucket/aws, which manages all of the above through inputs.
    S3BucketModule,
}

impl Role {
    /// The role of a resource type.
    pub fn of(kind: &str) -> Option<Role> {
        Some(match kind {
            "aws_s3_bucket" => Role::Bucket,
            "aws_s3_bucket_policy" => Role::Policy,
            "aws_s3_bucket_server_side_encryption_configuration" => Role::Encryption,
            "aws_s3_bucket_public_access_block" => Role::PublicAccessBlock,
            "aws_s3_bucket_logging" => Role::Logging,
            "aws_s3_bucket_versioning" => Role::Versioning,
            "aws_s3_bucket_ownership_controls" => Role::OwnershipControls,
            _ => return None,
        })
    }

    /// Its name, as in JSON and in the data file's `managed_elsewhere` (`public-access-block`).
    pub fn name(self) -> &'static str {
        match self {
            Role::Bucket => "bucket",
            Role::Policy => "policy",
            Role::Encryption => "encryption",
            Role::PublicAccessBlock => "public-access-block",
            Role::Logging => "logging",
            Role::Versioning => "versioning",
            Role::OwnershipControls => "ownership-controls",
            Role::S3BucketModule => "s3-bucket-module",
        }
    }
}

/// One resource or module call that manages (part of) a bucket.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Managed {
    pub role: Role,
    /// Full address from the root module: `aws_s3_bucket_policy.data`,
    /// `module.storage.aws_s3_bucket.this`, `module.assets` (a module call).
    pub address: String,
    pub file: String,
    pub line: usize,
    /// The attributes or module inputs that matter for remediation, as written (`policy`,
    /// `attach_policy`, `server_side_encryption_configuration`, `version`...).
    pub details: BTreeMap<String, String>,
}

/// An existing trail.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Trail {
    pub address: String,
    pub file: String,
    pub line: usize,
    /// Buckets whose object-level (data) events it records.
    pub data_event_buckets: Vec<String>,
    /// A data-event selector covering every bucket.
    pub all_buckets: bool,
    /// `cloud_watch_logs_group_arn`, as written.
    pub log_group_arn: Option<String>,
}

/// An existing CloudWatch Logs group.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LogGroup {
    pub address: String,
    pub file: String,
    pub line: usize,
    pub name: Option<String>,
}

/// Something the scan saw but could not use.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Note {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

/// How many unparsed files, and unresolved names, [`Index::review_notes`] lists.
pub const REVIEW_NOTES: usize = 10;

/// What a scan found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Index {
    /// Bucket name -> what manages it, sorted by address.
    pub buckets: BTreeMap<String, Vec<Managed>>,
    pub trails: Vec<Trail>,
    pub log_groups: Vec<LogGroup>,
    /// `data "aws_iam_policy_document"` blocks: full address -> (file, line).
    pub policy_documents: BTreeMap<String, (String, usize)>,
    /// Buckets that receive S3 server access logs -> the logging configurations sending them there
    /// (`ADDRESS in FILE`: no line, which a `--patch` of the same run may move), from `aws_s3_bucket_logging.target_bucket` and the s3-bucket module's
    /// `logging.target_bucket`.
    pub log_targets: BTreeMap<String, Vec<String>>,
    /// Files that do not parse or cannot be read.
    pub unparsed: Vec<Note>,
    /// Resources and module calls whose bucket name could not be resolved.
    pub unresolved: Vec<Note>,
    /// Links not followed.
    pub skipped: Vec<Note>,
    /// `.tf` files parsed.
    pub files: usize,
}

impl Index {
    /// What a reviewer must check by hand because the scan could not tell: files that do not parse
    /// (anything in them may manage these buckets) and names it could not resolve, at most
    /// [`REVIEW_NOTES`] of each kind (every PR lists them).
    pub fn review_notes(&self) -> Vec<String> {
        let limit = REVIEW_NOTES;
        let mut out = Vec::new();
        let kinds = [
            (
                &self.unparsed,
                "does not parse, so tfremedy cannot see what it manages: check that it manages \
                 none of these buckets' settings",
            ),
            (
                &self.unresolved,
                "names a bucket tfremedy cannot resolve: if it is one of these buckets, that code \
                 and this change would both manage it",
            ),
        ];
        for (notes, why) in kinds {
            for n in notes.iter().take(limit) {
                let at = n.line.map(|l| format!(":{l}")).unwrap_or_default();
                out.push(format!(
                    "--terraform-dir: {}{at} {why} ({})",
                    n.file, n.message
                ));
            }
            if notes.len() > limit {
                out.push(format!(
                    "--terraform-dir: {} more like these (`tfremedy scan` lists them all)",
                    notes.len() - limit
                ));
            }
        }
        out
    }

    /// What manages `bucket` in the given role (a module call manages every role).
    pub fn managing(&self, bucket: &str, role: Role) -> Vec<&Managed> {
        self.buckets
            .get(bucket)
            .map(|all| {
                all.iter()
                    .filter(|m| m.role == role || m.role == Role::S3BucketModule)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A trail of the team's that already records S3 data events for every one of `buckets` and
    /// delivers to a CloudWatch Logs group whose name is known: the alarms can use that group instead
    /// of a new trail. Returns the trail and the group's name.
    pub fn trail_for(&self, buckets: &[&str]) -> Option<(&Trail, String)> {
        self.trails.iter().find_map(|t| {
            let covers = t.all_buckets
                || buckets
                    .iter()
                    .all(|b| t.data_event_buckets.iter().any(|d| d == b));
            if !covers || buckets.is_empty() {
                return None;
            }
            let arn = t.log_group_arn.as_deref()?;
            // `aws_cloudwatch_log_group.NAME.arn` (in any interpolation), or a literal ARN.
            let name = match arn.split("aws_cloudwatch_log_group.").nth(1) {
                Some(rest) => {
                    let resource = rest
                        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                        .next()?;
                    let prefix = t
                        .address
                        .rsplitn(3, '.')
                        .nth(2)
                        .map(|p| format!("{p}."))
                        .unwrap_or_default();
                    let address = format!("{prefix}aws_cloudwatch_log_group.{resource}");
                    self.log_groups
                        .iter()
                        .find(|g| g.address == address)?
                        .name
                        .clone()?
                }
                None => {
                    let literal = arn.trim_matches('"');
                    let name = literal.split(":log-group:").nth(1)?;
                    name.trim_end_matches(":*").to_string()
                }
            };
            crate::validate::log_group_name(&name).ok()?;
            Some((t, name))
        })
    }

    fn merge(&mut self, other: Index) {
        for (bucket, managed) in other.buckets {
            let entry = self.buckets.entry(bucket).or_default();
            entry.extend(managed);
            entry.sort();
            entry.dedup();
        }
        self.trails.extend(other.trails);
        self.log_groups.extend(other.log_groups);
        self.policy_documents.extend(other.policy_documents);
        for (bucket, places) in other.log_targets {
            self.log_targets.entry(bucket).or_default().extend(places);
        }
        self.unparsed.extend(other.unparsed);
        self.unresolved.extend(other.unresolved);
        self.skipped.extend(other.skipped);
        self.files += other.files;
    }
}

/// Scans every directory (each one a tree of modules) and merges what they manage.
pub fn scan(dirs: &[PathBuf]) -> Index {
    let mut index = Index::default();
    for dir in dirs {
        index.merge(scan_tree(dir));
    }
    index.trails.sort();
    index.log_groups.sort();
    for places in index.log_targets.values_mut() {
        places.sort();
        places.dedup();
    }
    index.unparsed.sort();
    index.unresolved.sort();
    index.skipped.sort();
    index
}

fn scan_tree(root: &Path) -> Index {
    let mut index = Index::default();
    let (files, skipped) = walk(root);
    index.skipped = skipped;
    let parsed = parse_all(&files);
    let mut by_dir: BTreeMap<PathBuf, Vec<(String, facts::FileFacts)>> = BTreeMap::new();
    for (path, result) in files.iter().zip(parsed) {
        let shown = path.display().to_string();
        match result {
            Ok(f) => {
                index.files += 1;
                let dir = resolve::normalize(path.parent().unwrap_or(Path::new("")));
                by_dir.entry(dir).or_default().push((shown, f));
            }
            Err((line, message)) => index.unparsed.push(Note {
                file: shown,
                line,
                message,
            }),
        }
    }
    resolve::build(&by_dir, &mut index);
    index
}

/// The `.tf` files of the tree, sorted, and the links not followed. Hidden entries (`.terraform/`,
/// `.git/`...) are skipped; a link is followed only to a file inside the tree (a linked directory
/// could loop or leave it).
fn walk(root: &Path) -> (Vec<PathBuf>, Vec<Note>) {
    let canonical_root = root.canonicalize().ok();
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let Ok(entry) = entry else {
            continue;
        };
        let path = entry.path();
        let is_tf = path.extension().is_some_and(|e| e == "tf");
        if entry.path_is_symlink() && entry.depth() > 0 {
            let target = path.canonicalize().ok();
            let inside = match (&target, &canonical_root) {
                (Some(t), Some(r)) => t.starts_with(r),
                _ => false,
            };
            let note = |message: &str| Note {
                file: path.display().to_string(),
                line: None,
                message: message.to_string(),
            };
            match target {
                Some(t) if t.is_dir() => skipped.push(note("link to a directory: not followed")),
                Some(_) if !inside => {
                    skipped.push(note("link to a file outside the tree: not followed"))
                }
                Some(_) if is_tf => files.push(path.to_path_buf()),
                None => skipped.push(note("broken link")),
                Some(_) => {}
            }
            continue;
        }
        if entry.file_type().is_file() && is_tf {
            files.push(path.to_path_buf());
        }
    }
    (files, skipped)
}

/// Parses the files on every core; results in file order.
fn parse_all(files: &[PathBuf]) -> Vec<Result<facts::FileFacts, facts::ParseError>> {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
        .min(files.len().max(1));
    let read = |p: &PathBuf| match std::fs::read_to_string(p) {
        // tfremedy's own output (an earlier run's, often inside the scanned tree) is not the team's
        // code: counting it would hand a setting over to the very module that manages it.
        Ok(text) if text.starts_with(crate::header::GENERATED) => Ok(facts::FileFacts::default()),
        Ok(text) => facts::read(&text),
        Err(e) => Err((None, format!("cannot read: {e}"))),
    };
    if workers == 1 {
        return files.iter().map(read).collect();
    }
    let chunk = files.len().div_ceil(workers);
    std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                let handle = s.spawn(move || part.iter().map(read).collect::<Vec<_>>());
                (part.len(), handle)
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|(len, h)| {
                // Keep one result per file even if a parser thread dies.
                h.join()
                    .unwrap_or_else(|_| vec![Err((None, "the parser panicked".to_string())); len])
            })
            .collect()
    })
}

/// The index as text, for `tfremedy scan`.
pub fn render_text(index: &Index) -> String {
    let mut out = String::new();
    for (bucket, managed) in &index.buckets {
        out.push_str(&format!("{bucket}\n"));
        for m in managed {
            let details: Vec<String> = m
                .details
                .iter()
                .map(|(k, v)| format!("{k} = {v}"))
                .collect();
            let details = if details.is_empty() {
                String::new()
            } else {
                format!("  ({})", details.join("; "))
            };
            out.push_str(&format!(
                "  {}  {}:{}{details}\n",
                m.address, m.file, m.line
            ));
        }
    }
    if !index.trails.is_empty() {
        out.push_str("\ntrails:\n");
        for t in &index.trails {
            let scope = if t.all_buckets {
                "data events: every bucket".to_string()
            } else {
                format!("data events: {}", t.data_event_buckets.join(", "))
            };
            out.push_str(&format!(
                "  {}  {}:{}  {scope}\n",
                t.address, t.file, t.line
            ));
        }
    }
    if !index.log_targets.is_empty() {
        out.push_str("\nbuckets receiving server access logs:\n");
        for (bucket, places) in &index.log_targets {
            out.push_str(&format!("  {bucket}  from {}\n", places.join(", ")));
        }
    }
    if !index.log_groups.is_empty() {
        out.push_str("\nlog groups:\n");
        for g in &index.log_groups {
            let name = g.name.as_deref().unwrap_or("(name not literal)");
            out.push_str(&format!("  {}  {}:{}  {name}\n", g.address, g.file, g.line));
        }
    }
    for (title, notes) in [
        ("files that do not parse", &index.unparsed),
        ("names not resolved", &index.unresolved),
        ("links not followed", &index.skipped),
    ] {
        if !notes.is_empty() {
            out.push_str(&format!("\n{title}:\n"));
            for n in notes {
                let at = n.line.map(|l| format!(":{l}")).unwrap_or_default();
                out.push_str(&format!("  {}{at}: {}\n", n.file, n.message));
            }
        }
    }
    out.push_str(&format!(
        "\n{} file(s), {} bucket(s), {} trail(s)\n",
        index.files,
        index.buckets.len(),
        index.trails.len()
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn role_names_are_their_json_names() {
        for role in [
            Role::Bucket,
            Role::Policy,
            Role::Encryption,
            Role::PublicAccessBlock,
            Role::Logging,
            Role::Versioning,
            Role::OwnershipControls,
            Role::S3BucketModule,
        ] {
            assert_eq!(serde_json::to_value(role).unwrap(), role.name());
        }
    }
}
