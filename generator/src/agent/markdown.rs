//! Escaping spec prose for markdown and YAML frontmatter. Prose from a spec is data: it must
//! not close our code fences, break our tables, end the frontmatter, add headings, or open
//! HTML blocks that swallow what follows.

/// One line of inline text, safe in a table cell, a list item, a heading or a paragraph:
/// whitespace (newlines included) collapses to single spaces; `|` and `\` are escaped; `<` and
/// `>` become entities (no HTML, no comments, no block quotes); a start that would open a
/// block (`#`, a bullet, a fence, a rule or setext underline, `1.`) is escaped.
pub fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    // Whitespace runs collapse to one space (none at the ends), then characters are escaped.
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        match c {
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    escape_line_start(out)
}

/// Escape a line's first character if it would start a block construct.
fn escape_line_start(mut line: String) -> String {
    let Some(first) = line.chars().next() else {
        return line;
    };
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let ordered = digits > 0 && matches!(line.as_bytes().get(digits), Some(b'.' | b')'));
    let second = line.chars().nth(1);
    let bullet = matches!(first, '-' | '+' | '*') && second.is_none_or(|c| c == ' ');
    let fence = line.starts_with("```") || line.starts_with("~~~");
    let rule = line
        .chars()
        .all(|c| matches!(c, '=' | '-' | '*' | '_' | ' '));
    if first == '#' || bullet || fence || rule {
        line.insert(0, '\\');
    } else if ordered {
        line.insert(digits, '\\');
    }
    line
}

