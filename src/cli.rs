//! Command-line arguments, as clap sees them. Nothing here does I/O; `app` turns these into checked
//! options before reading anything.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Turns GuardDuty S3 findings into reviewable Terraform/OpenTofu and a pull-request description.
///
/// Exit codes: 0 ok, 1 drift (--check found files that would change), 2 error.
#[derive(Debug, Parser)]
#[command(name = "tfremedy", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write the Terraform change and PULL_REQUEST.md for the findings into --out.
    Remediate(RemediateArgs),
    /// Harden every bucket of an inventory (AWS Config items, `terraform show -json`) into --out.
    Harden(HardenArgs),
    /// Print the triage report (runbook steps 1, 2 and 7) for the findings.
    Explain(ExplainArgs),
    /// Read findings from GuardDuty (read-only calls) and write them as JSON Lines.
    Fetch(FetchArgs),
    /// List what a Terraform tree already manages: bucket -> resources and module calls (file:line),
    /// trails and log groups.
    Scan(ScanArgs),
    /// List the supported finding types and the fixes each gets.
    ListTypes,
    /// List the fixes tfremedy can generate.
    ListFixes,
}

#[derive(Debug, clap::Args)]
pub struct RemediateArgs {
    /// Finding files or directories (JSON, JSON Lines, gzip; any GuardDuty envelope); `-` for stdin.
    #[arg(required_unless_present = "from_guardduty", value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// Also read findings straight from GuardDuty (see the GuardDuty options).
    #[arg(long)]
    pub from_guardduty: bool,
    #[command(flatten)]
    pub guardduty: GuardDutyArgs,
    /// Output directory (a Terraform child module); re-running merges into it.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The bucket's current policy, as `aws s3api get-bucket-policy` prints it or raw JSON.
    #[arg(long = "bucket-policy", value_name = "BUCKET=FILE")]
    pub bucket_policies: Vec<String>,
    /// Only these fixes, comma-separated (see `tfremedy list-fixes`); the others are switched off in the
    /// data file for the buckets, account and principals of these findings.
    #[arg(long, value_delimiter = ',', value_name = "FIX,...")]
    pub only: Vec<String>,
    /// Leave these fixes out, comma-separated (switched off in the data file).
    #[arg(long, value_delimiter = ',', value_name = "FIX,...")]
    pub skip: Vec<String>,
    /// The buckets' current state (AWS Config items, `terraform show -json`): existing policies are then
    /// merged for real, and current encryption is respected.
    #[arg(long = "inventory", value_name = "FILE")]
    pub inventory: Vec<String>,
    /// Also read the current state of the findings' buckets (and of every --bucket) live from S3, with
    /// read-only calls; it wins over --inventory files for the buckets it reads.
    #[arg(long)]
    pub from_aws: bool,
    /// With --from-aws: a further bucket to read.
    #[arg(long = "bucket", value_name = "NAME", requires = "from_aws")]
    pub buckets: Vec<String>,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Your Terraform (repeatable): what it already manages for a bucket is not created a second time;
    /// the PR says what to change in your code instead (see `tfremedy scan`).
    #[arg(long = "terraform-dir", value_name = "DIR")]
    pub terraform_dirs: Vec<PathBuf>,
    /// With --terraform-dir: make those edits in your files (comments and formatting kept; a second
    /// run changes nothing). Without it they are written as code-changes.diff beside the module.
    #[arg(long, requires = "terraform_dirs")]
    pub patch: bool,
    /// Alarm on an existing (organisation) trail's CloudWatch Logs group instead of creating a trail.
    #[arg(long, value_name = "LOG_GROUP")]
    pub existing_log_group: Option<String>,
    /// The name your root module gives this directory's module call (for the import blocks it must hold).
    #[arg(long, value_name = "NAME", default_value = "tfremedy")]
    pub module_name: String,
    /// Also write `organization/`: a resource control policy denying S3 access from every denied CIDR,
    /// for IP lists that outgrow bucket policies or should cover every bucket of the organisation.
    #[arg(long)]
    pub org_rcp: bool,
    /// Plan archived findings too (they are skipped by default).
    #[arg(long)]
    pub include_archived: bool,
    /// Leave GuardDuty's sample findings out (they are planned, and flagged, by default).
    #[arg(long)]
    pub skip_samples: bool,
    /// Write nothing; exit 1 if regenerating would change any file.
    #[arg(long)]
    pub check: bool,
    /// Overwrite generated files even if they were edited by hand.
    #[arg(long)]
    pub force: bool,
    /// What to print on stdout: a summary, or the plan as JSON.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct HardenArgs {
    /// Inventory files or directories (AWS Config configuration items, `terraform show -json`); `-` for stdin.
    #[arg(long = "inventory", required_unless_present = "from_aws", num_args = 1.., value_name = "FILE")]
    pub inventory: Vec<String>,
    /// Read the --bucket buckets' state live from S3 with read-only calls (it wins over --inventory
    /// files for the buckets it reads). Their account is --account, else the caller's.
    #[arg(long, requires = "buckets")]
    pub from_aws: bool,
    /// With --from-aws: a bucket to read (repeatable).
    #[arg(long = "bucket", value_name = "NAME", requires = "from_aws")]
    pub buckets: Vec<String>,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Output directory; re-running merges into it.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The account, for inventories that do not say (Terraform state).
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// The region, for inventories that do not say (with --from-aws, S3 says).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Opt-in allow-list: deny S3 requests from anywhere else. Requires --break-glass.
    #[arg(long, value_delimiter = ',', value_name = "CIDR,...")]
    pub allow_cidrs: Vec<String>,
    /// VPC endpoints whose traffic stays allowed with --allow-cidrs.
    #[arg(long, value_delimiter = ',', value_name = "VPCE_ID,...")]
    pub allow_vpce: Vec<String>,
    /// VPCs whose endpoint traffic stays allowed with --allow-cidrs.
    #[arg(long, value_delimiter = ',', value_name = "VPC_ID,...")]
    pub allow_vpc: Vec<String>,
    /// IAM role or user ARNs that stay allowed from anywhere with --allow-cidrs (at least one).
    #[arg(long, value_delimiter = ',', value_name = "ARN,...")]
    pub break_glass: Vec<String>,
    /// Your Terraform (repeatable): what it already manages for a bucket is not created a second time;
    /// the PR says what to change in your code instead (see `tfremedy scan`).
    #[arg(long = "terraform-dir", value_name = "DIR")]
    pub terraform_dirs: Vec<PathBuf>,
    /// With --terraform-dir: make those edits in your files (comments and formatting kept; a second
    /// run changes nothing). Without it they are written as code-changes.diff beside the module.
    #[arg(long, requires = "terraform_dirs")]
    pub patch: bool,
    /// Leave the statements that allow anyone (reported in the PR text) out of each bucket's policy.
    /// Without it they are only reported.
    #[arg(long)]
    pub remove_public: bool,
    /// The name your root module gives this directory's module call.
    #[arg(long, value_name = "NAME", default_value = "tfremedy")]
    pub module_name: String,
    /// Write nothing; exit 1 if regenerating would change any file.
    #[arg(long)]
    pub check: bool,
    /// Overwrite generated files even if they were edited by hand.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// Finding files or directories; `-` for stdin.
    #[arg(required_unless_present = "from_guardduty", value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// Also read findings straight from GuardDuty (see the GuardDuty options).
    #[arg(long)]
    pub from_guardduty: bool,
    #[command(flatten)]
    pub guardduty: GuardDutyArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Report archived findings too (GuardDuty's are not fetched unless asked).
    #[arg(long)]
    pub include_archived: bool,
    /// Markdown report, or the plan as JSON.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Terraform directories (each a tree of modules; `.terraform/`, hidden folders and links that
    /// leave the tree are skipped).
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Text, or the index as JSON.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct FetchArgs {
    #[command(flatten)]
    pub guardduty: GuardDutyArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Fetch archived findings too.
    #[arg(long)]
    pub include_archived: bool,
    /// Write the JSON Lines to this file (atomically: all or nothing) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out_file: Option<PathBuf>,
}

/// Which GuardDuty findings to read (`fetch`, `--from-guardduty`). Without --finding-id, the
/// findings on S3 buckets and access keys (what tfremedy remediates) that are not archived.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "GuardDuty options")]
pub struct GuardDutyArgs {
    /// A region to read (repeatable; default: the region of the standard chain).
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// Every region that has a GuardDuty detector (regions without one are skipped).
    #[arg(long, conflicts_with = "regions")]
    pub all_regions: bool,
    /// The detector (default: the region's only detector).
    #[arg(long, value_name = "ID")]
    pub detector_id: Option<String>,
    /// Exactly this finding (repeatable); no other criteria apply.
    #[arg(long = "finding-id", value_name = "ID")]
    pub finding_ids: Vec<String>,
    /// A finding type, `*` matching anything (repeatable): `Discovery:S3/*`, `*:IAMUser/*`.
    #[arg(long = "type", value_name = "PATTERN")]
    pub types: Vec<String>,
    /// Lowest severity: a number from 1 to 10, or low (1), medium (4), high (7), critical (9).
    #[arg(long, value_name = "SEVERITY")]
    pub min_severity: Option<String>,
    /// Only findings updated since: an RFC 3339 UTC time (2026-11-01T00:00:00Z) or an age (90m, 12h, 7d).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Only findings of this account (repeatable; the delegated administrator sees every member).
    #[arg(long = "account", value_name = "ID")]
    pub accounts: Vec<String>,
}

impl GuardDutyArgs {
    /// Whether any GuardDuty option was given.
    pub fn any(&self) -> bool {
        !self.regions.is_empty()
            || self.all_regions
            || self.detector_id.is_some()
            || !self.finding_ids.is_empty()
            || !self.types.is_empty()
            || self.min_severity.is_some()
            || self.since.is_some()
            || !self.accounts.is_empty()
    }
}

/// How to reach AWS, for the commands that read from it. Credentials and the default region come from
/// the standard chain (environment, shared config and credentials files, SSO, roles), as for the AWS CLI.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AwsArgs {
    /// A named profile of the AWS config files (default: AWS_PROFILE, else the default chain).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Send the AWS calls to this endpoint (a VPC or FIPS endpoint, or a local test server).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}
