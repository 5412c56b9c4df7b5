//! Go to definition and find references for variables, locals and resources, across the
//! stack's files. References are found in the text (`var.port`, `local.x`, `container.web`)
//! at word boundaries.

use crate::symbols::{declarations, Declaration};

/// A reference-like token at `offset`: `var.port`, `local.greeting`, `container.web` (without
/// any attribute after it), or the name at a declaration.
pub fn symbol_at(text: &str, offset: usize) -> Option<String> {
    if let Some(d) = declarations(text)
        .into_iter()
        .find(|d| d.start <= offset && offset <= d.end)
    {
        return Some(d.reference);
    }
    let (start, end) = word_bounds(text, offset, |c| {
        c.is_ascii_alphanumeric() || "_-.".contains(c)
    })?;
    let word = &text[start..end];
    let mut parts = word.split('.');
    let head = parts.next()?;
    let name = parts.next()?;
    if name.is_empty() {
        return None;
    }
    Some(format!("{head}.{name}"))
}

/// The byte range around `offset` of characters that satisfy `is_word`.
pub fn word_bounds(
    text: &str,
    offset: usize,
    is_word: impl Fn(char) -> bool,
) -> Option<(usize, usize)> {
    let offset = offset.min(text.len());
    if !text.is_char_boundary(offset) {
        return None;
    }
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text[offset..]
        .char_indices()
        .find(|(_, c)| !is_word(*c))
        .map_or(text.len(), |(i, _)| offset + i);
    (start < end).then_some((start, end))
}

/// Where `symbol` is declared in `text`, if it is.
pub fn declaration_in(text: &str, symbol: &str) -> Option<Declaration> {
    declarations(text)
        .into_iter()
        .find(|d| d.reference == symbol)
}

/// Byte ranges of the uses of `symbol` in `text` (`var.port` in `var.port + 1`, and in
/// `var.port.x`; not in `var.ports`).
pub fn uses_in(text: &str, symbol: &str) -> Vec<(usize, usize)> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    text.match_indices(symbol)
        .filter(|(i, _)| {
            let before = text[..*i].chars().next_back();
            let after = text[i + symbol.len()..].chars().next();
            !before.is_some_and(|c| ident(c) || c == '.') && !after.is_some_and(ident)
        })
        .map(|(i, _)| (i, i + symbol.len()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_symbols_and_uses() {
        let text = "variable \"port\" {}\nlocals {\n  url = \"x:${var.port}\"\n}\ncontainer \"web\" {\n  env = { P = var.port, Q = var.ports }\n}\n";
        let at = text.find("var.port}").unwrap() + 5;
        assert_eq!(symbol_at(text, at).as_deref(), Some("var.port"));
        assert_eq!(
            symbol_at(text, text.find("port").unwrap()).as_deref(),
            Some("var.port")
        );
        assert_eq!(uses_in(text, "var.port").len(), 2);
        let d = declaration_in(text, "local.url").unwrap();
        assert_eq!(&text[d.start..d.end], "url");
        let d = declaration_in(text, "container.web").unwrap();
        assert_eq!(&text[d.start..d.end], "web");
    }
}
