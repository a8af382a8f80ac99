//! Validation of the values a finding carries into generated Terraform: IPs, account ids, regions,
//! partitions, bucket names and ARNs.
//!
//! Findings are attacker-influenced (a bucket name, a tag, even a crafted file handed to the tool), and
//! these values are interpolated into HCL, so the readers check them here before a `Finding` exists.
//! Each function returns a human message of the form `expected ..., found "..."` on failure; the reader
//! adds the file, line and JSON path.

use std::net::IpAddr;

/// Every partition Terraform's AWS provider knows about.
pub const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// An IPv4 or IPv6 address, exactly as `std` parses it: no CIDR suffix, no whitespace, no zone id.
pub fn ip(s: &str) -> Result<IpAddr, String> {
    s.parse::<IpAddr>()
        .map_err(|_| format!("expected an IPv4 or IPv6 address, found {s:?}"))
}

/// A 12-digit AWS account id.
pub fn account_id(s: &str) -> Result<(), String> {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("expected a 12-digit AWS account id, found {s:?}"))
    }
}

/// A region name such as `us-east-2`, `us-gov-west-1`, `cn-north-1`, `us-isob-east-1`, `eusc-de-east-1`.
pub fn region(s: &str) -> Result<(), String> {
    if is_region(s) {
        Ok(())
    } else {
        Err(format!(
            "expected an AWS region such as \"us-east-2\", found {s:?}"
        ))
    }
}

fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let lower = |p: &str, min: usize, max: usize| {
        (min..=max).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_lowercase())
    };
    let (number, direction, prefix) = match parts.as_slice() {
        [prefix @ .., direction, number] if !prefix.is_empty() => (*number, *direction, prefix),
        _ => return false,
    };
    let number_ok = (1..=2).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit());
    let prefix_ok = match prefix {
        [geo] => lower(geo, 2, 2),
        // `us-gov`, `us-iso`, `us-isob`, `eu-isoe`, `us-isof`
        [geo, qualifier] if lower(geo, 2, 2) => {
            *qualifier == "gov" || (qualifier.starts_with("iso") && lower(qualifier, 3, 4))
        }
        // The European Sovereign Cloud: `eusc-de-east-1`.
        ["eusc", geo] => lower(geo, 2, 2),
        _ => false,
    };
    number_ok && prefix_ok && lower(direction, 4, 12)
}

/// One of [`PARTITIONS`].
pub fn partition(s: &str) -> Result<(), String> {
    if PARTITIONS.contains(&s) {
        Ok(())
    } else {
        Err(format!(
            "expected an AWS partition ({}), found {s:?}",
            PARTITIONS.join(", ")
        ))
    }
}

/// The partition a (valid) region belongs to; used when a finding does not say.
pub fn partition_for_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("eusc-") {
        "aws-eusc"
    } else {
        match region.split('-').nth(1) {
            Some("gov") => "aws-us-gov",
            Some("iso") => "aws-iso",
            Some("isob") => "aws-iso-b",
            Some("isoe") => "aws-iso-e",
            Some("isof") => "aws-iso-f",
            _ => "aws",
        }
    }
}

/// A bucket name that passed [`bucket_name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketName {
    /// Only valid under the pre-March-2018 us-east-1 rules (capitals, underscores, up to 255
    /// characters): accepted, but the reader warns.
    pub legacy: bool,
}

const BUCKET_RULES: &str =
    "expected an S3 bucket name (3-63 lowercase letters, digits, '.' and '-', \
                            starting and ending with a letter or digit)";

