//! A small regular-expression engine for the subset of ECMA-262 that OpenAPI `pattern`s use in
//! practice: it both generates a matching string and checks a string (with JavaScript's
//! unanchored search semantics).
//!
//! Supported: literals, `.`, `^`, `$`, escapes (`\w \W \d \D \s \S`, `\n \t \r`, `\uXXXX`,
//! escaped punctuation), character classes with ranges and negation (`[^_A-Za-z0-9-]`,
//! `[\w.]`), groups `( )` and `(?: )`, alternation `|`, and the quantifiers `? * + {n} {n,}
//! {n,m}` (greedy or lazy). Anything else (look-around, back-references, `\b`, flags) is
//! reported as unsupported.

/// A parsed pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    root: Node,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Char(char),
    Any,
    Class(Class),
    Start,
    End,
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat(Box<Node>, usize, Option<usize>),
}

#[derive(Debug, Clone, PartialEq)]
struct Class {
    negated: bool,
    items: Vec<ClassItem>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum ClassItem {
    Range(char, char),
    Word(bool),
    Digit(bool),
    Space(bool),
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

impl ClassItem {
    fn contains(self, c: char) -> bool {
        match self {
            ClassItem::Range(a, b) => a <= c && c <= b,
            ClassItem::Word(positive) => is_word(c) == positive,
            ClassItem::Digit(positive) => c.is_ascii_digit() == positive,
            ClassItem::Space(positive) => is_space(c) == positive,
        }
    }
}

impl Class {
    fn contains(&self, c: char) -> bool {
        self.items.iter().any(|i| i.contains(c)) != self.negated
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

/// Why a pattern cannot be handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    source: &'a str,
}

impl Parser<'_> {
    fn err<T>(&self, what: &str) -> Result<T, Unsupported> {
        Err(Unsupported(format!(
            "{what} at offset {} of `{}`",
            self.pos, self.source
        )))
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn alternation(&mut self) -> Result<Node, Unsupported> {
        let mut alts = vec![self.concat()?];
        while self.eat('|') {
            alts.push(self.concat()?);
        }
        Ok(if alts.len() == 1 {
            alts.pop().unwrap_or(Node::Concat(Vec::new()))
        } else {
            Node::Alt(alts)
        })
    }

    fn concat(&mut self) -> Result<Node, Unsupported> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            items.push(self.quantified(atom)?);
        }
        Ok(Node::Concat(items))
    }

    fn number(&mut self) -> Option<usize> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        self.chars[start..self.pos]
            .iter()
            .collect::<String>()
            .parse()
            .ok()
    }

    fn quantified(&mut self, atom: Node) -> Result<Node, Unsupported> {
        let (min, max) = match self.peek() {
            Some('?') => (0, Some(1)),
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('{') => {
                let save = self.pos;
                self.pos += 1;
                let Some(min) = self.number() else {
                    // A literal `{`, as JavaScript allows outside unicode mode.
                    self.pos = save;
                    return Ok(atom);
                };
                let max = if self.eat(',') {
                    self.number()
                } else {
                    Some(min)
                };
                if !self.eat('}') {
                    return self.err("malformed `{n,m}` quantifier");
                }
                if matches!(atom, Node::Start | Node::End) {
                    return self.err("quantified assertion");
                }
                if max.is_some_and(|m| m < min) {
                    return self.err("quantifier with max < min");
                }
                self.eat('?');
                return Ok(Node::Repeat(Box::new(atom), min, max));
            }
            _ => return Ok(atom),
        };
        self.pos += 1;
        if matches!(atom, Node::Start | Node::End) {
            return self.err("quantified assertion");
        }
        self.eat('?');
        Ok(Node::Repeat(Box::new(atom), min, max))
    }

    fn atom(&mut self) -> Result<Node, Unsupported> {
        let Some(c) = self.peek() else {
            return self.err("unexpected end");
        };
        self.pos += 1;
        match c {
            '^' => Ok(Node::Start),
            '$' => Ok(Node::End),
            '.' => Ok(Node::Any),
            '(' => {
                if self.eat('?') && !self.eat(':') {
                    return self.err("look-around or named group");
                }
                let inner = self.alternation()?;
                if !self.eat(')') {
                    return self.err("unclosed group");
                }
                Ok(inner)
            }
            '[' => self.class().map(Node::Class),
            '\\' => match self.escape()? {
                ClassItem::Range(a, _) => Ok(Node::Char(a)),
                item => Ok(Node::Class(Class {
                    negated: false,
                    items: vec![item],
                })),
            },
            '*' | '+' | '?' => self.err("nothing to repeat"),
            c => Ok(Node::Char(c)),
        }
    }

