//! OpenAPI `pattern`s (ECMA-262 regular expressions): a string that matches one, and the
//! check that a string matches (JavaScript's `RegExp.prototype.test`: an unanchored search).
//!
//! The pattern is parsed by `regex-syntax` and matched by `regex-automata`. Rust's syntax is
//! ECMA-262's for what specs use (literals, escapes, classes, groups, alternation, greedy and
//! lazy quantifiers, `^` and `$`); where the meaning differs, the syntax tree is adjusted
//! before it is translated: `\d` and `\w` are ASCII (`[0-9]`, `[0-9A-Za-z_]`), and `.` matches
//! anything but line terminators (`\n`, `\r`, U+2028, U+2029). Look-around and
//! back-references do not parse; word boundaries and multi-line anchors are reported as
//! unsupported too (no example is built for them).

use regex_syntax::ast::{self, Ast};
use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// A parsed pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    hir: Hir,
    matcher: regex_automata::meta::Regex,
}

/// Why a pattern cannot be handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Characters tried, in order, when a class must produce one: readable ones first.
fn preferred_chars() -> impl Iterator<Item = char> {
    ('a'..='z')
        .chain('A'..='Z')
        .chain('0'..='9')
        .chain("_-.@:/+ ".chars())
        .chain((0x21u8..0x7f).map(char::from))
}

impl Pattern {
    /// Parse `source`, or say why it is outside what can be handled.
    pub fn parse(source: &str) -> Result<Pattern, Unsupported> {
        let mut tree = ast::parse::Parser::new()
            .parse(source)
            .map_err(|e| Unsupported(format!("`{source}`: {}", e.kind())))?;
        ecma(&mut tree).map_err(|what| Unsupported(format!("`{source}`: {what}")))?;
        let hir = regex_syntax::hir::translate::Translator::new()
            .translate(source, &tree)
            .map_err(|e| Unsupported(format!("`{source}`: {}", e.kind())))?;
        if let Some(look) = unsupported_look(&hir) {
            return Err(Unsupported(format!(
                "`{source}`: unsupported assertion {look:?} (word boundary or multi-line anchor)"
            )));
        }
        let matcher = regex_automata::meta::Regex::builder()
            .build_from_hir(&hir)
            .map_err(|e| Unsupported(format!("`{source}`: {e}")))?;
        Ok(Pattern { hir, matcher })
    }

    /// True when `text` contains a match (JavaScript `RegExp.prototype.test`).
    pub fn is_match(&self, text: &str) -> bool {
        self.matcher.is_match(text)
    }

    /// A string matching the pattern whose length lies in `[min_len, max_len]`, if one of
    /// the tried shapes fits: quantifiers at their minimum first, then repeated more.
    pub fn generate(&self, min_len: usize, max_len: Option<usize>) -> Option<String> {
        let biases = [0u32, 1, 2, 3, 4, 8, 16, 32, 64, 128, 256];
        for bias in biases {
            for alt in 0..4 {
                let mut out = String::new();
                generate(&self.hir, bias, alt, &mut out);
                let n = out.chars().count();
                if n >= min_len && max_len.is_none_or(|m| n <= m) && self.is_match(&out) {
                    return Some(out);
                }
            }
        }
        None
    }
}

/// ECMA-262 meanings of `\d`, `\w` and `.` (see the module docs; `\s` is Unicode in both),
/// and its one rule Rust does not have: a quantifier cannot follow a quantifier (`a**`).
fn ecma(tree: &mut Ast) -> Result<(), &'static str> {
    match tree {
        Ast::ClassPerl(perl) if perl.kind != ast::ClassPerlKind::Space => {
            let item = ast::ClassSetItem::Ascii(ascii(perl));
            *tree = Ast::class_bracketed(ast::ClassBracketed {
                span: perl.span,
                negated: false,
                kind: ast::ClassSet::Item(item),
            });
        }
        Ast::Dot(span) => {
            let span = **span;
            let literal = |c| {
                ast::ClassSetItem::Literal(ast::Literal {
                    span,
                    kind: ast::LiteralKind::Verbatim,
                    c,
                })
            };
            let terminators = ['\n', '\r', '\u{2028}', '\u{2029}'].map(literal);
            *tree = Ast::class_bracketed(ast::ClassBracketed {
                span,
                negated: true,
                kind: ast::ClassSet::Item(ast::ClassSetItem::Union(ast::ClassSetUnion {
                    span,
                    items: terminators.into(),
                })),
            });
        }
        Ast::ClassBracketed(class) => ecma_set(&mut class.kind),
        Ast::Repetition(repetition) if matches!(*repetition.ast, Ast::Repetition(_)) => {
            return Err("nothing to repeat (a quantifier after a quantifier)");
        }
        Ast::Repetition(repetition) => return ecma(&mut repetition.ast),
        Ast::Group(group) => return ecma(&mut group.ast),
        Ast::Alternation(alternation) => return alternation.asts.iter_mut().try_for_each(ecma),
        Ast::Concat(concat) => return concat.asts.iter_mut().try_for_each(ecma),
        _ => {}
    }
    Ok(())
}

