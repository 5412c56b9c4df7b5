//! Hover: documentation from the schema tables (the same ones `validate` checks against),
//! function signatures from the language's function table, and the evaluated values of
//! `var.` and `local.` references.

use crate::analysis::Stack;
use crate::completion::block_path;
use crate::navigation::{symbol_at, word_bounds};
use stackc_engine::model::schema::{self, Field};
use stackc_lang::funcs::FUNCTIONS;

/// Markdown for the thing at `offset` of `text`, if there is something to say.
pub fn hover(stack: &Stack, text: &str, offset: usize) -> Option<String> {
    let config = &stack.loaded.config;
    if let Some(sym) = symbol_at(text, offset) {
        if let Some(name) = sym.strip_prefix("var.") {
            let decl = config.variable_decls.get(name);
            let value = config.variables.get(name).map(|v| v.to_json(true));
            let mut out = format!("**variable `{name}`**");
            if let Some(d) = decl.and_then(|d| d.description.as_deref()) {
                out.push_str(&format!("\n\n{d}"));
            }
            if let Some(v) = value {
                out.push_str(&format!("\n\nvalue: `{v}`"));
            }
            return Some(out);
        }
        if let Some(name) = sym.strip_prefix("local.") {
            let v = config.locals.get(name)?.to_json(true);
            return Some(format!("**local `{name}`**\n\nvalue: `{v}`"));
        }
        if let Some(r) = config
            .resources
            .iter()
            .find(|r| r.address == sym || r.address.split('[').next() == Some(sym.as_str()))
        {
            if let Some(kind) = schema::schema(&r.kind) {
                return Some(format!(
                    "**{} `{}`**, runtime name `{}`\n\n{}",
                    r.kind, r.name, r.runtime_name, kind.doc
                ));
            }
        }
    }
    let (start, end) = word_bounds(text, offset, |c| c.is_ascii_alphanumeric() || c == '_')?;
    let word = &text[start..end];
    // A function call.
    if text[end..].trim_start().starts_with('(') {
        if let Some(f) = FUNCTIONS.iter().find(|f| f.name == word) {
            return Some(format!("```\n{}\n```\n{}", f.signature, f.summary));
        }
    }
    // A block type or an attribute name inside a resource block.
    let path = block_path(text, start);
    match path.split_first() {
        None => schema::schema(word).map(|k| format!("**{word}**\n\n{}", k.doc)),
        Some((kind, nested)) => {
            let kind = schema::schema(kind)?;
            let mut fields: &[Field] = kind.fields;
            for n in nested {
                fields = fields.iter().find(|f| f.name == n.as_str())?.fields();
            }
            let f = fields.iter().find(|f| f.name == word)?;
            Some(field_doc(f))
        }
    }
}

pub fn field_doc(f: &Field) -> String {
    let mut out = format!("**{}**: `{}`", f.name, f.ty);
    if f.required {
        out.push_str(" (required)");
    }
    out.push_str(&format!("\n\n{}", f.doc));
    if let Some(d) = f.default {
        out.push_str(&format!("\n\ndefault: `{d}`"));
    }
    out.push_str(&format!(
        "\n\na change {}",
        match f.change {
            schema::ChangeKind::Replace => "replaces the object",
            schema::ChangeKind::Update => "is made in place",
        }
    ));
    out
}
