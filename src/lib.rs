//! tfremedy: GuardDuty findings in, reviewable Terraform out.
//!
//! Data flows one way: `read` (every input shape into `model`) -> `plan` (pure merge into a `Plan`) ->
//! `render` (tera templates, escaped for HCL and Markdown) -> `write` (the only code touching the output
//! directory). `finding_types` and `fixes` are the two registries; `app` wires the commands.

pub mod app;
#[cfg(feature = "aws")]
pub mod aws;
pub mod aws_managed_key;
pub mod cli;
pub mod code_changes;
pub mod datafile;
pub mod error;
pub mod evaluate;
pub mod finding_types;
pub mod fixes;
pub mod harden;
pub mod header;
pub mod inventory;
pub mod model;
pub mod monitor;
pub mod patch;
pub mod plan;
pub mod policy;
pub mod principals;
pub mod queries;
pub mod read;
pub mod render;
pub mod scan;
pub mod validate;
pub mod write;
