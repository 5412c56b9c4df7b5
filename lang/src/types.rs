//! Type constraints (`variable` types) and conversions between values and types.
//!
//! A `variable` block's `type = …` is a small expression language of its own (LANGUAGE.md §3):
//! `string`, `list(string)`, `object({name = string, port = optional(number, 80)})`. We parse it
//! from the syntax tree into a [`Type`] so that the evaluator can [`convert`] the variable's value
//! to it, exactly as HCL and Terraform do: numbers and bools become strings and back where nothing
//! is lost, tuples become lists when their elements agree, objects gain their optional attributes.
//!
//! [`type_of`] goes the other way, naming the type of a value, for the `type()` function and for
//! messages. The conversion functions (`tolist`, `tomap`, …) reuse [`convert`] and [`unify`].

use crate::ast::{Expr, ExprKind, ObjectKey, UnaryOp};
use crate::diag::{code, Diagnostic};
use crate::value::{format_number, is_identifier, quote, Map, MapKind, SeqKind, Value, ValueKind};
use std::collections::BTreeMap;
use std::fmt;

/// How deeply values may nest before conversion gives up. Real configurations nest a handful of
/// levels; the limit only guards the stack against pathological input.
const MAX_DEPTH: usize = 64;

/// A type constraint.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    /// Any value; no conversion.
    Any,
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, ObjectAttr>),
    Tuple(Vec<Type>),
}

/// One attribute of an object type.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectAttr {
    pub ty: Type,
    /// Declared with `optional(…)`: the attribute may be left out.
    pub optional: bool,
    /// `optional(T, default)`: the value used when the attribute is left out (already converted
    /// to `ty`). `None` means a missing optional attribute is null.
    pub default: Option<Value>,
}

impl ObjectAttr {
    /// A required attribute of type `ty`.
    pub fn required(ty: Type) -> ObjectAttr {
        ObjectAttr {
            ty,
            optional: false,
            default: None,
        }
    }

    /// An optional attribute of type `ty` without a default.
    pub fn optional(ty: Type) -> ObjectAttr {
        ObjectAttr {
            ty,
            optional: true,
            default: None,
        }
    }
}

impl Type {
    /// True for `string`, `number` and `bool`.
    pub fn is_primitive(&self) -> bool {
        matches!(self, Type::String | Type::Number | Type::Bool)
    }

    /// An object type with only required attributes, for building types in code and tests.
    pub fn object<I, K>(attrs: I) -> Type
    where
        I: IntoIterator<Item = (K, Type)>,
        K: Into<String>,
    {
        Type::Object(
            attrs
                .into_iter()
                .map(|(k, t)| (k.into(), ObjectAttr::required(t)))
                .collect(),
        )
    }

    /// The phrase used in conversion errors: "a string", "an object"…
    fn article_name(&self) -> &'static str {
        match self {
            Type::Any => "a value",
            Type::String => "a string",
            Type::Number => "a number",
            Type::Bool => "a bool",
            Type::List(_) => "a list",
            Type::Set(_) => "a set",
            Type::Map(_) => "a map",
            Type::Object(_) => "an object",
            Type::Tuple(_) => "a tuple",
        }
    }
}

impl fmt::Display for Type {
    /// Terraform's syntax for types: `list(string)`, `object({name = string})`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Any => f.write_str("any"),
            Type::String => f.write_str("string"),
            Type::Number => f.write_str("number"),
            Type::Bool => f.write_str("bool"),
            Type::List(t) => write!(f, "list({t})"),
            Type::Set(t) => write!(f, "set({t})"),
            Type::Map(t) => write!(f, "map({t})"),
            Type::Tuple(ts) => {
                f.write_str("tuple([")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                f.write_str("])")
            }
            Type::Object(attrs) => {
                f.write_str("object({")?;
                for (i, (name, attr)) in attrs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    if is_identifier(name) {
                        f.write_str(name)?;
                    } else {
                        f.write_str(&quote(name))?;
                    }
                    f.write_str(" = ")?;
                    match (attr.optional, &attr.default) {
                        (false, _) => write!(f, "{}", attr.ty)?,
                        (true, None) => write!(f, "optional({})", attr.ty)?,
                        (true, Some(d)) => write!(f, "optional({}, {})", attr.ty, literal_text(d))?,
                    }
                }
                f.write_str("})")
            }
        }
    }
}

/// A value on one line, in the language's syntax, for printing defaults inside a type.
fn literal_text(v: &Value) -> String {
    match &v.kind {
        ValueKind::Seq(_, items) => {
            let parts: Vec<String> = items.iter().map(literal_text).collect();
            format!("[{}]", parts.join(", "))
        }
        ValueKind::Map(..) | ValueKind::Resource(_) => {
            let parts: Vec<String> = v
                .as_map()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| {
                            let key = if is_identifier(k) {
                                k.clone()
                            } else {
                                quote(k)
                            };
                            format!("{key} = {}", literal_text(v))
                        })
                        .collect()
                })
                .unwrap_or_default();
            format!("{{{}}}", parts.join(", "))
        }
        _ => v.to_hcl(false),
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing type expressions
// ---------------------------------------------------------------------------------------------

