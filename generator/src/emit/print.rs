//! Printing generated code: a `proc_macro2::TokenStream` written straight to Rust source.
//!
//! The emitters build items with `quote!`; this module writes them out the way code is
//! written by hand, without parsing the tokens into a syntax tree first (which is what made
//! generation slow): `#[doc]` attributes as `///` lines, outer attributes on their own line,
//! one statement, field, variant, match arm or long array element per line, four spaces per
//! brace level, a blank line between items. The files carry
//! `#![cfg_attr(rustfmt, rustfmt::skip)]`: the layout is readable, not rustfmt's, and long
//! lines stay long.
//!
//! A token stream carries no syntax, so the layout is read from the tokens around each group:
//! a brace group after `fn ..`, `if ..`, `else`, `=>`, a closure's `|..|`, `async move` is a
//! block; after `impl`/`mod`/`trait` it holds items; after `struct`/`enum` fields or variants;
//! after `match ..` arms; after `::` a use tree; otherwise a struct literal (or pattern), one
//! field per line when it has several. Spacing follows the operator's position: `&`, `*`,
//! `-`, `!` with nothing to operate on before them are prefixes (tight), after an operand they
//! are binary (spaced); `<` opens generics (tight) when a matching `>` follows with only
//! type-like tokens between, otherwise it is a comparison. Multi-character operators are
//! rebuilt from [`Spacing::Joint`] punctuation.
//!
//! The output is made of exactly the input tokens (plus a comma after the last line of a
//! one-per-line list); `emit::print_check` checks that for every generated file of the fixture,
//! hostile and Clerk specs. Known roughness: a struct pattern with several fields inside
//! parentheses (`Some(A { x, y })`) is laid out like a struct literal, one field per line.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use std::borrow::Cow;

/// Print the items of `tokens` as the body of a file: one item after another with a blank
/// line between them, ending with a newline (empty for no tokens).
pub fn file(tokens: TokenStream) -> String {
    let mut words = String::new();
    let toks = convert(tokens, &mut words);
    let mut p = Printer {
        words: &words,
        out: String::with_capacity(words.len() * 2),
        indent: 0,
        line_start: true,
    };
    p.lines(&toks, Layout::Items);
    p.out
}

/// How a token is placed relative to its neighbours.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    /// `::`
    Path,
    /// `.`
    Dot,
    /// `,` inside generics or closure parameters: never ends a line.
    Comma,
    /// `,` at the top level of its group: ends a line in a one-per-line layout.
    ListComma,
    /// `;`
    Semi,
    /// `:`
    Colon,
    /// Spaced on both sides: `=`, `==`, `->`, `=>`, `+`, binary `&`, `*`, `-`, `|`, `<`, `>`.
    Binary,
    /// `&`, `*`, `-`, `!`, `?` before an operand: tight after.
    Prefix,
    /// `..`, `..=`, `...`: tight.
    Range,
    /// Postfix `?`.
    Question,
    /// The `!` of a macro call.
    Bang,
    /// The `#` of an attribute.
    Pound,
    /// The `!` of an inner attribute `#![..]`.
    InnerBang,
    /// `<` opening generics.
    GenOpen,
    /// `>` closing generics.
    GenClose,
    /// `|` opening closure parameters.
    ClosureOpen,
    /// `|` closing closure parameters.
    ClosureClose,
    /// `||` of a closure without parameters.
    ClosureEmpty,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum WordKind {
    /// An identifier (raw identifiers included) or a lifetime.
    Ident,
    Keyword,
    Literal,
}

/// How the contents of a group are laid out.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Layout {
    /// On the current line: parentheses, attributes' brackets, short braces `{ a }`, `{}`.
    Inline,
    /// `{A, B}` of a use declaration.
    UseTree,
    /// One item per line, a blank line between items (files, `impl`, `mod`, `trait`).
    Items,
    /// One statement per line.
    Stmts,
    /// One match arm per line.
    Arms,
    /// One field, variant or struct-literal field per line.
    Fields,
    /// Brackets with one element per line.
    List,
}

impl Layout {
    fn multiline(self) -> bool {
        !matches!(self, Layout::Inline | Layout::UseTree)
    }
}

/// The text of a word: a keyword, or a range of the string all other words of a file are
/// written to (one allocation per file rather than one per word).
#[derive(Clone, Copy, Debug)]
enum Text {
    Keyword(&'static str),
    Words(u32, u32),
}

impl Text {
    fn get<'a>(&self, words: &'a str) -> &'a str {
        match *self {
            Text::Keyword(k) => k,
            Text::Words(from, to) => &words[from as usize..to as usize],
        }
    }

    /// The keyword, or `""` for other words.
    fn kw(&self) -> &'static str {
        match self {
            Text::Keyword(k) => k,
            Text::Words(..) => "",
        }
    }

    fn len(&self) -> usize {
        match *self {
            Text::Keyword(k) => k.len(),
            Text::Words(from, to) => (to - from) as usize,
        }
    }
}

#[derive(Debug)]
enum Tok {
    Word {
        text: Text,
        kind: WordKind,
        /// An identifier starting with an uppercase letter (a type, most likely).
        upper: bool,
    },
    Op {
        text: &'static str,
        role: Role,
    },
    Group(Box<Group>),
}

#[derive(Debug)]
struct Group {
    delim: Delimiter,
    toks: Vec<Tok>,
    layout: Layout,
    /// Printed over more than one line (itself or a group inside it).
    spans: bool,
}