/// Multi-line prose as paragraphs, safe between our headings: no line can open or close a
/// code fence, be a heading (ATX or setext underline), a thematic break or frontmatter
/// delimiter, or start an HTML block; `<`/`>` become entities; runs of blank lines collapse.
pub fn block(text: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    for raw in text.replace("\r\n", "\n").replace('\r', "\n").split('\n') {
        let line: String = raw
            .trim_end()
            .chars()
            .map(|c| if c == '\t' { ' ' } else { c })
            .filter(|c| !c.is_control())
            .collect();
        let line = line.replace('<', "&lt;").replace('>', "&gt;");
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let fence = trimmed.starts_with("```") || trimmed.starts_with("~~~");
        let heading = trimmed.starts_with('#');
        let rule = !trimmed.is_empty()
            && trimmed
                .chars()
                .all(|c| matches!(c, '-' | '=' | '*' | '_' | ' '));
        let escaped = if fence || heading || rule {
            format!("{indent}\\{trimmed}")
        } else {
            line.clone()
        };
        if escaped.is_empty() && lines.last().is_some_and(|l| l.is_empty()) {
            continue;
        }
        lines.push(escaped);
    }
    while lines.first().is_some_and(|l| l.is_empty()) {
        lines.remove(0);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

/// A YAML double-quoted scalar on one line (for frontmatter values).
pub fn yaml_str(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::from("\"");
    for c in collapsed.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An inline code span for a spec-derived name or path: one line, delimited by a backtick
/// run longer than any inside, `|` escaped (GFM tables split cells even in code spans).
pub fn code_span(text: &str) -> String {
    // Most names and paths need nothing: no backtick, no pipe, single inner spaces.
    let b = text.as_bytes();
    let plain = b.first() != Some(&b' ')
        && b.last() != Some(&b' ')
        && !b.windows(2).any(|w| w == b"  ")
        && !text
            .chars()
            .any(|c| c == '`' || c == '|' || (c != ' ' && c.is_whitespace()));
    if plain {
        let mut out = String::with_capacity(text.len() + 2);
        out.push('`');
        out.push_str(text);
        out.push('`');
        return out;
    }
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let collapsed = collapsed.replace('|', "\\|");
    let mut longest = 0;
    let mut run = 0;
    for c in collapsed.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    if collapsed.starts_with('`') || collapsed.ends_with('`') || longest > 0 {
        format!("{fence} {collapsed} {fence}")
    } else {
        format!("{fence}{collapsed}{fence}")
    }
}

/// A fenced code block whose fence is longer than any backtick run in `code`.
pub fn code_block(code: &str, lang: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in code.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat((longest + 1).max(3));
    let lang: String = lang
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    format!("{fence}{lang}\n{}\n{fence}", code.trim_end_matches('\n'))
}

/// First sentence of prose (up to `max` characters), on one line.
pub fn first_sentence(text: &str, max: usize) -> String {
    // Whitespace collapsed to single spaces, up to the first word that ends with a period
    // (a period followed by whitespace or the end); past `max` characters the rest cannot
    // change the truncated result.
    let mut out = String::with_capacity(text.len().min(4 * max + 8));
    let mut chars = 0;
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
            chars += 1;
        }
        out.push_str(word);
        chars += word.chars().count();
        if word.ends_with('.') || chars > max {
            break;
        }
    }
    truncate(&out, max)
}

/// At most `max` characters, ending with `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_cannot_break_tables_or_add_html() {
        assert_eq!(inline("a | b\nc"), "a \\| b c");
        assert_eq!(inline("<!-- hide -->"), "&lt;!-- hide --&gt;");
        assert_eq!(inline("# Heading"), "\\# Heading");
        assert_eq!(inline("- item"), "\\- item");
        assert_eq!(inline("1. first"), "1\\. first");
        assert_eq!(inline("```rust"), "\\```rust");
        assert_eq!(inline("`code` first"), "`code` first");
        assert_eq!(inline("-x"), "-x");
        assert_eq!(inline("==="), "\\===");
        assert_eq!(inline("path\\|x"), "path\\\\\\|x");
        assert_eq!(inline("plain `code` text"), "plain `code` text");
    }

    #[test]
    fn whitespace_collapses_and_sentences_end_at_a_period() {
        assert_eq!(inline("  a  b\t\tc  "), "a b c");
        assert_eq!(inline("a\u{1}b\u{85}c"), "a b c");
        assert_eq!(first_sentence("  One  two.\nThree.", 80), "One two.");
        assert_eq!(first_sentence("v1.2 stays. Next", 80), "v1.2 stays.");
        assert_eq!(first_sentence("abcdef ghi", 4), "abc…");
        assert_eq!(first_sentence("é è. x", 80), "é è.");
    }

    #[test]
    fn block_neutralizes_fences_headings_and_frontmatter() {
        let hostile =
            "Intro\n```rust\nfn x() {}\n```\n# Owned\nSetext\n===\n---\n<details>\n\n\n\nend";
        let out = block(hostile);
        for line in out.lines() {
            assert!(!line.starts_with("```"), "{line}");
            assert!(!line.starts_with('#'), "{line}");
            assert!(!line.starts_with("---"), "{line}");
            assert!(!line.starts_with("==="), "{line}");
            assert!(!line.starts_with('<'), "{line}");
        }
        assert!(out.contains("\\```rust"));
        assert!(out.contains("\\# Owned"));
        assert!(out.contains("&lt;details&gt;"));
        assert!(!out.contains("\n\n\n"));
        assert!(out.starts_with("Intro") && out.ends_with("end"));
        assert_eq!(block("   ~~~\nx"), "   \\~~~\nx");
    }

    #[test]
    fn yaml_str_is_one_quoted_line() {
        assert_eq!(yaml_str("a \"b\"\n---\nc\\"), "\"a \\\"b\\\" --- c\\\\\"");
    }

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(code_span("/users/{id}"), "`/users/{id}`");
        assert_eq!(code_span("a|b"), "`a\\|b`");
        assert_eq!(code_span("x`y"), "`` x`y ``");
    }

    #[test]
    fn code_block_fence_outgrows_content() {
        assert_eq!(code_block("{\"a\": 1}", "json"), "```json\n{\"a\": 1}\n```");
        let b = code_block("x ``` y ````", "");
        assert!(b.starts_with("`````\n") && b.ends_with("\n`````"));
    }

    #[test]
    fn sentences_and_truncation() {
        assert_eq!(
            first_sentence("Returns users. Sorted.", 100),
            "Returns users."
        );
        assert_eq!(first_sentence("v1.2 is out", 100), "v1.2 is out");
        assert_eq!(truncate("abcdef", 4), "abc…");
    }
}