const TYPE_KEYWORDS: &[&str] = &[
    "string", "number", "bool", "any", "list", "set", "map", "object", "tuple",
];

const TYPE_HELP: &str = "type expressions are `string`, `number`, `bool`, `any`, `list(T)`, \
`set(T)`, `map(T)`, `object({ name = T, … })` and `tuple([T, …])`";

fn type_error(span: crate::source::Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(code::TYPE, message).at(span)
}

/// Parses a type expression from a `variable` block's `type =`.
pub fn parse_type(expr: &Expr) -> Result<Type, Diagnostic> {
    parse_type_at(expr, 0)
}

fn parse_type_at(expr: &Expr, depth: usize) -> Result<Type, Diagnostic> {
    if depth > MAX_DEPTH {
        return Err(
            type_error(expr.span, "type expression is nested too deeply")
                .with_help("simplify the type; real types nest only a few levels"),
        );
    }
    match &expr.kind {
        ExprKind::Paren(inner) => parse_type_at(inner, depth + 1),
        ExprKind::Variable(ident) => match ident.name.as_str() {
            "string" => Ok(Type::String),
            "number" => Ok(Type::Number),
            "bool" => Ok(Type::Bool),
            "any" => Ok(Type::Any),
            kw @ ("list" | "set" | "map") => Err(type_error(
                expr.span,
                format!("the `{kw}` type needs an element type"),
            )
            .with_label("element type missing")
            .with_help(format!(
                "write `{kw}(string)`, or `{kw}(any)` to accept any element type"
            ))),
            "object" => Err(
                type_error(expr.span, "the `object` type needs its attributes")
                    .with_label("attributes missing")
                    .with_help("write `object({ name = string, port = number })`"),
            ),
            "tuple" => Err(
                type_error(expr.span, "the `tuple` type needs its element types")
                    .with_label("element types missing")
                    .with_help("write `tuple([string, number])`"),
            ),
            "optional" => Err(optional_misplaced(expr)),
            other => Err(type_error(expr.span, format!("unknown type `{other}`"))
                .with_label("not a type")
                .with_help(TYPE_HELP)
                .did_you_mean(other, TYPE_KEYWORDS.iter().copied())),
        },
        ExprKind::Template(t) => {
            let text = t.as_literal().unwrap_or("");
            let mut d = type_error(expr.span, "type constraints are not quoted strings")
                .with_label("a string, not a type");
            d = if TYPE_KEYWORDS.contains(&text) || text.contains('(') {
                d.with_help(format!("remove the quotes: `type = {text}`"))
            } else {
                d.with_help(TYPE_HELP)
            };
            Err(d)
        }
        ExprKind::Call {
            name,
            args,
            expand_final,
        } => {
            if *expand_final {
                return Err(
                    type_error(expr.span, "`...` cannot be used in a type expression")
                        .with_help("remove the `...`"),
                );
            }
            match name.name.as_str() {
                kw @ ("list" | "set" | "map") => {
                    let [arg] = args.as_slice() else {
                        return Err(type_error(
                            expr.span,
                            format!("`{kw}(…)` takes exactly one argument: the element type"),
                        )
                        .with_help(format!("for example `{kw}(string)`")));
                    };
                    let elem = Box::new(parse_type_at(arg, depth + 1)?);
                    Ok(match kw {
                        "list" => Type::List(elem),
                        "set" => Type::Set(elem),
                        _ => Type::Map(elem),
                    })
                }
                "object" => parse_object_type(expr, args, depth),
                "tuple" => {
                    let elems = match args.as_slice() {
                        [Expr {
                            kind: ExprKind::Tuple(items),
                            ..
                        }] => items,
                        _ => {
                            return Err(type_error(
                                expr.span,
                                "`tuple(…)` takes one argument: a list of element types",
                            )
                            .with_help("for example `tuple([string, number])`"))
                        }
                    };
                    elems
                        .iter()
                        .map(|e| parse_type_at(e, depth + 1))
                        .collect::<Result<Vec<_>, _>>()
                        .map(Type::Tuple)
                }
                "optional" => Err(optional_misplaced(expr)),
                other => Err(
                    type_error(name.span, format!("unknown type constructor `{other}`"))
                        .with_label("not a type constructor")
                        .with_help(TYPE_HELP)
                        .did_you_mean(other, TYPE_KEYWORDS.iter().copied()),
                ),
            }
        }
        _ => Err(type_error(expr.span, "this is not a type expression")
            .with_label("expected a type")
            .with_help(TYPE_HELP)),
    }
}

fn optional_misplaced(expr: &Expr) -> Diagnostic {
    type_error(
        expr.span,
        "`optional(…)` is only allowed for an attribute of an object type",
    )
    .with_help(
        "write it inside `object({ … })`, for example `object({ port = optional(number, 80) })`",
    )
}