/// Before roles are known.
enum Raw {
    Word(Text, WordKind, bool),
    Op(&'static str),
    Group(Delimiter, Vec<Tok>),
}

fn keyword(word: &str) -> Option<&'static str> {
    Some(match word {
        "as" => "as",
        "async" => "async",
        "await" => "await",
        "break" => "break",
        "const" => "const",
        "continue" => "continue",
        "crate" => "crate",
        "dyn" => "dyn",
        "else" => "else",
        "enum" => "enum",
        "extern" => "extern",
        "fn" => "fn",
        "for" => "for",
        "if" => "if",
        "impl" => "impl",
        "in" => "in",
        "let" => "let",
        "loop" => "loop",
        "match" => "match",
        "mod" => "mod",
        "move" => "move",
        "mut" => "mut",
        "pub" => "pub",
        "ref" => "ref",
        "return" => "return",
        "self" => "self",
        "Self" => "Self",
        "static" => "static",
        "struct" => "struct",
        "super" => "super",
        "trait" => "trait",
        "type" => "type",
        "unsafe" => "unsafe",
        "use" => "use",
        "where" => "where",
        "while" => "while",
        "abstract" => "abstract",
        "become" => "become",
        "box" => "box",
        "do" => "do",
        "final" => "final",
        "macro" => "macro",
        "override" => "override",
        "priv" => "priv",
        "typeof" => "typeof",
        "unsized" => "unsized",
        "virtual" => "virtual",
        "yield" => "yield",
        "try" => "try",
        _ => return None,
    })
}

/// Keywords that end an operand (`self.x`, `Self::X`, `x.await?`).
fn operand_keyword(k: &str) -> bool {
    matches!(k, "self" | "Self" | "super" | "crate" | "await")
}

/// Keywords written without a space before `(` or `[` (`pub(crate)`, `fn(u8)`, `Self(x)`).
fn tight_keyword(k: &str) -> bool {
    matches!(k, "pub" | "fn" | "self" | "Self" | "super" | "crate")
}

/// The multi-character operators, longest first.
fn op_str(s: &str) -> Option<&'static str> {
    Some(match s {
        "<<=" => "<<=",
        ">>=" => ">>=",
        "..." => "...",
        "..=" => "..=",
        "::" => "::",
        "->" => "->",
        "=>" => "=>",
        "==" => "==",
        "!=" => "!=",
        "<=" => "<=",
        ">=" => ">=",
        "&&" => "&&",
        "||" => "||",
        "+=" => "+=",
        "-=" => "-=",
        "*=" => "*=",
        "/=" => "/=",
        "%=" => "%=",
        "^=" => "^=",
        "&=" => "&=",
        "|=" => "|=",
        "<<" => "<<",
        ">>" => ">>",
        ".." => "..",
        _ => return None,
    })
}

fn single_op(c: char) -> &'static str {
    match c {
        '=' => "=",
        '<' => "<",
        '>' => ">",
        '!' => "!",
        '~' => "~",
        '+' => "+",
        '-' => "-",
        '*' => "*",
        '/' => "/",
        '%' => "%",
        '^' => "^",
        '&' => "&",
        '|' => "|",
        '@' => "@",
        '.' => ".",
        ',' => ",",
        ';' => ";",
        ':' => ":",
        '#' => "#",
        '$' => "$",
        '?' => "?",
        '\'' => "'",
        // proc_macro2 accepts no other punctuation.
        _ => "?",
    }
}

/// Turn a stream into tokens with roles, its groups converted first; words are written to
/// `words`.
fn convert(stream: TokenStream, words: &mut String) -> Vec<Tok> {
    let mut raws = Vec::new();
    lex(stream, &mut raws, words);
    Roles::default().assign(raws)
}

/// Write a word to `words` and return its text (a keyword is not written).
fn word(words: &mut String, w: impl std::fmt::Display, may_be_keyword: bool) -> (Text, bool) {
    use std::fmt::Write;
    let from = words.len();
    let _ = write!(words, "{w}");
    if may_be_keyword {
        if let Some(k) = keyword(&words[from..]) {
            words.truncate(from);
            return (Text::Keyword(k), false);
        }
    }
    let w = &words[from..];
    let upper = w
        .strip_prefix("r#")
        .unwrap_or(w)
        .starts_with(|c: char| c.is_uppercase());
    (Text::Words(from as u32, words.len() as u32), upper)
}

fn lex(stream: TokenStream, raws: &mut Vec<Raw>, words: &mut String) {
    let mut iter = stream.into_iter().peekable();
    raws.reserve(iter.size_hint().0);
    while let Some(tt) = iter.next() {
        match tt {
            TokenTree::Ident(i) => {
                let (text, upper) = word(words, &i, true);
                let kind = match text {
                    Text::Keyword(_) => WordKind::Keyword,
                    Text::Words(..) => WordKind::Ident,
                };
                raws.push(Raw::Word(text, kind, upper));
            }
            TokenTree::Literal(l) => {
                let (text, _) = word(words, &l, false);
                raws.push(Raw::Word(text, WordKind::Literal, false));
            }
            TokenTree::Group(g) => {
                let delim = g.delimiter();
                let stream = g.stream();
                // Without the group, the stream is not shared and iterating it moves its
                // tokens out instead of copying them.
                drop(g);
                if delim == Delimiter::None {
                    lex(stream, raws, words);
                } else {
                    raws.push(Raw::Group(delim, convert(stream, words)));
                }
            }
            TokenTree::Punct(p) => {
                if p.as_char() == '\'' && p.spacing() == Spacing::Joint {
                    if let Some(TokenTree::Ident(_)) = iter.peek() {
                        if let Some(TokenTree::Ident(i)) = iter.next() {
                            let (text, _) = word(words, format_args!("'{i}"), false);
                            raws.push(Raw::Word(text, WordKind::Ident, false));
                        }
                        continue;
                    }
                }
                // A run of joint punctuation (ASCII), split into the longest known operators.
                let mut run = [0u8; 16];
                run[0] = p.as_char() as u8;
                let mut len = 1;
                let mut joint = p.spacing() == Spacing::Joint;
                while joint && len < run.len() {
                    match iter.peek() {
                        Some(TokenTree::Punct(next)) if next.as_char() != '\'' => {
                            run[len] = next.as_char() as u8;
                            len += 1;
                            joint = next.spacing() == Spacing::Joint;
                            iter.next();
                        }
                        _ => break,
                    }
                }
                let run = &run[..len];
                let mut i = 0;
                while i < run.len() {
                    let (op, taken) = [3, 2]
                        .into_iter()
                        .find_map(|n| {
                            let s = std::str::from_utf8(run.get(i..i + n)?).ok()?;
                            Some((op_str(s)?, n))
                        })
                        .unwrap_or((single_op(char::from(run[i])), 1));
                    raws.push(Raw::Op(op));
                    i += taken;
                }
            }
        }
    }
}

