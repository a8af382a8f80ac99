//! The account-level monitor's numbers: trail selector values, metric filter patterns, and the AWS caps
//! they must respect, computed exactly as `templates/tf/modules/account-monitor` computes them.
//!
//! The module builds its selectors and filter patterns from the data file at plan time (so a new IP is
//! still a one-line change of `tfremedy_data.tf`); this file mirrors that computation so the tool can
//! refuse, before writing anything, what AWS would reject at apply time, and so the PR can show it.
//! Tests pin both sides to the same strings.

use crate::datafile::DataFile;
use serde::Serialize;
use std::collections::BTreeSet;

/// CloudWatch Logs: maximum length of a metric filter pattern.
pub const PATTERN_LIMIT: usize = 1024;
/// CloudWatch Logs: metric filters per log group.
pub const FILTERS_PER_LOG_GROUP: usize = 100;
/// CloudTrail: values across all advanced event selectors of one trail.
pub const SELECTOR_VALUES_PER_TRAIL: usize = 500;
/// IPs per filter: 14 of the longest IPv6 text (39 characters) still fit the pattern limit.
pub const IP_CHUNK: usize = 14;
/// Buckets per configuration-change filter: 6 of the longest bucket names (63 characters) fit.
pub const BUCKET_CHUNK: usize = 6;

/// CIS AWS Foundations Benchmark 3.8 (v1.2; 4.8 in later versions): S3 bucket policy changes.
pub const CIS_3_8: &str = "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }";
/// CIS AWS Foundations Benchmark 3.5 (v1.2; 4.5 in later versions): CloudTrail configuration changes.
pub const CIS_3_5: &str = "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }";

/// The bucket configuration changes CIS 3.8 does not cover.
const BUCKET_CONFIG_EVENTS: &[&str] = &[
    "PutBucketPublicAccessBlock",
    "DeleteBucketPublicAccessBlock",
    "PutBucketEncryption",
    "DeleteBucketEncryption",
    "PutBucketLogging",
];

/// What the monitor will hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonitorPlan {
    /// Plain IPs the alarms watch (denied `/32` and `/128` entries; wider CIDRs cannot be matched).
    pub blocked_ips: Vec<String>,
    /// Denied CIDRs wider than one address: denied, but not watched by an alarm.
    pub unwatched_cidrs: Vec<String>,
    /// `resources.ARN` StartsWith values of the data-event selector.
    pub selector_arn_prefixes: Vec<String>,
    pub selector_value_count: usize,
    /// Metric filters by key (`ips-00`, `bucket-config-00`, `cis-3-8`, `cis-3-5`), in module order.
    pub filters: Vec<(String, String)>,
    /// The same, one `key: pattern` per line, for the PR text.
    pub filters_text: String,
}

/// The most addresses one denied CIDR may hold and still be alarmed on address by address (a metric
/// filter matches exact strings, not ranges): the `/28` and `/124` that CIDR aggregation produces from
/// a few neighbouring IPs. Wider ranges are denied, but not watched.
pub const MAX_WATCHED_PER_CIDR: u32 = 16;

/// The addresses of a small CIDR, as Terraform's `cidrhost(cidr, i)` spells them; `None` for a wider
/// range. The generated root computes the same list (`local.tfremedy_blocked_ips`).
pub fn watched_addresses(cidr: &str) -> Option<Vec<String>> {
    let net: ipnet::IpNet = cidr.parse().ok()?;
    let host_bits = u32::from(net.max_prefix_len() - net.prefix_len());
    if host_bits > MAX_WATCHED_PER_CIDR.trailing_zeros() {
        return None;
    }
    let count = 1u32 << host_bits;
    let addrs = match net {
        ipnet::IpNet::V4(n) => {
            let base = u32::from(n.network());
            (0..count)
                .map(|i| std::net::Ipv4Addr::from(base + i).to_string())
                .collect()
        }
        ipnet::IpNet::V6(n) => {
            let base = u128::from(n.network());
            (0..count)
                .map(|i| std::net::Ipv6Addr::from(base + u128::from(i)).to_string())
                .collect()
        }
    };
    Some(addrs)
}

/// `{ ($.eventSource = "s3.amazonaws.com") && (($.sourceIPAddress = "IP") || ...) }` per chunk.
pub fn ip_patterns(ips: &[String]) -> Vec<String> {
    chunks(ips, IP_CHUNK)
        .iter()
        .map(|c| ip_pattern(c))
        .collect()
}