/// An S3 general-purpose bucket name. Names valid only under the legacy us-east-1 rules are
/// accepted with `legacy: true`; anything outside the legacy character set is rejected because it
/// could never be a bucket and could break out of a string in generated code.
pub fn bucket_name(s: &str) -> Result<BucketName, String> {
    let fail = |why: &str| Err(format!("{BUCKET_RULES}, found {s:?}{why}"));
    let legacy_charset = s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    if !legacy_charset {
        return fail("");
    }
    if !(3..=255).contains(&s.len()) {
        return fail(" (length)");
    }
    if s.contains("..") {
        return fail(" (two adjacent periods)");
    }
    if s.parse::<std::net::Ipv4Addr>().is_ok() {
        return fail(" (formatted as an IP address)");
    }
    const PREFIXES: &[&str] = &["xn--", "sthree-", "amzn-s3-demo-"];
    const SUFFIXES: &[&str] = &["-s3alias", "--ol-s3", ".mrap", "--x-s3"];
    if let Some(p) = PREFIXES.iter().find(|p| s.starts_with(**p)) {
        return fail(&format!(" (prefix {p:?} is reserved)"));
    }
    if let Some(x) = SUFFIXES.iter().find(|x| s.ends_with(**x)) {
        return fail(&format!(" (suffix {x:?} is reserved)"));
    }
    let bytes = s.as_bytes();
    let alnum_lower = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let modern = s.len() <= 63
        && bytes
            .iter()
            .all(|&b| alnum_lower(b) || matches!(b, b'.' | b'-'))
        && bytes.first().is_some_and(|&b| alnum_lower(b))
        && bytes.last().is_some_and(|&b| alnum_lower(b));
    Ok(BucketName { legacy: !modern })
}

/// The parts of an ARN that passed [`arn`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

/// `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`. The region is only checked for its character set
/// (GuardDuty's sample findings carry `arn:aws:kms:region:...`, which is well-formed); the resource
/// may not contain wildcards, quotes, whitespace or template characters.
pub fn arn(s: &str) -> Result<Arn<'_>, String> {
    let fail = |why: &str| {
        Err(format!(
            "expected an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE), found {s:?}{why}"
        ))
    };
    if s.len() > 2048 {
        return fail(" (too long)");
    }
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    let [prefix, partition_, service, region_, account, resource] = parts.as_slice() else {
        return fail("");
    };
    if *prefix != "arn" {
        return fail("");
    }
    if partition(partition_).is_err() {
        return fail(" (unknown partition)");
    }
    let word = |p: &str| {
        p.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if service.is_empty() || !word(service) {
        return fail(" (service)");
    }
    if !word(region_) {
        return fail(" (region)");
    }
    let account_ok = account.is_empty()
        || *account == "aws"
        || (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()));
    if !account_ok {
        return fail(" (account)");
    }
    let resource_ok = !resource.is_empty()
        && resource.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'_' | b'+' | b'=' | b',' | b'.' | b'@' | b':' | b'/' | b'-'
                )
        });
    if !resource_ok {
        return fail(" (resource)");
    }
    Ok(Arn {
        partition: partition_,
        service,
        region: region_,
        account,
        resource,
    })
}

/// A KMS key or alias ARN: `arn:aws:kms:REGION:ACCOUNT:key/ID` or `...:alias/NAME`.
pub fn kms_key_arn(s: &str) -> Result<Arn<'_>, String> {
    let parsed = arn(s)?;
    let id = parsed
        .resource
        .strip_prefix("key/")
        .or_else(|| parsed.resource.strip_prefix("alias/"));
    let ok = parsed.service == "kms"
        && !parsed.region.is_empty()
        && parsed.account.len() == 12
        && id.is_some_and(|id| {
            !id.is_empty()
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'/'))
        });
    if ok {
        Ok(parsed)
    } else {
        Err(format!(
            "expected a KMS key ARN (arn:PARTITION:kms:REGION:ACCOUNT:key/ID), found {s:?}"
        ))
    }
}

/// An S3 bucket ARN `arn:PARTITION:s3:::BUCKET`; returns the bucket name and its check.
pub fn s3_bucket_arn(s: &str) -> Result<(&str, BucketName), String> {
    let fail = || format!("expected an S3 bucket ARN (arn:PARTITION:s3:::BUCKET), found {s:?}");
    let parsed = arn(s).map_err(|_| fail())?;
    if parsed.service != "s3" || !parsed.region.is_empty() || !parsed.account.is_empty() {
        return Err(fail());
    }
    let name = parsed.resource;
    let checked = bucket_name(name).map_err(|_| fail())?;
    Ok((name, checked))
}