/// What a brace group after the current statement's keyword holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Owner {
    Items,
    Fields,
    Block,
    /// `if`, `while`, `for`: a block, unless it is part of an `if let` pattern.
    Cond,
    Match,
}

#[derive(Default)]
struct Roles {
    out: Vec<Tok>,
    gen_depth: usize,
    closure: bool,
    owner: Option<Owner>,
    /// `if let`/`while let` before its `=`: braces are patterns.
    let_pending: bool,
}

impl Roles {
    fn assign(mut self, mut raws: Vec<Raw>) -> Vec<Tok> {
        self.out.reserve(raws.len());
        let mut i = 0;
        while i < raws.len() {
            i += 1;
            match &mut raws[i - 1] {
                Raw::Word(text, kind, upper) => {
                    let (text, kind, upper) = (*text, *kind, *upper);
                    if kind == WordKind::Keyword {
                        self.keyword(text.kw());
                    }
                    self.out.push(Tok::Word { text, kind, upper });
                }
                Raw::Op(op) => {
                    let mut op = *op;
                    // `>>`, `>=`, `>>=` inside generics close them one `>` at a time.
                    while self.gen_depth > 0 && op.len() > 1 && op.starts_with('>') {
                        self.op(">", &raws, i);
                        op = match op {
                            ">>" => ">",
                            ">=" => "=",
                            _ => ">=",
                        };
                    }
                    self.op(op, &raws, i);
                }
                Raw::Group(delim, toks) => {
                    let delim = *delim;
                    let toks = std::mem::take(toks);
                    self.group(delim, toks, raws.get(i));
                }
            }
        }
        self.out
    }

    fn keyword(&mut self, k: &str) {
        if self.owner.is_none() {
            self.owner = match k {
                "impl" | "trait" | "mod" | "extern" => Some(Owner::Items),
                "struct" | "enum" => Some(Owner::Fields),
                "fn" => Some(Owner::Block),
                "if" | "while" | "for" => Some(Owner::Cond),
                "match" => Some(Owner::Match),
                _ => None,
            };
        } else if k == "let" && self.owner == Some(Owner::Cond) {
            self.let_pending = true;
        }
    }

    fn prev(&self) -> Option<&Tok> {
        self.out.last()
    }

    fn prev_operand(&self) -> bool {
        self.prev().is_some_and(ends_operand)
    }

    /// `next` is the index of the raw token after this operator.
    fn op(&mut self, op: &'static str, raws: &[Raw], next: usize) {
        let operand = self.prev_operand();
        let role = match op {
            "::" => Role::Path,
            "." => Role::Dot,
            ";" => {
                self.end_statement();
                Role::Semi
            }
            ":" => Role::Colon,
            "," if self.gen_depth == 0 && !self.closure => {
                self.end_statement();
                Role::ListComma
            }
            "," => Role::Comma,
            "#" => Role::Pound,
            "!" if matches!(
                self.prev(),
                Some(Tok::Op {
                    role: Role::Pound,
                    ..
                })
            ) =>
            {
                Role::InnerBang
            }
            "!" if matches!(
                self.prev(),
                Some(Tok::Word {
                    kind: WordKind::Ident,
                    ..
                })
            ) =>
            {
                Role::Bang
            }
            "?" if operand => Role::Question,
            "!" | "?" => Role::Prefix,
            "&" | "&&" | "*" | "-" if !operand => Role::Prefix,
            ".." | "..=" | "..." => Role::Range,
            "|" if self.closure => {
                self.closure = false;
                Role::ClosureClose
            }
            "|" if !operand => {
                self.closure = true;
                Role::ClosureOpen
            }
            "||" if !operand => Role::ClosureEmpty,
            "<" if self.generic_open(raws, next) => {
                self.gen_depth += 1;
                Role::GenOpen
            }
            ">" if self.gen_depth > 0 => {
                self.gen_depth -= 1;
                Role::GenClose
            }
            "=" => {
                self.let_pending = false;
                Role::Binary
            }
            _ => Role::Binary,
        };
        self.out.push(Tok::Op { text: op, role });
    }

    fn end_statement(&mut self) {
        self.owner = None;
        self.let_pending = false;
    }

    /// Whether the `<` before `raws[next]` opens generics.
    fn generic_open(&self, raws: &[Raw], next: usize) -> bool {
        let n = self.out.len();
        let candidate = match self.prev() {
            None => true,
            Some(Tok::Op {
                role: Role::Path, ..
            }) => true,
            Some(Tok::Word {
                kind: WordKind::Ident,
                upper,
                ..
            }) => {
                self.gen_depth > 0
                    || *upper
                    || matches!(
                        self.out.get(n.wrapping_sub(2)),
                        Some(Tok::Word { kind: WordKind::Keyword, text, .. })
                            if matches!(text.kw(), "fn" | "struct" | "enum" | "type" | "trait")
                    )
            }
            Some(Tok::Word {
                kind: WordKind::Keyword,
                text,
                ..
            }) => matches!(text.kw(), "impl" | "for" | "Self"),
            // `<T as Trait>::f` where an operand is expected.
            Some(t) => !ends_operand(t),
        };
        candidate && closes(raws, next)
    }

    fn group(&mut self, delim: Delimiter, toks: Vec<Tok>, next: Option<&Raw>) {
        let layout = match delim {
            Delimiter::Brace => self.brace_layout(&toks, next),
            Delimiter::Bracket => {
                let attribute = matches!(
                    self.prev(),
                    Some(Tok::Op {
                        role: Role::Pound | Role::InnerBang,
                        ..
                    })
                );
                let list = !attribute
                    && has_role(&toks, Role::ListComma)
                    && (toks.iter().any(spans)
                        || has_role(&toks, Role::Pound)
                        || wider_than(&toks, 100));
                if list {
                    Layout::List
                } else {
                    Layout::Inline
                }
            }
            // Arguments end with a comma when a closure or struct literal spans lines: one
            // per line then, as rustfmt writes them.
            Delimiter::Parenthesis
                if toks.last().is_some_and(|t| is_op(t, Role::ListComma))
                    && toks[..toks.len() - 1]
                        .iter()
                        .any(|t| is_op(t, Role::ListComma))
                    && (toks.iter().any(spans) || wider_than(&toks, 100)) =>
            {
                Layout::List
            }
            _ => Layout::Inline,
        };
        if delim == Delimiter::Brace && layout.multiline() {
            self.end_statement();
        }
        let spans = (layout.multiline() && !toks.is_empty()) || toks.iter().any(spans);
        self.out.push(Tok::Group(Box::new(Group {
            delim,
            toks,
            layout,
            spans,
        })));
    }

