//! `tfremedy fetch` and `--from-guardduty`: findings read straight from GuardDuty with read-only calls
//! (ListDetectors, ListFindings, GetFindings) through aws-sdk-guardduty.
//!
//! ListFindings is paginated (50 ids a page); GetFindings is called with at most 50 ids, its limit.
//! Each batch is turned back into GuardDuty's wire JSON (`wire`) and handed on at once, so a large
//! fetch is never held whole. Throttling and transient errors are retried by the SDK (see
//! [`super::sdk_config`]). The criteria are sent to GuardDuty; type patterns with `*`, which its
//! criteria cannot express, are applied here after the fetch.

use super::{error_line, AwsError, AwsOptions, ErrorKind};
use aws_sdk_guardduty::types::{Condition, FindingCriteria, OrderBy, SortCriteria};
use aws_sdk_guardduty::Client;
use serde_json::{json, Value};

/// GetFindings takes at most 50 ids; ListFindings returns at most 50 a page.
pub const BATCH: usize = 50;

/// Regions of the `aws` partition where GuardDuty runs, for `--all-regions`. Opt-in regions the
/// account has not enabled answer with an authentication error and are skipped.
pub const REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// Which findings to fetch, and from where. Values are checked by the caller (`app`).
#[derive(Debug, Clone, Default)]
pub struct FetchOptions {
    pub aws: AwsOptions,
    /// Regions to read; empty means the standard chain's region.
    pub regions: Vec<String>,
    /// Every region of [`REGIONS`] that has a detector (regions without one are skipped).
    pub all_regions: bool,
    /// The detector; default: the region's only one (ListDetectors).
    pub detector_id: Option<String>,
    /// Exactly these findings (no criteria).
    pub finding_ids: Vec<String>,
    /// Finding types; `*` matches any run of characters.
    pub types: Vec<String>,
    /// Lowest severity (1.0 to 10.0).
    pub min_severity: Option<f64>,
    /// Only findings updated at or after this time, epoch milliseconds.
    pub updated_since_ms: Option<i64>,
    pub accounts: Vec<String>,
    pub include_archived: bool,
}

/// One GetFindings answer: `{"findings": [...]}` in wire form, and where it came from
/// (`guardduty:REGION/DETECTOR`), for the reader's error messages.
#[derive(Debug, Clone)]
pub struct Batch {
    pub source: String,
    pub body: Value,
}

/// What a fetch did, for the summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchReport {
    /// Regions read, with their detector.
    pub regions: Vec<(String, String)>,
    /// Regions skipped under `--all-regions`, and why.
    pub skipped: Vec<(String, String)>,
    pub listed: usize,
    pub fetched: usize,
}

/// Fetches the findings, calling `sink` with each batch as it arrives.
pub fn fetch(
    options: &FetchOptions,
    sink: &mut dyn FnMut(Batch) -> Result<(), AwsError>,
) -> Result<FetchReport, AwsError> {
    super::runtime()?.block_on(fetch_all(options, sink))
}

