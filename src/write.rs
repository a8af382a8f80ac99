//! The writer: the only code that touches the output directory.
//!
//! Everything is rendered in memory first; only then is anything written, so an error leaves the
//! directory as it was. A file is replaced only when it is ours and unedited (see `header`), or when it
//! is the data file (which was read back and merged before planning). Each file is written to a temporary
//! sibling and renamed into place, so a reader never sees half a file. A file an earlier run wrote
//! and this one no longer does (a `code-changes.diff` once nothing is left to change) is removed when
//! it is ours and unedited, so nobody applies a stale one. `--check` compares instead of writing.

use crate::datafile::{self, DataFile};
use crate::error::{Error, Result};
use crate::header::{self, Status};
use crate::render::OutputFile;
use std::fs;
use std::path::{Path, PathBuf};

/// What a write (or a check) found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Files created or changed (or, in check mode, that would be).
    pub changed: Vec<String>,
    /// Files of an earlier run this one no longer writes, removed (or, in check mode, to remove).
    pub removed: Vec<String>,
    pub unchanged: Vec<String>,
}

/// Reads the data file of an earlier run, if there is one.
pub fn read_previous(out_dir: &Path) -> Result<Option<DataFile>> {
    let path = out_dir.join(datafile::FILE_NAME);
    match fs::read_to_string(&path) {
        Ok(text) => datafile::parse(&text)
            .map(Some)
            .map_err(|message| Error::Output { path, message }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(Error::Io { path, source }),
    }
}

fn compare(
    out_dir: &Path,
    files: &[OutputFile],
    retired: &[String],
    force: bool,
) -> Result<Report> {
    let mut report = Report::default();
    for r in retired {
        // An edited one is the user's now: it stays.
        if fs::read_to_string(out_dir.join(r)).is_ok_and(|t| header::status(&t) == Status::Pristine)
        {
            report.removed.push(r.clone());
        }
    }
    let mut refused = Vec::new();
    for f in files {
        let path = out_dir.join(&f.path);
        match fs::read_to_string(&path) {
            Ok(existing) if existing == f.content => report.unchanged.push(f.path.clone()),
            Ok(existing) => {
                if !f.is_data && !force && header::status(&existing) != Status::Pristine {
                    refused.push(f.path.clone());
                }
                report.changed.push(f.path.clone());
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                report.changed.push(f.path.clone())
            }
            Err(source) => return Err(Error::Io { path, source }),
        }
    }
    if !refused.is_empty() {
        return Err(Error::Output {
            path: out_dir.to_path_buf(),
            message: format!(
                "refusing to overwrite file(s) edited by hand or not written by tfremedy: {}. \
                 Move your changes elsewhere (e.g. a file of your own next to these), or pass --force \
                 to discard them. Nothing was written",
                refused.join(", ")
            ),
        });
    }
    Ok(report)
}

/// Compares without writing (`--check`). `retired`: files this run no longer writes.
pub fn check(out_dir: &Path, files: &[OutputFile], retired: &[String]) -> Result<Report> {
    compare(out_dir, files, retired, true)
}

/// Writes every changed file and removes the retired ones that are ours and unedited; refuses
/// (writing nothing) when an edited file would be overwritten.
pub fn write(
    out_dir: &Path,
    files: &[OutputFile],
    retired: &[String],
    force: bool,
) -> Result<Report> {
    let report = compare(out_dir, files, retired, force)?;
    for f in files.iter().filter(|f| report.changed.contains(&f.path)) {
        let path = out_dir.join(&f.path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|source| Error::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        write_file(&path, &f.content)?;
    }
    for r in &report.removed {
        let path = out_dir.join(r);
        fs::remove_file(&path).map_err(|source| Error::Io { path, source })?;
    }
    Ok(report)
}

/// Writes one file atomically: a temporary sibling, renamed into place.
pub fn write_file(path: &Path, content: &str) -> Result<()> {
    let tmp = temp_sibling(path);
    fs::write(&tmp, content).map_err(|source| Error::Io {
        path: tmp.clone(),
        source,
    })?;
    fs::rename(&tmp, path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn temp_sibling(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tfremedy-tmp"))
}