    fn brace_layout(&mut self, toks: &[Tok], next: Option<&Raw>) -> Layout {
        match self.prev() {
            Some(Tok::Op {
                role: Role::Path, ..
            }) => return Layout::UseTree,
            Some(Tok::Op { text: "=>", .. })
            | Some(Tok::Op {
                role: Role::ClosureClose | Role::ClosureEmpty,
                ..
            }) => return Layout::Stmts,
            Some(Tok::Word {
                kind: WordKind::Keyword,
                text,
                ..
            }) if matches!(
                text.kw(),
                "else" | "loop" | "unsafe" | "async" | "move" | "try" | "const"
            ) =>
            {
                return Layout::Stmts
            }
            _ => {}
        }
        match self.owner {
            Some(Owner::Cond) if self.let_pending => {}
            Some(Owner::Items) => return Layout::Items,
            Some(Owner::Fields) => return Layout::Fields,
            Some(Owner::Block | Owner::Cond) => return Layout::Stmts,
            Some(Owner::Match) => return Layout::Arms,
            None => {}
        }
        // A struct literal or pattern (or a plain block).
        if has_role(toks, Role::Semi) {
            return Layout::Stmts;
        }
        let pattern = match next {
            Some(Raw::Op(op)) => matches!(*op, "=>" | "=" | "|"),
            Some(Raw::Word(w, WordKind::Keyword, _)) => matches!(w.kw(), "if" | "in"),
            _ => false,
        };
        if !pattern && has_role(toks, Role::ListComma) {
            Layout::Fields
        } else {
            Layout::Inline
        }
    }
}

/// Whether a matching `>` follows `raws[from..]` with only type-like tokens before it.
fn closes(raws: &[Raw], from: usize) -> bool {
    let mut depth: i32 = 1;
    for raw in &raws[from..] {
        match raw {
            Raw::Word(..) => {}
            Raw::Group(Delimiter::Brace, _) => return false,
            Raw::Group(..) => {}
            Raw::Op(op) => match *op {
                "<" => depth += 1,
                ">" | ">=" => depth -= 1,
                ">>" | ">>=" => depth -= 2,
                "::" | "," | ":" | "+" | "=" | "&" | "*" | "'" | "->" | "?" | "!" => {}
                _ => return false,
            },
        }
        if depth <= 0 {
            return true;
        }
    }
    false
}

fn ends_operand(t: &Tok) -> bool {
    match t {
        Tok::Word {
            kind: WordKind::Keyword,
            text,
            ..
        } => operand_keyword(text.kw()),
        Tok::Word { .. } => true,
        Tok::Op { role, .. } => matches!(role, Role::GenClose | Role::Question),
        Tok::Group(g) => {
            !(g.delim == Delimiter::Brace
                && matches!(g.layout, Layout::Items | Layout::Stmts | Layout::Arms))
        }
    }
}

fn has_role(toks: &[Tok], role: Role) -> bool {
    toks.iter()
        .any(|t| matches!(t, Tok::Op { role: r, .. } if *r == role))
}

fn spans(t: &Tok) -> bool {
    matches!(t, Tok::Group(g) if g.spans)
}

/// Whether `toks` printed on one line would be wider than `limit`, roughly.
fn wider_than(toks: &[Tok], limit: usize) -> bool {
    fn width(toks: &[Tok], limit: usize) -> usize {
        let mut w = 0;
        for t in toks {
            w += match t {
                Tok::Word { text, .. } => text.len() + 1,
                Tok::Op { text, .. } => text.len() + 1,
                Tok::Group(g) => width(&g.toks, limit - w.min(limit)) + 2,
            };
            if w > limit {
                break;
            }
        }
        w
    }
    width(toks, limit) > limit
}

fn is_op(t: &Tok, role: Role) -> bool {
    matches!(t, Tok::Op { role: r, .. } if *r == role)
}

/// Whether a space goes between two tokens on a line.
fn space(prev: &Tok, next: &Tok) -> bool {
    use Role::*;
    if let Tok::Op {
        role:
            Comma | ListComma | Semi | Dot | Question | Colon | GenClose | ClosureClose | Bang
            | InnerBang,
        ..
    } = next
    {
        return false;
    }
    if let Tok::Op { role, .. } = prev {
        match role {
            Path | Dot | GenOpen | Prefix | ClosureOpen | Bang | Pound | InnerBang => return false,
            Range => {
                return !matches!(
                    next,
                    Tok::Word { .. }
                        | Tok::Op {
                            role: Prefix | Path,
                            ..
                        }
                ) && !matches!(next, Tok::Group(g) if g.delim != Delimiter::Brace)
            }
            GenClose => {
                if let Tok::Group(g) = next {
                    return g.delim == Delimiter::Brace;
                }
            }
            _ => {}
        }
    }
    match next {
        Tok::Op { role, .. } => match role {
            Path => {
                !matches!(
                    prev,
                    Tok::Word {
                        kind: WordKind::Ident,
                        ..
                    } | Tok::Op { role: GenClose, .. }
                ) && !matches!(prev, Tok::Word { kind: WordKind::Keyword, text, .. } if operand_keyword(text.kw()))
            }
            GenOpen => !matches!(prev, Tok::Word { .. } | Tok::Op { role: Path, .. }),
            Range => !ends_operand(prev),
            _ => true,
        },
        Tok::Group(g) if g.delim == Delimiter::Brace => true,
        Tok::Group(_) => match prev {
            Tok::Word {
                kind: WordKind::Ident,
                ..
            } => false,
            Tok::Word {
                kind: WordKind::Keyword,
                text,
                ..
            } => !tight_keyword(text.kw()),
            Tok::Group(p) => p.delim == Delimiter::Brace,
            _ => true,
        },
        Tok::Word { .. } => true,
    }
}

