//! Completion: block types at the top level, attribute and block names inside a block (those
//! not set yet), enumeration values, resource names after `image.` and the like, variables
//! and locals, function names.
//!
//! The context comes from a scan of the text up to the cursor rather than from the syntax
//! tree, because the document is usually half-typed when completion is asked for.

use crate::analysis::Stack;
use lsp_types::{CompletionItem, CompletionItemKind, Documentation, MarkupContent, MarkupKind};
use stackc_engine::model::schema::{self, Field};
use stackc_lang::funcs::FUNCTIONS;

const TOP_LEVEL: &[(&str, &str)] = &[
    ("stack", "The stack's name and settings."),
    ("variable", "An input of the stack."),
    ("locals", "Named values computed from others."),
    ("output", "A value shown after apply."),
    ("provider", "Settings of a provider."),
    (
        "image",
        "An image: from a registry, a build, an archive, a directory or host files.",
    ),
    ("container", "A container."),
    ("network", "A network."),
    ("volume", "Named storage that outlives containers."),
    ("quota", "Aggregate limits for a group of containers."),
    ("service", "Replicated containers with rolling updates."),
];

const KINDS: &[&str] = &[
    "image",
    "container",
    "network",
    "volume",
    "quota",
    "service",
];

/// The blocks enclosing `offset`, outermost first: `["container", "resources"]`. An object
/// literal (`env = {`) is an empty name.
pub fn block_path(text: &str, offset: usize) -> Vec<String> {
    let bytes = text.as_bytes();
    let end = offset.min(text.len());
    let mut stack: Vec<String> = Vec::new();
    let mut i = 0;
    let mut header_start = 0;
    while i < end {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < end && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'#' => {
                while i < end && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < end && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'{' => {
                let header = text.get(header_start..i).unwrap_or_default().trim();
                let name = header
                    .split_whitespace()
                    .next()
                    .filter(|w| {
                        !header.contains('=')
                            && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    })
                    .unwrap_or_default();
                stack.push(name.to_string());
                header_start = i + 1;
            }
            b'}' => {
                stack.pop();
                header_start = i + 1;
            }
            b'\n' => header_start = i + 1,
            _ => {}
        }
        i += 1;
    }
    stack
}

fn item(label: &str, kind: CompletionItemKind, doc: Option<String>) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        documentation: doc.map(|d| {
            Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: d,
            })
        }),
        ..CompletionItem::default()
    }
}

/// The schema fields of the block at `path`, if it is a resource (or nested) block.
fn fields_at(path: &[String]) -> Option<&'static [Field]> {
    let (kind, nested) = path.split_first()?;
    let mut fields: &[Field] = schema::schema(kind)?.fields;
    for n in nested {
        fields = fields.iter().find(|f| f.name == n.as_str())?.fields();
    }
    Some(fields)
}

/// Names already set directly in the innermost block around `offset` (not in blocks nested
/// in it).
fn already_set(text: &str, offset: usize) -> Vec<String> {
    // The innermost open brace before the cursor that is still open.
    let mut depth = 0i32;
    let mut open = 0;
    for (i, c) in text[..offset].char_indices().rev() {
        match c {
            '}' => depth += 1,
            '{' if depth == 0 => {
                open = i + 1;
                break;
            }
            '{' => depth -= 1,
            _ => {}
        }
    }
    let mut names = Vec::new();
    let mut depth = 0i32;
    let mut at_line_start = true;
    let mut word = String::new();
    for c in text[open..].chars() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            _ => {}
        }
        if at_line_start && depth == 0 && (c.is_ascii_alphanumeric() || c == '_') {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            names.push(std::mem::take(&mut word));
        }
        if c == '\n' {
            at_line_start = true;
        } else if !c.is_whitespace() {
            at_line_start = false;
        }
    }
    names
}

