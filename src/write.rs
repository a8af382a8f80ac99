//! The writer: the only code that touches the output directory.
//!
//! Everything is rendered in memory first; only then is anything written, so an error leaves the
//! directory as it was. A file is replaced only when it is ours and unedited (see `header`), or when it
//! is the data file (which was read back and merged before planning). Each file is written to a temporary
//! sibling and renamed into place, so a reader never sees half a file. `--check` compares instead of
//! writing.

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

fn compare(out_dir: &Path, files: &[OutputFile], force: bool) -> Result<Report> {
    let mut report = Report::default();
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

/// Compares without writing (`--check`).
pub fn check(out_dir: &Path, files: &[OutputFile]) -> Result<Report> {
    compare(out_dir, files, true)
}

/// Writes every changed file; refuses (writing nothing) when an edited file would be overwritten.
pub fn write(out_dir: &Path, files: &[OutputFile], force: bool) -> Result<Report> {
    let report = compare(out_dir, files, force)?;
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
