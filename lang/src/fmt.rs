//! The formatter: canonical style for stack files (`stackc fmt`, CLI.md).
//!
//! The style follows `terraform fmt`: two spaces per nesting level; `=` aligned in runs of
//! consecutive single-line attributes (a blank line, a comment line, a block or a multi-line
//! attribute ends a run), and likewise for object items that start a line of a multi-line object
//! literal; trailing comments of consecutive lines of a run aligned one space after the longest
//! line, otherwise one space after the code; one blank line between top-level blocks, at most one
//! blank line anywhere else, none after `{` or `[`/`(` or before the matching closer; block headers
//! written `type "label" {`; empty blocks `type {}`; one-line blocks kept on one line; LF line
//! endings; one final newline; no byte-order mark.
//!
//! How it works. The file is parsed; the layout of bodies (items, blank lines, comments) is
//! rebuilt from the tree, and everything else is copied from the source text:
//!
//! * Comments are not in the tree. The text between two items (and between `{` and the first
//!   item, and between the last item and `}`) holds only whitespace and comments, so it is
//!   scanned for them (`scan::trivia`): comments on the line where the previous item (or the
//!   `{`, or the `}` of a block) ends stay at the end of that line; the others become comment
//!   lines above the next item (or before `}`), re-indented. Line comments inside a block header
//!   move to the first line of its body; block comments stay where they are.
//! * Expressions are copied from their spans, line by line (`scan::lines`): continuation lines
//!   are re-indented from their brackets (`scan::levels`), trailing blanks are removed, runs of
//!   blanks between two tokens become one space, and object items starting a line are written
//!   `key = value` (`:` becomes `=`). Nothing else changes: lines inside a heredoc (body and
//!   closing marker) and inside a `/* */` comment are copied byte for byte, and string literals
//!   are never touched (a quoted string can span lines only inside `${ }`, whose code is indented
//!   like any other code).
//! * Comments between an attribute's name and its value are kept by copying the whole attribute
//!   the same way as an expression.
//!
//! As a last line of defence, the output is parsed again and its syntax tree without spans must
//! equal the input's (`tree::shape`); otherwise the file is reported as not formattable
//! instead of being changed.

mod scan;
mod tree;

use crate::ast::{Attribute, Block, Expr, ExprKind, File, Item};
use crate::diag::{code, Diagnostic, Severity};
use crate::parser::parse_file;
use crate::source::{FileId, Span};
use scan::{Line, Trivia};
use std::borrow::Cow;
use std::collections::HashMap;

/// Spaces per nesting level.
const INDENT: usize = 2;

/// Formats one file's text in canonical style. Returns Err with the syntax diagnostics when the
/// text does not parse (the formatter never rewrites a file it cannot parse).
///
/// A UTF-8 byte-order mark is dropped and CRLF line endings become LF (also inside heredocs).
/// Diagnostics carry offsets into the text without its byte-order mark, like
/// [`Sources`](crate::source::Sources).
pub fn format_source(file: FileId, text: &str) -> Result<String, Vec<Diagnostic>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let parsed = parse_file(file, text);
    if has_errors(&parsed.diagnostics) {
        return Err(parsed.diagnostics);
    }
    // A carriage return that does not end a line is a line break in some places of the grammar
    // and not in others; such files are left alone.
    let b = text.as_bytes();
    if let Some(at) = (0..b.len()).find(|&i| b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')) {
        return Err(vec![Diagnostic::error(
            code::SYNTAX,
            "a carriage return (\\r) not followed by a line feed: the file cannot be formatted",
        )
        .at(Span::new(file, at, at + 1))
        .with_help("use LF or CRLF line endings")]);
    }
    let (text, parsed): (Cow<'_, str>, _) = if text.contains("\r\n") {
        let lf = text.replace("\r\n", "\n");
        let p = parse_file(file, &lf);
        if has_errors(&p.diagnostics) {
            return Err(p.diagnostics);
        }
        (Cow::Owned(lf), p)
    } else {
        (Cow::Borrowed(text), parsed)
    };
    let out = Formatter::new(&text, &parsed.file)
        .file(&parsed.file)
        .map_err(|at| vec![internal(file, at, "unexpected text between items")])?;
    let check = parse_file(file, &out);
    if has_errors(&check.diagnostics) || tree::shape(&check.file) != tree::shape(&parsed.file) {
        return Err(vec![internal(
            file,
            0,
            "formatting would change the meaning of this file",
        )]);
    }
    Ok(out)
}

fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(|d| d.severity == Severity::Error)
}

fn internal(file: FileId, at: usize, what: &str) -> Diagnostic {
    Diagnostic::error(code::SYNTAX, format!("cannot format this file: {what}"))
        .at(Span::new(file, at, at))
        .with_help("this is a bug in `stackc fmt`; the file was left unchanged; please report it with the file")
}

/// An error at a byte offset: the text there was not what the tree promised.
type Res<T> = Result<T, usize>;

/// One element of a body's layout.
enum Elem<'t> {
    Blank,
    /// A line of comments (a block comment may span several lines): a byte range.
    Comment(usize, usize),
    /// An item and the comments that follow it on its last line.
    Item(&'t Item, Option<(usize, usize)>),
}

/// A body's layout: the comments on the line of its `{`, and its elements.
type Layout<'t> = (Option<(usize, usize)>, Vec<Elem<'t>>);

/// An object item that can be normalised to `key = value` when its key starts a line.
struct ObjItem {
    object: usize,
    key_end: usize,
    value_start: usize,
    value_end: usize,
}

struct Formatter<'a> {
    src: &'a str,
    /// Start (`<<`) → end (after the closing marker) of every heredoc.
    heredocs: HashMap<usize, usize>,
    /// Key start → the item, for object items written `key = value` with blanks only around the
    /// separator.
    obj_items: HashMap<usize, ObjItem>,
}

impl<'a> Formatter<'a> {
    fn new(src: &'a str, file: &File) -> Formatter<'a> {
        let mut f = Formatter {
            src,
            heredocs: HashMap::new(),
            obj_items: HashMap::new(),
        };
        let mut objects = 0;
        tree::visit(file, |node| {
            if let tree::Node::Expr(e) = node {
                f.note(e, &mut objects);
            }
        });
        f
    }

    /// Records heredocs and object items.
    fn note(&mut self, e: &Expr, objects: &mut usize) {
        match &e.kind {
            ExprKind::Template(t) if t.heredoc => {
                self.heredocs
                    .insert(e.span.start as usize, e.span.end as usize);
            }
            ExprKind::Object(items) => {
                *objects += 1;
                for it in items {
                    let ks = it.key.span();
                    let (key_end, vs) = (ks.end as usize, it.value.span.start as usize);
                    let Some(between) = self.src.get(key_end..vs) else {
                        continue;
                    };
                    let sep = between.trim_matches([' ', '\t']);
                    if sep == "=" || sep == ":" {
                        self.obj_items.insert(
                            ks.start as usize,
                            ObjItem {
                                object: *objects,
                                key_end,
                                value_start: vs,
                                value_end: it.value.span.end as usize,
                            },
                        );
                    }
                }
            }
            _ => {}
        }
    }

    fn text(&self, start: usize, end: usize) -> &'a str {
        self.src.get(start..end).unwrap_or("")
    }

    fn file(&self, file: &File) -> Res<String> {
        let elems = self.elems(&file.body.items, 0, self.src.len(), true)?.1;
        let elems = separate_top_level_blocks(elems);
        let mut out = Vec::new();
        self.body(&elems, 0, &mut out)?;
        let mut s = out.join("\n");
        if !s.is_empty() {
            s.push('\n');
        }
        Ok(s)
    }

