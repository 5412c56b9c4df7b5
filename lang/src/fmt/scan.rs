//! Lexical scanning for the formatter: the trivia between items, and the physical lines of
//! expression text with their bracket structure.
//!
//! The scanner does not build tokens for the grammar; it only needs to know, for every line, where
//! its first token is, which brackets it opens and closes, and whether the line starts (or ends)
//! inside text that must be copied byte for byte: a heredoc body or a `/* */` comment.

use std::collections::HashMap;

/// A piece of the trivia between two items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trivia {
    /// A line break (`\n`).
    Newline,
    /// A comment, as a byte range (a line comment excludes its line break).
    Comment(usize, usize),
}

/// Splits `src[start..end]`, which must hold only whitespace and comments, into comments and line
/// breaks. Returns the offset of the first byte that is neither, if any.
pub(crate) fn trivia(src: &str, start: usize, end: usize) -> Result<Vec<Trivia>, usize> {
    let b = src.as_bytes();
    let end = end.min(b.len());
    let mut out = Vec::new();
    let mut i = start;
    while i < end {
        match b[i] {
            b'\n' => {
                out.push(Trivia::Newline);
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b'#' => {
                let e = line_comment_end(b, i, end);
                out.push(Trivia::Comment(i, e));
                i = e;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let e = line_comment_end(b, i, end);
                out.push(Trivia::Comment(i, e));
                i = e;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let e = block_comment_end(b, i, end).ok_or(i)?;
                out.push(Trivia::Comment(i, e));
                i = e;
            }
            _ => return Err(i),
        }
    }
    Ok(out)
}

/// The end of a line comment starting at `i`: the next line break (a lone `\r` ends a comment in
/// the grammar too).
fn line_comment_end(b: &[u8], i: usize, end: usize) -> usize {
    let mut j = i;
    while j < end && b[j] != b'\n' && b[j] != b'\r' {
        j += 1;
    }
    j
}

/// The end (after `*/`) of a block comment starting at `i`, if it is closed before `end`.
fn block_comment_end(b: &[u8], i: usize, end: usize) -> Option<usize> {
    let mut j = i + 2;
    while j + 1 < end {
        if b[j] == b'*' && b[j + 1] == b'/' {
            return Some(j + 2);
        }
        j += 1;
    }
    None
}

/// One physical line of a region of code.
#[derive(Debug, Clone, Default)]
pub(crate) struct Line {
    /// Offset of the line's first byte (the region's start for the first line).
    pub start: usize,
    /// Offset of the line break ending it, or of the region's end.
    pub end: usize,
    /// The line starts inside a heredoc (its body or closing marker) or a block comment: it is
    /// copied as it is, indentation included.
    pub verbatim: bool,
    /// The line break ending this line belongs to a heredoc body: trailing blanks are content.
    pub keep_trailing: bool,
    /// The offset of the line's first token, if it has one (blank lines have none).
    pub content: Option<usize>,
    /// The first token closes a bracket.
    pub first_is_close: bool,
    /// The brackets opened (`true`) and closed (`false`) on this line, in order.
    pub brackets: Vec<bool>,
    /// Where a line comment (`#`, `//`) that follows code on this line starts.
    pub comment: Option<usize>,
    /// The last token other than a comment opens a bracket.
    pub last_is_open: bool,
    /// Runs of blanks between two tokens of this line, other than a single space: each is
    /// written as one space.
    pub runs: Vec<(usize, usize)>,
}

impl Line {
    fn new(start: usize, verbatim: bool) -> Line {
        Line {
            start,
            end: start,
            verbatim,
            ..Line::default()
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tok {
    Open,
    Close,
    Other,
    Comment,
}

enum Frame {
    /// Inside a quoted string.
    Str,
    /// Inside `${ … }` or `%{ … }`; counts the `{` opened inside it.
    Interp(usize),
}

struct LineScanner<'a> {
    b: &'a [u8],
    lines: Vec<Line>,
}

impl LineScanner<'_> {
    fn cur(&mut self) -> &mut Line {
        if self.lines.is_empty() {
            self.lines.push(Line::default());
        }
        let n = self.lines.len() - 1;
        &mut self.lines[n]
    }

    fn token(&mut self, at: usize, tok: Tok) {
        let line = self.cur();
        if line.content.is_none() {
            line.content = Some(at);
            line.first_is_close = tok == Tok::Close;
        }
        match tok {
            Tok::Open => line.brackets.push(true),
            Tok::Close => line.brackets.push(false),
            Tok::Other | Tok::Comment => {}
        }
        if tok != Tok::Comment {
            line.last_is_open = tok == Tok::Open;
        }
    }

    /// Ends the current line at the line break `at`; the next line starts after it.
    fn newline(&mut self, at: usize, next_verbatim: bool, keep_trailing: bool) {
        let line = self.cur();
        line.end = at;
        line.keep_trailing = keep_trailing;
        self.lines.push(Line::new(at + 1, next_verbatim));
    }

    /// Records a line comment at `i`; returns its end.
    fn line_comment(&mut self, i: usize, end: usize) -> usize {
        let e = line_comment_end(self.b, i, end);
        let trailing = self.cur().content.is_some() && self.b.get(e) != Some(&b'\r');
        self.token(i, Tok::Comment);
        if trailing {
            self.cur().comment = Some(i);
        }
        e
    }

    /// Records the line breaks inside `[from, to)` (a block comment or heredoc): each following
    /// line starts inside it. `body_from` is where a heredoc body starts: line breaks at or after
    /// it end body lines, whose trailing blanks are content.
    fn opaque(&mut self, from: usize, to: usize, body_from: Option<usize>) {
        for j in from..to.min(self.b.len()) {
            if self.b[j] == b'\n' {
                let keep = body_from.is_some_and(|s| j >= s);
                self.newline(j, true, keep);
            }
        }
    }
}

/// Splits the code in `src[start..end]` into lines. `heredocs` maps the start of each heredoc
/// (`<<`) to its end (after the closing marker).
pub(crate) fn lines(
    src: &str,
    start: usize,
    end: usize,
    heredocs: &HashMap<usize, usize>,
) -> Vec<Line> {
    let b = src.as_bytes();
    let end = end.min(b.len());
    let mut sc = LineScanner {
        b,
        lines: vec![Line::new(start, false)],
    };
    let mut frames: Vec<Frame> = Vec::new();
    let mut i = start;
    while i < end {
        let c = b[i];
        if matches!(frames.last(), Some(Frame::Str)) {
            match c {
                b'\\' => {
                    sc.token(i, Tok::Other);
                    // An escape never spans a line break; stop before one to keep lines exact.
                    i += if b.get(i + 1).is_some_and(|&n| n != b'\n') {
                        2
                    } else {
                        1
                    };
                }
                b'"' => {
                    sc.token(i, Tok::Other);
                    frames.pop();
                    i += 1;
                }
                b'$' | b'%' if b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&b'{') => {
                    sc.token(i, Tok::Other);
                    i += 3;
                }
                b'$' | b'%' if b.get(i + 1) == Some(&b'{') => {
                    sc.token(i, Tok::Open);
                    frames.push(Frame::Interp(0));
                    i += 2;
                }
                b'\n' => {
                    // Not valid in a quoted string; keep everything around it untouched.
                    sc.newline(i, true, true);
                    i += 1;
                }
                _ => {
                    sc.token(i, Tok::Other);
                    i += 1;
                }
            }
            continue;
        }
        match c {
            b'\n' => {
                sc.newline(i, false, false);
                i += 1;
            }
            b' ' | b'\t' => {
                let mut j = i;
                while j < end && matches!(b[j], b' ' | b'\t') {
                    j += 1;
                }
                let between_tokens =
                    sc.cur().content.is_some() && j < end && !matches!(b[j], b'\n' | b'\r');
                if between_tokens && &b[i..j] != b" " {
                    sc.cur().runs.push((i, j));
                }
                i = j;
            }
            b'\r' => i += 1,
            b'#' => i = sc.line_comment(i, end),
            b'/' if b.get(i + 1) == Some(&b'/') => i = sc.line_comment(i, end),
            b'/' if b.get(i + 1) == Some(&b'*') => {
                sc.token(i, Tok::Comment);
                let e = block_comment_end(b, i, end).unwrap_or(end);
                sc.opaque(i, e, None);
                i = e;
            }
            b'"' => {
                sc.token(i, Tok::Other);
                frames.push(Frame::Str);
                i += 1;
            }
            b'<' if heredocs.contains_key(&i) => {
                sc.token(i, Tok::Other);
                let he = heredocs.get(&i).copied().unwrap_or(end).clamp(i + 1, end);
                // The opener line ends at the first line break; the body starts after it.
                let mut nl = i;
                while nl < he && b[nl] != b'\n' && b[nl] != b'\r' {
                    nl += 1;
                }
                sc.opaque(i, he, Some(nl + 1));
                i = he;
            }
            b'(' | b'[' => {
                sc.token(i, Tok::Open);
                i += 1;
            }
            b'{' => {
                sc.token(i, Tok::Open);
                if let Some(Frame::Interp(d)) = frames.last_mut() {
                    *d += 1;
                }
                i += 1;
            }
            b')' | b']' => {
                sc.token(i, Tok::Close);
                i += 1;
            }
            b'}' => {
                sc.token(i, Tok::Close);
                match frames.last_mut() {
                    Some(Frame::Interp(0)) => {
                        frames.pop();
                    }
                    Some(Frame::Interp(d)) => *d -= 1,
                    _ => {}
                }
                i += 1;
            }
            _ => {
                sc.token(i, Tok::Other);
                i += 1;
            }
        }
    }
    let mut lines = sc.lines;
    if let Some(last) = lines.last_mut() {
        last.end = end;
    }
    lines
}

/// The indentation level of each line, relative to the first: a line inside brackets is one level
/// deeper than the line that opened the innermost of them; a line starting with a closing bracket
/// is at the level of the line that opened it; a continuation line outside any bracket is one
/// level deeper than the first line.
pub(crate) fn levels(lines: &[Line]) -> Vec<usize> {
    let mut stack: Vec<usize> = Vec::new();
    let mut out = Vec::with_capacity(lines.len());
    for (idx, line) in lines.iter().enumerate() {
        let level = if idx == 0 {
            0
        } else if line.first_is_close && !line.verbatim {
            stack.last().copied().unwrap_or(0)
        } else {
            stack.last().map_or(1, |l| l + 1)
        };
        for &open in &line.brackets {
            if open {
                stack.push(level);
            } else {
                stack.pop();
            }
        }
        out.push(level);
    }
    out
}