struct Printer<'a> {
    words: &'a str,
    out: String,
    indent: usize,
    line_start: bool,
}

impl Printer<'_> {
    fn write(&mut self, s: &str) {
        if self.line_start {
            for _ in 0..self.indent {
                self.out.push_str("    ");
            }
            self.line_start = false;
        }
        self.out.push_str(s);
    }

    fn newline(&mut self) {
        self.out.push('\n');
        self.line_start = true;
    }

    /// Print `toks` one line after another (each ended by a newline), laid out as `layout`.
    fn lines(&mut self, toks: &[Tok], layout: Layout) {
        let lines = split(toks, layout);
        if layout != Layout::Items {
            let last = lines.len().saturating_sub(1);
            for (i, line) in lines.iter().enumerate() {
                self.line(line);
                if i == last && needs_comma(line, layout) {
                    // A one-per-line list ends with a comma, like the lines before it.
                    self.out.pop();
                    self.out.push_str(",\n");
                }
            }
            return;
        }
        // Items: attribute lines belong to the item after them; a blank line between items,
        // except between consecutive plain `use`/`mod` declarations and inner attributes.
        let mut prev_kind: Option<Option<&str>> = None;
        let mut start = 0;
        for (i, line) in lines.iter().enumerate() {
            let inner = inner_attribute(line);
            if attribute(line).is_some() && !inner {
                continue;
            }
            let item = &lines[start..=i];
            let kind = if inner {
                Some("#!")
            } else {
                simple_kind(item, self.words)
            };
            if let Some(prev) = prev_kind {
                if prev.is_none() || prev != kind {
                    self.out.push('\n');
                }
            }
            for line in item {
                self.line(line);
            }
            prev_kind = Some(kind);
            start = i + 1;
        }
        for line in &lines[start..] {
            self.line(line);
        }
    }

    fn line(&mut self, line: &[Tok]) {
        if let Some((inner, attr)) = attribute(line) {
            if let Some(text) = doc_comment(attr, inner, self.words) {
                self.write(if inner { "//!" } else { "///" });
                self.out.push_str(&text);
                self.newline();
                return;
            }
        }
        self.inline(line);
        self.newline();
    }

    fn inline(&mut self, toks: &[Tok]) {
        let mut prev: Option<&Tok> = None;
        for t in toks {
            if let Some(p) = prev {
                if space(p, t) {
                    self.out.push(' ');
                }
            }
            match t {
                Tok::Word { text, .. } => self.write(text.get(self.words)),
                Tok::Op { text, .. } => self.write(text),
                Tok::Group(g) => self.group(g),
            }
            prev = Some(t);
        }
    }

    fn group(&mut self, g: &Group) {
        let (open, close) = match g.delim {
            Delimiter::Parenthesis => ("(", ")"),
            Delimiter::Bracket => ("[", "]"),
            Delimiter::Brace => ("{", "}"),
            Delimiter::None => ("", ""),
        };
        if g.toks.is_empty() {
            self.write(open);
            self.write(close);
        } else if g.layout.multiline() {
            self.write(open);
            self.newline();
            self.indent += 1;
            self.lines(&g.toks, g.layout);
            self.indent -= 1;
            self.write(close);
        } else if g.delim == Delimiter::Brace && g.layout == Layout::Inline {
            self.write("{ ");
            self.inline(&g.toks);
            self.write(" }");
        } else {
            self.write(open);
            self.inline(&g.toks);
            self.write(close);
        }
    }
}

/// Split the contents of a multi-line group into lines.
fn split(toks: &[Tok], layout: Layout) -> Vec<&[Tok]> {
    let commas = matches!(layout, Layout::Fields | Layout::Arms | Layout::List);
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < toks.len() {
        let end = match &toks[i] {
            Tok::Op {
                role: Role::Semi, ..
            } => true,
            Tok::Op {
                role: Role::ListComma,
                ..
            } => commas,
            Tok::Op {
                role: Role::Pound, ..
            } if i == start => {
                // An attribute at the start of a line is a line of its own.
                let mut j = i + 1;
                if toks.get(j).is_some_and(|t| is_op(t, Role::InnerBang)) {
                    j += 1;
                }
                if matches!(toks.get(j), Some(Tok::Group(g)) if g.delim == Delimiter::Bracket) {
                    i = j;
                    true
                } else {
                    false
                }
            }
            Tok::Group(g)
                if g.delim == Delimiter::Brace
                    && matches!(
                        g.layout,
                        Layout::Items | Layout::Stmts | Layout::Arms | Layout::Fields
                    ) =>
            {
                // A block ends its line unless the expression goes on.
                !continues(toks.get(i + 1))
            }
            _ => false,
        };
        i += 1;
        if end {
            lines.push(&toks[start..i]);
            start = i;
        }
    }
    if start < toks.len() {
        lines.push(&toks[start..]);
    }
    lines
}

/// Whether the token after a block continues its expression (`}.await`, `} else {`, `};`).
fn continues(next: Option<&Tok>) -> bool {
    match next {
        Some(Tok::Op { role, .. }) => matches!(
            role,
            Role::Dot | Role::Question | Role::Comma | Role::ListComma | Role::Semi | Role::Binary
        ),
        Some(Tok::Word {
            kind: WordKind::Keyword,
            text,
            ..
        }) => matches!(text.kw(), "else" | "as"),
        _ => false,
    }
}

/// Whether the last line of a one-per-line list gets the comma the lines before it have:
/// not after a comma, a block arm, or a struct literal's `..base` (where a comma is an error).
fn needs_comma(line: &[Tok], layout: Layout) -> bool {
    if !matches!(layout, Layout::Fields | Layout::Arms | Layout::List)
        || attribute(line).is_some()
        || line.first().is_some_and(|t| is_op(t, Role::Range))
    {
        return false;
    }
    match line.last() {
        Some(Tok::Op {
            role: Role::ListComma,
            ..
        })
        | None => false,
        Some(Tok::Group(g)) if layout == Layout::Arms && g.delim == Delimiter::Brace => false,
        _ => true,
    }
}

