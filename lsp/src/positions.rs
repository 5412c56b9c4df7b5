//! LSP positions are lines and UTF-16 code units; the language's spans are byte offsets.
//! Converting both ways needs each line's start, which [`LineIndex`] keeps.

use lsp_types::{Position, Range};

pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// The position of a byte offset (clamped to the text, and to a character boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts[line];
        let character = self.text[start..offset].encode_utf16().count();
        Position::new(line as u32, character as u32)
    }

    pub fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end))
    }

    /// The byte offset of a position; past the end of a line means its end.
    pub fn offset(&self, p: Position) -> usize {
        let Some(&start) = self.starts.get(p.line as usize) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(p.line as usize + 1)
            .map_or(self.text.len(), |e| e - 1);
        let mut units = 0u32;
        for (i, c) in self.text[start..end].char_indices() {
            if units >= p.character {
                return start + i;
            }
            units += c.len_utf16() as u32;
        }
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_round_trip() {
        let text = "a = \"é😀x\"\nb = 1\n";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap();
        // é is one UTF-16 unit, 😀 two.
        assert_eq!(idx.position(x), Position::new(0, 8));
        assert_eq!(idx.offset(Position::new(0, 8)), x);
        let b = text.find('b').unwrap();
        assert_eq!(idx.position(b), Position::new(1, 0));
        assert_eq!(idx.offset(Position::new(1, 0)), b);
        assert_eq!(idx.offset(Position::new(9, 0)), text.len());
    }
}