fn ecma_set(set: &mut ast::ClassSet) {
    match set {
        ast::ClassSet::Item(item) => ecma_item(item),
        ast::ClassSet::BinaryOp(op) => {
            ecma_set(&mut op.lhs);
            ecma_set(&mut op.rhs);
        }
    }
}

fn ecma_item(item: &mut ast::ClassSetItem) {
    match item {
        ast::ClassSetItem::Perl(perl) if perl.kind != ast::ClassPerlKind::Space => {
            *item = ast::ClassSetItem::Ascii(ascii(perl));
        }
        ast::ClassSetItem::Bracketed(class) => ecma_set(&mut class.kind),
        ast::ClassSetItem::Union(union) => union.items.iter_mut().for_each(ecma_item),
        _ => {}
    }
}

/// `\d` / `\w` (and their negations) as the ASCII classes `[[:digit:]]` / `[[:word:]]`.
fn ascii(perl: &ast::ClassPerl) -> ast::ClassAscii {
    let kind = match perl.kind {
        ast::ClassPerlKind::Digit => ast::ClassAsciiKind::Digit,
        ast::ClassPerlKind::Word => ast::ClassAsciiKind::Word,
        ast::ClassPerlKind::Space => ast::ClassAsciiKind::Space,
    };
    ast::ClassAscii {
        span: perl.span,
        kind,
        negated: perl.negated,
    }
}

/// The first assertion other than `^` and `$` (start and end of the text).
fn unsupported_look(hir: &Hir) -> Option<Look> {
    match hir.kind() {
        HirKind::Look(Look::Start | Look::End) => None,
        HirKind::Look(look) => Some(*look),
        HirKind::Repetition(r) => unsupported_look(&r.sub),
        HirKind::Capture(c) => unsupported_look(&c.sub),
        HirKind::Concat(hirs) | HirKind::Alternation(hirs) => {
            hirs.iter().find_map(unsupported_look)
        }
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) => None,
    }
}