fn parse_object_type(expr: &Expr, args: &[Expr], depth: usize) -> Result<Type, Diagnostic> {
    let items = match args {
        [Expr {
            kind: ExprKind::Object(items),
            ..
        }] => items,
        _ => {
            return Err(type_error(
                expr.span,
                "`object(…)` takes one argument: an object of attribute types",
            )
            .with_help("for example `object({ name = string, port = number })`"))
        }
    };
    let mut attrs = BTreeMap::new();
    for item in items {
        let name = match &item.key {
            ObjectKey::Ident(i) => i.name.clone(),
            ObjectKey::Expr(e) => match &e.kind {
                ExprKind::Template(t) if !t.heredoc => match t.as_literal() {
                    Some(s) => s.to_string(),
                    None => return Err(bad_attr_name(e)),
                },
                ExprKind::Variable(i) => i.name.clone(),
                _ => return Err(bad_attr_name(e)),
            },
        };
        if attrs.contains_key(&name) {
            return Err(type_error(
                item.key.span(),
                format!("attribute `{name}` is declared twice in this object type"),
            )
            .with_label("duplicate attribute")
            .with_help("remove one of the declarations"));
        }
        let attr = parse_object_attr(&item.value, depth + 1)?;
        attrs.insert(name, attr);
    }
    Ok(Type::Object(attrs))
}

fn bad_attr_name(e: &Expr) -> Diagnostic {
    type_error(
        e.span,
        "attribute names in an object type must be names or quoted strings",
    )
    .with_help("write `name = string` or `\"name\" = string`")
}

/// An attribute's type inside `object({…})`, where `optional(T)` and `optional(T, default)` are
/// allowed.
fn parse_object_attr(expr: &Expr, depth: usize) -> Result<ObjectAttr, Diagnostic> {
    let ExprKind::Call {
        name,
        args,
        expand_final: false,
    } = &expr.kind
    else {
        return Ok(ObjectAttr::required(parse_type_at(expr, depth)?));
    };
    if name.name != "optional" {
        return Ok(ObjectAttr::required(parse_type_at(expr, depth)?));
    }
    match args.as_slice() {
        [ty] => Ok(ObjectAttr::optional(parse_type_at(ty, depth + 1)?)),
        [ty, default] => {
            let ty = parse_type_at(ty, depth + 1)?;
            let Some(raw) = literal_value(default, 0) else {
                return Err(type_error(
                    default.span,
                    "the default of an optional attribute must be a literal value",
                )
                .with_label("not a literal")
                .with_help(
                    "use a number, string, bool, null, or a list or object of those; \
                     compute other defaults with a local value or `coalesce(…)`",
                ));
            };
            let value = convert(&raw, &ty).map_err(|e| {
                type_error(
                    default.span,
                    format!("the default does not match the attribute type {ty}: {e}"),
                )
                .with_label("wrong type for this attribute")
                .with_help(format!("give a default of type {ty}"))
            })?;
            Ok(ObjectAttr {
                ty,
                optional: true,
                default: if value.is_null() { None } else { Some(value) },
            })
        }
        _ => Err(type_error(
            expr.span,
            "`optional(…)` takes a type and, optionally, a default value",
        )
        .with_help("write `optional(number)` or `optional(number, 80)`")),
    }
}

/// The value of a literal expression (numbers, plain strings, bools, null, and tuples and
/// objects of those), or `None` when the expression needs evaluation.
fn literal_value(expr: &Expr, depth: usize) -> Option<Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    let span = expr.span;
    Some(match &expr.kind {
        ExprKind::Null => Value::null(span),
        ExprKind::Bool(b) => Value::bool(*b, span),
        ExprKind::Number(n) => Value::number(*n, span),
        ExprKind::Template(t) => Value::string(t.as_literal()?, span),
        ExprKind::Paren(inner) => literal_value(inner, depth + 1)?.with_span(span),
        ExprKind::Unary {
            op: UnaryOp::Neg,
            expr: inner,
        } => match inner.kind {
            ExprKind::Number(n) => Value::number(-n, span),
            _ => return None,
        },
        ExprKind::Tuple(items) => Value::tuple(
            items
                .iter()
                .map(|e| literal_value(e, depth + 1))
                .collect::<Option<Vec<_>>>()?,
            span,
        ),
        ExprKind::Object(items) => {
            let mut map = Map::new();
            for item in items {
                let key = match &item.key {
                    ObjectKey::Ident(i) => i.name.clone(),
                    ObjectKey::Expr(e) => match &e.kind {
                        ExprKind::Template(t) => t.as_literal()?.to_string(),
                        ExprKind::Variable(i) => i.name.clone(),
                        _ => return None,
                    },
                };
                let value = literal_value(&item.value, depth + 1)?.with_key_span(item.key.span());
                map.insert(key, value);
            }
            Value::object(map, span)
        }
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Conversion
// ---------------------------------------------------------------------------------------------

/// Converts a value to a type, like HCL/Terraform. The error names the path to the offending
/// element, for example `attribute "ports": element 2: a number is required, found string "x"`.
pub fn convert(value: &Value, ty: &Type) -> Result<Value, String> {
    convert_at(value, ty, false, 0)
}

/// Builds a value with `kind` that keeps the span, key span and mark of `src`.
fn like(src: &Value, new: Value) -> Value {
    Value {
        kind: new.kind,
        span: src.span,
        key_span: src.key_span,
        sensitive: src.sensitive,
    }
}

/// Describes a value for a message: its type and, for short scalars that are not sensitive, the
/// value itself (`string "x"`, `number 3`).
pub(crate) fn describe(v: &Value, hide: bool) -> String {
    if hide || v.sensitive {
        return match &v.kind {
            ValueKind::Null => "null".into(),
            _ => format!("{} (sensitive)", v.type_name()),
        };
    }
    match &v.kind {
        ValueKind::Null => "null".into(),
        ValueKind::Bool(b) => format!("bool {b}"),
        ValueKind::Number(n) => format!("number {}", format_number(*n)),
        ValueKind::String(s) => {
            const MAX: usize = 40;
            if s.chars().count() > MAX {
                let short: String = s.chars().take(MAX).collect();
                format!("string {}…", quote(&short))
            } else {
                format!("string {}", quote(s))
            }
        }
        _ => v.type_name().to_string(),
    }
}

fn mismatch(ty: &Type, v: &Value, hide: bool) -> String {
    format!(
        "{} is required, found {}",
        ty.article_name(),
        describe(v, hide)
    )
}

/// Parses a decimal number the way HCL converts strings to numbers: an optional sign, digits
/// with an optional fraction, and an optional exponent. No hexadecimal, no `inf`, no spaces.
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - frac_start;
    }
    if digits == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    let n: f64 = s.parse().ok()?;
    n.is_finite().then_some(n)
}

