//! Typed readings of the strings that condition operators compare: decimal numbers, instants, booleans
//! and IP addresses. Each parser accepts only forms whose meaning is certain and refuses the rest, so
//! an odd value in a policy or a request becomes an error instead of a guess.

use super::Unsupported;
use ipnet::IpNet;
use std::cmp::Ordering;
use std::net::IpAddr;

/// An exact decimal. Compared digit by digit rather than as `f64`, so `1.2` in a policy and `1.2` in a
/// request are equal by construction and no rounding can move a TLS version across a threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decimal {
    negative: bool,
    /// Integer digits without leading zeros (empty for zero).
    int: String,
    /// Fraction digits without trailing zeros.
    frac: String,
}

impl Decimal {
    /// `-?digits(.digits)?`. Exponents, `+`, spaces, `NaN` and the like are refused: IAM documents
    /// "an integer or decimal value" and nothing more (Condition operators, Numeric).
    pub(crate) fn parse(s: &str) -> Result<Self, Unsupported> {
        let refuse = || Unsupported::new(format!("`{s}` is not a plain decimal number"));
        let (negative, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (int, frac) = match body.split_once('.') {
            Some((i, f)) if !f.is_empty() => (i, f),
            Some(_) => return Err(refuse()),
            None => (body, ""),
        };
        let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !digits(int) || !digits(frac) {
            return Err(refuse());
        }
        let int = int.trim_start_matches('0').to_string();
        let frac = frac.trim_end_matches('0').to_string();
        let zero = int.is_empty() && frac.is_empty();
        Ok(Self {
            negative: negative && !zero,
            int,
            frac,
        })
    }

    fn cmp_magnitude(&self, other: &Self) -> Ordering {
        self.int
            .len()
            .cmp(&other.int.len())
            .then_with(|| self.int.cmp(&other.int))
            // Without trailing zeros, fraction digits compare lexicographically.
            .then_with(|| self.frac.cmp(&other.frac))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A point in time: seconds since the Unix epoch and nanoseconds within that second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Instant {
    seconds: i64,
    nanos: u32,
}

impl Instant {
    /// Epoch seconds (`1700000000`) or a W3C ISO 8601 date-time with at least minutes and an explicit
    /// zone (`2020-01-01T00:00:01Z`, `...T10:00+02:00`, fractions of a second allowed). The date-only and
    /// year-only W3C forms are refused: the IAM docs do not say which instant of the day they mean, and
    /// four digits could be either a W3C year or epoch seconds.
    pub(crate) fn parse(s: &str) -> Result<Self, Unsupported> {
        let refuse = || {
            Unsupported::new(format!(
                "`{s}` is not epoch seconds or an ISO 8601 date-time with a zone"
            ))
        };
        if s.len() == 4 {
            return Err(refuse());
        }
        if !s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit()) {
            let seconds = s.parse().map_err(|_| refuse())?;
            return Ok(Self { seconds, nanos: 0 });
        }
        parse_iso(s).ok_or_else(refuse)
    }
}

fn parse_iso(s: &str) -> Option<Instant> {
    let (date, time) = s.split_once('T')?;
    let [year, month, day] = fixed_fields(date, '-', [4, 2, 2])?;
    let (clock, offset_seconds) = split_zone(time)?;
    let (hm, second, nanos) = match clock.len() {
        5 => (clock, 0, 0),
        _ => {
            let (hms, nanos) = split_fraction(clock.get(..8)?, clock.get(8..)?)?;
            (hms.get(..5)?, seconds_field(hms.get(5..)?)?, nanos)
        }
    };
    let [hour, minute] = fixed_fields(hm, ':', [2, 2])?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    // Leap second 60 is refused: how IAM orders it is not documented.
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let local = days * 86_400 + hour * 3_600 + minute * 60 + second;
    Some(Instant {
        seconds: local - offset_seconds,
        nanos,
    })
}

/// `:ss` after `hh:mm`.
fn seconds_field(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(':')?;
    (digits.len() == 2).then_some(())?;
    number(digits)
}

/// `hh:mm:ss` and an optional `.fraction` (1 to 9 digits).
fn split_fraction<'a>(hms: &'a str, rest: &str) -> Option<(&'a str, u32)> {
    if rest.is_empty() {
        return Some((hms, 0));
    }
    let digits = rest.strip_prefix('.')?;
    if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let nanos = format!("{digits:0<9}").parse().ok()?;
    Some((hms, nanos))
}

/// The clock part and the zone offset in seconds (`Z`, `+hh:mm`, `-hh:mm`).
fn split_zone(time: &str) -> Option<(&str, i64)> {
    if let Some(clock) = time.strip_suffix('Z') {
        return Some((clock, 0));
    }
    let at = time.len().checked_sub(6)?;
    let (clock, zone) = (time.get(..at)?, time.get(at..)?);
    let sign = match zone.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let [hours, minutes] = fixed_fields(zone.get(1..)?, ':', [2, 2])?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some((clock, sign * (hours * 3_600 + minutes * 60)))
}

/// Fields of exactly the given widths, all digits, separated by `sep`.
fn fixed_fields<const N: usize>(s: &str, sep: char, widths: [usize; N]) -> Option<[i64; N]> {
    let mut fields = s.split(sep);
    let mut out = [0; N];
    for (slot, width) in out.iter_mut().zip(widths) {
        let field = fields.next()?;
        (field.len() == width).then_some(())?;
        *slot = number(field)?;
    }
    fields.next().is_none().then_some(out)
}

fn number(digits: &str) -> Option<i64> {
    digits
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| digits.parse().ok())
        .flatten()
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// `true` or `false`, lowercase. JSON booleans reach here already as these strings.
pub(crate) fn parse_bool(s: &str) -> Result<bool, Unsupported> {
    match s {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(Unsupported::new(format!("`{s}` is not `true` or `false`"))),
    }
}

/// A range in an `IpAddress` condition: a CIDR, or a bare IPv4 address (IAM's documented default prefix
/// is `/32`). A bare IPv6 address is refused: the same sentence would make it a `/32`, a range of 2^96
/// addresses, and whether IAM really does that is not documented.
pub(crate) fn parse_ip_range(s: &str) -> Result<IpNet, Unsupported> {
    let refuse = |why: &str| Unsupported::new(format!("IP range `{s}`: {why}"));
    if s.contains('/') {
        return s.parse().map_err(|_| refuse("not a CIDR"));
    }
    match s.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => Ok(IpNet::from(ipnet::Ipv4Net::from(v4))),
        Ok(IpAddr::V6(_)) => Err(refuse(
            "a bare IPv6 address has no documented prefix; write it with /128",
        )),
        Err(_) => Err(refuse("not an IP address or CIDR")),
    }
}

