//! From text to [`ast`](crate::ast): the pest grammar, error recovery, and the tree builder.
//!
//! Top-level items are parsed one at a time. When an item fails, the error is recorded and
//! parsing resumes at the next line that starts with an identifier in column 1, so one file can
//! report several syntax errors (one per distinct location) and editors still get the items
//! around a mistake.

use crate::ast::*;
use crate::diag::{code, Diagnostic};
use crate::source::{FileId, Span};
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser as _;
use std::sync::LazyLock;

#[derive(pest_derive::Parser)]
#[grammar = "grammar.pest"]
struct Grammar;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::infix(Rule::op_eq, Assoc::Left) | Op::infix(Rule::op_ne, Assoc::Left))
        .op(Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left)
            | Op::infix(Rule::op_div, Assoc::Left)
            | Op::infix(Rule::op_mod, Assoc::Left))
        .op(Op::prefix(Rule::op_not) | Op::prefix(Rule::op_neg))
});

/// A parsed file and the syntax errors found in it.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub file: File,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses a whole file. Never fails: syntax errors are returned beside the items that parsed.
pub fn parse_file(file: FileId, text: &str) -> Parsed {
    let mut items = Vec::new();
    let mut diagnostics = Vec::new();
    if let Some(at) = too_deep(text) {
        diagnostics.push(
            Diagnostic::error(
                code::SYNTAX,
                format!("brackets are nested more than {MAX_NESTING} levels deep"),
            )
            .at(Span::new(file, at, next_char_boundary(text, at)))
            .with_help("split the expression into locals"),
        );
        return Parsed {
            file: File {
                body: Body {
                    items,
                    span: Span::new(file, 0, text.len()),
                },
            },
            diagnostics,
        };
    }
    let mut pos = skip_trivia(text, 0);
    while pos < text.len() {
        match Grammar::parse(Rule::top_item, &text[pos..]) {
            Ok(mut pairs) => {
                let Some(pair) = pairs.next() else { break };
                let end = pos + pair.as_span().end();
                let mut b = Builder {
                    file,
                    text,
                    base: pos,
                    diags: &mut diagnostics,
                };
                match b.item(pair) {
                    Ok(item) => items.push(item),
                    Err(d) => diagnostics.push(d),
                }
                if end <= pos {
                    break;
                }
                pos = skip_trivia(text, end);
            }
            Err(e) => {
                let at = pos + error_offset(&e);
                diagnostics.push(syntax_error(file, text, at, &e));
                match recover(text, at) {
                    Some(next) if next > pos => pos = next,
                    _ => break,
                }
            }
        }
    }
    check_separation(text, &items, &mut diagnostics);
    Parsed {
        file: File {
            body: Body {
                items,
                span: Span::new(file, 0, text.len()),
            },
        },
        diagnostics,
    }
}

/// How many operators one expression may chain (`a + b + …`, `!!…x`).
pub const MAX_OPERATORS: usize = 256;

/// How deeply brackets may nest. The grammar is recursive, so this bounds the parser's stack use
/// on hostile input; real stacks stay far below it.
pub const MAX_NESTING: usize = 128;

/// The offset where bracket nesting first exceeds [`MAX_NESTING`], counting every bracket
/// (also inside strings, which only makes the check stricter, never unsafe).
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Parses one expression (a command-line value, say).
pub fn parse_expr(file: FileId, text: &str) -> Result<Expr, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    if let Some(at) = too_deep(text) {
        return Err(vec![Diagnostic::error(
            code::SYNTAX,
            format!("brackets are nested more than {MAX_NESTING} levels deep"),
        )
        .at(Span::new(file, at, next_char_boundary(text, at)))]);
    }
    let result = match Grammar::parse(Rule::expr_only, text) {
        Ok(mut pairs) => {
            let mut b = Builder {
                file,
                text,
                base: 0,
                diags: &mut diags,
            };
            match pairs.next().and_then(|p| p.into_inner().next()) {
                Some(pair) => b.expr(pair),
                None => Err(internal(file, 0)),
            }
        }
        Err(e) => Err(syntax_error(file, text, error_offset(&e), &e)),
    };
    match result {
        Ok(expr) if diags.is_empty() => Ok(expr),
        Ok(_) => Err(diags),
        Err(d) => {
            diags.push(d);
            Err(diags)
        }
    }
}

/// Parses a template file (`templatefile`): literal text with `${…}` and `%{…}`.
pub fn parse_template(file: FileId, text: &str) -> Result<Template, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    if let Some(at) = too_deep(text) {
        return Err(vec![Diagnostic::error(
            code::SYNTAX,
            format!("brackets are nested more than {MAX_NESTING} levels deep"),
        )
        .at(Span::new(file, at, next_char_boundary(text, at)))]);
    }
    let result = match Grammar::parse(Rule::template_file, text) {
        Ok(mut pairs) => {
            let mut b = Builder {
                file,
                text,
                base: 0,
                diags: &mut diags,
            };
            match pairs.next().and_then(|p| p.into_inner().next()) {
                Some(tpl) => b.template(tpl, TemplateFlavor::File).map(|parts| Template {
                    parts,
                    heredoc: true,
                }),
                None => Ok(Template {
                    parts: Vec::new(),
                    heredoc: true,
                }),
            }
        }
        Err(e) => Err(syntax_error(file, text, error_offset(&e), &e)),
    };
    match result {
        Ok(t) if diags.is_empty() => Ok(t),
        Ok(_) => Err(diags),
        Err(d) => {
            diags.push(d);
            Err(diags)
        }
    }
}

/// Each attribute and block must end its line: the next item starts on a later line.
fn check_separation(text: &str, items: &[Item], diags: &mut Vec<Diagnostic>) {
    for pair in items.windows(2) {
        let (a, b) = (pair[0].span(), pair[1].span());
        let between = text.get(a.end as usize..b.start as usize).unwrap_or("\n");
        if !between.contains('\n') {
            let what = match pair[0] {
                Item::Attribute(_) => "an attribute",
                Item::Block(_) => "a block",
            };
            diags.push(
                Diagnostic::error(code::SYNTAX, format!("expected a newline after {what}"))
                    .at(b)
                    .with_label("this must start on a new line")
                    .with_help("write each attribute and block on its own line"),
            );
        }
    }
}