/// The IP filter pattern of one chunk.
pub fn ip_pattern(chunk: &[String]) -> String {
    let terms: Vec<String> = chunk
        .iter()
        .map(|ip| format!("($.sourceIPAddress = \"{ip}\")"))
        .collect();
    format!(
        "{{ ($.eventSource = \"s3.amazonaws.com\") && ({}) }}",
        terms.join(" || ")
    )
}

/// Bucket configuration changes on the named buckets, per chunk.
pub fn bucket_patterns(buckets: &[String]) -> Vec<String> {
    let events: Vec<String> = BUCKET_CONFIG_EVENTS
        .iter()
        .map(|e| format!("($.eventName = \"{e}\")"))
        .collect();
    chunks(buckets, BUCKET_CHUNK)
        .iter()
        .map(|chunk| {
            let names: Vec<String> = chunk
                .iter()
                .map(|b| format!("($.requestParameters.bucketName = \"{b}\")"))
                .collect();
            format!(
                "{{ ($.eventSource = \"s3.amazonaws.com\") && ({}) && ({}) }}",
                events.join(" || "),
                names.join(" || ")
            )
        })
        .collect()
}

/// Terraform's `chunklist(sort(distinct(list)), n)`.
fn chunks(items: &[String], n: usize) -> Vec<Vec<String>> {
    let sorted: BTreeSet<&String> = items.iter().collect();
    let sorted: Vec<String> = sorted.into_iter().cloned().collect();
    sorted.chunks(n).map(<[String]>::to_vec).collect()
}

/// The data-event selector's ARN prefixes: each bucket's objects.
pub fn selector_arn_prefixes(partition: &str, buckets: &[String]) -> Vec<String> {
    buckets
        .iter()
        .map(|b| format!("arn:{partition}:s3:::{b}/"))
        .collect()
}

/// Values across both selectors, as CloudTrail counts them: the data selector's `eventCategory` and
/// `resources.type` values plus one per prefix, and the management selector's `eventCategory` and
/// `readOnly`.
pub fn selector_value_count(buckets: usize) -> usize {
    2 + buckets + 2
}

