//! Evaluated values.
//!
//! A [`Value`] is a generic tree (null, bool, number, string, sequences, maps) that remembers the
//! span of the expression it came from and whether it is sensitive. Collections are shared
//! (`Arc`) because references copy values often: a local used by ten thousand resources is
//! evaluated once and shared, not copied.

use crate::source::Span;
use std::fmt::Write as _;
use std::sync::Arc;

/// The entries of an object or map, sorted by key. A sorted vector rather than a B-tree: most
/// maps in a stack hold a handful of entries, and a B-tree node costs about a kilobyte however
/// few it holds (for 10,000 resources that was half the memory of a `validate`).
pub type Map = litemap::LiteMap<String, Value>;

/// The flavour of a sequence. Tuples come from literals, lists and sets from conversions and
/// typed variables, blocks from repeated nested blocks (`port { … }`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SeqKind {
    Tuple,
    List,
    Set,
    /// Nested blocks of one type inside a block body, in source order.
    Blocks,
}

/// The flavour of a map. Objects come from literals and block bodies, maps from conversions and
/// typed variables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MapKind {
    Object,
    Map,
    /// The body of a block.
    Block,
}

/// A reference to a resource instance: its attributes, plus the address it came from, so the
/// engine can both decode it and draw the dependency edge.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceValue {
    /// `image.redis`, `container.web[0]`, `service.api["a"]`.
    pub address: String,
    pub attrs: Map,
}

#[derive(Clone, Debug)]
pub enum ValueKind {
    Null,
    Bool(bool),
    Number(f64),
    String(Arc<str>),
    Seq(SeqKind, Arc<Vec<Value>>),
    Map(MapKind, Arc<Map>),
    Resource(Arc<ResourceValue>),
    /// Known only after apply (an image digest that needs a registry, say).
    Unknown,
}

#[derive(Clone, Debug)]
pub struct Value {
    pub kind: ValueKind,
    /// The expression this value came from.
    pub span: Span,
    /// Where this value was bound to a name: the attribute name or object key. Default when the
    /// value is not a member of a map.
    pub key_span: Span,
    /// Sensitive values print as `(sensitive)`; anything computed from one is sensitive too.
    pub sensitive: bool,
}

impl PartialEq for Value {
    /// Equality of content, as the language's `==` sees it: spans and marks are ignored,
    /// a tuple equals a list with the same elements, different types are never equal.
    fn eq(&self, other: &Value) -> bool {
        use ValueKind::*;
        match (&self.kind, &other.kind) {
            (Null, Null) => true,
            (Bool(a), Bool(b)) => a == b,
            (Number(a), Number(b)) => a == b,
            (String(a), String(b)) => a == b,
            (Seq(ka, a), Seq(kb, b)) => {
                (ka == kb || (*ka != SeqKind::Set && *kb != SeqKind::Set)) && a == b
            }
            (Map(_, a), Map(_, b)) => a == b,
            (Resource(a), Resource(b)) => a.address == b.address && a.attrs == b.attrs,
            (Map(_, a), Resource(b)) | (Resource(b), Map(_, a)) => **a == b.attrs,
            (Unknown, Unknown) => false,
            _ => false,
        }
    }
}

impl Value {
    pub fn new(kind: ValueKind, span: Span) -> Value {
        Value {
            kind,
            span,
            key_span: Span::default(),
            sensitive: false,
        }
    }

    pub fn null(span: Span) -> Value {
        Value::new(ValueKind::Null, span)
    }
    pub fn bool(b: bool, span: Span) -> Value {
        Value::new(ValueKind::Bool(b), span)
    }
    pub fn number(n: f64, span: Span) -> Value {
        Value::new(ValueKind::Number(n), span)
    }
    pub fn string(s: impl Into<Arc<str>>, span: Span) -> Value {
        Value::new(ValueKind::String(s.into()), span)
    }
    pub fn tuple(items: Vec<Value>, span: Span) -> Value {
        Value::new(ValueKind::Seq(SeqKind::Tuple, Arc::new(items)), span)
    }
    pub fn list(items: Vec<Value>, span: Span) -> Value {
        Value::new(ValueKind::Seq(SeqKind::List, Arc::new(items)), span)
    }
    /// A set: elements sorted and de-duplicated.
    pub fn set(mut items: Vec<Value>, span: Span) -> Value {
        items.sort_by(compare);
        items.dedup_by(|a, b| a == b);
        Value::new(ValueKind::Seq(SeqKind::Set, Arc::new(items)), span)
    }
    pub fn seq(kind: SeqKind, items: Vec<Value>, span: Span) -> Value {
        if kind == SeqKind::Set {
            return Value::set(items, span);
        }
        Value::new(ValueKind::Seq(kind, Arc::new(items)), span)
    }
    pub fn object(map: Map, span: Span) -> Value {
        Value::new(ValueKind::Map(MapKind::Object, Arc::new(map)), span)
    }
    pub fn map(map: Map, span: Span) -> Value {
        Value::new(ValueKind::Map(MapKind::Map, Arc::new(map)), span)
    }
    pub fn unknown(span: Span) -> Value {
        Value::new(ValueKind::Unknown, span)
    }

