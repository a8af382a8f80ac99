//! Wildcard matching as IAM does it: `*` is any run of characters (also none), `?` exactly one, every
//! other character stands for itself; and the ARN form, which matches each of an ARN's six
//! colon-separated parts on its own.
//!
//! Case is the caller's business: `Action` lowercases both sides first, everything else is
//! case-sensitive (IAM User Guide, "IAM JSON policy elements: Condition operators", String and ARN).

/// Whether `text` matches `pattern` as a whole.
///
/// Greedy with one backtrack point: on a mismatch after a `*`, the star takes one more character. Linear
/// in practice and never worse than quadratic, so a hostile pattern cannot stall a test.
pub(crate) fn wildcard(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    // The last `*` seen and the text position it currently extends to.
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                backtrack = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match backtrack {
                Some((star, end)) => {
                    backtrack = Some((star, end + 1));
                    p = star + 1;
                    t = end + 1;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// The six parts of an ARN: `arn`, partition, service, region, account, resource. The resource part
/// keeps any further colons (an S3 key may contain them). `None` when there are fewer than six parts.
pub(crate) fn arn_parts(arn: &str) -> Option<[&str; 6]> {
    let mut parts = arn.splitn(6, ':');
    let mut out = [""; 6];
    for slot in &mut out {
        *slot = parts.next()?;
    }
    Some(out)
}

/// `ArnLike`: each part matched on its own, so a `*` never reaches across a colon into the next part
/// (the condition-operator page's `arn:aws:someservice:*:111122223333:finance/*` example). `None` when
/// either side is not a six-part ARN.
pub(crate) fn arn_like(pattern: &str, arn: &str) -> Option<bool> {
    let (pattern, arn) = (arn_parts(pattern)?, arn_parts(arn)?);
    Some(pattern.iter().zip(arn.iter()).all(|(p, a)| wildcard(p, a)))
}

/// Whether a string contains a wildcard character.
pub(crate) fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_and_question_mark() {
        assert!(wildcard("*", ""));
        assert!(wildcard("*", "anything"));
        assert!(wildcard("s3:Get*", "s3:GetObject"));
        assert!(wildcard("s3:*Object", "s3:GetObject"));
        assert!(wildcard("a?c", "abc"));
        assert!(!wildcard("a?c", "ac"), "? is exactly one character");
        assert!(!wildcard("a?c", "abbc"));
        assert!(wildcard("a*b*c", "aXbYbZc"));
        assert!(!wildcard("a*b*c", "aXbYbZ"));
        assert!(wildcard("**", "x"));
        assert!(!wildcard("abc", "abcd"));
        assert!(!wildcard("", "a"));
        assert!(wildcard("", ""));
    }

    #[test]
    fn matching_is_case_sensitive_and_by_character() {
        assert!(!wildcard("s3:getobject", "s3:GetObject"));
        assert!(wildcard("caf?", "café"), "? is one character, not one byte");
    }

    #[test]
    fn backtracking_finds_the_later_match() {
        assert!(wildcard("*ab", "aab"));
        assert!(wildcard("*a*ab", "xaxaab"));
        assert!(!wildcard("*a*ab", "xaxab_"));
    }

    #[test]
    fn arn_parts_keep_colons_in_the_resource() {
        assert_eq!(
            arn_parts("arn:aws:s3:::bucket/a:b"),
            Some(["arn", "aws", "s3", "", "", "bucket/a:b"])
        );
        assert_eq!(arn_parts("arn:aws:s3"), None);
    }

    /// IAM User Guide, "Condition operators", ARN section: StringLike matches, ArnLike does not.
    #[test]
    fn arn_like_does_not_cross_colons_as_documented() {
        let pattern = "arn:aws:someservice:*:111122223333:finance/*";
        let value =
            "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt";
        assert!(wildcard(pattern, value));
        assert_eq!(arn_like(pattern, value), Some(false));
        assert_eq!(
            arn_like(
                pattern,
                "arn:aws:someservice:us-east-2:111122223333:finance/x"
            ),
            Some(true)
        );
        assert_eq!(arn_like("*", value), None);
    }
}