/// Computes the monitor for the data file and checks it against the caps; the error says what to do.
pub fn plan(data: &DataFile, partition: &str) -> Result<Option<MonitorPlan>, String> {
    let Some(monitor) = &data.monitor else {
        return Ok(None);
    };
    let buckets: Vec<String> = data.buckets.keys().cloned().collect();
    let mut ips = BTreeSet::new();
    let mut unwatched = BTreeSet::new();
    for b in data.buckets.values() {
        for d in &b.deny {
            match watched_addresses(&d.cidr) {
                Some(addrs) => ips.extend(addrs),
                None => {
                    unwatched.insert(d.cidr.clone());
                }
            }
        }
    }
    let ips: Vec<String> = ips.into_iter().collect();
    let prefixes = selector_arn_prefixes(partition, &buckets);
    let value_count = selector_value_count(buckets.len());
    let creates_trail = monitor.data_events == Some(true) && monitor.existing_log_group.is_none();
    if creates_trail && value_count > SELECTOR_VALUES_PER_TRAIL {
        return Err(format!(
            "{} buckets need {value_count} advanced event selector values, over CloudTrail's {} per \
             trail. Nothing was written. Split the findings into runs of at most {} buckets (one output \
             directory, and so one trail, each; 5 trails per region at most), or record the data events \
             in an existing organisation trail and pass its log group with --existing-log-group",
            buckets.len(),
            SELECTOR_VALUES_PER_TRAIL,
            SELECTOR_VALUES_PER_TRAIL - selector_value_count(0)
        ));
    }
    let mut filters = Vec::new();
    if monitor.alarms == Some(true) {
        for (i, p) in ip_patterns(&ips).into_iter().enumerate() {
            filters.push((format!("ips-{i:02}"), p));
        }
        for (i, p) in bucket_patterns(&buckets).into_iter().enumerate() {
            filters.push((format!("bucket-config-{i:02}"), p));
        }
        filters.push(("cis-3-8".into(), CIS_3_8.into()));
        filters.push(("cis-3-5".into(), CIS_3_5.into()));
        if filters.len() > FILTERS_PER_LOG_GROUP {
            return Err(format!(
                "{} IPs and {} buckets need {} metric filters, over CloudWatch Logs' {} per log group. \
                 Nothing was written. Aggregate the IPs into wider CIDRs in tfremedy_data.tf (they are \
                 still denied, but not alarmed on), split the buckets across runs, or leave the alarms \
                 out with --skip alarms and watch these IPs with a CloudTrail Lake or Athena query",
                ips.len(),
                buckets.len(),
                filters.len(),
                FILTERS_PER_LOG_GROUP
            ));
        }
        if let Some((key, p)) = filters.iter().find(|(_, p)| p.len() > PATTERN_LIMIT) {
            return Err(format!(
                "metric filter {key} would be {} characters, over the {PATTERN_LIMIT} CloudWatch Logs allows",
                p.len()
            ));
        }
    }
    let filters_text = filters
        .iter()
        .map(|(k, p)| format!("{k}: {p}"))
        .collect::<Vec<_>>()
        .join("\n");
    Ok(Some(MonitorPlan {
        filters_text,
        blocked_ips: ips,
        unwatched_cidrs: unwatched.into_iter().collect(),
        selector_arn_prefixes: prefixes,
        selector_value_count: value_count,
        filters,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_case_chunks_fit_the_pattern_limit() {
        let ips: Vec<String> = (0..IP_CHUNK)
            .map(|i| format!("ffff:ffff:ffff:ffff:ffff:ffff:ffff:{i:04x}"))
            .collect();
        let p = ip_patterns(&ips);
        assert_eq!(p.len(), 1);
        assert!(p[0].len() <= PATTERN_LIMIT, "{}", p[0].len());
        let one_more: Vec<String> = (0..=IP_CHUNK)
            .map(|i| format!("ffff:ffff:ffff:ffff:ffff:ffff:ffff:{i:04x}"))
            .collect();
        assert!(
            ip_pattern(&one_more).len() > PATTERN_LIMIT,
            "the chunk is as big as it can be"
        );
        let buckets: Vec<String> = (0..BUCKET_CHUNK)
            .map(|i| format!("{i}{}", "b".repeat(62)))
            .collect();
        let p = bucket_patterns(&buckets);
        assert_eq!(p.len(), 1);
        assert!(p[0].len() <= PATTERN_LIMIT, "{}", p[0].len());
    }

    #[test]
    fn small_cidrs_are_watched_address_by_address() {
        assert_eq!(
            watched_addresses("81.2.69.144/32").unwrap(),
            vec!["81.2.69.144"]
        );
        assert_eq!(
            watched_addresses("10.0.0.2/31").unwrap(),
            vec!["10.0.0.2", "10.0.0.3"]
        );
        assert_eq!(watched_addresses("10.0.0.0/28").unwrap().len(), 16);
        assert_eq!(watched_addresses("10.0.0.0/27"), None);
        assert_eq!(
            watched_addresses("2001:db8::/127").unwrap(),
            vec!["2001:db8::", "2001:db8::1"]
        );
        assert_eq!(watched_addresses("2001:db8::/120"), None);
    }

    #[test]
    fn one_ip_pattern() {
        assert_eq!(
            ip_patterns(&["81.2.69.144".into()]),
            vec![
                r#"{ ($.eventSource = "s3.amazonaws.com") && (($.sourceIPAddress = "81.2.69.144")) }"#
            ]
        );
    }

    fn data_with(buckets: usize, ips: usize) -> DataFile {
        use crate::datafile::{DataBucket, DataMonitor, DenyEntry};
        let mut data = DataFile::default();
        for b in 0..buckets {
            let deny = (0..ips)
                .filter(|_| b == 0)
                .map(|i| DenyEntry {
                    cidr: format!("10.{}.{}.{}/32", i / 65_536, (i / 256) % 256, i % 256),
                    reason: String::new(),
                })
                .collect();
            data.buckets.insert(
                format!("bucket-{b:04}"),
                DataBucket {
                    existing_policy: "none".into(),
                    tls_only: Some(true),
                    default_encryption: Some(true),
                    public_access_block: Some(true),
                    deny,
                    ..DataBucket::new("111122223333", "aws:kms", None, Default::default())
                },
            );
        }
        data.monitor = Some(DataMonitor {
            account_id: "111122223333".into(),
            region: "eu-west-1".into(),
            existing_log_group: None,
            data_events: Some(true),
            alarms: Some(true),
            guardduty_alert: Some(true),
            account_public_access_block: None,
        });
        data
    }

    #[test]
    fn selector_values_for_1_10_and_600_buckets() {
        let one = plan(&data_with(1, 1), "aws").unwrap().unwrap();
        assert_eq!(one.selector_arn_prefixes, vec!["arn:aws:s3:::bucket-0000/"]);
        assert_eq!(one.selector_value_count, 5);
        let ten = plan(&data_with(10, 1), "aws").unwrap().unwrap();
        assert_eq!(ten.selector_arn_prefixes.len(), 10);
        assert_eq!(ten.selector_value_count, 14);
        assert_eq!(ten.selector_arn_prefixes[9], "arn:aws:s3:::bucket-0009/");
        // 600 buckets: refused (one trail per output directory), with what to do instead.
        let err = plan(&data_with(600, 1), "aws").unwrap_err();
        assert!(
            err.contains(
                "600 buckets need 604 advanced event selector values, over CloudTrail's 500"
            ),
            "{err}"
        );
        assert!(
            err.contains("at most 496 buckets") && err.contains("--existing-log-group"),
            "{err}"
        );
        // With an organisation trail's log group there is no selector to fill, so the cap is moot:
        // the metric filters are then the binding limit (600 buckets need 100 bucket filters).
        let mut data = data_with(600, 1);
        data.monitor.as_mut().unwrap().existing_log_group = Some("org-trail".into());
        let err = plan(&data, "aws").unwrap_err();
        assert!(
            err.contains("metric filters, over CloudWatch Logs' 100"),
            "{err}"
        );
        data.monitor.as_mut().unwrap().alarms = Some(false);
        assert!(plan(&data, "aws").is_ok());
    }

    #[test]
    fn metric_filters_for_1_50_and_2000_ips() {
        let one = plan(&data_with(1, 1), "aws").unwrap().unwrap();
        let keys: Vec<&str> = one.filters.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["ips-00", "bucket-config-00", "cis-3-8", "cis-3-5"]);
        assert_eq!(
            one.filters[0].1,
            r#"{ ($.eventSource = "s3.amazonaws.com") && (($.sourceIPAddress = "10.0.0.0")) }"#
        );
        assert_eq!(
            one.filters[1].1,
            r#"{ ($.eventSource = "s3.amazonaws.com") && (($.eventName = "PutBucketPublicAccessBlock") || ($.eventName = "DeleteBucketPublicAccessBlock") || ($.eventName = "PutBucketEncryption") || ($.eventName = "DeleteBucketEncryption") || ($.eventName = "PutBucketLogging")) && (($.requestParameters.bucketName = "bucket-0000")) }"#
        );
        let fifty = plan(&data_with(1, 50), "aws").unwrap().unwrap();
        let ip_filters: Vec<&(String, String)> = fifty
            .filters
            .iter()
            .filter(|(k, _)| k.starts_with("ips-"))
            .collect();
        assert_eq!(ip_filters.len(), 4, "50 IPs in chunks of 14");
        assert!(fifty.filters.iter().all(|(_, p)| p.len() <= PATTERN_LIMIT));
        let in_filters: usize = ip_filters
            .iter()
            .map(|(_, p)| p.matches("sourceIPAddress").count())
            .sum();
        assert_eq!(in_filters, 50, "every IP in exactly one filter");
        let err = plan(&data_with(1, 2000), "aws").unwrap_err();
        assert!(
            err.contains(
                "2000 IPs and 1 buckets need 146 metric filters, over CloudWatch Logs' 100"
            ),
            "{err}"
        );
    }

    #[test]
    fn cis_patterns_are_the_published_ones_and_the_module_uses_them() {
        assert_eq!(
            CIS_3_8,
            "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }"
        );
        assert_eq!(
            CIS_3_5,
            "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }"
        );
        let module: String = crate::render::template_names()
            .filter(|n| n.starts_with("tf/modules/account-monitor/"))
            .filter_map(crate::render::template_source)
            .collect();
        // Neither pattern holds a quote, backslash or template marker, so HCL holds them verbatim.
        for pattern in [CIS_3_8, CIS_3_5] {
            assert!(
                module.contains(pattern),
                "the module does not hold {pattern}"
            );
        }
        for (var, n) in [
            ("ip_filter_chunk_size", IP_CHUNK),
            ("bucket_filter_chunk_size", BUCKET_CHUNK),
        ] {
            let at = module.find(&format!("variable \"{var}\"")).unwrap();
            let block = &module[at..at + module[at..].find("\n}").unwrap()];
            assert!(
                block.contains(&format!("default     = {n}")),
                "{var} default is not {n}:\n{block}"
            );
        }
    }

    #[test]
    fn no_metric_has_a_dimension() {
        // An IP or request id as a dimension would make one metric (and one bill line) per value.
        for name in crate::render::template_names().filter(|n| n.starts_with("tf/modules/")) {
            let source = crate::render::template_source(name).unwrap();
            let code: String = source
                .lines()
                .filter(|l| !l.trim_start().starts_with('#'))
                .collect();
            assert!(
                !code.contains("dimensions"),
                "{name} sets metric dimensions"
            );
        }
    }
}