async fn fetch_all(
    options: &FetchOptions,
    sink: &mut dyn FnMut(Batch) -> Result<(), AwsError>,
) -> Result<FetchReport, AwsError> {
    let base = super::sdk_config(&options.aws).await;
    let regions: Vec<String> = if options.all_regions {
        REGIONS.iter().map(|r| r.to_string()).collect()
    } else if options.regions.is_empty() {
        vec![base.region().map(|r| r.to_string()).unwrap_or_default()]
    } else {
        options.regions.clone()
    };
    let mut report = FetchReport::default();
    for region in &regions {
        let config = aws_sdk_guardduty::config::Builder::from(&base)
            .region(aws_sdk_guardduty::config::Region::new(region.clone()))
            .build();
        let client = Client::from_conf(config);
        let detector = match detector(&client, region, options).await {
            Ok(d) => d,
            Err(Unread::Skip(why)) if options.all_regions => {
                report.skipped.push((region.clone(), why));
                continue;
            }
            Err(Unread::Skip(why)) => return Err(AwsError(why)),
            Err(Unread::Fatal(e)) => return Err(e),
        };
        let ids = finding_ids(&client, &detector, options).await?;
        report.listed += ids.len();
        report.regions.push((region.clone(), detector.clone()));
        let source = format!("guardduty:{region}/{detector}");
        for chunk in ids.chunks(BATCH) {
            let out = client
                .get_findings()
                .detector_id(&detector)
                .set_finding_ids(Some(chunk.to_vec()))
                .send()
                .await
                .map_err(|e| fatal("GetFindings", region, &e))?;
            // GuardDuty answers in any order: keep the order the ids were listed in.
            let mut findings: Vec<(usize, Value)> = out
                .findings()
                .iter()
                .filter(|f| type_wanted(f.r#type().unwrap_or_default(), &options.types))
                .filter(|f| {
                    options
                        .min_severity
                        .is_none_or(|min| f.severity().unwrap_or(0.0) >= min)
                })
                .map(|f| {
                    let at = chunk
                        .iter()
                        .position(|id| Some(id.as_str()) == f.id())
                        .unwrap_or(usize::MAX);
                    (at, super::wire::finding(f))
                })
                .collect();
            findings.sort_by_key(|(at, _)| *at);
            report.fetched += findings.len();
            let findings: Vec<Value> = findings.into_iter().map(|(_, f)| f).collect();
            sink(Batch {
                source: source.clone(),
                body: json!({ "findings": findings }),
            })?;
        }
    }
    if report.regions.is_empty() {
        let why = report
            .skipped
            .iter()
            .map(|(r, why)| format!("{r}: {why}"))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(AwsError(format!(
            "no region has a GuardDuty detector this caller can read ({why})"
        )));
    }
    Ok(report)
}

/// Why a region is not read.
enum Unread {
    /// This region only: no detector, access denied there (a region-deny policy), or an opt-in
    /// region the account has not enabled. `--all-regions` goes on with the others.
    Skip(String),
    /// Every region would fail the same way (no credentials, no network).
    Fatal(AwsError),
}

/// Error codes of a region the account has not enabled (opt-in regions), or denies.
const REGION_OFF: &[&str] = &[
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "AuthFailure",
];

async fn detector(client: &Client, region: &str, options: &FetchOptions) -> Result<String, Unread> {
    if let Some(id) = &options.detector_id {
        return Ok(id.clone());
    }
    let mut ids = Vec::new();
    let mut token = None;
    loop {
        let out = client
            .list_detectors()
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| {
                use aws_sdk_guardduty::error::ProvideErrorMetadata;
                let off = e.code().is_some_and(|c| REGION_OFF.contains(&c));
                match error_line(&format!("guardduty:ListDetectors in {region}"), &e) {
                    _ if off && options.all_regions => {
                        Unread::Skip("not enabled for this account".to_string())
                    }
                    ErrorKind::Call(line) => {
                        Unread::Skip(format!("guardduty:ListDetectors in {region}: {line}"))
                    }
                    ErrorKind::Fatal(e) => Unread::Fatal(e),
                }
            })?;
        ids.extend(out.detector_ids().iter().cloned());
        token = out
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    match ids.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Unread::Skip(format!(
            "no GuardDuty detector in {region}: enable GuardDuty there, or name another region with --region"
        ))),
        _ => Err(Unread::Skip(format!(
            "{} detectors in {region}: pick one with --detector-id",
            ids.len()
        ))),
    }
}

async fn finding_ids(
    client: &Client,
    detector: &str,
    options: &FetchOptions,
) -> Result<Vec<String>, AwsError> {
    if !options.finding_ids.is_empty() {
        return Ok(options.finding_ids.clone());
    }
    let region = client
        .config()
        .region()
        .map(|r| r.to_string())
        .unwrap_or_default();
    let mut ids = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = client
            .list_findings()
            .detector_id(detector)
            .finding_criteria(criteria(options))
            .sort_criteria(
                SortCriteria::builder()
                    .attribute_name("updatedAt")
                    .order_by(OrderBy::Asc)
                    .build(),
            )
            .max_results(BATCH as i32)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| fatal("ListFindings", &region, &e))?;
        ids.extend(out.finding_ids().iter().cloned());
        token = out
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(ids)
}

/// The criteria GuardDuty can apply itself.
fn criteria(options: &FetchOptions) -> FindingCriteria {
    let equals = |values: &[String]| {
        Condition::builder()
            .set_equals(Some(values.to_vec()))
            .build()
    };
    let mut c = FindingCriteria::builder();
    let exact: Vec<String> = options
        .types
        .iter()
        .filter(|t| !t.contains('*'))
        .cloned()
        .collect();
    if !options.types.is_empty() && exact.len() == options.types.len() {
        c = c.criterion("type", equals(&exact));
    } else {
        // Patterns are matched here; GuardDuty narrows to the resources tfremedy remediates.
        c = c.criterion(
            "resource.resourceType",
            equals(&["S3Bucket".to_string(), "AccessKey".to_string()]),
        );
    }
    if let Some(s) = options.min_severity {
        // Criteria take whole numbers; the exact bound is applied by the planner's reader too.
        #[allow(clippy::cast_possible_truncation)]
        let floor = s.floor() as i64;
        c = c.criterion(
            "severity",
            Condition::builder().greater_than_or_equal(floor).build(),
        );
    }
    if let Some(ms) = options.updated_since_ms {
        c = c.criterion(
            "updatedAt",
            Condition::builder().greater_than_or_equal(ms).build(),
        );
    }
    if !options.accounts.is_empty() {
        c = c.criterion("accountId", equals(&options.accounts));
    }
    if !options.include_archived {
        c = c.criterion("service.archived", equals(&["false".to_string()]));
    }
    c.build()
}