/// Skips whitespace and comments from `pos`; returns the offset of the next token.
pub fn skip_trivia(text: &str, mut pos: usize) -> usize {
    let bytes = text.as_bytes();
    while pos < bytes.len() {
        match bytes[pos] {
            b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
            b'#' => pos = line_end(text, pos),
            b'/' if bytes.get(pos + 1) == Some(&b'/') => pos = line_end(text, pos),
            b'/' if bytes.get(pos + 1) == Some(&b'*') => match text[pos + 2..].find("*/") {
                Some(i) => pos = pos + 2 + i + 2,
                None => return pos,
            },
            _ => return pos,
        }
    }
    pos
}

/// Where the line holding `pos` ends: at `\n` or a lone `\r`, as the grammar's comments end.
fn line_end(text: &str, pos: usize) -> usize {
    text[pos..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| pos + i)
}

/// The next place to resume after an error at `at`: a line, after the one holding the error, that
/// starts with an identifier in column 1.
fn recover(text: &str, at: usize) -> Option<usize> {
    let mut line = at;
    loop {
        let nl = text[line..].find('\n')? + line + 1;
        line = nl;
        let first = text.as_bytes().get(line)?;
        // A line holding a lone identifier is no item (it is likely a heredoc's closing
        // marker), so parsing does not resume there.
        let content = text[line..].lines().next().unwrap_or("").trim_end();
        let lone_identifier = content
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if (first.is_ascii_alphabetic() || *first == b'_') && !lone_identifier {
            return Some(line);
        }
    }
}

fn error_offset(e: &pest::error::Error<Rule>) -> usize {
    match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    }
}

/// What a rule is called in messages; `None` for rules users need not hear about.
fn rule_name(rule: &Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "end of file",
        Rule::identifier | Rule::key_ident => "an identifier",
        Rule::attribute => "an attribute",
        Rule::block => "a block",
        Rule::label => "a block label",
        Rule::block_open => "`{`",
        Rule::block_close => "`}`",
        Rule::expr | Rule::cond_tail | Rule::postfix_expr | Rule::expr_only => "an expression",
        Rule::op_not | Rule::op_neg => "an expression",
        Rule::op_or
        | Rule::op_and
        | Rule::op_eq
        | Rule::op_ne
        | Rule::op_le
        | Rule::op_ge
        | Rule::op_lt
        | Rule::op_gt
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div
        | Rule::op_mod => "an operator",
        Rule::get_attr | Rule::legacy_index | Rule::index | Rule::splat_full | Rule::splat_attr => {
            "`.`, `[` or an operator"
        }
        Rule::number_lit | Rule::int_lit => "a number",
        Rule::kw_true | Rule::kw_false | Rule::kw_null | Rule::variable | Rule::call => {
            "an expression"
        }
        Rule::string_lit => "a string",
        Rule::quoted_chunk | Rule::quoted_tpl => "string text or `\"`",
        Rule::interp | Rule::interp_open => "`${`",
        Rule::interp_close => "`}` closing the interpolation",
        Rule::tuple | Rule::for_tuple => "`[`",
        Rule::object | Rule::for_object => "`{`",
        Rule::object_item => "an object item (`key = value`)",
        Rule::comma => "`,`",
        Rule::call_args => "`(`",
        Rule::expand => "`...`",
        Rule::heredoc => "a heredoc",
        Rule::heredoc_chunk | Rule::heredoc_tpl | Rule::h_tpl => "the heredoc's closing marker",
        Rule::for_vars => "a loop variable",
        Rule::kw_in => "`in`",
        Rule::kw_if | Rule::for_cond => "`if`",
        Rule::group => "`...`",
        Rule::dir_close => "`}`",
        Rule::tpl_else | Rule::tpl_endif => "`%{ else }` or `%{ endif }`",
        Rule::tpl_endfor => "`%{ endfor }`",
        Rule::paren => "`(`",
        _ => return None,
    })
}

fn syntax_error(file: FileId, text: &str, at: usize, e: &pest::error::Error<Rule>) -> Diagnostic {
    let at = at.min(text.len());
    // A string that ends while a `%{ if }` or `%{ for }` is open fails at its closing quote;
    // the mistake is the directive that was never closed.
    // In a heredoc the same mistake fails at the end of the directive's line.
    if text[at..].starts_with('"') || text[at..].starts_with('\n') || text[at..].starts_with("\r\n")
    {
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        if let Some((start, end, kind)) = unclosed_directive(&text[line_start..at]) {
            let (start, end) = (line_start + start, line_start + end);
            let close = if kind == "if" { "endif" } else { "endfor" };
            return Diagnostic::error(
                code::SYNTAX,
                format!("`%{{ {kind} }}` directive is not closed"),
            )
            .at(Span::new(file, start, end))
            .with_help(format!(
                "add `%{{ {close} }}` where the {kind} section ends"
            ));
        }
    }
    let found = describe_found(text, at);
    let mut expected: Vec<&str> = Vec::new();
    if let pest::error::ErrorVariant::ParsingError { positives, .. } = &e.variant {
        for r in positives {
            if let Some(n) = rule_name(r) {
                if !expected.contains(&n) {
                    expected.push(n);
                }
            }
        }
    }
    // `a = 1 b` parses `b` as the start of a block, which then fails further on; the mistake
    // is the second item on the attribute's line.
    if expected
        .iter()
        .any(|e| *e == "a block label" || *e == "`{`")
    {
        if let Some((start, end)) = item_after_attribute(text, at) {
            return Diagnostic::error(code::SYNTAX, "expected a newline after an attribute")
                .at(Span::new(file, start, end))
                .with_label("this must start on a new line")
                .with_help("write each attribute and block on its own line");
        }
    }
    let (message, help) = explain(text, at, &expected, &found);
    let end = next_char_boundary(text, at);
    Diagnostic::error(code::SYNTAX, message)
        .at(Span::new(file, at, end))
        .with_label(format!("unexpected {found}"))
        .with_help(help)
}

/// The word that a failed block header started with, when it follows an attribute's value on
/// the same line (`a = true false`): its start and end.
fn item_after_attribute(text: &str, at: usize) -> Option<(usize, usize)> {
    let before = text[..at].trim_end();
    let start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .map_or(0, |i| i + 1);
    if start >= before.len() {
        return None;
    }
    let line_start = before[..start].rfind('\n').map_or(0, |i| i + 1);
    let head = before[line_start..start].trim_end();
    (head.contains('=') && !head.ends_with('=')).then_some((start, before.len()))
}