    pub fn with_span(mut self, span: Span) -> Value {
        self.span = span;
        self
    }

    pub fn with_key_span(mut self, span: Span) -> Value {
        self.key_span = span;
        self
    }

    pub fn mark_sensitive(mut self, sensitive: bool) -> Value {
        self.sensitive |= sensitive;
        self
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, ValueKind::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self.kind, ValueKind::Unknown)
    }

    /// Unknown here or anywhere inside.
    pub fn contains_unknown(&self) -> bool {
        match &self.kind {
            ValueKind::Unknown => true,
            ValueKind::Seq(_, items) => items.iter().any(Value::contains_unknown),
            ValueKind::Map(_, m) => m.values().any(Value::contains_unknown),
            ValueKind::Resource(r) => r.attrs.values().any(Value::contains_unknown),
            _ => false,
        }
    }

    /// Sensitive here or anywhere inside.
    pub fn contains_sensitive(&self) -> bool {
        if self.sensitive {
            return true;
        }
        match &self.kind {
            ValueKind::Seq(_, items) => items.iter().any(Value::contains_sensitive),
            ValueKind::Map(_, m) => m.values().any(Value::contains_sensitive),
            ValueKind::Resource(r) => r.attrs.values().any(Value::contains_sensitive),
            _ => false,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            ValueKind::Bool(b) => Some(b),
            _ => None,
        }
    }
    pub fn as_number(&self) -> Option<f64> {
        match self.kind {
            ValueKind::Number(n) => Some(n),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::String(s) => Some(s),
            _ => None,
        }
    }
    /// The elements of a tuple, list, set or block list.
    pub fn as_seq(&self) -> Option<&[Value]> {
        match &self.kind {
            ValueKind::Seq(_, items) => Some(items),
            _ => None,
        }
    }
    /// The entries of an object, map, block body or resource.
    pub fn as_map(&self) -> Option<&Map> {
        match &self.kind {
            ValueKind::Map(_, m) => Some(m),
            ValueKind::Resource(r) => Some(&r.attrs),
            _ => None,
        }
    }
    pub fn as_resource(&self) -> Option<&ResourceValue> {
        match &self.kind {
            ValueKind::Resource(r) => Some(r),
            _ => None,
        }
    }
    pub fn seq_kind(&self) -> Option<SeqKind> {
        match &self.kind {
            ValueKind::Seq(k, _) => Some(*k),
            _ => None,
        }
    }
    pub fn map_kind(&self) -> Option<MapKind> {
        match &self.kind {
            ValueKind::Map(k, _) => Some(*k),
            ValueKind::Resource(_) => Some(MapKind::Object),
            _ => None,
        }
    }

    /// The name of this value's type, for messages: `string`, `number`, `bool`, `null`, `tuple`,
    /// `list`, `set`, `object`, `map`, `unknown`.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            ValueKind::Null => "null",
            ValueKind::Bool(_) => "bool",
            ValueKind::Number(_) => "number",
            ValueKind::String(_) => "string",
            ValueKind::Seq(SeqKind::Tuple, _) => "tuple",
            ValueKind::Seq(SeqKind::List, _) => "list",
            ValueKind::Seq(SeqKind::Set, _) => "set",
            ValueKind::Seq(SeqKind::Blocks, _) => "list of blocks",
            ValueKind::Map(MapKind::Map, _) => "map",
            ValueKind::Map(MapKind::Object, _) => "object",
            ValueKind::Map(MapKind::Block, _) => "block",
            ValueKind::Resource(_) => "resource",
            ValueKind::Unknown => "unknown",
        }
    }

    /// The string form used by interpolation and `tostring`: strings as they are, numbers and
    /// bools converted; `None` for null, collections and unknown values.
    pub fn to_template_string(&self) -> Option<String> {
        match &self.kind {
            ValueKind::String(s) => Some(s.to_string()),
            ValueKind::Number(n) => Some(format_number(*n)),
            ValueKind::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Converts to JSON. Sensitive values become `"(sensitive)"` when `redact` is set; unknown
    /// values become `"(known after apply)"`; resources become their address.
    pub fn to_json(&self, redact: bool) -> serde_json::Value {
        use serde_json::Value as J;
        if redact && self.sensitive {
            return J::String("(sensitive)".into());
        }
        match &self.kind {
            ValueKind::Null => J::Null,
            ValueKind::Bool(b) => J::Bool(*b),
            ValueKind::Number(n) => number_json(*n),
            ValueKind::String(s) => J::String(s.to_string()),
            ValueKind::Seq(_, items) => J::Array(items.iter().map(|v| v.to_json(redact)).collect()),
            ValueKind::Map(_, m) => J::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), v.to_json(redact)))
                    .collect(),
            ),
            ValueKind::Resource(r) => J::String(r.address.clone()),
            ValueKind::Unknown => J::String("(known after apply)".into()),
        }
    }

    /// Builds a value from JSON (for `jsondecode` and `*.vars.json`), every node at `span`.
    pub fn from_json(json: &serde_json::Value, span: Span) -> Value {
        use serde_json::Value as J;
        match json {
            J::Null => Value::null(span),
            J::Bool(b) => Value::bool(*b, span),
            J::Number(n) => Value::number(n.as_f64().unwrap_or(f64::NAN), span),
            J::String(s) => Value::string(s.as_str(), span),
            J::Array(items) => Value::tuple(
                items.iter().map(|v| Value::from_json(v, span)).collect(),
                span,
            ),
            J::Object(m) => Value::object(
                m.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v, span)))
                    .collect(),
                span,
            ),
        }
    }

    /// HCL-like rendering of the value, for `config --format hcl`, hover and messages.
    pub fn to_hcl(&self, redact: bool) -> String {
        let mut out = String::new();
        write_hcl(self, redact, 0, &mut out);
        out
    }
}