/// `--min-severity`: a number from 1 to 10, or GuardDuty's level names (their lower bounds).
pub fn parse_min_severity(s: &str) -> Result<f64, String> {
    let value = match s.to_ascii_lowercase().as_str() {
        "low" => 1.0,
        "medium" => 4.0,
        "high" => 7.0,
        "critical" => 9.0,
        other => other.parse::<f64>().map_err(|_| {
            format!("expected a number from 1 to 10 or low, medium, high, critical, found {s:?}")
        })?,
    };
    if (1.0..=10.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("expected a number from 1 to 10, found {s:?}"))
    }
}

/// `--since`: an RFC 3339 UTC time, or an age before `now_ms` (`90m`, `12h`, `7d`); epoch ms.
pub fn parse_since(s: &str, now_ms: i64) -> Result<i64, String> {
    let expected = || {
        format!("expected an RFC 3339 UTC time (2026-11-01T00:00:00Z) or an age (90m, 12h, 7d), found {s:?}")
    };
    if let Some(unit) = s.chars().last().filter(|c| matches!(c, 'm' | 'h' | 'd')) {
        let n: i64 = s[..s.len() - 1].parse().map_err(|_| expected())?;
        let minutes = match unit {
            'm' => 1,
            'h' => 60,
            _ => 24 * 60,
        };
        if !(1..=10 * 365 * 24 * 60).contains(&(n * minutes)) {
            return Err(expected());
        }
        return Ok(now_ms - n * minutes * 60_000);
    }
    crate::validate::utc_timestamp(s).map_err(|_| expected())?;
    let t = aws_sdk_guardduty::primitives::DateTime::from_str(
        s,
        aws_sdk_guardduty::primitives::DateTimeFormat::DateTime,
    )
    .map_err(|_| expected())?;
    t.to_millis().map_err(|_| expected())
}

/// Whether a finding type matches one of the patterns (`*` is any run of characters); no pattern
/// matches everything.
pub fn type_wanted(finding_type: &str, patterns: &[String]) -> bool {
    patterns.is_empty() || patterns.iter().any(|p| glob(p, finding_type))
}

fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

fn fatal<E, R>(call: &str, region: &str, err: &aws_sdk_guardduty::error::SdkError<E, R>) -> AwsError
where
    E: aws_sdk_guardduty::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let call = format!("guardduty:{call} in {region}");
    error_line(&call, err).into_error(&call)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_and_times_parse() {
        assert_eq!(parse_min_severity("high"), Ok(7.0));
        assert_eq!(parse_min_severity("5.5"), Ok(5.5));
        assert!(parse_min_severity("11").is_err());
        assert!(parse_min_severity("severe").is_err());
        let now = 1_800_000_000_000;
        assert_eq!(parse_since("7d", now), Ok(now - 7 * 86_400_000));
        assert_eq!(parse_since("90m", now), Ok(now - 90 * 60_000));
        assert_eq!(
            parse_since("2026-11-01T00:00:00Z", now),
            Ok(1_793_491_200_000)
        );
        assert!(parse_since("yesterday", now).is_err());
        assert!(parse_since("0d", now).is_err());
    }

    #[test]
    fn globs_match_finding_types() {
        const S3: &str = "Discovery:S3/MaliciousIPCaller.Custom";
        let cases = [
            (S3, "*:S3/*", true),
            (S3, S3, true),
            ("Discovery:S3/MaliciousIPCaller", S3, false),
            ("Policy:IAMUser/RootCredentialUsage", "*:IAMUser/*", true),
            ("Recon:EC2/PortProbeUnprotectedPort", "*:IAMUser/*", false),
            ("a*b", "a**b", true),
            ("ab", "a*b*b", false),
        ];
        for (finding_type, pattern, wanted) in cases {
            let got = type_wanted(finding_type, &[pattern.to_string()]);
            assert_eq!(got, wanted, "{finding_type} ~ {pattern}");
        }
        assert!(type_wanted(S3, &[]));
    }
}
