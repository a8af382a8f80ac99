//! Turns one input (a file, a directory, or `-` for stdin) into JSON documents: walks directories,
//! undoes gzip, and tells a single (possibly pretty-printed) JSON document from JSON Lines — all from
//! the content, never the file name.
//!
//! JSON Lines are read one line at a time into a reused buffer, so a large export is never held in
//! memory; a single JSON document is read whole.

use super::envelope::{self, EXPECTED};
use super::Item;
use crate::error::InputError;
use crate::model::{Origin, Warning};
use flate2::read::MultiGzDecoder;
use serde_json::Value;
use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind, Read};
use std::path::Path;
use walkdir::WalkDir;

const EXTENSIONS: &[&str] = &[".json", ".jsonl", ".ndjson", ".gz"];

pub(crate) fn input(input: &str, stdin: &mut dyn Read, sink: &mut dyn FnMut(Item)) {
    if input == "-" {
        stream(input, stdin, sink);
        return;
    }
    match std::fs::metadata(input) {
        Err(e) => sink(Item::Error(io_error(input, None, "cannot read", &e))),
        Ok(meta) if meta.is_dir() => directory(input, sink),
        Ok(_) => file(input, Path::new(input), sink),
    }
}

fn file(name: &str, path: &Path, sink: &mut dyn FnMut(Item)) {
    match File::open(path) {
        Ok(mut f) => stream(name, &mut f, sink),
        Err(e) => sink(Item::Error(io_error(name, None, "cannot read", &e))),
    }
}

fn directory(root: &str, sink: &mut dyn FnMut(Item)) {
    let found = walk_files(root, EXTENSIONS, &mut |entry| match entry {
        Ok((name, path)) => file(name, path, sink),
        Err(e) => sink(Item::Error(e)),
    });
    if !found {
        sink(Item::Warning(Warning {
            origin: Origin {
                file: root.to_string(),
                line: None,
                path: "$".to_string(),
            },
            message: format!(
                "directory has no {} files; nothing read from it",
                EXTENSIONS.join(", ")
            ),
        }));
    }
}

/// A file found by `walk_files`: its name as shown to the user, and its path.
pub(crate) type WalkedFile<'a> = (&'a str, &'a Path);

