//! Turns one inventory input (a file, a directory, or `-` for stdin) into JSON documents: walks
//! directories, undoes gzip (recognised by its magic bytes), and splits the content into one or
//! several JSON documents (a pretty-printed document, concatenated documents as `jq` prints them, or
//! JSON Lines) — all from the content, never the file name.
//!
//! Inventories are read whole: unlike finding exports they are one document per account and region.

use super::{Ctx, EXPECTED};
use crate::error::InputError;
use flate2::read::MultiGzDecoder;
use serde_json::Value;
use std::io::Read;
use std::path::Path;

const EXTENSIONS: &[&str] = &[".json", ".jsonl", ".ndjson", ".gz", ".tfstate"];

/// Each document read, with where it came from; or an error about the input.
pub(super) type Sink<'a> = dyn FnMut(Result<(Value, Ctx), InputError>) + 'a;

pub(super) fn input(input: &str, stdin: &mut dyn Read, sink: &mut Sink<'_>) {
    if input == "-" {
        stream(input, stdin, sink);
        return;
    }
    match std::fs::metadata(input) {
        Err(e) => sink(Err(InputError::new(
            input,
            None,
            "$",
            format!("cannot read: {e}"),
        ))),
        Ok(meta) if meta.is_dir() => directory(input, sink),
        Ok(_) => file(input, Path::new(input), sink),
    }
}

fn file(name: &str, path: &Path, sink: &mut Sink<'_>) {
    match std::fs::File::open(path) {
        Ok(mut f) => stream(name, &mut f, sink),
        Err(e) => sink(Err(InputError::new(
            name,
            None,
            "$",
            format!("cannot read: {e}"),
        ))),
    }
}

fn directory(root: &str, sink: &mut Sink<'_>) {
    let found = crate::read::walk_files(root, EXTENSIONS, &mut |entry| match entry {
        Ok((name, path)) => file(name, path, sink),
        Err(e) => sink(Err(e)),
    });
    if !found {
        // The user named this directory as an inventory: finding nothing in it is not silent.
        sink(Err(InputError::new(
            root,
            None,
            "$",
            format!(
                "directory has no {} files: {EXPECTED}",
                EXTENSIONS.join(", ")
            ),
        )));
    }
}

/// Reads one byte stream whole, undoing gzip if its first two bytes say so.
fn stream(name: &str, reader: &mut dyn Read, sink: &mut Sink<'_>) {
    let mut raw = Vec::new();
    if let Err(e) = reader.read_to_end(&mut raw) {
        sink(Err(InputError::new(
            name,
            None,
            "$",
            format!("cannot read: {e}"),
        )));
        return;
    }
    let buf = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut plain = Vec::new();
        if let Err(e) = MultiGzDecoder::new(raw.as_slice()).read_to_end(&mut plain) {
            sink(Err(InputError::new(
                name,
                None,
                "$",
                format!("not valid gzip: {e}"),
            )));
            return;
        }
        plain
    } else {
        raw
    };
    documents(name, &buf, sink);
}

/// Splits a decoded stream into JSON documents. One document is reported without a line; several
/// (JSON Lines, or concatenated documents) each with the line it starts on.
fn documents(name: &str, buf: &[u8], sink: &mut Sink<'_>) {
    // A UTF-8 byte order mark is not JSON but some Windows tools write one.
    let buf = buf.strip_prefix(b"\xef\xbb\xbf").unwrap_or(buf);
    if buf.iter().all(u8::is_ascii_whitespace) {
        sink(Err(InputError::new(
            name,
            None,
            "$",
            format!("empty input: {EXPECTED}"),
        )));
        return;
    }
    let mut values = Vec::new();
    let mut parsed = serde_json::Deserializer::from_slice(buf).into_iter::<Value>();
    let mut offset = 0;
    let mut failure = None;
    loop {
        let start = offset
            + buf[offset..]
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
        match parsed.next() {
            None => break,
            Some(Ok(v)) => {
                values.push((start, v));
                offset = parsed.byte_offset();
            }
            Some(Err(e)) => {
                let reason = if e.is_eof() {
                    "invalid JSON (truncated?)"
                } else {
                    "invalid JSON"
                };
                failure = Some(InputError::new(name, None, "$", format!("{reason}: {e}")));
                break;
            }
        }
    }
    let several = values.len() > 1;
    for (start, value) in values {
        let line = several.then(|| {
            let newlines = buf[..start].iter().filter(|&&b| b == b'\n').count();
            u64::try_from(newlines)
                .unwrap_or(u64::MAX)
                .saturating_add(1)
        });
        let ctx = Ctx {
            file: name.to_string(),
            line,
        };
        sink(Ok((value, ctx)));
    }
    if let Some(e) = failure {
        sink(Err(e));
    }
}