/// `Some((inner, contents))` when the line is exactly one attribute.
fn attribute(line: &[Tok]) -> Option<(bool, &Group)> {
    match line {
        [Tok::Op {
            role: Role::Pound, ..
        }, Tok::Group(g)]
            if g.delim == Delimiter::Bracket =>
        {
            Some((false, g))
        }
        [Tok::Op {
            role: Role::Pound, ..
        }, Tok::Op {
            role: Role::InnerBang,
            ..
        }, Tok::Group(g)]
            if g.delim == Delimiter::Bracket =>
        {
            Some((true, g))
        }
        _ => None,
    }
}

fn inner_attribute(line: &[Tok]) -> bool {
    matches!(attribute(line), Some((true, _)))
}

/// The kind of a plain one-line `use` or `mod` declaration (without doc comments), which
/// follow each other without blank lines.
fn simple_kind(item: &[&[Tok]], words: &str) -> Option<&'static str> {
    let (content, attrs) = item.split_last()?;
    if attrs
        .iter()
        .any(|a| attribute(a).is_some_and(|(_, g)| doc_literal(g, words).is_some()))
        || content.iter().any(spans)
    {
        return None;
    }
    let mut toks = content.iter().peekable();
    if matches!(toks.peek(), Some(Tok::Word { text, .. }) if text.kw() == "pub") {
        toks.next();
        if matches!(toks.peek(), Some(Tok::Group(g)) if g.delim == Delimiter::Parenthesis) {
            toks.next();
        }
    }
    match toks.next() {
        Some(Tok::Word {
            kind: WordKind::Keyword,
            text,
            ..
        }) if matches!(text.kw(), "use" | "mod") => Some(text.kw()),
        _ => None,
    }
}

/// The literal of a `doc = ...` attribute.
fn doc_literal<'a>(attr: &Group, words: &'a str) -> Option<&'a str> {
    match attr.toks.as_slice() {
        [Tok::Word {
            text: name,
            kind: WordKind::Ident,
            ..
        }, Tok::Op { text: "=", .. }, Tok::Word {
            text: lit,
            kind: WordKind::Literal,
            ..
        }] if name.get(words) == "doc" => Some(lit.get(words)),
        _ => None,
    }
}

/// The text of a doc attribute written as a `///` (or `//!`) line, when that line means the
/// same string: no line breaks or other control characters (tabs are fine), no characters
/// that change the direction of text, and no outer doc starting with `/` (`////` is a plain
/// comment).
fn doc_comment<'a>(attr: &Group, inner: bool, words: &'a str) -> Option<Cow<'a, str>> {
    let text = string_value(doc_literal(attr, words)?)?;
    let plain = if text.is_ascii() {
        text.bytes()
            .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
    } else {
        text.chars().all(|c| {
            c == '\t'
                || !(c.is_control()
                    || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}'))
        })
    };
    (plain && (inner || !text.starts_with('/'))).then_some(text)
}

/// The value of a string literal as written (`"..."` with escapes, or raw `r#"..."#`).
fn string_value(lit: &str) -> Option<Cow<'_, str>> {
    if let Some(raw) = lit.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let body = raw[hashes..].strip_prefix('"')?;
        let body = body.strip_suffix(&raw[..hashes])?.strip_suffix('"')?;
        return Some(Cow::Borrowed(body));
    }
    let body = lit.strip_prefix('"')?.strip_suffix('"')?;
    if !body.contains('\\') {
        return Some(Cow::Borrowed(body));
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            '\\' => out.push('\\'),
            '0' => out.push('\0'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'x' => {
                let hex: String = [chars.next()?, chars.next()?].iter().collect();
                let v = u8::from_str_radix(&hex, 16).ok().filter(|v| *v < 0x80)?;
                out.push(char::from(v));
            }
            'u' => {
                if chars.next()? != '{' {
                    return None;
                }
                let mut hex = String::new();
                loop {
                    match chars.next()? {
                        '}' => break,
                        '_' => {}
                        h => hex.push(h),
                    }
                }
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            '\n' => {
                while chars.peek().is_some_and(|c| c.is_ascii_whitespace()) {
                    chars.next();
                }
            }
            _ => return None,
        }
    }
    Some(Cow::Owned(out))
}