/// The last `%{ if }` or `%{ for }` directive in `line` that is not closed by its `endif` or
/// `endfor`: its start and end offsets and its keyword.
fn unclosed_directive(line: &str) -> Option<(usize, usize, &'static str)> {
    let mut open: Vec<(usize, usize, &'static str)> = Vec::new();
    let mut from = 0;
    while let Some(i) = line[from..].find("%{") {
        let start = from + i;
        from = start + 2;
        if line[..start].ends_with('%') {
            continue; // `%%{` is a literal.
        }
        let rest = line[start + 2..].trim_start_matches('~').trim_start();
        let end = line[start..]
            .find('}')
            .map_or(line.len(), |j| start + j + 1);
        let word: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        match word.as_str() {
            "if" => open.push((start, end, "if")),
            "for" => open.push((start, end, "for")),
            "endif" | "endfor" => {
                open.pop();
            }
            _ => {}
        }
    }
    open.pop()
}

fn next_char_boundary(text: &str, at: usize) -> usize {
    match text[at..].chars().next() {
        Some('\n') | None => at,
        Some(c) => at + c.len_utf8(),
    }
}

fn describe_found(text: &str, at: usize) -> String {
    match text[at..].chars().next() {
        None => "end of file".into(),
        Some('\n') | Some('\r') => "end of line".into(),
        Some(c) if c.is_alphanumeric() || c == '_' => {
            let word: String = text[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
                .take(20)
                .collect();
            format!("`{word}`")
        }
        Some(c) => format!("`{c}`"),
    }
}

fn explain(text: &str, at: usize, expected: &[&str], found: &str) -> (String, String) {
    let rest = &text[at..];
    let line_prefix = &text[text[..at].rfind('\n').map_or(0, |i| i + 1)..at];
    if rest.starts_with('"') && line_prefix.matches('"').count() % 2 == 1 {
        return (
            "unexpected `\"`".into(),
            "escape a quote inside a string as `\\\"`".into(),
        );
    }
    if expected.is_empty() || expected == ["end of file"] {
        let unclosed = line_prefix.matches('"').count() % 2 == 1 && rest.starts_with('\n');
        if unclosed {
            return (
                "unterminated string".into(),
                "close the string with `\"` before the end of the line; use a heredoc (<<EOT) for text over several lines".into(),
            );
        }
        return (
            format!("unexpected {found}"),
            "each attribute (`name = value`) and block must end with a newline; a one-line block holds at most one attribute".into(),
        );
    }
    let list = join_or(expected);
    let help = if expected.contains(&"an expression") {
        "a value is needed here: a number, string, `true`/`false`/`null`, a list `[…]`, an object `{…}`, a reference like `var.name`, or a function call".to_string()
    } else if expected.contains(&"`}`") || expected.contains(&"an attribute") {
        "check that every `{` has a matching `}` and every attribute is written `name = value`"
            .to_string()
    } else {
        format!("expected {list} here")
    };
    (format!("expected {list}, found {found}"), help)
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

fn internal(file: FileId, at: usize) -> Diagnostic {
    Diagnostic::error(
        code::SYNTAX,
        "internal parser error: unexpected syntax tree shape",
    )
    .at(Span::new(file, at, at))
    .with_help("please report this with the file that caused it")
}

#[derive(Clone, Copy, PartialEq)]
enum TemplateFlavor {
    Quoted,
    Heredoc,
    File,
}

/// A flat template token, before strip markers are applied and directives nested.
enum Tok {
    Lit(String, Span),
    Interp(Expr, bool, bool),
    If(Expr, Span, bool, bool),
    Else(bool, bool),
    EndIf(bool, bool),
    For(Option<Ident>, Ident, Expr, Span, bool, bool),
    EndFor(bool, bool),
}

impl Tok {
    fn strips(&self) -> (bool, bool) {
        match self {
            Tok::Lit(..) => (false, false),
            Tok::Interp(_, l, r)
            | Tok::If(_, _, l, r)
            | Tok::Else(l, r)
            | Tok::EndIf(l, r)
            | Tok::For(_, _, _, _, l, r)
            | Tok::EndFor(l, r) => (*l, *r),
        }
    }
}

struct Builder<'d> {
    file: FileId,
    /// The whole text of the file (for line checks); pest spans are relative to `base`.
    text: &'d str,
    base: usize,
    diags: &'d mut Vec<Diagnostic>,
}

type R<T> = Result<T, Diagnostic>;

impl Builder<'_> {
    fn span(&self, s: pest::Span<'_>) -> Span {
        Span::new(self.file, self.base + s.start(), self.base + s.end())
    }

    fn next<'i>(&self, pairs: &mut Pairs<'i, Rule>, at: pest::Span<'_>) -> R<Pair<'i, Rule>> {
        pairs
            .next()
            .ok_or_else(|| internal(self.file, self.base + at.start()))
    }

    fn ident(&self, p: Pair<'_, Rule>) -> Ident {
        Ident {
            name: p.as_str().to_string(),
            span: self.span(p.as_span()),
        }
    }

    fn item(&mut self, p: Pair<'_, Rule>) -> R<Item> {
        match p.as_rule() {
            Rule::attribute => Ok(Item::Attribute(self.attribute(p)?)),
            Rule::block => Ok(Item::Block(self.block(p)?)),
            _ => Err(internal(self.file, self.base + p.as_span().start())),
        }
    }

    fn attribute(&mut self, p: Pair<'_, Rule>) -> R<Attribute> {
        let at = p.as_span();
        let mut inner = p.into_inner();
        let name = self.ident(self.next(&mut inner, at)?);
        let expr = self.expr(self.next(&mut inner, at)?)?;
        let span = name.span.to(expr.span);
        Ok(Attribute { name, expr, span })
    }

    fn block(&mut self, p: Pair<'_, Rule>) -> R<Block> {
        let at = p.as_span();
        let mut inner = p.into_inner();
        let ty = self.ident(self.next(&mut inner, at)?);
        let mut labels = Vec::new();
        let mut open_brace = Span::default();
        let mut close_brace = Span::default();
        let mut items = Vec::new();
        for part in inner {
            match part.as_rule() {
                Rule::label => labels.push(self.label(part)?),
                Rule::block_open => open_brace = self.span(part.as_span()),
                Rule::block_close => close_brace = self.span(part.as_span()),
                _ => items.push(self.item(part)?),
            }
        }
        items.shrink_to_fit();
        let body = Body {
            items,
            span: Span::new(
                self.file,
                open_brace.end as usize,
                close_brace.start as usize,
            ),
        };
        let span = ty.span.to(close_brace);
        self.check_block_layout(&body, open_brace, close_brace);
        Ok(Block {
            ty,
            labels,
            body,
            span,
            open_brace,
            close_brace,
        })
    }

    /// Checks the newlines the grammar cannot see: items of a body on separate lines, and a
    /// one-line block (`{ a = 1 }`) holding one attribute only.
    fn check_block_layout(&mut self, body: &Body, open: Span, close: Span) {
        let Some(first) = body.items.first() else {
            return;
        };
        if self.same_line(open.end, first.span().start) {
            let problem = match first {
                Item::Block(b) => Some((b.ty.span, "a block cannot start on the line of `{`")),
                Item::Attribute(_) if body.items.len() > 1 => Some((
                    body.items[1].span(),
                    "a block on one line may hold only one attribute",
                )),
                Item::Attribute(a) if !self.same_line(a.span.end, close.start) => {
                    Some((a.span, "a block on one line may hold only one attribute"))
                }
                _ => None,
            };
            if let Some((span, message)) = problem {
                self.diags.push(
                    Diagnostic::error(code::SYNTAX, message)
                        .at(span)
                        .with_label("this must go on its own line")
                        .with_help(
                            "put a newline after `{` and write one attribute or block per line",
                        ),
                );
            }
            return;
        }
        check_separation(self.text, &body.items, self.diags);
        if let Some(last) = body.items.last() {
            if self.same_line(last.span().end, close.start) {
                self.diags.push(
                    Diagnostic::error(code::SYNTAX, "expected a newline before `}`")
                        .at(close)
                        .with_label("the closing brace of a block goes on its own line")
                        .with_help("move `}` to the next line"),
                );
            }
        }
    }

    /// Whether the absolute offsets `a <= b` lie on one line.
    fn same_line(&self, a: u32, b: u32) -> bool {
        self.text
            .get(a as usize..b as usize)
            .is_some_and(|between| !between.contains('\n'))
    }

    fn label(&mut self, p: Pair<'_, Rule>) -> R<Label> {
        let span = self.span(p.as_span());
        let at = p.as_span();
        let inner = self.next(&mut p.into_inner(), at)?;
        match inner.as_rule() {
            Rule::identifier => Ok(Label {
                value: inner.as_str().to_string(),
                span,
                quoted: false,
            }),
            _ => {
                let e = self.string_lit(inner)?;
                match &e.kind {
                    ExprKind::Template(t) => match t.as_literal() {
                        Some(s) => Ok(Label {
                            value: s.to_string(),
                            span,
                            quoted: true,
                        }),
                        None => Err(Diagnostic::error(
                            code::SYNTAX,
                            "block labels cannot contain interpolations or directives",
                        )
                        .at(span)
                        .with_help("write the label as a plain string, like \"web\"")),
                    },
                    _ => Err(internal(self.file, span.start as usize)),
                }
            }
        }
    }

    fn expr(&mut self, p: Pair<'_, Rule>) -> R<Expr> {
        let at = p.as_span();
        match p.as_rule() {
            Rule::expr => {
                let mut parts: Vec<Pair<'_, Rule>> = p.into_inner().collect();
                let tail = match parts.last() {
                    Some(last) if last.as_rule() == Rule::cond_tail => parts.pop(),
                    _ => None,
                };
                if parts.is_empty() {
                    return Err(internal(self.file, self.base + at.start()));
                }
                let cond = self.operation(parts)?;
                let Some(tail) = tail else { return Ok(cond) };
                let tat = tail.as_span();
                let mut inner = tail.into_inner();
                let then = self.expr(self.next(&mut inner, tat)?)?;
                let otherwise = self.expr(self.next(&mut inner, tat)?)?;
                let span = cond.span.to(otherwise.span);
                Ok(Expr {
                    kind: ExprKind::Conditional {
                        cond: Box::new(cond),
                        then: Box::new(then),
                        otherwise: Box::new(otherwise),
                    },
                    span,
                })
            }
            Rule::postfix_expr => self.postfix_expr(p),
            _ => self.primary(p),
        }
    }

    /// Operands and operators in source order, to one expression by precedence.
    fn operation(&mut self, mut parts: Vec<Pair<'_, Rule>>) -> R<Expr> {
        // The tree of an operator chain is as deep as the chain is long; bound it so that
        // building, walking and freeing it cannot exhaust the stack on hostile input.
        if parts.len() > 2 * MAX_OPERATORS {
            let at = parts
                .get(2 * MAX_OPERATORS)
                .map_or(0, |p| p.as_span().start());
            return Err(Diagnostic::error(
                code::SYNTAX,
                format!("this expression has more than {MAX_OPERATORS} operators"),
            )
            .at(Span::new(self.file, self.base + at, self.base + at))
            .with_help("split it into several locals"));
        }
        // A lone operand (the common case) skips the Pratt machinery.
        if parts.len() == 1 {
            if let Some(one) = parts.pop() {
                return self.postfix_expr(one);
            }
        }
        let inner = parts.into_iter();
        let file = self.file;
        let base = self.base;
        let cell = std::cell::RefCell::new(self);
        PRATT
            .map_primary(|p| cell.borrow_mut().postfix_expr(p))
            .map_prefix(move |op, rhs| {
                let rhs = rhs?;
                let op_span =
                    Span::new(file, base + op.as_span().start(), base + op.as_span().end());
                let op = if op.as_rule() == Rule::op_not {
                    UnaryOp::Not
                } else {
                    UnaryOp::Neg
                };
                // `-5` is a number literal, not an operation, so that `-1` prints and compares as
                // written.
                if op == UnaryOp::Neg {
                    if let ExprKind::Number(n) = rhs.kind {
                        return Ok(Expr {
                            kind: ExprKind::Number(-n),
                            span: op_span.to(rhs.span),
                        });
                    }
                }
                Ok(Expr {
                    span: op_span.to(rhs.span),
                    kind: ExprKind::Unary {
                        op,
                        expr: Box::new(rhs),
                    },
                })
            })
            .map_infix(move |lhs, op, rhs| {
                let (lhs, rhs) = (lhs?, rhs?);
                let op_span =
                    Span::new(file, base + op.as_span().start(), base + op.as_span().end());
                let op = match op.as_rule() {
                    Rule::op_or => BinaryOp::Or,
                    Rule::op_and => BinaryOp::And,
                    Rule::op_eq => BinaryOp::Eq,
                    Rule::op_ne => BinaryOp::NotEq,
                    Rule::op_lt => BinaryOp::Lt,
                    Rule::op_le => BinaryOp::LtEq,
                    Rule::op_gt => BinaryOp::Gt,
                    Rule::op_ge => BinaryOp::GtEq,
                    Rule::op_add => BinaryOp::Add,
                    Rule::op_sub => BinaryOp::Sub,
                    Rule::op_mul => BinaryOp::Mul,
                    Rule::op_div => BinaryOp::Div,
                    _ => BinaryOp::Mod,
                };
                Ok(Expr {
                    span: lhs.span.to(rhs.span),
                    kind: ExprKind::Binary {
                        op,
                        op_span,
                        lhs: Box::new(lhs),
                        rhs: Box::new(rhs),
                    },
                })
            })
            .parse(inner)
    }

    fn postfix_expr(&mut self, p: Pair<'_, Rule>) -> R<Expr> {
        let at = p.as_span();
        if p.as_rule() != Rule::postfix_expr {
            return self.primary(p);
        }
        let mut inner = p.into_inner();
        let mut expr = self.primary(self.next(&mut inner, at)?)?;
        for post in inner {
            let span = expr.span.to(self.span(post.as_span()));
            expr = match post.as_rule() {
                Rule::get_attr => Expr {
                    kind: ExprKind::GetAttr {
                        base: Box::new(expr),
                        name: self.get_attr_name(post)?,
                    },
                    span,
                },
                Rule::legacy_index => Expr {
                    kind: ExprKind::Index {
                        base: Box::new(expr),
                        index: Box::new(self.legacy_index(post)?),
                    },
                    span,
                },
                Rule::index => {
                    let pat = post.as_span();
                    let idx = self.next(&mut post.into_inner(), pat)?;
                    Expr {
                        kind: ExprKind::Index {
                            base: Box::new(expr),
                            index: Box::new(self.expr(idx)?),
                        },
                        span,
                    }
                }
                Rule::splat_full | Rule::splat_attr => {
                    let full = post.as_rule() == Rule::splat_full;
                    let mut steps = Vec::new();
                    for step in post.into_inner() {
                        steps.push(match step.as_rule() {
                            Rule::get_attr => SplatStep::Attr(self.get_attr_name(step)?),
                            Rule::legacy_index => SplatStep::Index(self.legacy_index(step)?),
                            _ => {
                                let sat = step.as_span();
                                let idx = self.next(&mut step.into_inner(), sat)?;
                                SplatStep::Index(self.expr(idx)?)
                            }
                        });
                    }
                    Expr {
                        kind: ExprKind::Splat {
                            base: Box::new(expr),
                            full,
                            steps,
                        },
                        span,
                    }
                }
                _ => return Err(internal(self.file, self.base + post.as_span().start())),
            };
        }
        Ok(expr)
    }

    fn get_attr_name(&self, p: Pair<'_, Rule>) -> R<Ident> {
        let at = p.as_span();
        let id = self.next(&mut p.into_inner(), at)?;
        Ok(self.ident(id))
    }

    fn legacy_index(&self, p: Pair<'_, Rule>) -> R<Expr> {
        let at = p.as_span();
        let n = self.next(&mut p.into_inner(), at)?;
        let span = self.span(n.as_span());
        Ok(Expr {
            kind: ExprKind::Number(n.as_str().parse::<f64>().unwrap_or(f64::NAN)),
            span,
        })
    }

    fn primary(&mut self, p: Pair<'_, Rule>) -> R<Expr> {
        let at = p.as_span();
        let span = self.span(at);
        let kind = match p.as_rule() {
            Rule::number_lit => match p.as_str().parse::<f64>() {
                Ok(n) if n.is_finite() => ExprKind::Number(n),
                _ => {
                    return Err(Diagnostic::error(
                        code::SYNTAX,
                        format!("the number `{}` is too large", p.as_str()),
                    )
                    .at(span)
                    .with_help("numbers must fit in a 64-bit float"))
                }
            },
            Rule::kw_true => ExprKind::Bool(true),
            Rule::kw_false => ExprKind::Bool(false),
            Rule::kw_null => ExprKind::Null,
            Rule::variable => {
                let id = self.next(&mut p.into_inner(), at)?;
                ExprKind::Variable(self.ident(id))
            }
            Rule::paren => {
                let inner = self.next(&mut p.into_inner(), at)?;
                ExprKind::Paren(Box::new(self.expr(inner)?))
            }
            Rule::tuple => {
                let mut items = Vec::new();
                for e in p.into_inner() {
                    items.push(self.expr(e)?);
                }
                items.shrink_to_fit();
                ExprKind::Tuple(items)
            }
            Rule::object => return self.object(p),
            Rule::call => {
                let mut inner = p.into_inner();
                let name = self.ident(self.next(&mut inner, at)?);
                let args_pair = self.next(&mut inner, at)?;
                let mut args = Vec::new();
                let mut expand_final = false;
                for a in args_pair.into_inner() {
                    match a.as_rule() {
                        Rule::expand => expand_final = true,
                        _ => args.push(self.expr(a)?),
                    }
                }
                args.shrink_to_fit();
                ExprKind::Call {
                    name,
                    args,
                    expand_final,
                }
            }
            Rule::for_tuple | Rule::for_object => return self.for_expr(p),
            Rule::string_lit => return self.string_lit(p),
            Rule::heredoc => return self.heredoc(p),
            Rule::expr | Rule::postfix_expr => return self.expr(p),
            _ => return Err(internal(self.file, span.start as usize)),
        };
        Ok(Expr { kind, span })
    }

    fn object(&mut self, p: Pair<'_, Rule>) -> R<Expr> {
        let span = self.span(p.as_span());
        let mut items: Vec<ObjectItem> = Vec::new();
        let mut last_had_comma = true;
        let mut last_end = 0u32;
        for part in p.into_inner() {
            match part.as_rule() {
                Rule::comma => last_had_comma = true,
                Rule::object_item => {
                    let at = part.as_span();
                    let mut inner = part.into_inner();
                    let k = self.next(&mut inner, at)?;
                    let key = match k.as_rule() {
                        Rule::key_ident => ObjectKey::Ident(self.ident(k)),
                        _ => ObjectKey::Expr(self.expr(k)?),
                    };
                    let value = self.expr(self.next(&mut inner, at)?)?;
                    if !last_had_comma && self.same_line(last_end, key.span().start) {
                        return Err(Diagnostic::error(
                            code::SYNTAX,
                            "object items must be separated by a comma or a newline",
                        )
                        .at(key.span())
                        .with_label("expected `,` or a newline before this item")
                        .with_help("add `,` before this item or move it to its own line"));
                    }
                    last_had_comma = false;
                    last_end = value.span.end;
                    items.push(ObjectItem { key, value });
                }
                _ => {}
            }
        }
        items.shrink_to_fit();
        Ok(Expr {
            kind: ExprKind::Object(items),
            span,
        })
    }

    fn for_vars(&self, p: Pair<'_, Rule>) -> (Option<Ident>, Ident) {
        let mut ids: Vec<Ident> = p.into_inner().map(|i| self.ident(i)).collect();
        let value = ids.pop();
        let key = ids.pop();
        match value {
            Some(v) => (key, v),
            None => (
                None,
                Ident {
                    name: String::new(),
                    span: Span::default(),
                },
            ),
        }
    }

    fn for_expr(&mut self, p: Pair<'_, Rule>) -> R<Expr> {
        let span = self.span(p.as_span());
        let object = p.as_rule() == Rule::for_object;
        let mut key_var = None;
        let mut value_var = None;
        let mut exprs = Vec::new();
        let mut cond = None;
        let mut group = false;
        for part in p.into_inner() {
            match part.as_rule() {
                Rule::for_vars => {
                    let (k, v) = self.for_vars(part);
                    key_var = k;
                    value_var = Some(v);
                }
                Rule::kw_for | Rule::kw_in => {}
                Rule::for_cond => {
                    let at = part.as_span();
                    let mut inner = part.into_inner();
                    let _kw = self.next(&mut inner, at)?;
                    cond = Some(self.expr(self.next(&mut inner, at)?)?);
                }
                Rule::group => group = true,
                _ => exprs.push(self.expr(part)?),
            }
        }
        let mut exprs = exprs.into_iter();
        let (Some(value_var), Some(collection)) = (value_var, exprs.next()) else {
            return Err(internal(self.file, span.start as usize));
        };
        let (key, value) = if object {
            (exprs.next(), exprs.next())
        } else {
            (None, exprs.next())
        };
        let Some(value) = value else {
            return Err(internal(self.file, span.start as usize));
        };
        Ok(Expr {
            kind: ExprKind::For(Box::new(ForExpr {
                key_var,
                value_var,
                collection,
                key,
                value,
                cond,
                group,
            })),
            span,
        })
    }

    fn string_lit(&mut self, p: Pair<'_, Rule>) -> R<Expr> {
        let span = self.span(p.as_span());
        let at = p.as_span();
        let tpl = self.next(&mut p.into_inner(), at)?;
        let parts = self.template(tpl, TemplateFlavor::Quoted)?;
        Ok(Expr {
            kind: ExprKind::Template(Template {
                parts,
                heredoc: false,
            }),
            span,
        })
    }

    fn heredoc(&mut self, p: Pair<'_, Rule>) -> R<Expr> {
        let span = self.span(p.as_span());
        let mut indented = false;
        let mut parts = Vec::new();
        for part in p.into_inner() {
            match part.as_rule() {
                Rule::heredoc_indent => indented = true,
                // An empty body holds nothing; a non-empty one gets its last newline there.
                Rule::heredoc_tpl => {
                    parts = self.template_with(part, TemplateFlavor::Heredoc, Some(indented))?;
                }
                _ => {}
            }
        }
        Ok(Expr {
            kind: ExprKind::Template(Template {
                parts,
                heredoc: true,
            }),
            span,
        })
    }

    fn template(&mut self, p: Pair<'_, Rule>, flavor: TemplateFlavor) -> R<Vec<TemplatePart>> {
        self.template_with(p, flavor, None)
    }

    /// `heredoc`: `Some(indented)` for a heredoc body. Its value holds every line up to the
    /// marker, including the last newline; an indented heredoc loses the lines' common
    /// indentation, measured over the raw lines (directives included) before strip markers
    /// apply, as in HCL.
    fn template_with(
        &mut self,
        p: Pair<'_, Rule>,
        flavor: TemplateFlavor,
        heredoc: Option<bool>,
    ) -> R<Vec<TemplatePart>> {
        let end = self.span(p.as_span()).end as usize;
        let mut toks = Vec::new();
        self.flatten(p, flavor, &mut toks)?;
        if let Some(indented) = heredoc {
            match toks.last_mut() {
                Some(Tok::Lit(s, sp)) => {
                    s.push('\n');
                    sp.end += 1;
                }
                _ => toks.push(Tok::Lit("\n".into(), Span::new(self.file, end, end + 1))),
            }
            if indented {
                dedent_tokens(&mut toks);
            }
        }
        apply_strips(&mut toks);
        let mut iter = toks.into_iter().peekable();
        let (parts, end) = fold(&mut iter, self.file)?;
        if let Some(end) = end {
            return Err(
                Diagnostic::error(code::SYNTAX, format!("unexpected `{end}` directive"))
                    .at(Span::new(self.file, self.base, self.base))
                    .with_help(
                        "each `%{ if }` needs one `%{ endif }`, each `%{ for }` one `%{ endfor }`",
                    ),
            );
        }
        Ok(parts)
    }

    fn flatten(&mut self, p: Pair<'_, Rule>, flavor: TemplateFlavor, out: &mut Vec<Tok>) -> R<()> {
        for part in p.into_inner() {
            let span = self.span(part.as_span());
            match part.as_rule() {
                Rule::quoted_chunk | Rule::heredoc_chunk | Rule::file_chunk => {
                    let text = match flavor {
                        TemplateFlavor::Quoted => self.unescape(part.as_str(), span)?,
                        // A heredoc's lines end in `\n` whatever the file's line endings.
                        TemplateFlavor::Heredoc => part
                            .as_str()
                            .replace("\r\n", "\n")
                            .replace("$${", "${")
                            .replace("%%{", "%{"),
                        TemplateFlavor::File => {
                            part.as_str().replace("$${", "${").replace("%%{", "%{")
                        }
                    };
                    out.push(Tok::Lit(text, span));
                }
                Rule::interp => {
                    let (l, e, r) = self.interp_parts(part)?;
                    out.push(Tok::Interp(e, l, r));
                }
                Rule::q_if | Rule::h_if | Rule::f_if | Rule::q_for | Rule::h_for | Rule::f_for => {
                    self.flatten(part, flavor, out)?;
                }
                Rule::quoted_tpl | Rule::h_tpl | Rule::file_tpl | Rule::heredoc_tpl => {
                    self.flatten(part, flavor, out)?;
                }
                Rule::tpl_if_head => {
                    let at = part.as_span();
                    let mut inner = part.into_inner();
                    let open = self.next(&mut inner, at)?;
                    let _kw = self.next(&mut inner, at)?;
                    let cond = self.expr(self.next(&mut inner, at)?)?;
                    let close = self.next(&mut inner, at)?;
                    out.push(Tok::If(cond, span, has_strip(&open), has_strip(&close)));
                }
                Rule::tpl_for_head => {
                    let at = part.as_span();
                    let mut inner = part.into_inner();
                    let open = self.next(&mut inner, at)?;
                    let _kw = self.next(&mut inner, at)?;
                    let (k, v) = self.for_vars(self.next(&mut inner, at)?);
                    let _in = self.next(&mut inner, at)?;
                    let coll = self.expr(self.next(&mut inner, at)?)?;
                    let close = self.next(&mut inner, at)?;
                    out.push(Tok::For(
                        k,
                        v,
                        coll,
                        span,
                        has_strip(&open),
                        has_strip(&close),
                    ));
                }
                Rule::tpl_else | Rule::tpl_endif | Rule::tpl_endfor => {
                    let rule = part.as_rule();
                    let at = part.as_span();
                    let mut inner = part.into_inner();
                    let open = self.next(&mut inner, at)?;
                    let close = self.next(&mut inner, at)?;
                    let (l, r) = (has_strip(&open), has_strip(&close));
                    out.push(match rule {
                        Rule::tpl_else => Tok::Else(l, r),
                        Rule::tpl_endif => Tok::EndIf(l, r),
                        _ => Tok::EndFor(l, r),
                    });
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn interp_parts(&mut self, p: Pair<'_, Rule>) -> R<(bool, Expr, bool)> {
        let at = p.as_span();
        let mut inner = p.into_inner();
        let open = self.next(&mut inner, at)?;
        let e = self.expr(self.next(&mut inner, at)?)?;
        let close = self.next(&mut inner, at)?;
        Ok((has_strip(&open), e, has_strip(&close)))
    }

    fn unescape(&self, s: &str, span: Span) -> R<String> {
        if !s.contains('\\') && !s.contains("$${") && !s.contains("%%{") {
            return Ok(s.to_string());
        }
        let mut out = String::with_capacity(s.len());
        let mut chars = s.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    let Some((_, e)) = chars.next() else { break };
                    let esc_span = Span::new(
                        self.file,
                        span.start as usize + i,
                        span.start as usize + i + 1 + e.len_utf8(),
                    );
                    match e {
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        'u' | 'U' => {
                            let n = if e == 'u' { 4 } else { 8 };
                            let hex: String = s[i + 2..].chars().take(n).collect();
                            let code_point = (hex.len() == n && hex.chars().all(|c| c.is_ascii_hexdigit()))
                                .then(|| u32::from_str_radix(&hex, 16).ok())
                                .flatten()
                                .and_then(char::from_u32);
                            match code_point {
                                Some(ch) => {
                                    out.push(ch);
                                    for _ in 0..n {
                                        chars.next();
                                    }
                                }
                                None => {
                                    return Err(Diagnostic::error(
                                        code::SYNTAX,
                                        format!("invalid unicode escape `\\{e}{hex}`"),
                                    )
                                    .at(Span::new(self.file, esc_span.start as usize, esc_span.end as usize + hex.len()))
                                    .with_help(format!(
                                        "write `\\{e}` followed by exactly {n} hexadecimal digits of a valid code point"
                                    )))
                                }
                            }
                        }
                        other => {
                            return Err(Diagnostic::error(
                                code::SYNTAX,
                                format!("invalid escape sequence `\\{other}`"),
                            )
                            .at(esc_span)
                            .with_help("valid escapes are \\n \\r \\t \\\" \\\\ \\uNNNN \\UNNNNNNNN; write `\\\\` for a backslash"))
                        }
                    }
                }
                '$' if s[i..].starts_with("$${") => {
                    out.push_str("${");
                    chars.next();
                    chars.next();
                }
                '%' if s[i..].starts_with("%%{") => {
                    out.push_str("%{");
                    chars.next();
                    chars.next();
                }
                c => out.push(c),
            }
        }
        Ok(out)
    }
}

fn has_strip(p: &Pair<'_, Rule>) -> bool {
    p.clone().into_inner().any(|i| i.as_rule() == Rule::strip)
}

/// `${~ …}` trims whitespace before, `…~}` after, across directive boundaries too.
fn apply_strips(toks: &mut [Tok]) {
    for i in 0..toks.len() {
        let (left, right) = toks[i].strips();
        if left && i > 0 {
            if let Tok::Lit(s, _) = &mut toks[i - 1] {
                let t = s.trim_end().len();
                s.truncate(t);
            }
        }
        if right && i + 1 < toks.len() {
            if let Tok::Lit(s, _) = &mut toks[i + 1] {
                *s = s.trim_start().to_string();
            }
        }
    }
}

/// Nests flat tokens into template parts. Returns the parts and the directive that ended them
/// (`else`, `endif`, `endfor`), if any.
fn fold(
    iter: &mut std::iter::Peekable<std::vec::IntoIter<Tok>>,
    file: FileId,
) -> Result<(Vec<TemplatePart>, Option<&'static str>), Diagnostic> {
    let mut parts = Vec::new();
    while let Some(tok) = iter.next() {
        match tok {
            Tok::Lit(s, span) => {
                if !s.is_empty() {
                    parts.push(TemplatePart::Literal(s, span))
                }
            }
            Tok::Interp(e, ..) => parts.push(TemplatePart::Interp(Box::new(e))),
            Tok::If(cond, span, ..) => {
                let (then, end) = fold(iter, file)?;
                let otherwise = match end {
                    Some("else") => {
                        let (o, end2) = fold(iter, file)?;
                        if end2 != Some("endif") {
                            return Err(unclosed(span, "if", "endif"));
                        }
                        o
                    }
                    Some("endif") => Vec::new(),
                    _ => return Err(unclosed(span, "if", "endif")),
                };
                parts.push(TemplatePart::If {
                    cond: Box::new(cond),
                    then,
                    otherwise,
                    span,
                });
            }
            Tok::For(key_var, value_var, collection, span, ..) => {
                let (body, end) = fold(iter, file)?;
                if end != Some("endfor") {
                    return Err(unclosed(span, "for", "endfor"));
                }
                parts.push(TemplatePart::For {
                    key_var: key_var.map(Box::new),
                    value_var: Box::new(value_var),
                    collection: Box::new(collection),
                    body,
                    span,
                });
            }
            Tok::Else(..) => {
                parts.shrink_to_fit();
                return Ok((parts, Some("else")));
            }
            Tok::EndIf(..) => {
                parts.shrink_to_fit();
                return Ok((parts, Some("endif")));
            }
            Tok::EndFor(..) => {
                parts.shrink_to_fit();
                return Ok((parts, Some("endfor")));
            }
        }
    }
    let _ = file;
    // Most templates hold one literal; pushing would leave room for four.
    parts.shrink_to_fit();
    Ok((parts, None))
}

fn unclosed(span: Span, what: &str, end: &str) -> Diagnostic {
    Diagnostic::error(
        code::SYNTAX,
        format!("`%{{ {what} }}` directive is not closed"),
    )
    .at(span)
    .with_help(format!("add `%{{ {end} }}` where the {what} section ends"))
}

/// Removes the common leading whitespace of an indented heredoc's lines. Lines are those of the
/// raw text: a line that starts with an interpolation has no indentation, and directives count
/// like any other text after the line's leading whitespace.
fn dedent_tokens(toks: &mut [Tok]) {
    let mut min: Option<usize> = None;
    let mut at_line_start = true;
    for t in toks.iter() {
        match t {
            Tok::Lit(s, _) => {
                for (i, line) in s.split('\n').enumerate() {
                    if (i > 0 || at_line_start) && !line.trim().is_empty() {
                        let n = line.len() - line.trim_start_matches([' ', '\t']).len();
                        min = Some(min.map_or(n, |m: usize| m.min(n)));
                    }
                }
                at_line_start = s.ends_with('\n');
            }
            _ => {
                if at_line_start {
                    min = Some(0);
                }
                at_line_start = false;
            }
        }
    }
    let Some(n) = min.filter(|n| *n > 0) else {
        return;
    };
    let mut at_line_start = true;
    for t in toks.iter_mut() {
        match t {
            Tok::Lit(s, _) => {
                let mut out = String::with_capacity(s.len());
                for (i, line) in s.split('\n').enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    if i > 0 || at_line_start {
                        let ws = line.len() - line.trim_start_matches([' ', '\t']).len();
                        out.push_str(&line[ws.min(n)..]);
                    } else {
                        out.push_str(line);
                    }
                }
                at_line_start = s.ends_with('\n');
                *s = out;
            }
            _ => at_line_start = false,
        }
    }
}

/// Runs only the pest grammar over a whole file (benchmarks compare it with tree building).
#[doc(hidden)]
pub fn grammar_only(text: &str) -> bool {
    Grammar::parse(Rule::file, text).is_ok()
}

/// Parses a large file on up to `threads` threads. The text is cut at lines that start with an
/// identifier in column 1 (where a top-level block usually starts); a cut is trusted only when
/// the part before it parsed cleanly up to exactly that point, so a cut that falls inside a
/// heredoc or a multi-line string never changes the result: those parts are parsed again in
/// one piece.
pub fn parse_file_parallel(file: FileId, text: &str, threads: usize) -> Parsed {
    let threads = threads.max(1);
    if threads == 1 || text.len() < 128 * 1024 || too_deep(text).is_some() {
        return parse_file(file, text);
    }
    let mut cuts = vec![0usize];
    for i in 1..threads {
        let target = text.len() * i / threads;
        if let Some(c) = top_level_line_after(text, target) {
            if c > *cuts.last().unwrap_or(&0) {
                cuts.push(c);
            }
        }
    }
    cuts.push(text.len());
    if cuts.len() <= 2 {
        return parse_file(file, text);
    }
    let parts: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1])).collect();
    let results: Vec<Option<Parsed>> = std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .iter()
            .map(|&(a, b)| s.spawn(move || parse_range(file, text, a, b)))
            .collect();
        handles.into_iter().map(|h| h.join().ok()).collect()
    });
    let mut items = Vec::new();
    let mut diagnostics = Vec::new();
    for r in results {
        match r {
            Some(p) if p.diagnostics.is_empty() => items.extend(p.file.body.items),
            // Any doubt: parse the whole file in one piece.
            _ => return parse_file(file, text),
        }
    }
    check_separation(text, &items, &mut diagnostics);
    Parsed {
        file: File {
            body: Body {
                items,
                span: Span::new(file, 0, text.len()),
            },
        },
        diagnostics,
    }
}