    /// After a backslash: a single character (as a one-char range) or a class escape.
    fn escape(&mut self) -> Result<ClassItem, Unsupported> {
        let Some(c) = self.peek() else {
            return self.err("trailing backslash");
        };
        self.pos += 1;
        let single = |c| Ok(ClassItem::Range(c, c));
        match c {
            'w' => Ok(ClassItem::Word(true)),
            'W' => Ok(ClassItem::Word(false)),
            'd' => Ok(ClassItem::Digit(true)),
            'D' => Ok(ClassItem::Digit(false)),
            's' => Ok(ClassItem::Space(true)),
            'S' => Ok(ClassItem::Space(false)),
            'n' => single('\n'),
            't' => single('\t'),
            'r' => single('\r'),
            'f' => single('\u{c}'),
            'v' => single('\u{b}'),
            '0' => single('\0'),
            'u' => {
                let hex: String = self.chars.iter().skip(self.pos).take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) if hex.len() == 4 => {
                        self.pos += 4;
                        single(ch)
                    }
                    _ => self.err("unsupported \\u escape"),
                }
            }
            c if c.is_ascii_alphanumeric() => {
                self.pos -= 1;
                self.err("unsupported escape (\\b, back-reference, ...)")
            }
            c => single(c),
        }
    }

    fn class(&mut self) -> Result<Class, Unsupported> {
        let negated = self.eat('^');
        let mut items = Vec::new();
        loop {
            let Some(c) = self.peek() else {
                return self.err("unclosed character class");
            };
            self.pos += 1;
            if c == ']' {
                break;
            }
            let item = if c == '\\' {
                self.escape()?
            } else {
                ClassItem::Range(c, c)
            };
            // A range `a-z` (a `-` first, last or next to a class escape is literal).
            if let ClassItem::Range(lo, _) = item {
                if self.peek() == Some('-') && self.chars.get(self.pos + 1) != Some(&']') {
                    let save = self.pos;
                    self.pos += 1;
                    let hi = match self.peek() {
                        Some('\\') => {
                            self.pos += 1;
                            self.escape()?
                        }
                        Some(h) => {
                            self.pos += 1;
                            ClassItem::Range(h, h)
                        }
                        None => return self.err("unclosed character class"),
                    };
                    match hi {
                        ClassItem::Range(hi, _) if hi >= lo => {
                            items.push(ClassItem::Range(lo, hi));
                            continue;
                        }
                        ClassItem::Range(..) => return self.err("reversed class range"),
                        _ => {
                            // `a-\w`: literal `a`, `-`, then the class escape.
                            self.pos = save;
                        }
                    }
                }
            }
            items.push(item);
        }
        Ok(Class { negated, items })
    }
}

impl Pattern {
    /// Parse `source`, or say why it is outside the supported subset.
    pub fn parse(source: &str) -> Result<Pattern, Unsupported> {
        let mut p = Parser {
            chars: source.chars().collect(),
            pos: 0,
            source,
        };
        let root = p.alternation()?;
        if p.pos != p.chars.len() {
            return p.err("unbalanced `)`");
        }
        Ok(Pattern { root })
    }

    /// True when `text` contains a match (JavaScript `RegExp.prototype.test`).
    pub fn is_match(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        (0..=chars.len()).any(|start| matches(&self.root, &chars, start, &mut |_| true))
    }

    /// A string matching the pattern whose length lies in `[min_len, max_len]`, if one of
    /// the tried shapes fits: quantifiers at their minimum first, then repeated more.
    pub fn generate(&self, min_len: usize, max_len: Option<usize>) -> Option<String> {
        let biases = [0usize, 1, 2, 3, 4, 8, 16, 32, 64, 128, 256];
        for bias in biases {
            for alt in 0..4 {
                let mut out = String::new();
                generate(&self.root, bias, alt, &mut out);
                let n = out.chars().count();
                if n >= min_len && max_len.is_none_or(|m| n <= m) && self.is_match(&out) {
                    return Some(out);
                }
            }
        }
        None
    }
}

/// Continuation-passing backtracking matcher: `k` receives each end position.
fn matches(node: &Node, s: &[char], pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    match node {
        Node::Char(c) => s.get(pos) == Some(c) && k(pos + 1),
        Node::Any => s.get(pos).is_some_and(|c| !matches!(c, '\n' | '\r')) && k(pos + 1),
        Node::Class(class) => s.get(pos).is_some_and(|c| class.contains(*c)) && k(pos + 1),
        Node::Start => pos == 0 && k(pos),
        Node::End => pos == s.len() && k(pos),
        Node::Concat(items) => concat(items, s, pos, k),
        Node::Alt(alts) => alts.iter().any(|a| matches(a, s, pos, k)),
        Node::Repeat(inner, min, max) => repeat(inner, *min, *max, 0, s, pos, k),
    }
}

fn concat(items: &[Node], s: &[char], pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    match items.split_first() {
        None => k(pos),
        Some((first, rest)) => matches(first, s, pos, &mut |p| concat(rest, s, p, k)),
    }
}

fn repeat(
    inner: &Node,
    min: usize,
    max: Option<usize>,
    count: usize,
    s: &[char],
    pos: usize,
    k: &mut dyn FnMut(usize) -> bool,
) -> bool {
    // Greedy: one more iteration first (only if it consumes input), then stop.
    if max.is_none_or(|m| count < m) {
        let more = matches(inner, s, pos, &mut |p| {
            (p > pos || count < min) && repeat(inner, min, max, count + 1, s, p, k)
        });
        if more {
            return true;
        }
    }
    count >= min && k(pos)
}

fn generate(node: &Node, bias: usize, alt: usize, out: &mut String) {
    match node {
        Node::Char(c) => out.push(*c),
        Node::Any => out.push('a'),
        Node::Class(class) => {
            if let Some(c) = preferred_chars().find(|c| class.contains(*c)) {
                out.push(c);
            }
        }
        Node::Start | Node::End => {}
        Node::Concat(items) => items.iter().for_each(|i| generate(i, bias, alt, out)),
        Node::Alt(alts) => {
            if let Some(a) = alts.get(alt.min(alts.len() - 1)) {
                generate(a, bias, alt, out);
            }
        }
        Node::Repeat(inner, min, max) => {
            let n = bias.max(*min).min(max.unwrap_or(usize::MAX));
            for _ in 0..n {
                generate(inner, bias, alt, out);
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
        for p in [r"(?=a)b", r"\bword", r"(a)\1", r"a**", "(a", "a)", "[a"] {
            assert!(Pattern::parse(p).is_err(), "{p}");
        }
    }
}