/// A GuardDuty finding or detector id: GuardDuty writes 32 hex characters; anything in a small safe
/// character set is accepted so that hand-made and future ids still read.
pub fn guardduty_id(s: &str) -> Result<(), String> {
    let ok = (1..=300).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected a GuardDuty id (letters, digits, '-', '_', '.'), found {s:?}"
        ))
    }
}

/// An IAM user or role name: `[\w+=,.@-]{1,64}`.
pub fn iam_name(s: &str) -> Result<(), String> {
    let ok = (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected an IAM user or role name (1 to 64 of letters, digits and _+=,.@-), found {s:?}"
        ))
    }
}

/// An access key id: `AKIA` (long-term) or `ASIA` (temporary) and 16 upper-case letters or digits.
pub fn access_key_id(s: &str) -> Result<(), String> {
    let ok = s.len() == 20
        && (s.starts_with("AKIA") || s.starts_with("ASIA"))
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected an access key id (AKIA or ASIA and 16 upper-case letters or digits), found {s:?}"
        ))
    }
}

/// A CloudWatch Logs log group name: 1 to 512 of letters, digits and `_-/.#`.
pub fn log_group_name(s: &str) -> Result<(), String> {
    let ok = (1..=512).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-/.#".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected a CloudWatch Logs group name (letters, digits and _-/.#), found {s:?}"
        ))
    }
}

/// A UTC timestamp as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_timestamp(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    let ok = b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected a UTC time like 2022-01-28T21:12:25Z, found {s:?}"
        ))
    }
}