fn convert_at(v: &Value, ty: &Type, hide: bool, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err("the value is nested too deeply to convert".into());
    }
    let hide = hide || v.sensitive;
    // Null converts to every type, and unknown values are checked once they are known.
    if matches!(v.kind, ValueKind::Null | ValueKind::Unknown) {
        return Ok(v.clone());
    }
    match ty {
        Type::Any => Ok(v.clone()),
        Type::String => match &v.kind {
            ValueKind::String(_) => Ok(v.clone()),
            ValueKind::Number(_) | ValueKind::Bool(_) => {
                let s = v.to_template_string().unwrap_or_default();
                Ok(like(v, Value::string(s, v.span)))
            }
            _ => Err(mismatch(ty, v, hide)),
        },
        Type::Number => match &v.kind {
            ValueKind::Number(_) => Ok(v.clone()),
            ValueKind::String(s) => match parse_number(s) {
                Some(n) => Ok(like(v, Value::number(n, v.span))),
                None => Err(mismatch(ty, v, hide)),
            },
            _ => Err(mismatch(ty, v, hide)),
        },
        Type::Bool => match &v.kind {
            ValueKind::Bool(_) => Ok(v.clone()),
            ValueKind::String(s) => match &**s {
                "true" | "1" => Ok(like(v, Value::bool(true, v.span))),
                "false" | "0" => Ok(like(v, Value::bool(false, v.span))),
                other => {
                    let lower = other.to_ascii_lowercase();
                    if lower == "true" || lower == "false" {
                        Err(format!(
                            "a bool is required; to convert from a string, use lowercase \"{lower}\""
                        ))
                    } else {
                        Err(mismatch(ty, v, hide))
                    }
                }
            },
            _ => Err(mismatch(ty, v, hide)),
        },
        Type::List(et) | Type::Set(et) => {
            let Some(items) = v.as_seq() else {
                return Err(mismatch(ty, v, hide));
            };
            let et = element_target(et, items, v, ty)?;
            let out = items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    convert_at(item, &et, hide, depth + 1).map_err(|e| format!("element {i}: {e}"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(like(
                v,
                if matches!(ty, Type::Set(_)) {
                    Value::set(out, v.span)
                } else {
                    Value::list(out, v.span)
                },
            ))
        }
        Type::Tuple(tys) => {
            let Some(items) = v.as_seq() else {
                return Err(mismatch(ty, v, hide));
            };
            if items.len() != tys.len() {
                return Err(format!(
                    "a tuple of {} element{} is required, found {} with {} element{}",
                    tys.len(),
                    plural(tys.len()),
                    v.type_name(),
                    items.len(),
                    plural(items.len()),
                ));
            }
            let out = items
                .iter()
                .zip(tys)
                .enumerate()
                .map(|(i, (item, t))| {
                    convert_at(item, t, hide, depth + 1).map_err(|e| format!("element {i}: {e}"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(like(v, Value::tuple(out, v.span)))
        }
        Type::Map(et) => {
            let Some(map) = v.as_map() else {
                return Err(mismatch(ty, v, hide));
            };
            let items: Vec<Value> = map.values().cloned().collect();
            let et = element_target(et, &items, v, ty)?;
            let mut out = Map::new();
            for (k, item) in map {
                let c = convert_at(item, &et, hide, depth + 1)
                    .map_err(|e| format!("element {}: {e}", quote(k)))?;
                out.insert(k.clone(), c);
            }
            Ok(like(v, Value::map(out, v.span)))
        }
        Type::Object(attrs) => {
            let Some(map) = v.as_map() else {
                return Err(mismatch(ty, v, hide));
            };
            if let Some(extra) = map.keys().find(|k| !attrs.contains_key(*k)) {
                let mut msg = format!("unexpected attribute {}", quote(extra));
                if let Some(best) = crate::diag::suggest(extra, attrs.keys().map(String::as_str)) {
                    msg.push_str(&format!(" (did you mean {}?)", quote(best)));
                } else if attrs.is_empty() {
                    msg.push_str("; this object type has no attributes");
                } else {
                    let names: Vec<String> = attrs.keys().map(|k| quote(k)).collect();
                    msg.push_str(&format!("; the attributes are {}", names.join(", ")));
                }
                return Err(msg);
            }
            let mut out = Map::new();
            for (name, attr) in attrs {
                let converted = match map.get(name) {
                    Some(item) => convert_at(item, &attr.ty, hide, depth + 1)
                        .map_err(|e| format!("attribute {}: {e}", quote(name)))?,
                    None if attr.optional => match &attr.default {
                        Some(d) => d.clone(),
                        None => Value::null(v.span),
                    },
                    None => return Err(format!("attribute {} is required", quote(name))),
                };
                out.insert(name.clone(), converted);
            }
            Ok(like(v, Value::object(out, v.span)))
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The element type to convert to. For `list(any)`, `set(any)` and `map(any)` the elements must
/// still agree on one type, as in Terraform: it is found by [`unify`].
fn element_target(et: &Type, items: &[Value], v: &Value, ty: &Type) -> Result<Type, String> {
    if !contains_any(et) {
        return Ok(et.clone());
    }
    let types: Vec<Type> = items.iter().map(type_of).collect();
    match unify(&types) {
        Some(u) if *et == Type::Any => Ok(u),
        // A partly dynamic element type (`list(object({a = any}))`): convert each element to it
        // and let the elements keep their own types inside the dynamic parts.
        Some(_) => Ok(et.clone()),
        None => {
            let (a, b) = first_disagreement(&types);
            let what = match ty {
                Type::Map(_) => "map",
                Type::Set(_) => "set",
                _ => "list",
            };
            Err(format!(
                "cannot convert {} to a {what} of any single type: it holds both {a} and {b}",
                v.type_name()
            ))
        }
    }
}

fn contains_any(t: &Type) -> bool {
    match t {
        Type::Any => true,
        Type::String | Type::Number | Type::Bool => false,
        Type::List(e) | Type::Set(e) | Type::Map(e) => contains_any(e),
        Type::Tuple(ts) => ts.iter().any(contains_any),
        Type::Object(attrs) => attrs.values().any(|a| contains_any(&a.ty)),
    }
}

fn first_disagreement(types: &[Type]) -> (Type, Type) {
    let concrete: Vec<&Type> = types.iter().filter(|t| **t != Type::Any).collect();
    for (i, a) in concrete.iter().enumerate() {
        for b in &concrete[i + 1..] {
            if unify(&[(*a).clone(), (*b).clone()]).is_none() {
                return ((*a).clone(), (*b).clone());
            }
        }
    }
    match concrete.as_slice() {
        [a, b, ..] => ((*a).clone(), (*b).clone()),
        _ => (Type::Any, Type::Any),
    }
}

/// The single type that all of `types` convert to, like HCL's type unification: equal types
/// unify to themselves, strings absorb numbers and bools, sequences unify to a list of the
/// unified element type, objects with the same attributes unify attribute by attribute, other
/// objects and maps unify to a map. `any` (the type of null) unifies with everything. `None` when
/// there is no such type (a number and a bool, say).
pub fn unify(types: &[Type]) -> Option<Type> {
    unify_at(types, 0)
}

fn unify_at(types: &[Type], depth: usize) -> Option<Type> {
    if depth > MAX_DEPTH {
        return None;
    }
    let concrete: Vec<&Type> = types.iter().filter(|t| **t != Type::Any).collect();
    let Some(first) = concrete.first() else {
        return Some(Type::Any);
    };
    if concrete.iter().all(|t| *t == *first) {
        return Some((*first).clone());
    }
    if concrete.iter().all(|t| t.is_primitive()) {
        return concrete
            .iter()
            .any(|t| **t == Type::String)
            .then_some(Type::String);
    }
    let is_seq = |t: &&Type| matches!(t, Type::List(_) | Type::Set(_) | Type::Tuple(_));
    if concrete.iter().all(is_seq) {
        let mut elems = Vec::new();
        for t in &concrete {
            match t {
                Type::List(e) | Type::Set(e) => elems.push((**e).clone()),
                Type::Tuple(ts) => elems.extend(ts.iter().cloned()),
                _ => {}
            }
        }
        let e = Box::new(unify_at(&elems, depth + 1)?);
        let all_sets = concrete.iter().all(|t| matches!(t, Type::Set(_)));
        return Some(if all_sets {
            Type::Set(e)
        } else {
            Type::List(e)
        });
    }
    let is_map = |t: &&Type| matches!(t, Type::Map(_) | Type::Object(_));
    if concrete.iter().all(is_map) {
        // Objects with the same attribute names stay objects.
        if let Type::Object(first_attrs) = first {
            let same_shape = concrete.iter().all(|t| match t {
                Type::Object(a) => a.keys().eq(first_attrs.keys()),
                _ => false,
            });
            if same_shape {
                let mut attrs = BTreeMap::new();
                for name in first_attrs.keys() {
                    let ts: Vec<Type> = concrete
                        .iter()
                        .filter_map(|t| match t {
                            Type::Object(a) => a.get(name).map(|a| a.ty.clone()),
                            _ => None,
                        })
                        .collect();
                    attrs.insert(
                        name.clone(),
                        ObjectAttr::required(unify_at(&ts, depth + 1)?),
                    );
                }
                return Some(Type::Object(attrs));
            }
        }
        let mut elems = Vec::new();
        for t in &concrete {
            match t {
                Type::Map(e) => elems.push((**e).clone()),
                Type::Object(a) => elems.extend(a.values().map(|a| a.ty.clone())),
                _ => {}
            }
        }
        return Some(Type::Map(Box::new(unify_at(&elems, depth + 1)?)));
    }
    None
}

/// The type of a value, for the `type()` function: `tuple([…])` for tuples, `object({…})` for
/// objects and blocks, `list(T)`/`set(T)`/`map(T)` for those kinds. Null and unknown values have
/// type `any`.
pub fn type_of(value: &Value) -> Type {
    type_of_at(value, 0)
}

fn type_of_at(value: &Value, depth: usize) -> Type {
    if depth > MAX_DEPTH {
        return Type::Any;
    }
    match &value.kind {
        ValueKind::Null | ValueKind::Unknown => Type::Any,
        ValueKind::Bool(_) => Type::Bool,
        ValueKind::Number(_) => Type::Number,
        ValueKind::String(_) => Type::String,
        ValueKind::Seq(kind, items) => {
            let elems = || -> Type {
                let ts: Vec<Type> = items.iter().map(|v| type_of_at(v, depth + 1)).collect();
                unify(&ts).unwrap_or(Type::Any)
            };
            match kind {
                SeqKind::Tuple => {
                    Type::Tuple(items.iter().map(|v| type_of_at(v, depth + 1)).collect())
                }
                SeqKind::List | SeqKind::Blocks => Type::List(Box::new(elems())),
                SeqKind::Set => Type::Set(Box::new(elems())),
            }
        }
        ValueKind::Map(MapKind::Map, m) => {
            let ts: Vec<Type> = m.values().map(|v| type_of_at(v, depth + 1)).collect();
            Type::Map(Box::new(unify(&ts).unwrap_or(Type::Any)))
        }
        ValueKind::Map(_, _) | ValueKind::Resource(_) => Type::Object(
            value
                .as_map()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), ObjectAttr::required(type_of_at(v, depth + 1))))
                        .collect()
                })
                .unwrap_or_default(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse_expr;
    use crate::source::{FileId, Span};

    fn sp() -> Span {
        Span::default()
    }
    fn s(x: &str) -> Value {
        Value::string(x, sp())
    }
    fn n(x: f64) -> Value {
        Value::number(x, sp())
    }
    fn b(x: bool) -> Value {
        Value::bool(x, sp())
    }
    fn tup(items: Vec<Value>) -> Value {
        Value::tuple(items, sp())
    }
    fn obj(items: &[(&str, Value)]) -> Value {
        Value::object(
            items
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            sp(),
        )
    }
    fn ty(text: &str) -> Result<Type, Diagnostic> {
        let expr = parse_expr(FileId(0), text).expect("test type parses as an expression");
        parse_type(&expr)
    }
    fn t(text: &str) -> Type {
        ty(text).unwrap_or_else(|d| panic!("{text}: {}", d.message))
    }

    #[test]
    fn parses_and_displays_types() {
        for text in [
            "string",
            "number",
            "bool",
            "any",
            "list(string)",
            "set(number)",
            "map(list(bool))",
            "tuple([string, number])",
            "tuple([])",
            "object({})",
            "object({name = string, port = number})",
            "object({name = string, port = optional(number)})",
            "object({port = optional(number, 80)})",
            "object({tags = optional(list(string), [\"a\", \"b\"])})",
            "object({x-y = string})",
        ] {
            assert_eq!(t(text).to_string(), text);
        }
        assert_eq!(t("(string)"), Type::String);
        assert_eq!(
            t("object({ \"a\" = string })"),
            Type::object([("a", Type::String)])
        );
    }

    #[test]
    fn type_errors_have_code_span_and_help() {
        for (text, needle) in [
            ("strin", "unknown type `strin`"),
            ("list", "needs an element type"),
            ("object", "needs its attributes"),
            ("tuple", "needs its element types"),
            ("\"string\"", "not quoted"),
            ("list(string, number)", "exactly one argument"),
            ("lst(string)", "unknown type constructor"),
            ("object(string)", "an object of attribute types"),
            ("tuple(string)", "a list of element types"),
            ("optional(string)", "only allowed for an attribute"),
            ("list(optional(string))", "only allowed for an attribute"),
            ("object({a = string, a = number})", "declared twice"),
            ("object({a = optional(number, var.x)})", "must be a literal"),
            ("object({a = optional(number, \"x\")})", "does not match"),
            ("object({a = optional(number, 1, 2)})", "takes a type"),
            ("1 + 2", "not a type expression"),
        ] {
            let d = ty(text).expect_err(text);
            assert_eq!(d.code, code::TYPE, "{text}");
            assert!(d.message.contains(needle), "{text}: {}", d.message);
            assert!(d.help.is_some(), "{text} has no help");
            assert!(d.span.is_some(), "{text} has no span");
        }
        let d = ty("strng").expect_err("typo");
        assert!(d
            .help
            .unwrap_or_default()
            .contains("did you mean `string`?"));
        let d = ty("\"string\"").expect_err("quoted");
        assert!(d.help.unwrap_or_default().contains("type = string"));
    }

    #[test]
    fn optional_defaults_are_converted_literals() {
        let Type::Object(attrs) = t("object({port = optional(number, \"80\"), n = optional(number, -1), o = optional(object({a = string}), {a = 1})})") else {
            panic!("object expected");
        };
        assert_eq!(attrs["port"].default, Some(n(80.0)));
        assert_eq!(attrs["n"].default, Some(n(-1.0)));
        assert_eq!(attrs["o"].default, Some(obj(&[("a", s("1"))])));
        let Type::Object(attrs) = t("object({x = optional(string, null)})") else {
            panic!("object expected");
        };
        assert!(attrs["x"].optional && attrs["x"].default.is_none());
    }

    #[test]
    fn converts_primitives_losslessly() {
        let ok = [
            (s("1"), Type::Number, n(1.0)),
            (s("-2.5e3"), Type::Number, n(-2500.0)),
            (s("true"), Type::Bool, b(true)),
            (s("0"), Type::Bool, b(false)),
            (n(1.0), Type::String, s("1")),
            (n(1.5), Type::String, s("1.5")),
            (b(false), Type::String, s("false")),
            (s("x"), Type::Any, s("x")),
            (Value::null(sp()), Type::Number, Value::null(sp())),
        ];
        for (v, ty, want) in ok {
            assert_eq!(convert(&v, &ty), Ok(want.clone()), "{v:?} to {ty}");
        }
        for (v, ty, needle) in [
            (
                s("x"),
                Type::Number,
                "a number is required, found string \"x\"",
            ),
            (s("0x10"), Type::Number, "a number is required"),
            (s("inf"), Type::Number, "a number is required"),
            (s(""), Type::Number, "a number is required"),
            (s("True"), Type::Bool, "use lowercase \"true\""),
            (s("yes"), Type::Bool, "a bool is required"),
            (n(1.0), Type::Bool, "a bool is required, found number 1"),
            (b(true), Type::Number, "a number is required"),
            (
                tup(vec![]),
                Type::String,
                "a string is required, found tuple",
            ),
        ] {
            let e = convert(&v, &ty).expect_err(needle);
            assert!(e.contains(needle), "{e}");
        }
    }

    #[test]
    fn converts_collections_with_paths_in_errors() {
        let v = tup(vec![n(1.0), s("2")]);
        let got = convert(&v, &Type::List(Box::new(Type::Number))).unwrap();
        assert_eq!(got.seq_kind(), Some(SeqKind::List));
        assert_eq!(got, Value::list(vec![n(1.0), n(2.0)], sp()));

        let v = tup(vec![n(1.0), n(2.0), s("x")]);
        let e = convert(&v, &Type::List(Box::new(Type::Number))).unwrap_err();
        assert_eq!(e, "element 2: a number is required, found string \"x\"");

        let v = tup(vec![s("b"), s("a"), s("b")]);
        let got = convert(&v, &Type::Set(Box::new(Type::String))).unwrap();
        assert_eq!(got, Value::set(vec![s("a"), s("b")], sp()));

        let v = obj(&[("a", n(1.0)), ("b", b(true))]);
        let got = convert(&v, &Type::Map(Box::new(Type::String))).unwrap();
        assert_eq!(got.map_kind(), Some(MapKind::Map));
        assert_eq!(got.as_map().unwrap().get("a"), Some(&s("1")));

        let e = convert(&s("x"), &Type::List(Box::new(Type::String))).unwrap_err();
        assert!(e.contains("a list is required"), "{e}");
        let e = convert(&tup(vec![]), &Type::Map(Box::new(Type::String))).unwrap_err();
        assert!(e.contains("a map is required"), "{e}");

        let tt = Type::Tuple(vec![Type::String, Type::Number]);
        assert_eq!(
            convert(&tup(vec![n(1.0), s("2")]), &tt).unwrap(),
            tup(vec![s("1"), n(2.0)])
        );
        let e = convert(&tup(vec![n(1.0)]), &tt).unwrap_err();
        assert!(e.contains("a tuple of 2 elements is required"), "{e}");
    }

    #[test]
    fn converts_objects_with_optional_attributes() {
        let ty = t("object({name = string, port = optional(number, 80), tag = optional(string)})");
        let got = convert(&obj(&[("name", s("web"))]), &ty).unwrap();
        let m = got.as_map().unwrap();
        assert_eq!(m.get("name"), Some(&s("web")));
        assert_eq!(m.get("port"), Some(&n(80.0)));
        assert!(m.get("tag").is_some_and(Value::is_null));

        let e = convert(&obj(&[("port", n(1.0))]), &ty).unwrap_err();
        assert_eq!(e, "attribute \"name\" is required");
        let e = convert(&obj(&[("name", s("a")), ("prot", n(1.0))]), &ty).unwrap_err();
        assert!(e.contains("unexpected attribute \"prot\""), "{e}");
        assert!(e.contains("did you mean \"port\""), "{e}");
        let e = convert(&obj(&[("name", s("a")), ("port", s("x"))]), &ty).unwrap_err();
        assert_eq!(
            e,
            "attribute \"port\": a number is required, found string \"x\""
        );

        let nested = t("object({ports = list(number)})");
        let e = convert(&obj(&[("ports", tup(vec![n(1.0), s("y")]))]), &nested).unwrap_err();
        assert_eq!(
            e,
            "attribute \"ports\": element 1: a number is required, found string \"y\""
        );
    }

    #[test]
    fn conversion_keeps_marks_and_hides_sensitive_values() {
        let secret = s("hunter2").mark_sensitive(true);
        let e = convert(&secret, &Type::Number).unwrap_err();
        assert!(!e.contains("hunter2"), "{e}");
        let list = tup(vec![s("hunter2")]).mark_sensitive(true);
        let e = convert(&list, &Type::List(Box::new(Type::Number))).unwrap_err();
        assert!(!e.contains("hunter2"), "{e}");
        let got = convert(
            &tup(vec![n(1.0)]).mark_sensitive(true),
            &Type::List(Box::new(Type::String)),
        )
        .unwrap();
        assert!(got.sensitive);
    }

    #[test]
    fn any_elements_unify() {
        let v = tup(vec![s("a"), n(1.0), b(true)]);
        let got = convert(&v, &Type::List(Box::new(Type::Any))).unwrap();
        assert_eq!(got, Value::list(vec![s("a"), s("1"), s("true")], sp()));
        let e = convert(
            &tup(vec![n(1.0), b(true)]),
            &Type::List(Box::new(Type::Any)),
        )
        .unwrap_err();
        assert!(e.contains("any single type"), "{e}");
        let e = convert(
            &tup(vec![s("a"), obj(&[])]),
            &Type::List(Box::new(Type::Any)),
        )
        .unwrap_err();
        assert!(e.contains("both string and object({})"), "{e}");
        // Nulls do not disturb unification.
        let v = tup(vec![Value::null(sp()), n(2.0)]);
        assert!(convert(&v, &Type::List(Box::new(Type::Any))).is_ok());
    }

    #[test]
    fn unify_rules() {
        use Type::*;
        let l = |t: Type| List(Box::new(t));
        let m = |t: Type| Map(Box::new(t));
        assert_eq!(unify(&[]), Some(Any));
        assert_eq!(unify(&[Number, Number]), Some(Number));
        assert_eq!(unify(&[Number, String, Bool]), Some(String));
        assert_eq!(unify(&[Number, Bool]), None);
        assert_eq!(unify(&[Any, Bool]), Some(Bool));
        assert_eq!(unify(&[l(Number), Tuple(vec![String])]), Some(l(String)));
        assert_eq!(
            unify(&[Type::object([("a", Number)]), Type::object([("b", String)])]),
            Some(m(String))
        );
        assert_eq!(
            unify(&[Type::object([("a", Number)]), Type::object([("a", String)])]),
            Some(Type::object([("a", String)]))
        );
        assert_eq!(unify(&[l(Number), m(Number)]), None);
    }

    #[test]
    fn type_of_values() {
        let cases = [
            (s("x"), "string"),
            (n(1.0), "number"),
            (b(true), "bool"),
            (Value::null(sp()), "any"),
            (tup(vec![s("a"), n(1.0)]), "tuple([string, number])"),
            (Value::list(vec![s("a")], sp()), "list(string)"),
            (Value::list(vec![], sp()), "list(any)"),
            (Value::set(vec![n(1.0)], sp()), "set(number)"),
            (
                obj(&[("a", n(1.0)), ("b-c", s("x"))]),
                "object({a = number, b-c = string})",
            ),
            (
                Value::map([("k".to_string(), b(true))].into_iter().collect(), sp()),
                "map(bool)",
            ),
        ];
        for (v, want) in cases {
            assert_eq!(type_of(&v).to_string(), want);
        }
    }

    #[test]
    fn parse_number_is_strict() {
        for (text, want) in [
            ("1", Some(1.0)),
            ("-1.5", Some(-1.5)),
            ("+2", Some(2.0)),
            (".5", Some(0.5)),
            ("1e3", Some(1000.0)),
            ("1.", Some(1.0)),
        ] {
            assert_eq!(parse_number(text), want, "{text}");
        }
        for text in [
            "", "-", "1e", "e3", " 1", "1 ", "NaN", "inf", "1_000", "0x1", "1e999",
        ] {
            assert_eq!(parse_number(text), None, "{text}");
        }
    }

    #[test]
    fn deep_values_do_not_overflow_the_stack() {
        let mut v = n(1.0);
        for _ in 0..(MAX_DEPTH + 10) {
            v = tup(vec![v]);
        }
        assert!(convert(&v, &Type::Any).is_ok());
        let mut ty = Type::Number;
        for _ in 0..(MAX_DEPTH + 10) {
            ty = Type::List(Box::new(ty));
        }
        assert!(convert(&v, &ty).is_err());
        let _ = type_of(&v);
    }
}