/// JSON for a number: integers within f64's exact range as integers, others as floats.
pub fn number_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() <= 9.007_199_254_740_992e15 {
        serde_json::Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null)
    }
}

/// Formats a number the way the language prints it: integers without a fraction, other values
/// in the shortest form that reads back to the same f64.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e21 {
        format!("{n:.0}")
    } else {
        format!("{n}")
    }
}

fn kind_rank(v: &Value) -> u8 {
    match v.kind {
        ValueKind::Null => 0,
        ValueKind::Bool(_) => 1,
        ValueKind::Number(_) => 2,
        ValueKind::String(_) => 3,
        ValueKind::Seq(..) => 4,
        ValueKind::Map(..) | ValueKind::Resource(_) => 5,
        ValueKind::Unknown => 6,
    }
}

/// A total order on values, used to keep sets sorted: by type, then by content.
pub fn compare(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (&a.kind, &b.kind) {
        (ValueKind::Bool(x), ValueKind::Bool(y)) => x.cmp(y),
        (ValueKind::Number(x), ValueKind::Number(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        (ValueKind::String(x), ValueKind::String(y)) => x.cmp(y),
        (ValueKind::Seq(_, x), ValueKind::Seq(_, y)) => {
            for (p, q) in x.iter().zip(y.iter()) {
                let o = compare(p, q);
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        _ => match (a.as_map(), b.as_map()) {
            (Some(x), Some(y)) => {
                for ((ka, va), (kb, vb)) in x.iter().zip(y.iter()) {
                    let o = ka.cmp(kb).then_with(|| compare(va, vb));
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                x.len().cmp(&y.len())
            }
            _ => kind_rank(a).cmp(&kind_rank(b)),
        },
    }
}

/// Quotes a string with the language's escapes.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    // `${` and `%{` would start an interpolation or directive when read back.
    let out = out.replace("${", "$${").replace("%{", "%%{");
    out + "\""
}

/// True when `s` can be written as a bare object key.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn write_hcl(v: &Value, redact: bool, indent: usize, out: &mut String) {
    if redact && v.sensitive {
        out.push_str("(sensitive)");
        return;
    }
    match &v.kind {
        ValueKind::Null => out.push_str("null"),
        ValueKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        ValueKind::Number(n) => out.push_str(&format_number(*n)),
        ValueKind::String(s) => out.push_str(&quote(s)),
        ValueKind::Unknown => out.push_str("(known after apply)"),
        ValueKind::Resource(r) => out.push_str(&r.address),
        ValueKind::Seq(_, items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            let simple = items
                .iter()
                .all(|i| !matches!(i.kind, ValueKind::Seq(..) | ValueKind::Map(..)));
            if simple {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_hcl(item, redact, indent, out);
                }
                out.push(']');
            } else {
                out.push_str("[\n");
                for item in items.iter() {
                    out.push_str(&" ".repeat(indent + 2));
                    write_hcl(item, redact, indent + 2, out);
                    out.push_str(",\n");
                }
                out.push_str(&" ".repeat(indent));
                out.push(']');
            }
        }
        ValueKind::Map(_, m) => {
            if m.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push_str("{\n");
            let width = m
                .keys()
                .map(|k| key_text(k).chars().count())
                .max()
                .unwrap_or(0);
            for (k, item) in m.iter() {
                let key = key_text(k);
                out.push_str(&" ".repeat(indent + 2));
                out.push_str(&key);
                out.push_str(&" ".repeat(width - key.chars().count()));
                out.push_str(" = ");
                write_hcl(item, redact, indent + 2, out);
                out.push('\n');
            }
            out.push_str(&" ".repeat(indent));
            out.push('}');
        }
    }
}

fn key_text(k: &str) -> String {
    if is_identifier(k) {
        k.to_string()
    } else {
        quote(k)
    }
}