/// Seconds since the Unix epoch of an RFC 3339 UTC timestamp (`YYYY-MM-DDTHH:MM:SS[.fff]Z`); `None`
/// for anything else. Days from the civil calendar, Howard Hinnant's algorithm.
pub fn epoch_seconds(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || *b.last()? != b'Z' {
        return None;
    }
    utc_timestamp(&format!("{}Z", s.get(..19)?)).ok()?;
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3_600 + mm * 60 + ss)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn ips() {
        assert!(ip("81.2.69.144").is_ok());
        assert!(ip("2001:db8::1").is_ok());
        assert_eq!(
            ip("999.1.1.1").unwrap_err(),
            "expected an IPv4 or IPv6 address, found \"999.1.1.1\""
        );
        for bad in [
            "10.0.0.0/8",
            " 1.2.3.4",
            "1.2.3.4 ",
            "",
            "fe80::1%eth0",
            "1.2.3",
            "01.2.3.4",
        ] {
            assert!(ip(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn account_ids() {
        assert!(account_id("973743533182").is_ok());
        for bad in [
            "97374353318",
            "9737435331820",
            "97374353318a",
            "",
            "٣٣٣٣٣٣٣٣٣٣٣٣",
        ] {
            assert!(account_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn regions() {
        for good in [
            "us-east-2",
            "us-gov-west-1",
            "cn-north-1",
            "eu-central-2",
            "ap-southeast-5",
            "us-isob-east-1",
            "us-iso-east-1",
            "eusc-de-east-1",
            "mx-central-1",
        ] {
            assert!(region(good).is_ok(), "{good}");
        }
        for bad in [
            "region",
            "us-east",
            "US-EAST-1",
            "us-east-1 ",
            "us-east-123",
            "us_east_1",
            "\"us-east-1",
            "",
            "u-east-1",
        ] {
            assert!(region(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn partitions() {
        for p in PARTITIONS {
            assert!(partition(p).is_ok());
        }
        assert!(partition("aws-moon").is_err());
        assert_eq!(partition_for_region("us-east-2"), "aws");
        assert_eq!(partition_for_region("cn-north-1"), "aws-cn");
        assert_eq!(partition_for_region("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition_for_region("us-isob-east-1"), "aws-iso-b");
        assert_eq!(partition_for_region("eusc-de-east-1"), "aws-eusc");
    }

    #[test]
    fn bucket_names() {
        for good in ["res-guardduty", "my.bucket-1", "abc", &"a".repeat(63)] {
            assert_eq!(
                bucket_name(good),
                Ok(BucketName { legacy: false }),
                "{good}"
            );
        }
        for legacy in ["bucketName", "my_bucket", &"a".repeat(64), "-leading"] {
            assert_eq!(
                bucket_name(legacy),
                Ok(BucketName { legacy: true }),
                "{legacy}"
            );
        }
        for bad in [
            "ab",
            "",
            "my bucket",
            "my\"bucket",
            "a/b",
            "a$b",
            "a{b}",
            "a\nb",
            "a..b",
            "192.168.5.4",
            "xn--abc",
            "sthree-abc",
            "amzn-s3-demo-bucket",
            "abc-s3alias",
            "abc--ol-s3",
            "abc.mrap",
            "abc--x-s3",
            &"a".repeat(256),
        ] {
            assert!(bucket_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn arns() {
        let a = arn("arn:aws:guardduty:us-east-2:973743533182:detector/37da/finding/52bf").unwrap();
        assert_eq!(a.service, "guardduty");
        assert_eq!(a.account, "973743533182");
        assert!(arn("arn:aws:iam::aws:policy/ReadOnlyAccess").is_ok());
        for bad in [
            "arn:aws::guardduty:us-east-1:193043430472:detector/x",
            "arn:aws:s3:::bucket*",
            "arn:aws:s3:::a b",
            "arn:aws:s3:::${x}",
            "arn:moon:s3:::a",
            "arn:aws:s3",
            "nra:aws:s3:::abc",
            "arn:aws:iam::12345:user/x",
        ] {
            assert!(arn(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn kms_arns() {
        // The shape GuardDuty's sample findings carry: the region is a placeholder but well-formed.
        assert!(kms_key_arn("arn:aws:kms:region:123456789012:key/key-id").is_ok());
        assert!(kms_key_arn(
            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        )
        .is_ok());
        assert!(kms_key_arn("arn:aws:kms:us-east-1:123456789012:alias/my-key").is_ok());
        for bad in [
            "key-id",
            "arn:aws:s3:::bucket",
            "arn:aws:kms:us-east-1:123456789012:key/",
            "arn:aws:kms::123456789012:key/x",
            "arn:aws:kms:us-east-1::key/x",
        ] {
            assert!(kms_key_arn(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn s3_arns() {
        assert_eq!(
            s3_bucket_arn("arn:aws:s3:::res-guardduty"),
            Ok(("res-guardduty", BucketName { legacy: false }))
        );
        assert_eq!(
            s3_bucket_arn("arn:aws:s3:::bucketName"),
            Ok(("bucketName", BucketName { legacy: true }))
        );
        for bad in [
            "arn:aws:s3:::a/b",
            "arn:aws:s3:us-east-1::abc",
            "arn:aws:s3:::ab",
            "arn:aws:kms:::abc",
        ] {
            assert!(s3_bucket_arn(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn guardduty_ids() {
        assert!(guardduty_id("52bf27df0ab00afa53e3268714f20319").is_ok());
        assert!(guardduty_id("1ab92989eaf0e742df4a014d5example").is_ok());
        assert!(guardduty_id("").is_err());
        assert!(guardduty_id("a\"b").is_err());
        assert!(guardduty_id("a b").is_err());
    }

    #[test]
    fn credentials_and_times() {
        assert!(iam_name("GeneratedFindingUserName").is_ok());
        assert!(iam_name("a\"b").is_err());
        assert!(access_key_id("AKIAIOSFODNN7EXAMPLE").is_ok());
        assert!(access_key_id("GeneratedFindingAccessKeyId").is_err());
        assert!(utc_timestamp("2022-01-28T21:12:25Z").is_ok());
        assert!(utc_timestamp("2022-01-28T21:12:25.000Z").is_err());
        assert_eq!(epoch_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            epoch_seconds("2022-01-28T21:12:25.470Z"),
            Some(1_643_404_345)
        );
        assert_eq!(epoch_seconds("2000-03-01T00:00:00Z"), Some(951_868_800));
        assert_eq!(epoch_seconds("garbage"), None);
        assert!(log_group_name("aws-cloudtrail-logs-org").is_ok());
        assert!(log_group_name("a b").is_err());
    }
}