/// The start of the first line at or after `from` that begins with an identifier character.
fn top_level_line_after(text: &str, from: usize) -> Option<usize> {
    let mut i = from.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    let start = text[i..].find('\n').map(|n| i + n + 1)?;
    let mut line = start;
    loop {
        let b = *text.as_bytes().get(line)?;
        if b.is_ascii_alphabetic() || b == b'_' {
            // The previous non-blank line should close a block (`}`), a cheap sign that this is
            // a new top-level item rather than text inside a heredoc.
            let before = text[..line].trim_end();
            if before.ends_with('}') {
                return Some(line);
            }
        }
        line = text[line..].find('\n').map(|n| line + n + 1)?;
    }
}

/// Parses the items that start in `text[start..end]`, with spans in the whole file's offsets.
/// The part counts as clean only if its items end inside it and nothing but trivia follows.
fn parse_range(file: FileId, text: &str, start: usize, end: usize) -> Parsed {
    let mut items = Vec::new();
    let mut diagnostics = Vec::new();
    let slice = &text[..end];
    let mut pos = skip_trivia(slice, start);
    while pos < end {
        match Grammar::parse(Rule::top_item, &slice[pos..]) {
            Ok(mut pairs) => {
                let Some(pair) = pairs.next() else { break };
                let item_end = pos + pair.as_span().end();
                let mut b = Builder {
                    file,
                    text: slice,
                    base: pos,
                    diags: &mut diagnostics,
                };
                match b.item(pair) {
                    Ok(item) => items.push(item),
                    Err(d) => diagnostics.push(d),
                }
                if item_end <= pos {
                    break;
                }
                pos = skip_trivia(slice, item_end);
            }
            Err(e) => {
                let at = pos + error_offset(&e);
                diagnostics.push(syntax_error(file, slice, at, &e));
                break;
            }
        }
    }
    Parsed {
        file: File {
            body: Body {
                items,
                span: Span::new(file, start, end),
            },
        },
        diagnostics,
    }
}
