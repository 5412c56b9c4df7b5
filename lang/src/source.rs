//! Source files and byte spans.
//!
//! Every syntax node and every value keeps a [`Span`]: the file it came from and a byte range in
//! that file's text. [`Sources`] owns the texts and turns byte offsets into 1-based lines and
//! character columns for diagnostics and editors.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Identifies one loaded file inside a [`Sources`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one file. `start..end` is half-open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both (they must be in the same file; otherwise `self`).
    pub fn to(self, other: Span) -> Span {
        if self.file != other.file {
            return self;
        }
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A position for humans: 1-based line, 1-based column counted in characters, 0-based byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub byte: usize,
}

/// One loaded file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name shown to users: the path relative to the stack directory where possible.
    pub name: String,
    /// The path on disk (may be synthetic for text given directly).
    pub path: PathBuf,
    /// The text, with any UTF-8 byte-order mark removed.
    pub text: Arc<str>,
    line_starts: Vec<u32>,
}

impl SourceFile {
    fn new(name: String, path: PathBuf, text: &str) -> SourceFile {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut line_starts = vec![0u32];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i as u32 + 1);
            }
        }
        SourceFile {
            name,
            path,
            text: Arc::from(text),
            line_starts,
        }
    }

    /// Converts a byte offset into a [`Position`]; offsets past the end clamp to the end, and an
    /// offset inside a multi-byte character counts as that character.
    pub fn position(&self, byte: usize) -> Position {
        let byte = byte.min(self.text.len());
        let line_idx = match self.line_starts.binary_search(&(byte as u32)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let line_start = self.line_starts[line_idx] as usize;
        let mut end = byte;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let column = self.text[line_start..end].chars().count() + 1;
        Position {
            line: line_idx + 1,
            column,
            byte,
        }
    }

    /// The byte offset where 1-based `line` starts, if the file has that line.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts
            .get(line.checked_sub(1)?)
            .map(|&b| b as usize)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    pub fn slice(&self, span: Span) -> &str {
        let r = span.range();
        self.text.get(r).unwrap_or("")
    }
}

/// All files of one load (a stack directory, variable files, and command-line values).
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn new() -> Sources {
        Sources::default()
    }

    pub fn add(&mut self, name: impl Into<String>, path: impl AsRef<Path>, text: &str) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files.push(SourceFile::new(
            name.into(),
            path.as_ref().to_path_buf(),
            text,
        ));
        id
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    pub fn text(&self, id: FileId) -> &str {
        self.get(id).map(|f| &*f.text).unwrap_or("")
    }

    pub fn slice(&self, span: Span) -> &str {
        self.get(span.file).map(|f| f.slice(span)).unwrap_or("")
    }

    pub fn name(&self, id: FileId) -> &str {
        self.get(id).map(|f| f.name.as_str()).unwrap_or("<unknown>")
    }

    pub fn start(&self, span: Span) -> Position {
        self.get(span.file)
            .map(|f| f.position(span.start as usize))
            .unwrap_or(Position {
                line: 1,
                column: 1,
                byte: 0,
            })
    }

    pub fn end(&self, span: Span) -> Position {
        self.get(span.file)
            .map(|f| f.position(span.end as usize))
            .unwrap_or(Position {
                line: 1,
                column: 1,
                byte: 0,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_and_lines() {
        let mut s = Sources::new();
        let id = s.add("a.stack.hcl", "a.stack.hcl", "\u{feff}ab\nçd = 1\n");
        let f = s.get(id).unwrap();
        assert_eq!(&*f.text, "ab\nçd = 1\n");
        assert_eq!(f.position(0).line, 1);
        let p = f.position(6); // after "ç" (2 bytes) and "d "
        assert_eq!((p.line, p.column), (2, 3));
        assert_eq!(f.position(1000).line, 3);
    }
}