/// One string of the language of `hir`: each repetition `bias` times (within its bounds),
/// the `alt`-th branch of each alternation (the last when there are fewer).
fn generate(hir: &Hir, bias: u32, alt: usize, out: &mut String) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(literal) => out.push_str(&String::from_utf8_lossy(&literal.0)),
        HirKind::Class(Class::Unicode(class)) => {
            let contains = |c: char| {
                class
                    .ranges()
                    .iter()
                    .any(|r| r.start() <= c && c <= r.end())
            };
            let first = class.ranges().first().map(|r| r.start());
            if let Some(c) = preferred_chars().find(|c| contains(*c)).or(first) {
                out.push(c);
            }
        }
        HirKind::Class(Class::Bytes(class)) => {
            let contains = |b: u8| {
                class
                    .ranges()
                    .iter()
                    .any(|r| r.start() <= b && b <= r.end())
            };
            if let Some(c) = preferred_chars().find(|c| contains(*c as u8)) {
                out.push(c);
            }
        }
        HirKind::Repetition(r) => {
            let n = bias.max(r.min).min(r.max.unwrap_or(u32::MAX));
            for _ in 0..n {
                generate(&r.sub, bias, alt, out);
            }
        }
        HirKind::Capture(c) => generate(&c.sub, bias, alt, out),
        HirKind::Concat(hirs) => hirs.iter().for_each(|h| generate(h, bias, alt, out)),
        HirKind::Alternation(hirs) => {
            if let Some(h) = hirs.get(alt.min(hirs.len().saturating_sub(1))) {
                generate(h, bias, alt, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Pattern;

    fn gen(p: &str) -> String {
        Pattern::parse(p).unwrap().generate(0, None).unwrap()
    }

    #[test]
    fn clerk_patterns_generate_matching_strings() {
        assert_eq!(gen(r"^user_\w{27}$"), format!("user_{}", "a".repeat(27)));
        assert_eq!(
            gen(r"^ak_[0-9A-Fa-f]{32}$"),
            format!("ak_{}", "a".repeat(32))
        );
        assert_eq!(gen(r"^(user|org|mch)_\w{27}$").len(), 32);
        assert_eq!(gen(r"^oauth_[a-z]+$"), "oauth_a");
        assert_eq!(gen(r"^oauth_(?:(?:token_)|(?:custom_))?[a-z]+$"), "oauth_a");
        assert_eq!(gen(r"^from_oauth_[a-z0-9_]+$"), "from_oauth_a");
        assert_eq!(gen(r"^[^_][A-Za-z0-9_-]*$"), "a");
        assert_eq!(gen(r"^[A-Z]{2}$"), "AA");
        assert_eq!(gen(r"^(\S(.*\S)?)?$"), "");
        assert_eq!(gen(r"^web3_\w+_signature$"), "web3_a_signature");
        assert_eq!(gen(r"^(?:oauth_[a-z0-9_]+|saml)$"), "oauth_a");
        let trimmed = Pattern::parse(r"^(\S(.*\S)?)?$").unwrap();
        assert_eq!(trimmed.generate(1, None).as_deref(), Some("aaa"));
        // A class without readable ASCII characters gives its first character.
        assert_eq!(gen(r"^[α-ω]{2}$"), "αα");
    }

    #[test]
    fn matcher_follows_javascript_semantics() {
        let p = Pattern::parse(r"^(ak|api_key)_[0-9A-Fa-f]{32}$").unwrap();
        assert!(p.is_match(&format!("api_key_{}", "F".repeat(32))));
        assert!(!p.is_match(&format!("api_key_{}", "g".repeat(32))));
        assert!(!p.is_match(&format!("ak_{}", "a".repeat(31))));
        // Unanchored patterns search.
        let p = Pattern::parse(r"[0-9]{3}").unwrap();
        assert!(p.is_match("ab123cd"));
        assert!(!p.is_match("ab12cd"));
        let p = Pattern::parse(r"^(\S(.*\S)?)?$").unwrap();
        assert!(p.is_match("a b"));
        assert!(!p.is_match(" a"));
        assert!(!p.is_match("a "));
        let p = Pattern::parse(r"^[^_][\w.-]*$").unwrap();
        assert!(p.is_match("a.b-c_d"));
        assert!(!p.is_match("_a"));
        assert!(Pattern::parse(r"^a{2,3}$").unwrap().is_match("aaa"));
        assert!(!Pattern::parse(r"^a{2,3}$").unwrap().is_match("aaaa"));
        assert!(Pattern::parse(r"^x*y*$").unwrap().is_match(""));
        assert!(Pattern::parse(r"^(a*)*b$").unwrap().is_match("aab"));
        // `\d` and `\w` are ASCII, `\s` Unicode, and `.` stops at line terminators.
        assert!(!Pattern::parse(r"^\d+$").unwrap().is_match("١٢"));
        assert!(!Pattern::parse(r"^\w+$").unwrap().is_match("José"));
        assert!(Pattern::parse(r"^[\W]+$").unwrap().is_match("é"));
        assert!(Pattern::parse(r"^\D$").unwrap().is_match("é"));
        assert!(Pattern::parse(r"^\s$").unwrap().is_match("\u{a0}"));
        assert!(Pattern::parse(r"^.$").unwrap().is_match("é"));
        assert!(!Pattern::parse(r"^a.b$").unwrap().is_match("a\rb"));
        assert!(!Pattern::parse(r"^a.b$").unwrap().is_match("a\u{2028}b"));
        // Exponential for a backtracking matcher; linear here.
        let p = Pattern::parse(r"^(a+)+$").unwrap();
        assert!(!p.is_match(&format!("{}!", "a".repeat(10_000))));
    }

    #[test]
    fn length_limits_stretch_quantifiers() {
        let p = Pattern::parse(r"^[a-z]+$").unwrap();
        assert_eq!(p.generate(3, Some(5)).as_deref(), Some("aaa"));
        assert_eq!(p.generate(0, Some(0)), None);
        let p = Pattern::parse(r"^(a|bb)$").unwrap();
        assert_eq!(p.generate(2, None).as_deref(), Some("bb"));
    }

    #[test]
    fn unsupported_syntax_is_reported() {
        let patterns = [
            r"(?=a)b", r"\bword", r"(a)\1", r"a**", r"a{2}+", "(a", "a)", "[a", r"(?m)^a",
        ];
        for p in patterns {
            let err = Pattern::parse(p).unwrap_err();
            assert!(err.0.contains(p), "{p}: {err}");
        }
    }
}