    /// The layout of a body whose items lie in `start..end`. Returns the comments on the line of
    /// the opening `{` (when `at_line_start` is false) and the elements.
    fn elems<'t>(
        &self,
        items: &'t [Item],
        start: usize,
        end: usize,
        at_line_start: bool,
    ) -> Res<Layout<'t>> {
        let mut elems = Vec::new();
        let mut opening = None;
        let mut prev_end = start;
        for k in 0..=items.len() {
            let gap_end = items.get(k).map_or(end, |it| it.span().start as usize);
            let toks = scan::trivia(self.src, prev_end, gap_end)?;
            // Newlines since the last thing written (the previous item, `{`, or a comment line).
            let mut nl = usize::from(at_line_start && k == 0);
            let mut trailing: Option<(usize, usize)> = None;
            let mut line: Option<(usize, usize)> = None;
            for t in toks {
                match t {
                    Trivia::Newline => {
                        if let Some((s, e)) = line.take() {
                            elems.push(Elem::Comment(s, e));
                            nl = 1;
                        } else {
                            nl += 1;
                        }
                    }
                    Trivia::Comment(s, e) if nl == 0 => {
                        trailing = Some(trailing.map_or((s, e), |(s0, _)| (s0, e)));
                    }
                    Trivia::Comment(s, e) => match &mut line {
                        Some(l) => l.1 = e,
                        None => {
                            if nl >= 2 {
                                elems.push(Elem::Blank);
                            }
                            line = Some((s, e));
                        }
                    },
                }
            }
            if let Some((s, e)) = line.take() {
                elems.push(Elem::Comment(s, e));
                nl = 1;
            }
            if trailing.is_some() {
                if k == 0 {
                    opening = trailing;
                } else if let Some(Elem::Item(_, t)) =
                    elems.iter_mut().rev().find(|e| matches!(e, Elem::Item(..)))
                {
                    *t = trailing;
                }
            }
            match items.get(k) {
                Some(item) => {
                    if nl >= 2 {
                        elems.push(Elem::Blank);
                    }
                    elems.push(Elem::Item(item, None));
                    prev_end = item.span().end as usize;
                }
                None => break,
            }
        }
        Ok((opening, elems))
    }

    /// Writes the elements of a body at `indent` spaces.
    fn body(&self, elems: &[Elem<'_>], indent: usize, out: &mut Vec<String>) -> Res<()> {
        // Drop blank lines at the start and end, and runs of them.
        let first = elems.iter().position(|e| !matches!(e, Elem::Blank));
        let last = elems.iter().rposition(|e| !matches!(e, Elem::Blank));
        let (Some(first), Some(last)) = (first, last) else {
            return Ok(());
        };
        let elems = &elems[first..=last];
        let widths = self.alignment(elems);
        let columns = self.comment_columns(elems, &widths, indent);
        let mut prev_blank = false;
        for ((elem, width), column) in elems.iter().zip(widths).zip(columns) {
            match elem {
                Elem::Blank => {
                    if !prev_blank {
                        out.push(String::new());
                    }
                }
                Elem::Comment(s, e) => {
                    let mut text = " ".repeat(indent);
                    text.push_str(self.text(*s, *e));
                    push_comment_lines(out, &text);
                }
                Elem::Item(Item::Attribute(a), trailing) => {
                    self.attribute(a, indent, width, out);
                    self.trailing(*trailing, column, out);
                }
                Elem::Item(Item::Block(b), trailing) => {
                    self.block(b, indent, out)?;
                    self.trailing(*trailing, 0, out);
                }
            }
            prev_blank = matches!(elem, Elem::Blank);
        }
        Ok(())
    }

    /// The width to pad each attribute's name to: runs of single-line attributes share the
    /// widest name.
    fn alignment(&self, elems: &[Elem<'_>]) -> Vec<usize> {
        let mut widths = vec![0; elems.len()];
        let mut i = 0;
        while i < elems.len() {
            let mut j = i;
            let mut width = 0;
            while let Some(Elem::Item(Item::Attribute(a), _)) = elems.get(j) {
                if !self.single_line(a) {
                    break;
                }
                width = width.max(a.name.name.chars().count());
                j += 1;
            }
            for w in &mut widths[i..j] {
                *w = width;
            }
            i = j.max(i + 1);
        }
        widths
    }

    /// Whether the attribute is `name = value` on one line, with only blanks around `=`.
    fn single_line(&self, a: &Attribute) -> bool {
        self.plain_attribute(a)
            && !self
                .text(a.span.start as usize, a.span.end as usize)
                .contains('\n')
    }

    /// Whether only blanks surround the `=` of an attribute.
    fn plain_attribute(&self, a: &Attribute) -> bool {
        let between = self.text(a.name.span.end as usize, a.expr.span.start as usize);
        between.trim_matches([' ', '\t']) == "="
    }

    fn attribute(&self, a: &Attribute, indent: usize, width: usize, out: &mut Vec<String>) {
        let mut prefix = " ".repeat(indent);
        if self.plain_attribute(a) {
            prefix.push_str(&a.name.name);
            let pad = width.saturating_sub(a.name.name.chars().count());
            prefix.push_str(&" ".repeat(pad));
            prefix.push_str(" = ");
            self.code(
                a.expr.span.start as usize,
                a.expr.span.end as usize,
                indent,
                &prefix,
                out,
            );
        } else {
            self.code(
                a.span.start as usize,
                a.span.end as usize,
                indent,
                &prefix,
                out,
            );
        }
    }

    /// The column (in characters) where each single-line attribute's trailing comment starts:
    /// within a run of aligned attributes, consecutive ones with comments align them one space
    /// after the longest of their lines. 0 means one space after the line.
    fn comment_columns(&self, elems: &[Elem<'_>], widths: &[usize], indent: usize) -> Vec<usize> {
        // The width of each single-line attribute with a trailing comment, as it will be written.
        let lens: Vec<Option<usize>> = elems
            .iter()
            .zip(widths)
            .map(|(e, &w)| match e {
                Elem::Item(Item::Attribute(a), Some(_)) if self.single_line(a) => {
                    let mut line = Vec::new();
                    self.attribute(a, indent, w, &mut line);
                    line.first().map(|l| l.chars().count())
                }
                _ => None,
            })
            .collect();
        let mut cols = vec![0; elems.len()];
        let mut i = 0;
        while i < elems.len() {
            let mut j = i;
            let mut max = 0;
            while let Some(Some(len)) = lens.get(j) {
                max = max.max(*len);
                j += 1;
            }
            for c in &mut cols[i..j] {
                *c = max + 1;
            }
            i = j.max(i + 1);
        }
        cols
    }

    /// Appends the comments that followed an item on its last line, one space after it or at
    /// `column` (in characters) if that is further right.
    fn trailing(&self, trailing: Option<(usize, usize)>, column: usize, out: &mut Vec<String>) {
        let Some((s, e)) = trailing else { return };
        let comment = self.text(s, e);
        let mut first = out.pop().unwrap_or_default();
        first.push(' ');
        let len = first.chars().count();
        first.push_str(&" ".repeat(column.saturating_sub(len)));
        first.push_str(comment);
        push_comment_lines(out, &first);
    }

    fn block(&self, b: &Block, indent: usize, out: &mut Vec<String>) -> Res<()> {
        let (open, close) = (b.open_brace, b.close_brace);
        let (opening, elems) = self.elems(
            &b.body.items,
            open.end as usize,
            close.start as usize,
            false,
        )?;
        // The header, up to and including `{`. Line comments inside it move to the body.
        let (header, moved) = self.header(b)?;
        push_comment_lines(out, &format!("{}{header}", " ".repeat(indent)));
        let elems = if moved.is_empty() {
            elems
        } else {
            let mut all: Vec<Elem<'_>> = moved
                .into_iter()
                .map(|(s, e)| Elem::Comment(s, e))
                .collect();
            all.extend(elems);
            all
        };
        if elems.is_empty() && opening.is_none() {
            if let Some(last) = out.last_mut() {
                last.push('}');
            }
            return Ok(());
        }
        let one_line = !self
            .text(open.start as usize, close.end as usize)
            .contains('\n');
        if let ([Elem::Item(Item::Attribute(a), None)], true, None) =
            (elems.as_slice(), one_line, opening)
        {
            if self.single_line(a) {
                let mut inner = Vec::new();
                self.attribute(a, 0, 0, &mut inner);
                if let (Some(last), [attr]) = (out.last_mut(), inner.as_slice()) {
                    last.push(' ');
                    last.push_str(attr);
                    last.push_str(" }");
                    return Ok(());
                }
            }
        }
        self.trailing(opening, 0, out);
        self.body(&elems, indent + INDENT, out)?;
        out.push(format!("{}}}", " ".repeat(indent)));
        Ok(())
    }

    /// A block's header, `type "label" … {`, with single spaces. Block comments inside it stay
    /// in place; line comments are returned, to be written at the start of the body.
    fn header(&self, b: &Block) -> Res<(String, Vec<(usize, usize)>)> {
        let mut text = b.ty.name.clone();
        let mut moved = Vec::new();
        let mut at = b.ty.span.end as usize;
        let pieces = b
            .labels
            .iter()
            .map(|l| l.span)
            .chain(std::iter::once(b.open_brace));
        for span in pieces {
            for t in scan::trivia(self.src, at, span.start as usize)? {
                if let Trivia::Comment(s, e) = t {
                    let comment = self.text(s, e);
                    if comment.starts_with("/*") {
                        text.push(' ');
                        text.push_str(comment);
                    } else {
                        moved.push((s, e));
                    }
                }
            }
            text.push(' ');
            text.push_str(self.text(span.start as usize, span.end as usize));
            at = span.end as usize;
        }
        Ok((text, moved))
    }

    /// Writes the code in `start..end`: the first line after `prefix`, the others re-indented
    /// from `indent` by their bracket level (heredoc bodies and comment lines as they are).
    fn code(&self, start: usize, end: usize, indent: usize, prefix: &str, out: &mut Vec<String>) {
        let lines = scan::lines(self.src, start, end, &self.heredocs);
        let levels = scan::levels(&lines);
        let aligns = self.object_alignment(&lines);
        // Each line: its code, its trailing line comment, and the aligned run it belongs to.
        let mut parts: Vec<(String, Option<&str>, Option<usize>)> = Vec::new();
        let (mut prev_blank, mut prev_open) = (false, false);
        for (idx, line) in lines.iter().enumerate() {
            let code_end = line.comment.unwrap_or(line.end);
            let comment = line.comment.map(|c| trim_end(self.text(c, line.end)));
            let mut run = None;
            let mut text;
            if idx == 0 {
                text = prefix.to_string();
                self.copy(start, code_end, &line.runs, &mut text);
            } else if line.verbatim {
                let mut text = self.text(line.start, line.end).to_string();
                if !line.keep_trailing {
                    trim_in_place(&mut text);
                }
                parts.push((text, None, None));
                prev_blank = false;
                prev_open = false;
                continue;
            } else if let Some(c) = line.content {
                text = " ".repeat(indent + INDENT * levels[idx]);
                match (&aligns[idx], self.obj_items.get(&c)) {
                    (Some(al), Some(it)) => {
                        let mut key = String::new();
                        self.copy(c, it.key_end, &line.runs, &mut key);
                        text.push_str(&key);
                        text.push_str(&" ".repeat(al.width.saturating_sub(key.chars().count())));
                        text.push_str(" = ");
                        self.copy(it.value_start, code_end, &line.runs, &mut text);
                        run = al.run;
                    }
                    _ => self.copy(c, code_end, &line.runs, &mut text),
                }
            } else {
                // A blank line between lines of code: keep one of a run, and none after an
                // opening bracket or before a closing one.
                let next = lines[idx + 1..]
                    .iter()
                    .find(|l| l.verbatim || l.content.is_some());
                let before_close = next.is_some_and(|l| l.first_is_close && !l.verbatim);
                if !prev_blank && !prev_open && !before_close {
                    parts.push((String::new(), None, None));
                }
                prev_blank = true;
                continue;
            }
            prev_blank = false;
            prev_open = line.last_is_open;
            if !line.keep_trailing {
                trim_in_place(&mut text);
            }
            parts.push((text, comment, run));
        }
        // Trailing comments: one space after the code, aligned across consecutive lines of a run
        // of aligned object items.
        let mut i = 0;
        while i < parts.len() {
            let mut j = i + 1;
            let mut col = parts[i].0.chars().count();
            if let (Some(run), Some(_)) = (parts[i].2, parts[i].1) {
                while let Some((t, Some(_), Some(r))) = parts.get(j) {
                    if *r != run {
                        break;
                    }
                    col = col.max(t.chars().count());
                    j += 1;
                }
            }
            for (text, comment, _) in &mut parts[i..j] {
                if let Some(c) = comment {
                    if text.is_empty() {
                        text.push_str(c);
                    } else {
                        let pad = (col + 1).saturating_sub(text.chars().count());
                        text.push_str(&" ".repeat(pad));
                        text.push_str(c);
                    }
                }
            }
            i = j;
        }
        out.extend(parts.into_iter().map(|p| p.0));
    }

    /// Appends `src[from..to]`, writing each run of blanks in `runs` as one space.
    fn copy(&self, from: usize, to: usize, runs: &[(usize, usize)], out: &mut String) {
        let mut at = from;
        for &(s, e) in runs {
            if s >= at && e <= to {
                out.push_str(self.text(at, s));
                out.push(' ');
                at = e;
            }
        }
        out.push_str(self.text(at, to.max(at)));
    }

    /// For each line that starts with an object item written `key = value`: the width to pad the
    /// key to, and (for items on one line) the run of consecutive such lines of one object it
    /// belongs to, which share the widest key.
    fn object_alignment(&self, lines: &[Line]) -> Vec<Option<Align>> {
        let mut aligns: Vec<Option<Align>> = Vec::with_capacity(lines.len());
        // (object, single-line, key width) of each line that starts with an item.
        let info: Vec<Option<(usize, bool, usize)>> = lines
            .iter()
            .enumerate()
            .map(|(idx, line)| {
                let c = line.content?;
                if idx == 0 || line.verbatim {
                    return None;
                }
                let it = self.obj_items.get(&c)?;
                let code_end = line.comment.unwrap_or(line.end);
                if it.key_end > code_end || it.value_start > code_end {
                    return None;
                }
                let mut key = String::new();
                self.copy(c, it.key_end, &line.runs, &mut key);
                let width = key.chars().count();
                Some((it.object, it.value_end <= code_end, width))
            })
            .collect();
        let mut i = 0;
        while i < lines.len() {
            let Some((object, single, width)) = info[i] else {
                aligns.push(None);
                i += 1;
                continue;
            };
            if !single {
                aligns.push(Some(Align { width, run: None }));
                i += 1;
                continue;
            }
            let mut j = i;
            let mut max = 0;
            while let Some(Some((o, true, w))) = info.get(j) {
                if *o != object {
                    break;
                }
                max = max.max(*w);
                j += 1;
            }
            for _ in i..j {
                aligns.push(Some(Align {
                    width: max,
                    run: Some(i),
                }));
            }
            i = j;
        }
        aligns
    }
}

/// How to write an object item that starts a line.
struct Align {
    /// The width to pad the key to.
    width: usize,
    /// For an item on one line: the first line of its run of aligned items.
    run: Option<usize>,
}

fn trim_in_place(s: &mut String) {
    let n = trim_end(s).len();
    s.truncate(n);
}

/// Ensures one blank line between top-level items where either is a block.
fn separate_top_level_blocks(elems: Vec<Elem<'_>>) -> Vec<Elem<'_>> {
    let mut out: Vec<Elem<'_>> = Vec::with_capacity(elems.len());
    // Index in `out` of the last item, whether it is a block, and whether a blank line follows.
    let mut last: Option<(usize, bool, bool)> = None;
    for e in elems {
        match &e {
            Elem::Blank => {
                if let Some(l) = &mut last {
                    l.2 = true;
                }
            }
            Elem::Item(item, _) => {
                let is_block = matches!(item, Item::Block(_));
                if let Some((at, prev_block, false)) = last {
                    if prev_block || is_block {
                        out.insert(at + 1, Elem::Blank);
                    }
                }
                last = Some((out.len(), is_block, false));
            }
            Elem::Comment(..) => {}
        }
        out.push(e);
    }
    out
}

fn trim_end(s: &str) -> &str {
    s.trim_end_matches([' ', '\t', '\r'])
}

/// Pushes `text` (a line, possibly ending in a block comment that spans lines) with each line's
/// trailing blanks removed.
fn push_comment_lines(out: &mut Vec<String>, text: &str) {
    for line in text.split('\n') {
        out.push(trim_end(line).to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape_of(text: &str) -> String {
        let parsed = parse_file(FileId(0), text);
        assert!(
            parsed.diagnostics.is_empty(),
            "{text:?}: {:?}",
            parsed.diagnostics
        );
        tree::shape(&parsed.file)
    }

    #[test]
    fn shape_ignores_layout_only() {
        assert_eq!(
            shape_of("a = [1, 2]\nb {\n  c = { x = 1 }\n}\n"),
            shape_of("# c\na   =   [ 1 ,\n 2 ]\n\n\nb   {\n    c = {\n x : 1\n }\n}\n")
        );
    }

    #[test]
    fn shape_sees_every_change_of_meaning() {
        let pairs = [
            ("a = 1\n", "a = 2\n"),
            ("a = 1\n", "b = 1\n"),
            ("a = \"x\"\n", "a = \"x \"\n"),
            ("a = <<EOT\nx\nEOT\n", "a = <<EOT\n x\nEOT\n"),
            ("a = <<EOT\nx\nEOT\n", "a = \"x\\n\"\n"),
            ("a = [1]\n", "a = [1, 1]\n"),
            ("a = { k = 1 }\n", "a = { \"k\" = 1 }\n"),
            ("a = f(x...)\n", "a = f(x)\n"),
            ("a = x.y\n", "a = x[\"y\"]\n"),
            ("a = x[*].y\n", "a = x.*.y\n"),
            ("a = 1 + 2 * 3\n", "a = (1 + 2) * 3\n"),
            ("a = [for x in y : x]\n", "a = [for x in y : x if x]\n"),
            (
                "a = \"%{ if c }x%{ endif }\"\n",
                "a = \"%{ if c }%{ endif }x\"\n",
            ),
            ("b \"l\" {}\n", "b l {}\n"),
            ("b {\n  c {}\n}\n", "b {}\nc {}\n"),
        ];
        for (x, y) in pairs {
            assert_ne!(shape_of(x), shape_of(y), "{x:?} vs {y:?}");
        }
    }

    #[test]
    fn deep_operator_chains_do_not_overflow() {
        let text = format!("x = {}\n", vec!["1"; 20_000].join(" + "));
        let out = std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(move || format_source(FileId(0), &text))
            .expect("thread")
            .join()
            .expect("no panic");
        // The parser may refuse such a chain one day; the formatter itself must cope with it.
        if let Err(diags) = out {
            assert!(diags
                .iter()
                .all(|d| !d.message.starts_with("cannot format")));
        }
    }
}
