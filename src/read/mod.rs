//! Reading GuardDuty findings from files, directories and stdin into the project's model.
//!
//! Every supported shape is recognised from the content: gzip, JSON or JSON Lines, a bare camelCase
//! finding, `{"Findings": [...]}` (GuardDuty CLI/SDK, PascalCase — or Security Hub, ASFF),
//! `{"findings": [...]}` (GetFindings API body), an EventBridge event (GuardDuty's, or Security Hub's
//! "Findings - Imported" carrying ASFF), a Security Hub ASFF finding, or an array of any of these.
//! A bad input or a bad finding becomes an [`InputError`] naming the file, line, JSON path and what
//! was expected, and reading goes on with the rest. Values that reach generated code are validated
//! on the way in (see [`crate::validate`]).
//!
//! Layout: `source` (files, directories, stdin, gzip, JSON vs JSON Lines), `envelope` (what a document
//! is), `camel` (GuardDuty's own finding shape, either casing), `asff` (Security Hub), `node` (paths
//! and per-finding context).

mod asff;
mod camel;
mod envelope;
mod node;
mod source;

// Shared with the inventory reader, which walks, names paths and describes values the same way.
pub(crate) use node::{describe, kind, push_index, push_key};
pub(crate) use source::walk_files;

use crate::error::InputError;
use crate::model::{Finding, Warning};

/// Everything read from a set of inputs.
#[derive(Debug, Default)]
pub struct ReadOutcome {
    pub findings: Vec<Finding>,
    pub warnings: Vec<Warning>,
    pub errors: Vec<InputError>,
    /// Warning messages already kept.
    seen: std::collections::BTreeSet<String>,
}

impl ReadOutcome {
    /// Keeps one item. The same warning (a legacy bucket name, say) comes with every finding of an
    /// export: it is kept once.
    pub fn add(&mut self, item: Item) {
        match item {
            Item::Finding(f) => self.findings.push(f),
            Item::Warning(w) => {
                if self.seen.insert(w.message.clone()) {
                    self.warnings.push(w);
                }
            }
            Item::Error(e) => self.errors.push(e),
        }
    }
}

/// One thing read from an input, in input order. A finding's warnings come just before it.
// Items go to the sink one at a time and are not stored side by side, so boxing the finding would
// only add an allocation per finding.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Finding(Finding),
    Warning(Warning),
    Error(InputError),
}

/// Reads every input (a path, a directory, or "-" for stdin), in the order given; directories are
/// walked recursively (sorted by file name, files ending .json, .jsonl, .ndjson, .gz; hidden entries
/// skipped). A bad input or a bad finding is recorded in `errors` and reading goes on with the rest.
pub fn read_inputs(inputs: &[String], stdin: &mut dyn std::io::Read) -> ReadOutcome {
    let mut outcome = ReadOutcome::default();
    for input in inputs {
        for_each_finding(input, stdin, &mut |item| outcome.add(item));
    }
    outcome
}

/// Reads the findings of one JSON document already parsed (a GetFindings answer fetched through the
/// SDK, say); `source` names it in errors, as a file name would.
pub fn read_value(value: &serde_json::Value, source: &str, sink: &mut dyn FnMut(Item)) {
    envelope::document(value, "$", source, None, sink);
}

/// Streaming form for large inputs: calls `sink` for each finding, warning or error as it is read.
/// JSON Lines are read line by line and never held whole in memory.
pub fn for_each_finding(input: &str, stdin: &mut dyn std::io::Read, sink: &mut dyn FnMut(Item)) {
    source::input(input, stdin, sink);
}
