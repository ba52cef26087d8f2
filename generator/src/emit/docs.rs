//! Spec prose -> rustdoc that renders intact and never compiles as a doctest or trips a lint.

/// Make markdown from a spec safe as rustdoc: code fences become `text` blocks, indented code
/// blocks are flattened, brackets and `<` are escaped outside code, links and URLs become
/// autolinks.
pub fn rustdoc(text: &str) -> String {
    // Tabs become four spaces (clippy's `tabs_in_doc_comments`; GitHub's tables use tabs).
    let text = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\t', "    ");
    let mut out: Vec<String> = Vec::new();
    let mut fence: Option<String> = None;
    for line in text.trim().lines() {
        let trimmed = line.trim_start();
        if let Some(open) = &fence {
            if trimmed.starts_with(open.as_str())
                && trimmed
                    .trim_end()
                    .chars()
                    .all(|c| c == open.chars().next().unwrap_or('`'))
            {
                out.push(open.clone());
                fence = None;
            } else {
                out.push(line.to_string());
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            let ch = trimmed.chars().next().unwrap_or('`');
            let len = trimmed.chars().take_while(|c| *c == ch).count();
            let marker: String = std::iter::repeat_n(ch, len).collect();
            out.push(format!("{marker}text"));
            fence = Some(marker);
            continue;
        }
        let indent = (line.len() - trimmed.len()).min(2);
        out.push(format!(
            "{}{}",
            " ".repeat(indent),
            inline(trimmed.trim_end())
        ));
    }
    if let Some(open) = fence {
        out.push(open);
    }
    out.join("\n")
}

/// Escape one line outside code spans.
fn inline(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut rest = line;
    loop {
        match rest.find('`') {
            None => {
                out.push_str(&prose(rest));
                break;
            }
            Some(start) => {
                out.push_str(&prose(&rest[..start]));
                let ticks = rest[start..].chars().take_while(|c| *c == '`').count();
                let marker = &rest[start..start + ticks];
                let after = &rest[start + ticks..];
                match after.find(marker) {
                    Some(end) => {
                        out.push_str(marker);
                        out.push_str(&after[..end]);
                        out.push_str(marker);
                        rest = &after[end + ticks..];
                    }
                    None => {
                        // Unbalanced backticks: escape them so nothing after becomes code.
                        for _ in 0..ticks {
                            out.push_str("\\`");
                        }
                        rest = after;
                    }
                }
            }
        }
    }
    out
}

fn is_url_char(c: char) -> bool {
    !c.is_whitespace()
        && !matches!(
            c,
            '<' | '>' | '"' | '\'' | '`' | '[' | ']' | '(' | ')' | '{' | '}' | '|' | '\\'
        )
}

/// Prose outside code: links -> `text (<url>)`, bare URLs -> `<url>`, escape `[ ] < > *`-safe.
fn prose(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // Markdown link [text](url)
        if c == '[' {
            if let Some(close) = chars[i + 1..].iter().position(|&c| c == ']') {
                let close = i + 1 + close;
                if chars.get(close + 1) == Some(&'(') {
                    if let Some(end) = chars[close + 2..].iter().position(|&c| c == ')') {
                        let end = close + 2 + end;
                        let text: String = chars[i + 1..close].iter().collect();
                        let url: String = chars[close + 2..end].iter().collect();
                        out.push_str(&prose(&text));
                        let url = url.trim();
                        if url.starts_with("http://") || url.starts_with("https://") {
                            out.push_str(&format!(" (<{}>)", url.replace('>', "%3E")));
                        }
                        i = end + 1;
                        continue;
                    }
                }
            }
        }
        let starts = |p: &str| chars[i..].iter().copied().take(p.len()).eq(p.chars());
        if c == 'h' && (starts("http://") || starts("https://")) {
            let mut j = i;
            while j < chars.len() && is_url_char(chars[j]) {
                j += 1;
            }
            while j > i && matches!(chars[j - 1], '.' | ',' | ';' | ':' | '!' | '?') {
                j -= 1;
            }
            let url: String = chars[i..j].iter().collect();
            out.push('<');
            out.push_str(&url);
            out.push('>');
            i = j;
            continue;
        }
        match c {
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '<' => out.push_str("&lt;"),
            '>' if i > 0 => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::rustdoc;

    #[test]
    fn tabs_become_spaces() {
        let d = rustdoc("| Tags per rule\t|\t20 |\n```\n\tcode\n```");
        assert!(!d.contains('\t'), "{d}");
        assert!(d.contains("Tags per rule    |    20"), "{d}");
    }

    #[test]
    fn fences_become_text() {
        let d = rustdoc("Example:\n```json\n{\"a\": [1]}\n```\nend");
        assert_eq!(d, "Example:\n```text\n{\"a\": [1]}\n```\nend");
    }

    #[test]
    fn unclosed_fence_is_closed() {
        assert_eq!(rustdoc("```\ncode"), "```text\ncode\n```");
    }

    #[test]
    fn brackets_html_and_urls() {
        assert_eq!(
            rustdoc("See [docs](https://clerk.com/docs). Use <b>x</b> [a] at https://x.io/y."),
            "See docs (<https://clerk.com/docs>). Use &lt;b&gt;x&lt;/b&gt; \\[a\\] at <https://x.io/y>."
        );
    }

    #[test]
    fn code_spans_are_kept() {
        assert_eq!(rustdoc("use `Vec<[u8]>` here"), "use `Vec<[u8]>` here");
        assert_eq!(rustdoc("odd ` tick"), "odd \\` tick");
    }

    #[test]
    fn indented_code_is_flattened() {
        assert_eq!(rustdoc("para\n\n    let x = 1;"), "para\n\n  let x = 1;");
    }
}