/// The request's address. IPv4-mapped IPv6 addresses are refused: whether IAM compares them with IPv4
/// ranges is not documented.
pub(crate) fn parse_ip_address(s: &str) -> Result<IpAddr, Unsupported> {
    match s.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_some() => Err(Unsupported::new(format!(
            "`{s}` is an IPv4-mapped IPv6 address; give the IPv4 address"
        ))),
        Ok(addr) => Ok(addr),
        Err(_) => Err(Unsupported::new(format!("`{s}` is not an IP address"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap()
    }

    #[test]
    fn decimals_compare_exactly() {
        assert!(d("1.1") < d("1.2"));
        assert!(d("1.3") > d("1.2"));
        assert_eq!(d("1.2"), d("1.20"));
        assert_eq!(d("007"), d("7"));
        assert_eq!(d("-0"), d("0.0"));
        assert!(d("-1") < d("0"));
        assert!(d("-2.5") < d("-2.25"));
        assert!(d("10") > d("9.99"));
        assert!(d("0.1") < d("0.10000000000000000001"));
    }

    #[test]
    fn odd_numbers_are_refused() {
        for s in [
            "", "1.", ".5", "+1", "1e3", " 1", "NaN", "inf", "1,5", "--1",
        ] {
            assert!(Decimal::parse(s).is_err(), "{s}");
        }
    }

    fn t(s: &str) -> Instant {
        Instant::parse(s).unwrap()
    }

    #[test]
    fn instants_from_iso_and_epoch() {
        assert_eq!(t("1970-01-01T00:00:00Z"), t("0"));
        assert_eq!(t("2020-01-01T00:00:01Z"), t("1577836801"));
        assert_eq!(t("2020-01-01T02:00:01+02:00"), t("2020-01-01T00:00:01Z"));
        assert_eq!(t("2019-12-31T23:00-01:00"), t("2020-01-01T00:00:00Z"));
        assert!(t("2020-01-01T00:00:00.5Z") > t("2020-01-01T00:00:00Z"));
        assert_eq!(t("2020-01-01T00:00:00.500Z"), t("2020-01-01T00:00:00.5Z"));
        assert_eq!(t("2024-02-29T12:00:00Z"), t("1709208000"));
        assert!(t("1969-12-31T23:59:59Z") < t("0"));
    }

    #[test]
    fn ambiguous_or_invalid_dates_are_refused() {
        for s in [
            "2020",
            "2020-01",
            "2020-01-01",
            "2020-01-01T00:00:00",
            "2020-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2020-01-01T24:00:00Z",
            "2020-01-01T00:00:60Z",
            "2020-01-01t00:00:00z",
            "2020-01-01T00:00:00.Z",
            "2020-01-01T00:00:00.1234567890Z",
            "-1",
            "1.5",
        ] {
            assert!(Instant::parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn ip_ranges_and_addresses() {
        let net = parse_ip_range("203.0.113.0/24").unwrap();
        assert!(net.contains(&parse_ip_address("203.0.113.255").unwrap()));
        assert!(!net.contains(&parse_ip_address("203.0.114.0").unwrap()));
        let host = parse_ip_range("81.2.69.144").unwrap();
        assert!(host.contains(&parse_ip_address("81.2.69.144").unwrap()));
        assert!(!host.contains(&parse_ip_address("81.2.69.145").unwrap()));
        let v6 = parse_ip_range("2001:DB8:1234:5678::/64").unwrap();
        assert!(v6.contains(&parse_ip_address("2001:db8:1234:5678::1").unwrap()));
        assert!(!v6.contains(&parse_ip_address("203.0.113.1").unwrap()));
        assert!(parse_ip_range("2001:db8::1").is_err());
        assert!(parse_ip_range("2001:db8::1/128").is_ok());
        assert!(parse_ip_range("not-an-ip").is_err());
        assert!(parse_ip_address("203.0.113.0/24").is_err());
        assert!(parse_ip_address("::ffff:203.0.113.1").is_err());
    }
}