/// The tokens of a stream one by one, spacing aside, with string literals written one way
/// (`r"x"` and `"x"` are the same string) and negative number literals as `-` and the number
/// (as the lexer reads them back), and without the comma that may end braces and brackets
/// (the printer adds one after the last line of a one-per-line list; parentheses are kept
/// exact, `(x,)` being a tuple). For tests comparing printed code with its tokens.
#[cfg(test)]
pub(crate) fn token_list(tokens: TokenStream) -> Vec<String> {
    fn walk(tokens: TokenStream, out: &mut Vec<String>) {
        for tt in tokens {
            match tt {
                TokenTree::Group(g) => {
                    out.push(format!("{:?}(", g.delimiter()));
                    let start = out.len();
                    walk(g.stream(), out);
                    // The comma the printer adds after the last of a one-per-line list.
                    if g.delimiter() != Delimiter::Parenthesis
                        && out.len() > start
                        && out.last().is_some_and(|t| t == ",")
                    {
                        out.pop();
                    }
                    out.push(")".to_string());
                }
                TokenTree::Ident(i) => out.push(i.to_string()),
                TokenTree::Punct(p) => out.push(p.as_char().to_string()),
                TokenTree::Literal(l) => {
                    let text = l.to_string();
                    if let Some(value) = string_value(&text).map(Cow::into_owned) {
                        out.push(proc_macro2::Literal::string(&value).to_string());
                    } else if let Some(number) = text.strip_prefix('-') {
                        out.push("-".to_string());
                        out.push(number.to_string());
                    } else {
                        out.push(text);
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(tokens, &mut out);
    out
}

/// The values of the doc attributes in `tokens`, in order (for tests).
#[cfg(test)]
pub(crate) fn doc_values(tokens: TokenStream) -> Vec<String> {
    fn walk(tokens: TokenStream, out: &mut Vec<String>) {
        for tt in tokens {
            if let TokenTree::Group(g) = tt {
                if g.delimiter() == Delimiter::Bracket {
                    let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                    if let [TokenTree::Ident(name), TokenTree::Punct(eq), TokenTree::Literal(lit)] =
                        inner.as_slice()
                    {
                        if name == "doc" && eq.as_char() == '=' {
                            let value = string_value(&lit.to_string()).map(Cow::into_owned);
                            out.push(value.unwrap_or_default());
                            continue;
                        }
                    }
                }
                walk(g.stream(), out);
            }
        }
    }
    let mut out = Vec::new();
    walk(tokens, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    /// Print, and check the text is Rust made of the same tokens as the input.
    fn print(tokens: TokenStream) -> String {
        let text = file(tokens.clone());
        syn::parse_file(&text).unwrap_or_else(|e| panic!("{e}:\n{text}"));
        let reparsed: TokenStream = text.parse().unwrap();
        assert_eq!(token_list(tokens), token_list(reparsed), "{text}");
        text
    }

    /// Print one statement inside a function and return the body's lines, unindented.
    fn stmt(tokens: TokenStream) -> String {
        let text = print(quote! { fn f() { #tokens } });
        let body: Vec<&str> = text.lines().collect();
        body[1..body.len() - 1]
            .iter()
            .map(|l| l.strip_prefix("    ").unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn generics_are_tight_and_comparisons_spaced() {
        assert_eq!(
            stmt(quote! { let v: Vec<Vec<u8>> = Vec::<u8>::new(); }),
            "let v: Vec<Vec<u8>> = Vec::<u8>::new();"
        );
        assert_eq!(
            stmt(quote! { let b = a < b && c > d; }),
            "let b = a < b && c > d;"
        );
        assert_eq!(
            stmt(quote! { let b = x >= 1 || y <= 2; }),
            "let b = x >= 1 || y <= 2;"
        );
        assert_eq!(
            stmt(quote! { let s = a << 2 >> 1; }),
            "let s = a << 2 >> 1;"
        );
        assert_eq!(
            stmt(
                quote! { let m: std::collections::BTreeMap<String, Option<i64>> = x.collect::<Vec<_>>(); }
            ),
            "let m: std::collections::BTreeMap<String, Option<i64>> = x.collect::<Vec<_>>();"
        );
        assert_eq!(
            print(quote! { fn g<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {} }),
            "fn g<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {}\n"
        );
        assert_eq!(
            print(
                quote! { type F<'a> = Pin<Box<dyn Future<Output = Result<u8, E>> + Send + 'a>>; }
            ),
            "type F<'a> = Pin<Box<dyn Future<Output = Result<u8, E>> + Send + 'a>>;\n"
        );
        assert_eq!(
            print(quote! { type C<M> = for<'a> fn(&'a Client<M>) -> u8; }),
            "type C<M> = for<'a> fn(&'a Client<M>) -> u8;\n"
        );
        assert_eq!(
            stmt(quote! { let x = <T as Tr>::f(); }),
            "let x = <T as Tr>::f();"
        );
    }

    #[test]
    fn lifetimes_references_and_prefix_operators() {
        assert_eq!(
            print(quote! {
                impl<'a, M: Mode> Group<'a, M> {
                    pub(crate) fn new(client: &'a Client<M>, x: &mut [u8], s: &'static str) -> Self { Self { client } }
                }
            }),
            "impl<'a, M: Mode> Group<'a, M> {\n    pub(crate) fn new(client: &'a Client<M>, x: &mut [u8], s: &'static str) -> Self {\n        Self { client }\n    }\n}\n"
        );
        assert_eq!(
            stmt(quote! { let y = -x * -1 - 2 + !done as i64 & *r; }),
            "let y = -x * -1 - 2 + !done as i64 & *r;"
        );
        assert_eq!(
            stmt(quote! { f(&x, &&y, &mut *z, a && b); }),
            "f(&x, &&y, &mut *z, a && b);"
        );
        let neg = proc_macro2::Literal::i64_unsuffixed(-5);
        assert_eq!(stmt(quote! { let n = #neg; }), "let n = -5;");
    }

    #[test]
    fn ranges_closures_macros_and_question_marks() {
        assert_eq!(
            stmt(quote! { let r = (0..n, 1..=9, ..x, a.., &v[..]); }),
            "let r = (0..n, 1..=9, ..x, a.., &v[..]);"
        );
        assert_eq!(
            stmt(
                quote! { let v = xs.iter().map(|x| x + 1).filter(|&x| x > 2).find(|| true)?.await?; }
            ),
            "let v = xs.iter().map(|x| x + 1).filter(|&x| x > 2).find(|| true)?.await?;"
        );
        assert_eq!(
            stmt(quote! { let s = format!("{a}/{}", b.c); }),
            "let s = format!(\"{a}/{}\", b.c);"
        );
        assert_eq!(
            stmt(quote! { let x = matches!(v, Some(A | B)) || v.a | v.b == 0; }),
            "let x = matches!(v, Some(A | B)) || v.a | v.b == 0;"
        );
        assert_eq!(
            stmt(quote! { let f = move |a, b: &T<u8, u16>| { g(a, b); }; }),
            "let f = move |a, b: &T<u8, u16>| {\n    g(a, b);\n};"
        );
    }

    #[test]
    fn raw_identifiers_and_literals_as_given() {
        let ty = proc_macro2::Ident::new_raw("type", proc_macro2::Span::call_site());
        assert_eq!(
            print(quote! { pub struct S { pub #ty: String, b: [u8; 4] } }),
            "pub struct S {\n    pub r#type: String,\n    b: [u8; 4],\n}\n"
        );
        assert_eq!(
            stmt(quote! { let l = ('\'', b'x', b"y", "q\"t", r#"raw"#, 1.5f64, 0x10u8); }),
            "let l = ('\\'', b'x', b\"y\", \"q\\\"t\", r#\"raw\"#, 1.5f64, 0x10u8);"
        );
    }

    #[test]
    fn attributes_and_doc_comments() {
        assert_eq!(
            print(quote! {
                #![allow(dead_code)]
                #![doc = " Inner."]
                #[doc = " Outer."]
                #[doc = ""]
                #[doc = "   Indented, \"quoted\", back\\slash, */ and /* kept."]
                #[derive(Debug, Clone)]
                #[serde(rename = "x")]
                pub struct S;
            }),
            "#![allow(dead_code)]\n//! Inner.\n\n/// Outer.\n///\n///   Indented, \"quoted\", back\\slash, */ and /* kept.\n#[derive(Debug, Clone)]\n#[serde(rename = \"x\")]\npub struct S;\n"
        );
        // Doc strings that a `///` line cannot hold as they are stay attributes.
        assert_eq!(
            print(quote! {
                #[doc = "a\rb"]
                #[doc = "two\nlines"]
                #[doc = "/slash first"]
                #[doc = "rtl \u{202e} override"]
                struct S;
            }),
            "#[doc = \"a\\rb\"]\n#[doc = \"two\\nlines\"]\n#[doc = \"/slash first\"]\n#[doc = \"rtl \\u{202e} override\"]\nstruct S;\n"
        );
        // In a parameter list an attribute stays inline (a `///` would swallow the line).
        assert_eq!(
            print(quote! { fn f(#[doc = " x"] a: u8) {} }),
            "fn f(#[doc = \" x\"] a: u8) {}\n"
        );
    }

    #[test]
    fn doc_strings_are_byte_identical_after_printing() {
        let values = [
            " leading space",
            "  two leading",
            "",
            " trailing  ",
            "\ttab",
            " \"quotes\" and \\backslash\\ and */ and /** and ///",
            " unicode: é ü 日本 \u{200d}",
            "no space",
            "!bang first",
        ];
        let attrs = values.iter().map(|v| quote! { #[doc = #v] });
        let tokens = quote! { #(#attrs)* pub fn f() {} };
        let text = print(tokens.clone());
        assert!(!text.contains("#[doc"), "{text}");
        let reparsed: TokenStream = text.parse().unwrap();
        assert_eq!(doc_values(reparsed), values);
        // Raw strings (what `quote!` makes of `///` comments) decode too.
        let text = print(quote! {
            /// A "quoted" \ comment.
            struct S;
        });
        assert_eq!(text, "/// A \"quoted\" \\ comment.\nstruct S;\n");
    }

    #[test]
    fn layout_of_items_blocks_arms_fields_and_lists() {
        let text = print(quote! {
            use serde::{Deserialize, Serialize};
            use std::fmt;
            pub mod a;
            #[cfg(feature = "b")]
            pub mod b;
            /// An enum.
            pub enum E { A, B { x: u8, y: Vec<u8> }, C(u8) }
            impl E {
                pub fn f(&self, v: u8) -> u8 {
                    let x = match self { E::A => 1, E::B { x, .. } => { *x } E::C(c) if *c > v => c + 1, _ => {} };
                    if let E::B { x, y } = g() { return 1; } else if v < 2 { h(); } else { h(); }
                    for i in 0..v { h(); }
                    let r = Request { a: 1, b: Some(Body { c: 2 }), ..Default::default() };
                    let s = Self { client };
                    const T: &[Info] = &[Info { a: 1, b: 2 }, Info { a: 3, b: 4 }];
                    async move { x.await }.await
                }
                fn g() {}
            }
        });
        let want = "\
use serde::{Deserialize, Serialize};
use std::fmt;

pub mod a;
#[cfg(feature = \"b\")]
pub mod b;

/// An enum.
pub enum E {
    A,
    B {
        x: u8,
        y: Vec<u8>,
    },
    C(u8),
}

impl E {
    pub fn f(&self, v: u8) -> u8 {
        let x = match self {
            E::A => 1,
            E::B { x, .. } => {
                *x
            }
            E::C(c) if *c > v => c + 1,
            _ => {}
        };
        if let E::B { x, y } = g() {
            return 1;
        } else if v < 2 {
            h();
        } else {
            h();
        }
        for i in 0..v {
            h();
        }
        let r = Request {
            a: 1,
            b: Some(Body { c: 2 }),
            ..Default::default()
        };
        let s = Self { client };
        const T: &[Info] = &[
            Info {
                a: 1,
                b: 2,
            },
            Info {
                a: 3,
                b: 4,
            },
        ];
        async move {
            x.await
        }.await
    }

    fn g() {}
}
";
        assert_eq!(text, want, "{text}");
    }

    #[test]
    fn arguments_ending_with_a_comma_go_one_per_line_when_they_span_lines() {
        assert_eq!(
            stmt(quote! { f(a, move |x| { g(x); },); }),
            "f(\n    a,\n    move |x| {\n        g(x);\n    },\n);"
        );
        // Short, or without the trailing comma: inline, a closure's block closing the line.
        assert_eq!(stmt(quote! { f(a, b,); }), "f(a, b,);");
        assert_eq!(
            stmt(quote! { f(a, |x| { g(x); }); }),
            "f(a, |x| {\n    g(x);\n});"
        );
        // A one-element tuple keeps its comma.
        assert_eq!(stmt(quote! { let t = (1,); }), "let t = (1,);");
    }

    #[test]
    fn output_is_deterministic_and_empty_for_no_tokens() {
        assert_eq!(file(TokenStream::new()), "");
        let t = quote! { fn f() { let a = [1, 2]; } struct S { a: u8 } };
        assert_eq!(file(t.clone()), file(t));
    }

    #[test]
    fn string_values_decode_escapes() {
        assert_eq!(
            string_value(r#""a\n\t\\\"\'\0\x41\u{1F600}""#).unwrap(),
            "a\n\t\\\"'\0A\u{1F600}"
        );
        assert_eq!(string_value(r###"r##"a"#b"##"###).unwrap(), "a\"#b");
        assert_eq!(string_value("\"a\\\n   b\"").unwrap(), "ab");
        assert_eq!(string_value("\"a\"suffix"), None);
        assert_eq!(string_value("b\"a\""), None);
        assert_eq!(string_value("1u8"), None);
    }
}
