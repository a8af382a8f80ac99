//! The alignment half of `terraform fmt`, for data-driven blocks.
//!
//! Templates are written canonical, but where the set of attributes depends on data (optional keys, map
//! entries whose keys vary in length) the `=` signs must be re-aligned the way hclwrite does it: a run of
//! consecutive lines that each hold a complete `key = value` (brackets balanced on the line) is aligned to
//! its longest key; any other line (blank, comment, a line opening or closing a bracket) ends the run.

/// Re-aligns every run of single-line attributes in `src`.
pub fn align_equals(src: &str) -> String {
    let lines: Vec<&str> = src.split('\n').collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut run: Vec<(String, String, String)> = Vec::new();
    for line in &lines {
        match split_attribute(line) {
            Some(parts) => run.push(parts),
            None => {
                flush(&mut run, &mut out);
                out.push((*line).to_string());
            }
        }
    }
    flush(&mut run, &mut out);
    out.join("\n")
}

fn flush(run: &mut Vec<(String, String, String)>, out: &mut Vec<String>) {
    let width = run
        .iter()
        .map(|(_, key, _)| key.chars().count())
        .max()
        .unwrap_or(0);
    for (indent, key, value) in run.drain(..) {
        let pad = width - key.chars().count();
        out.push(format!("{indent}{key}{} = {value}", " ".repeat(pad)));
    }
}

/// `(indent, key, value)` when the line is one complete attribute assignment.
fn split_attribute(line: &str) -> Option<(String, String, String)> {
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("//") {
        return None;
    }
    let key_end = key_len(trimmed)?;
    let key = &trimmed[..key_end];
    let rest = trimmed[key_end..].trim_start();
    let value = rest.strip_prefix('=')?;
    if value.starts_with('=') || value.starts_with('>') {
        return None;
    }
    let value = value.trim();
    let (depth, comment) = scan(value)?;
    if value.is_empty() || depth != 0 || comment {
        return None;
    }
    Some((indent.to_string(), key.to_string(), value.to_string()))
}

/// Length of a leading identifier or quoted string key.
fn key_len(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    if bytes.first() == Some(&b'"') {
        let mut escaped = false;
        for (i, b) in bytes.iter().enumerate().skip(1) {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => return Some(i + 1),
                _ => {}
            }
        }
        return None;
    }
    let n = s
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
        .count();
    (n > 0).then_some(n)
}

/// Net bracket count outside string literals, and whether a comment follows; `None` when the value
/// holds a heredoc. Lines with a trailing comment are left alone: hclwrite aligns those separately and
/// our templates never emit them.
fn scan(value: &str) -> Option<(i32, bool)> {
    if value.contains("<<") {
        return None;
    }
    let mut depth = 0;
    let mut in_string = false;
    let mut escaped = false;
    for c in value.chars() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            '#' => return Some((depth, true)),
            _ => {}
        }
    }
    Some((depth, false))
}

#[cfg(test)]
mod tests {
    use super::align_equals;

    #[test]
    fn aligns_runs_and_breaks_on_openers() {
        let src = "a = 1\nlonger = \"x = y\"\nlist = [\n  \"v\",\n]\nz = {}\n";
        let want = "a      = 1\nlonger = \"x = y\"\nlist = [\n  \"v\",\n]\nz = {}\n";
        assert_eq!(align_equals(src), want);
    }

    #[test]
    fn quoted_keys_with_escapes() {
        let src = "  \"a\\\"b\" = 1\n  \"c\" = 2\n";
        assert_eq!(align_equals(src), "  \"a\\\"b\" = 1\n  \"c\"    = 2\n");
    }

    #[test]
    fn comparison_is_not_assignment() {
        let src = "condition == 1\n";
        assert_eq!(align_equals(src), src);
    }
}