/// Walks `root` recursively in sorted order, skipping hidden entries (but not a hidden root the user
/// named), and calls `visit` with each file whose name ends with one of `extensions`, or with the
/// error of a directory entry that cannot be read, in walk order. Returns whether any file matched. Shared by the finding
/// and inventory readers so both walk a directory the same way.
pub(crate) fn walk_files(
    root: &str,
    extensions: &[&str],
    visit: &mut dyn FnMut(Result<WalkedFile<'_>, InputError>),
) -> bool {
    let walker = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    let mut found = false;
    for entry in walker {
        match entry {
            Err(e) => {
                let name = e
                    .path()
                    .map_or_else(|| root.to_string(), |p| p.display().to_string());
                visit(Err(InputError::new(
                    name,
                    None,
                    "$",
                    format!("cannot read: {e}"),
                )));
            }
            Ok(entry) if entry.file_type().is_file() => {
                let lower = entry.file_name().to_string_lossy().to_ascii_lowercase();
                if extensions.iter().any(|ext| lower.ends_with(ext)) {
                    found = true;
                    visit(Ok((&entry.path().display().to_string(), entry.path())));
                }
            }
            Ok(_) => {}
        }
    }
    found
}

fn io_error(file: &str, line: Option<u64>, what: &str, e: &std::io::Error) -> InputError {
    InputError::new(file, line, "$", format!("{what}: {e}"))
}

/// Reads one byte stream, undoing gzip if its first two bytes say so.
fn stream(name: &str, reader: &mut dyn Read, sink: &mut dyn FnMut(Item)) {
    let mut magic = [0u8; 2];
    let mut got = 0;
    while got < magic.len() {
        match reader.read(&mut magic[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => {
                sink(Item::Error(io_error(name, None, "cannot read", &e)));
                return;
            }
        }
    }
    let head = &magic[..got];
    let rest = head.chain(reader);
    if head == [0x1f, 0x8b] {
        let mut decoded = BufReader::new(MultiGzDecoder::new(rest));
        documents(name, &mut decoded, "not valid gzip", sink);
    } else {
        let mut plain = BufReader::new(rest);
        documents(name, &mut plain, "cannot read", sink);
    }
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// A line without its line ending, so that serde_json reports a truncated line at its last column
/// rather than at column 0 of a line that does not exist.
fn without_newline(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Reads one line into `buf` (appending); `Ok(false)` at end of input.
fn next_line(reader: &mut dyn BufRead, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    loop {
        match reader.read_until(b'\n', buf) {
            Ok(n) => return Ok(n > 0),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Splits a decoded stream into JSON documents. The first non-blank line decides: if it is a complete
/// JSON value, the input is JSON Lines (or a one-line document, if nothing follows); otherwise it is
/// the start of a single, multi-line document.
fn documents(name: &str, reader: &mut dyn BufRead, io_what: &str, sink: &mut dyn FnMut(Item)) {
    let fail =
        |line: Option<u64>, e: &std::io::Error| Item::Error(io_error(name, line, io_what, e));
    // Leading blank lines stay in `buf` so that serde_json's line numbers match the file's.
    let mut buf = Vec::new();
    let mut line_no: u64 = 0;
    loop {
        let start = buf.len();
        match next_line(reader, &mut buf) {
            Ok(true) => line_no += 1,
            Ok(false) => {
                sink(Item::Error(InputError::new(
                    name,
                    None,
                    "$",
                    format!("empty input: {EXPECTED} (as JSON or JSON Lines)"),
                )));
                return;
            }
            Err(e) => return sink(fail(None, &e)),
        }
        if !is_blank(&buf[start..]) {
            break;
        }
    }
    // A UTF-8 byte order mark is not JSON but some Windows tools write one.
    if buf.starts_with(b"\xef\xbb\xbf") {
        buf.drain(..3);
    }
    match serde_json::from_slice::<Value>(without_newline(&buf)) {
        Ok(first) => lines(name, reader, io_what, Some((line_no, first)), line_no, sink),
        Err(e) if e.is_eof() => whole(name, reader, io_what, buf, sink),
        Err(e) => {
            sink(Item::Error(line_error(name, line_no, &e)));
            lines(name, reader, io_what, None, line_no, sink);
        }
    }
}

/// JSON Lines from the line after `line_no` on. `pending` is the first line's value, held back until
/// we know whether it was alone (a one-line document, reported without a line number).
fn lines(
    name: &str,
    reader: &mut dyn BufRead,
    io_what: &str,
    mut pending: Option<(u64, Value)>,
    mut line_no: u64,
    sink: &mut dyn FnMut(Item),
) {
    // After a bad first line, go on only if the next line is JSON: otherwise this is not JSON Lines
    // at all, and one error says so better than one per line.
    let confirmed = pending.is_some();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match next_line(reader, &mut buf) {
            Ok(true) => line_no += 1,
            Ok(false) => break,
            Err(e) => {
                sink(Item::Error(io_error(name, Some(line_no + 1), io_what, &e)));
                return;
            }
        }
        if is_blank(&buf) {
            continue;
        }
        if let Some((first_line, value)) = pending.take() {
            envelope::document(&value, "$", name, Some(first_line), sink);
        }
        match serde_json::from_slice::<Value>(without_newline(&buf)) {
            Ok(value) => {
                envelope::document(&value, "$", name, Some(line_no), sink);
                // Two lines of JSON: this is JSON Lines, the rest is parsed on every core.
                return rest_in_parallel(name, reader, io_what, line_no, sink);
            }
            Err(_) if !confirmed => return,
            Err(e) => sink(Item::Error(line_error(name, line_no, &e))),
        }
    }
    if let Some((_, value)) = pending {
        envelope::document(&value, "$", name, None, sink);
    }
}

/// Lines handed to a parser thread at a time.
const BATCH: usize = 256;

/// The lines of one JSON Lines batch, each with its line number, parsed in input order.
fn parse_batch(name: &str, batch: Vec<(u64, Vec<u8>)>) -> Vec<Item> {
    let mut items = Vec::new();
    for (line_no, line) in batch {
        match serde_json::from_slice::<Value>(without_newline(&line)) {
            Ok(value) => {
                envelope::document(&value, "$", name, Some(line_no), &mut |i| items.push(i))
            }
            Err(e) => items.push(Item::Error(line_error(name, line_no, &e))),
        }
    }
    items
}

/// JSON Lines after `line_no`, known to be JSON Lines: this thread reads (and un-gzips) batches of
/// lines, parser threads turn them into items, and the items reach `sink` in input order, so the
/// result is the same whatever the threads' timing. Parsing is most of a large export's reading
/// time, so it pays on two cores; the channels are bounded, so memory stays a few batches.
fn rest_in_parallel(
    name: &str,
    reader: &mut dyn BufRead,
    io_what: &str,
    mut line_no: u64,
    sink: &mut dyn FnMut(Item),
) {
    use std::collections::BTreeMap;
    use std::sync::mpsc;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let mut io_failure = None;
    let mut read_batch = || -> Vec<(u64, Vec<u8>)> {
        let mut batch = Vec::with_capacity(BATCH);
        while batch.len() < BATCH && io_failure.is_none() {
            let mut buf = Vec::new();
            match next_line(reader, &mut buf) {
                Ok(true) => line_no += 1,
                Ok(false) => break,
                Err(e) => {
                    io_failure = Some(io_error(name, Some(line_no + 1), io_what, &e));
                    break;
                }
            }
            if !is_blank(&buf) {
                batch.push((line_no, buf));
            }
        }
        batch
    };
    let (jobs, job_queue) = mpsc::sync_channel::<(usize, Vec<(u64, Vec<u8>)>)>(workers);
    let job_queue = std::sync::Mutex::new(job_queue);
    std::thread::scope(|s| {
        let (done, finished) = mpsc::channel::<(usize, Vec<Item>)>();
        for _ in 0..workers {
            let (done, job_queue) = (done.clone(), &job_queue);
            s.spawn(move || loop {
                let job = match job_queue.lock() {
                    Ok(queue) => queue.recv(),
                    Err(_) => return,
                };
                let Ok((index, batch)) = job else { return };
                if done.send((index, parse_batch(name, batch))).is_err() {
                    return;
                }
            });
        }
        drop(done);
        let mut ready = BTreeMap::new();
        let mut next = 0;
        let mut emit = |ready: &mut BTreeMap<usize, Vec<Item>>| {
            while let Some(items) = ready.remove(&next) {
                items.into_iter().for_each(&mut *sink);
                next += 1;
            }
        };
        for index in 0.. {
            let batch = read_batch();
            if batch.is_empty() || jobs.send((index, batch)).is_err() {
                break;
            }
            ready.extend(finished.try_iter());
            emit(&mut ready);
        }
        drop(jobs);
        for (index, items) in finished {
            ready.insert(index, items);
            emit(&mut ready);
        }
    });
    if let Some(e) = io_failure {
        sink(Item::Error(e));
    }
}

/// serde_json counts lines within the one line it was given; report the file's line and the column.
fn line_error(name: &str, line_no: u64, e: &serde_json::Error) -> InputError {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let reason = text.strip_suffix(&suffix).unwrap_or(&text);
    InputError::new(
        name,
        Some(line_no),
        "$",
        format!("invalid JSON at column {}: {reason}", e.column()),
    )
}

/// A single JSON document (or several concatenated ones, as `jq` prints them), read whole.
fn whole(
    name: &str,
    reader: &mut dyn BufRead,
    io_what: &str,
    mut buf: Vec<u8>,
    sink: &mut dyn FnMut(Item),
) {
    if let Err(e) = reader.read_to_end(&mut buf) {
        sink(Item::Error(io_error(name, None, io_what, &e)));
        return;
    }
    let mut values = Vec::new();
    let mut parsed = serde_json::Deserializer::from_slice(&buf).into_iter::<Value>();
    let mut offset = 0;
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
                emit_all(name, &buf, values, sink);
                let reason = if e.is_eof() {
                    "invalid JSON (truncated?)"
                } else {
                    "invalid JSON"
                };
                sink(Item::Error(InputError::new(
                    name,
                    None,
                    "$",
                    format!("{reason}: {e}"),
                )));
                return;
            }
        }
    }
    emit_all(name, &buf, values, sink);
}

fn emit_all(name: &str, buf: &[u8], values: Vec<(usize, Value)>, sink: &mut dyn FnMut(Item)) {
    let several = values.len() > 1;
    for (start, value) in values {
        // Several concatenated documents are told apart by the line each starts on.
        let line = several.then(|| {
            let newlines = buf[..start].iter().filter(|&&b| b == b'\n').count();
            u64::try_from(newlines)
                .unwrap_or(u64::MAX)
                .saturating_add(1)
        });
        envelope::document(&value, "$", name, line, sink);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Many batches, bad lines among them, blank lines, no final newline: the items come out in
    /// input order with the file's line numbers, as one thread would give them.
    #[test]
    fn json_lines_read_in_parallel_keep_input_order() {
        let seed = include_str!(
            "../../tests/fixtures/findings/discovery-s3-maliciousipcaller-custom.json"
        )
        .trim()
        .to_string();
        let mut text = String::new();
        let bad = [3_usize, 700, 701, 1999];
        for n in 1..=2000 {
            if bad.contains(&n) {
                text.push_str("{\"not json\n");
            } else if n == 1000 {
                text.push('\n');
            } else {
                text.push_str(
                    &seed.replace("52bf27df0ab00afa53e3268714f20319", &format!("{n:032x}")),
                );
                text.push('\n');
            }
        }
        text.pop();
        let mut items = Vec::new();
        stream("export.jsonl", &mut text.as_bytes(), &mut |i| items.push(i));
        let mut lines = Vec::new();
        for item in &items {
            match item {
                Item::Finding(f) => {
                    assert_eq!(f.id, format!("{:032x}", f.origin.line.unwrap()));
                    lines.push(f.origin.line.unwrap());
                }
                Item::Error(e) => {
                    assert!(e.to_string().contains("invalid JSON"), "{e}");
                    lines.push(e.line.unwrap());
                }
                Item::Warning(_) => {}
            }
        }
        let expected: Vec<u64> = (1..=2000).filter(|n| *n != 1000).collect();
        assert_eq!(lines, expected);
    }
}
