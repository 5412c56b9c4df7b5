//! The outline of a file (document symbols), and the declarations that navigation needs:
//! variables, locals and resources, found in each file's syntax tree.

use crate::positions::LineIndex;
use lsp_types::{DocumentSymbol, SymbolKind};
use stackc_lang::ast::{Block, Body, Item};
use stackc_lang::parser::parse_file;
use stackc_lang::FileId;

/// Something declared in a file: what it is called in expressions (`var.port`,
/// `local.greeting`, `container.web`) and where its name is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declaration {
    pub reference: String,
    /// Byte range of the name.
    pub start: usize,
    pub end: usize,
}

const RESOURCE_KINDS: &[&str] = &[
    "image",
    "container",
    "network",
    "volume",
    "quota",
    "service",
];

/// Every declaration of a file's text.
pub fn declarations(text: &str) -> Vec<Declaration> {
    let parsed = parse_file(FileId::default(), text);
    let mut out = Vec::new();
    for item in &parsed.file.body.items {
        let Item::Block(b) = item else { continue };
        let label = b.labels.first();
        match (b.ty.name.as_str(), label) {
            ("variable", Some(l)) => out.push(decl(format!("var.{}", l.value), l)),
            ("locals", _) => {
                for i in &b.body.items {
                    if let Item::Attribute(a) = i {
                        out.push(Declaration {
                            reference: format!("local.{}", a.name.name),
                            start: a.name.span.start as usize,
                            end: a.name.span.end as usize,
                        });
                    }
                }
            }
            (kind, Some(l)) if RESOURCE_KINDS.contains(&kind) => {
                out.push(decl(format!("{kind}.{}", l.value), l))
            }
            _ => {}
        }
    }
    out
}

fn decl(reference: String, l: &stackc_lang::ast::Label) -> Declaration {
    // The name inside the quotes.
    let (start, end) = if l.quoted {
        (
            l.span.start as usize + 1,
            (l.span.end as usize).saturating_sub(1),
        )
    } else {
        (l.span.start as usize, l.span.end as usize)
    };
    Declaration {
        reference,
        start,
        end,
    }
}

/// The outline: top-level blocks, with their nested blocks and attributes.
pub fn outline(text: &str) -> Vec<DocumentSymbol> {
    let parsed = parse_file(FileId::default(), text);
    let idx = LineIndex::new(text);
    body(&parsed.file.body, &idx)
}

fn body(b: &Body, idx: &LineIndex<'_>) -> Vec<DocumentSymbol> {
    b.items.iter().map(|i| item(i, idx)).collect()
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written, though deprecated.
fn item(i: &Item, idx: &LineIndex<'_>) -> DocumentSymbol {
    match i {
        Item::Attribute(a) => DocumentSymbol {
            name: a.name.name.clone(),
            detail: None,
            kind: SymbolKind::PROPERTY,
            tags: None,
            deprecated: None,
            range: idx.range(a.span.start as usize, a.span.end as usize),
            selection_range: idx.range(a.name.span.start as usize, a.name.span.end as usize),
            children: None,
        },
        Item::Block(b) => DocumentSymbol {
            name: block_name(b),
            detail: None,
            kind: match b.ty.name.as_str() {
                "variable" => SymbolKind::VARIABLE,
                "output" => SymbolKind::FIELD,
                "locals" | "stack" | "provider" => SymbolKind::NAMESPACE,
                k if RESOURCE_KINDS.contains(&k) => SymbolKind::CLASS,
                _ => SymbolKind::STRUCT,
            },
            tags: None,
            deprecated: None,
            range: idx.range(b.span.start as usize, b.span.end as usize),
            selection_range: idx.range(b.ty.span.start as usize, b.ty.span.end as usize),
            children: Some(body(&b.body, idx)),
        },
    }
}

fn block_name(b: &Block) -> String {
    let mut name = b.ty.name.clone();
    for l in &b.labels {
        name.push_str(&format!(" \"{}\"", l.value));
    }
    name
}
