//! Escaping for the two target languages, in one place.
//!
//! Every value that reaches a template is attacker-influenced until proven otherwise (user agents, tags,
//! threat list names, API names are chosen by whoever made the call). Tera's autoescape runs these
//! functions on every `{{ value }}` of a template of the matching kind, so escaping is the default and
//! forgetting a filter is not possible.
//!
//! - `.tf` templates: [`hcl_string`] writes the *contents* of an HCL quoted string. Templates only ever
//!   place values between quotes (a test checks it). Template sequences are neutralised (`${` → `$${`,
//!   `%{` → `%%{`), which is where hcl-rs 0.20's own formatter goes wrong.
//! - `.md` templates: [`markdown_code_span`] turns a value into an inline code span, the one Markdown
//!   construct whose contents are never interpreted: no links, no HTML, no emphasis, no @-mentions, no
//!   autolinks. Pipes are escaped so a value cannot break out of a table cell, and line breaks are made
//!   visible so it cannot end a table row.

use std::io::{self, Write};

/// Characters that render invisibly or reorder text (Trojan Source, CVE-2021-42574): shown as escapes so
/// a reviewer sees what is really there.
fn is_deceptive(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Escapes `input` for use between the quotes of an HCL string literal.
pub fn hcl_string(input: &str, out: &mut dyn Write) -> io::Result<()> {
    let mut chars = input.chars().peekable();
    let mut buf = [0u8; 4];
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.write_all(b"\\\\")?,
            '"' => out.write_all(b"\\\"")?,
            '\n' => out.write_all(b"\\n")?,
            '\r' => out.write_all(b"\\r")?,
            '\t' => out.write_all(b"\\t")?,
            '$' | '%' if chars.peek() == Some(&'{') => {
                // Doubling the marker is HCL's escape for a literal `${` / `%{`.
                out.write_all(c.encode_utf8(&mut buf).as_bytes())?;
                out.write_all(c.encode_utf8(&mut buf).as_bytes())?;
            }
            c if c.is_control() || is_deceptive(c) => write!(out, "\\u{:04X}", c as u32)?,
            c => out.write_all(c.encode_utf8(&mut buf).as_bytes())?,
        }
    }
    Ok(())
}

/// Writes `input` as a Markdown inline code span (see the module doc for why a code span).
pub fn markdown_code_span(input: &str, out: &mut dyn Write) -> io::Result<()> {
    let visible = visible_text(input);
    if visible.is_empty() {
        return out.write_all(b"(empty)");
    }
    // A code span is delimited by a backtick run longer than any run inside it.
    let longest = longest_run(&visible, '`');
    let fence = "`".repeat(longest + 1);
    // Padding keeps a leading or trailing backtick from merging with the fence; CommonMark strips one
    // space on each side when both are present.
    let pad = if visible.starts_with('`') || visible.ends_with('`') || visible.starts_with(' ') {
        " "
    } else {
        ""
    };
    write!(
        out,
        "{fence}{pad}{}{pad}{fence}",
        visible.replace('|', "\\|")
    )
}

/// Control and deceptive characters made visible, so a value is always one line of what it really is.
fn visible_text(input: &str) -> String {
    let mut s = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            c if c.is_control() || is_deceptive(c) => {
                s.push_str(&format!("\\u{{{:04X}}}", c as u32))
            }
            c => s.push(c),
        }
    }
    s
}

pub(crate) fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in s.chars() {
        if c == ch {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

/// A fenced code block whose fence cannot be closed by its contents.
pub fn markdown_code_block(lang: &str, body: &str) -> String {
    let fence = "`".repeat(longest_run(body, '`').max(2) + 1);
    let lang: String = lang.chars().filter(char::is_ascii_alphanumeric).collect();
    let body = body.trim_end_matches('\n');
    format!("{fence}{lang}\n{body}\n{fence}")
}

/// A SQL string literal for the queries in the PR text. Values reaching it are validated (IPs, bucket
/// names, timestamps), but the quoting is still done properly so a future caller cannot break out.
pub fn sql_string(value: &str) -> String {
    let cleaned: String = value
        .chars()
        .map(|c| if c.is_control() || c == '`' { ' ' } else { c })
        .collect();
    format!("'{}'", cleaned.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hcl(s: &str) -> String {
        let mut v = Vec::new();
        hcl_string(s, &mut v).unwrap();
        String::from_utf8(v).unwrap()
    }

    fn md(s: &str) -> String {
        let mut v = Vec::new();
        markdown_code_span(s, &mut v).unwrap();
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn hcl_escapes_quotes_backslashes_and_templates() {
        assert_eq!(hcl(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(hcl("${x} %${path.cwd} %{if}"), "$${x} %$${path.cwd} %%{if}");
        assert_eq!(hcl("l1\nl2\t\u{7}"), "l1\\nl2\\t\\u0007");
        assert_eq!(hcl("$$${x}"), "$$$${x}");
        assert_eq!(hcl("a\u{202E}b"), "a\\u202Eb");
        assert_eq!(hcl("héllo */ <script>"), "héllo */ <script>");
    }

    #[test]
    fn hcl_round_trips_through_the_parser() {
        for s in [
            "${x} %${path.cwd}",
            "$${x}",
            "%%{y}",
            "a\"b\\c\nd",
            "$",
            "%",
            "${",
            "ends with $",
            "{{ tera }}",
        ] {
            let src = format!("v = \"{}\"\n", hcl(s));
            let value: serde_json::Value = hcl::from_str(&src).unwrap();
            assert_eq!(
                value["v"],
                serde_json::Value::String(s.to_string()),
                "{src}"
            );
        }
    }

    #[test]
    fn markdown_values_are_inert_code_spans() {
        assert_eq!(md("plain"), "`plain`");
        assert_eq!(md("a|b"), "`a\\|b`");
        assert_eq!(md("x`y"), "``x`y``");
        assert_eq!(md("`x"), "`` `x ``");
        assert_eq!(md("[a](http://e) <script>"), "`[a](http://e) <script>`");
        assert_eq!(md("l1\nl2"), "`l1\\nl2`");
        assert_eq!(md(""), "(empty)");
    }

    #[test]
    fn code_block_fence_outlasts_content() {
        assert_eq!(markdown_code_block("json", "{}"), "```json\n{}\n```");
        assert_eq!(
            markdown_code_block("", "a ```` b"),
            "`````\na ```` b\n`````"
        );
    }
}