pub fn complete(stack: &Stack, text: &str, offset: usize) -> Vec<CompletionItem> {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..offset];
    let path = block_path(text, offset);
    let config = &stack.loaded.config;

    // After `kind.`, `var.`, `local.`: names.
    let token: String = line
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || "_-.".contains(*c))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if let Some((head, _)) = token.split_once('.') {
        return match head {
            "var" => config
                .variable_decls
                .values()
                .map(|d| item(&d.name, CompletionItemKind::VARIABLE, d.description.clone()))
                .collect(),
            "local" => config
                .locals
                .keys()
                .map(|k| item(k, CompletionItemKind::VARIABLE, None))
                .collect(),
            kind if KINDS.contains(&kind) => {
                let mut names: Vec<&str> = config
                    .resources
                    .iter()
                    .filter(|r| r.kind == kind)
                    .map(|r| r.name.as_str())
                    .collect();
                names.dedup();
                names
                    .into_iter()
                    .map(|n| item(n, CompletionItemKind::REFERENCE, None))
                    .collect()
            }
            _ => Vec::new(),
        };
    }

    // `attr = "` of an enumeration: its values.
    if let Some((name, rest)) = line.split_once('=') {
        let name = name.trim();
        let rest = rest.trim_start();
        if rest.starts_with('"') && !rest[1..].contains('"') {
            if let Some(f) = fields_at(&path).and_then(|fs| fs.iter().find(|f| f.name == name)) {
                return enum_values(f.ty)
                    .into_iter()
                    .map(|v| item(v, CompletionItemKind::ENUM_MEMBER, None))
                    .collect();
            }
            return Vec::new();
        }
        // An expression: functions, and the roots of references.
        let mut out: Vec<CompletionItem> = FUNCTIONS
            .iter()
            .map(|f| {
                item(
                    f.name,
                    CompletionItemKind::FUNCTION,
                    Some(format!("`{}`\n\n{}", f.signature, f.summary)),
                )
            })
            .collect();
        for root in ["var", "local"].iter().chain(KINDS) {
            out.push(item(root, CompletionItemKind::MODULE, None));
        }
        return out;
    }

    // The start of a line: block types at the top level, names inside a block.
    if !line
        .trim()
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Vec::new();
    }
    if path.is_empty() {
        return TOP_LEVEL
            .iter()
            .map(|(k, d)| item(k, CompletionItemKind::KEYWORD, Some(d.to_string())))
            .collect();
    }
    let Some(fields) = fields_at(&path) else {
        return Vec::new();
    };
    let set = already_set(text, offset);
    let typed = line.trim();
    fields
        .iter()
        .filter(|f| {
            !set.iter().any(|s| s == f.name && s != typed)
                || f.block.as_ref().is_some_and(|b| b.repeated)
        })
        .map(|f| {
            let kind = if f.block.is_some() {
                CompletionItemKind::STRUCT
            } else {
                CompletionItemKind::PROPERTY
            };
            item(f.name, kind, Some(crate::hover::field_doc(f)))
        })
        .collect()
}

/// `"no" | "always" | "on-failure"` → the values.
fn enum_values(ty: &str) -> Vec<&str> {
    if !ty.contains('|') {
        return Vec::new();
    }
    ty.split('|')
        .map(|v| v.trim().trim_matches('"'))
        .filter(|v| !v.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_paths_follow_braces_and_skip_strings_and_objects() {
        let text = "container \"web\" {\n  env = { A = \"{\" }\n  resources {\n    memory = 1\n";
        assert_eq!(block_path(text, text.len()), ["container", "resources"]);
        let inside_env = text.find("A =").unwrap();
        assert_eq!(block_path(text, inside_env), ["container", ""]);
        assert!(block_path("# a { comment\n", 14).is_empty());
    }

    #[test]
    fn enum_values_come_from_the_schema_type() {
        assert_eq!(enum_values("\"tcp\" | \"udp\""), ["tcp", "udp"]);
        assert!(enum_values("string").is_empty());
    }
}
