//! serde `Deserializer` over [`Value`]: the engine decodes typed resource
//! specs with `#[derive(Deserialize)]`, and decode errors still point at the user's text.
//!
//! # Mapping
//!
//! | value | serde |
//! | --- | --- |
//! | null | unit; `None` for `Option`s. A struct attribute set to null counts as unset (HCL). |
//! | bool | bool; the strings `"true"`/`"false"` convert (HCL conversions) |
//! | number | f64; integer targets accept integral numbers in range (else "expected a whole number"); numbers convert to strings |
//! | string | str; numeric strings convert to numbers; an enum's unit variant by name |
//! | tuple, list, set | seq |
//! | object, map, block body | map / struct |
//! | list of nested blocks | seq for a seq target (`port { }` …); for a struct or map target (`resources { }`) the single block, and a `stackc::duplicate` diagnostic for every further block |
//! | resource | map of its attributes; its address through [`REF_TOKEN`] |
//! | unknown | `None` for `Option`s; an error ("value not known until apply") for anything else |
//!
//! HCL's leniency carries over: an attribute written as an object where the schema has a block
//! (`resources = { cpus = 1 }`), or a tuple of objects for repeated blocks
//! (`port = [for p in var.ports : { container = p }]`), decodes like the block form.
//!
//! # Diagnostics
//!
//! Every problem becomes a [`Diagnostic`] at the user's text, and as many problems as possible
//! are reported at once: unknown attributes are reported and skipped; a value that fails to decode
//! is reported, left out, and the whole value decoded again (an `Option` attribute then decodes as
//! `None`, a required one makes its block fail silently, and so on upwards), until decoding
//! succeeds or the root fails. Errors raised by model types through `serde::de::Error::custom`
//! become `stackc::type` diagnostics at the span of the value being decoded; a message may carry a
//! help line after [`HELP_SEPARATOR`] (see [`error_with_help`]). Messages never show sensitive
//! values: a domain type's message about a sensitive value is replaced by a generic one.
//!
//! # Resource references
//!
//! A model type asks for a reference to another resource with
//! `deserializer.deserialize_newtype_struct(REF_TOKEN, visitor)`: a resource value calls
//! `visit_newtype_struct` with a deserializer of its address (`image.web`, `container.db[0]`), a
//! string calls `visit_str` (so `image = "redis:7"` can be told apart from `image = image.redis`),
//! anything else is a type error. Other formats (JSON) call `visit_newtype_struct` with whatever
//! the newtype holds.

use crate::diag::{code, suggest, Diagnostic, Diagnostics};
use crate::source::Span;
use crate::value::{format_number, quote, MapKind, SeqKind, Value, ValueKind};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

/// The newtype-struct name through which model types ask for a resource reference.
/// What a string known only after apply (an image digest that needs a registry, say) decodes
/// as, so that a plan can show it; numbers and bools must be known when planning.
pub const UNKNOWN: &str = "(known after apply)";

pub const REF_TOKEN: &str = "$stackc::ref";

/// Separates the message of a custom error from its help line (see [`error_with_help`]).
pub const HELP_SEPARATOR: &str = "\nhelp: ";

/// How many times a value is decoded again after a failure before giving up.
const MAX_ATTEMPTS: usize = 256;

/// A custom serde error with a help line: becomes a `stackc::type` diagnostic whose help is
/// `help`. Other deserializers show both, on two lines.
pub fn error_with_help<E: de::Error>(message: impl fmt::Display, help: impl fmt::Display) -> E {
    E::custom(format_args!("{message}{HELP_SEPARATOR}{help}"))
}

/// Decodes a typed value. Problems become Diagnostics pointing at the user's text.
pub fn from_value<T: de::DeserializeOwned>(value: &Value) -> Result<T, Vec<Diagnostic>> {
    decode(value, None)
}

/// Like [`from_value`], naming the root block in messages: with `what` = `container "web"`, a
/// missing attribute reads "container "web" is missing the required attribute `image`".
pub fn from_value_named<T: de::DeserializeOwned>(
    value: &Value,
    what: &str,
) -> Result<T, Vec<Diagnostic>> {
    decode(value, Some(what))
}

fn decode<T: de::DeserializeOwned>(
    value: &Value,
    root: Option<&str>,
) -> Result<T, Vec<Diagnostic>> {
    let mut ctx = Ctx {
        excluded: HashSet::new(),
        sink: RefCell::new(Vec::new()),
        root: root.map(str::to_string),
    };
    let mut diags = Diagnostics::new();
    for _ in 0..MAX_ATTEMPTS {
        let result = T::deserialize(De::new(value, &ctx, Vec::new()));
        diags.extend(ctx.sink.take());
        match result {
            Ok(v) if !diags.has_errors() => return Ok(v),
            Ok(_) => return Err(diags.into_sorted()),
            Err(e) => {
                let Located { diag, path } =
                    e.into_located(|kind| Place::of(value, &ctx, &[]).diagnostic(kind, None));
                if let Some(d) = diag {
                    diags.push(*d);
                }
                if path.is_empty()
                    || diags.len() >= crate::diag::MAX_DIAGNOSTICS
                    || !ctx.excluded.insert(path)
                {
                    break;
                }
            }
        }
    }
    if !diags.has_errors() {
        // Only reachable if every failure was a consequence of an earlier one that was not
        // reported, which the decoder never does; say something rather than nothing.
        diags.push(Diagnostic::error(code::TYPE, "this value could not be decoded").at(value.span));
    }
    Err(diags.into_sorted())
}

/// One step from a value to a member of it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Seg {
    Key(String),
    Index(usize),
}

type Path = Vec<Seg>;

fn child(path: &Path, seg: Seg) -> Path {
    let mut p = Vec::with_capacity(path.len() + 1);
    p.extend(path.iter().cloned());
    p.push(seg);
    p
}

/// State shared by all deserializers of one decoding attempt.
struct Ctx {
    /// Values left out of this attempt because they failed before (and were reported).
    excluded: HashSet<Path>,
    /// Problems that do not stop decoding (unknown attributes, repeated single blocks).
    sink: RefCell<Vec<Diagnostic>>,
    /// How the root block is named in messages.
    root: Option<String>,
}

impl Ctx {
    fn report(&self, d: Diagnostic) {
        self.sink.borrow_mut().push(d);
    }
}

/// The error type of the deserializer. Errors raised by visitors and model types start without
/// a place; the deserializer of the value being decoded gives them one on their way out.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
}

#[derive(Debug)]
enum ErrorKind {
    Custom(String),
    MissingField(&'static str),
    UnknownField(String),
    DuplicateField(&'static str),
    UnknownVariant {
        variant: String,
        expected: &'static [&'static str],
    },
    InvalidType {
        expected: String,
    },
    InvalidValue {
        expected: String,
    },
    InvalidLength {
        len: usize,
        expected: String,
    },
    /// Placed: the diagnostic (none when the failure follows from one already reported) and the
    /// value to leave out when decoding again.
    Located(Located),
}

#[derive(Debug)]
struct Located {
    diag: Option<Box<Diagnostic>>,
    path: Path,
}

impl Error {
    fn new(kind: ErrorKind) -> Error {
        Error { kind }
    }

    fn located(diag: Option<Diagnostic>, path: Path) -> Error {
        Error::new(ErrorKind::Located(Located {
            diag: diag.map(Box::new),
            path,
        }))
    }

    fn into_located(self, place: impl FnOnce(ErrorKind) -> Diagnostic) -> Located {
        match self.kind {
            ErrorKind::Located(l) => l,
            kind => Located {
                diag: Some(Box::new(place(kind))),
                path: Vec::new(),
            },
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Custom(m) => f.write_str(m),
            ErrorKind::MissingField(n) => write!(f, "missing the required attribute `{n}`"),
            ErrorKind::UnknownField(n) => write!(f, "unknown attribute `{n}`"),
            ErrorKind::DuplicateField(n) => write!(f, "attribute `{n}` is set twice"),
            ErrorKind::UnknownVariant { variant, expected } => {
                write!(
                    f,
                    "invalid value {}: expected {}",
                    quote(variant),
                    one_of(expected)
                )
            }
            ErrorKind::InvalidType { expected } => write!(f, "expected {expected}"),
            ErrorKind::InvalidValue { expected } => write!(f, "invalid value: expected {expected}"),
            ErrorKind::InvalidLength { len, expected } => {
                write!(f, "expected {expected}, found {len} elements")
            }
            ErrorKind::Located(l) => match &l.diag {
                Some(d) => f.write_str(&d.message),
                None => f.write_str("(reported before)"),
            },
        }
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::new(ErrorKind::Custom(msg.to_string()))
    }
    fn invalid_type(_unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Error::new(ErrorKind::InvalidType {
            expected: exp.to_string(),
        })
    }
    fn invalid_value(_unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Error::new(ErrorKind::InvalidValue {
            expected: exp.to_string(),
        })
    }
    fn invalid_length(len: usize, exp: &dyn de::Expected) -> Self {
        Error::new(ErrorKind::InvalidLength {
            len,
            expected: exp.to_string(),
        })
    }
    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Error::new(ErrorKind::UnknownVariant {
            variant: variant.to_string(),
            expected,
        })
    }
    fn unknown_field(field: &str, _expected: &'static [&'static str]) -> Self {
        Error::new(ErrorKind::UnknownField(field.to_string()))
    }
    fn missing_field(field: &'static str) -> Self {
        Error::new(ErrorKind::MissingField(field))
    }
    fn duplicate_field(field: &'static str) -> Self {
        Error::new(ErrorKind::DuplicateField(field))
    }
}

/// `"a", "b" or "c"`
fn one_of(items: &[&str]) -> String {
    match items {
        [] => "nothing".to_string(),
        [one] => quote(one),
        [rest @ .., last] => {
            let rest: Vec<String> = rest.iter().map(|s| quote(s)).collect();
            format!("one of {} or {}", rest.join(", "), quote(last))
        }
    }
}

/// A short description of a value for "found …", never showing a sensitive value.
fn describe(v: &Value) -> String {
    if v.sensitive {
        return format!("a sensitive {}", v.type_name());
    }
    match &v.kind {
        ValueKind::Null => "null".to_string(),
        ValueKind::Bool(b) => format!("bool {b}"),
        ValueKind::Number(n) => format!("number {}", format_number(*n)),
        ValueKind::String(s) => {
            let short: String = s.chars().take(60).collect();
            if short.len() < s.len() {
                format!("string {}…", quote(&short))
            } else {
                format!("string {}", quote(s))
            }
        }
        ValueKind::Seq(SeqKind::Blocks, items) if items.len() == 1 => "a block".to_string(),
        ValueKind::Seq(SeqKind::Blocks, items) => format!("{} blocks", items.len()),
        ValueKind::Seq(_, items) if items.is_empty() => format!("an empty {}", v.type_name()),
        ValueKind::Seq(_, _) => {
            let t = v.type_name();
            format!("{} {t}", article(t))
        }
        ValueKind::Map(MapKind::Block, _) => "a block".to_string(),
        ValueKind::Map(_, _) => {
            let t = v.type_name();
            format!("{} {t}", article(t))
        }
        ValueKind::Resource(r) => format!("a reference to {}", r.address),
        ValueKind::Unknown => "a value known only after apply".to_string(),
    }
}

fn article(word: &str) -> &'static str {
    match word.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// Where an error happened, to turn an unplaced error into a diagnostic.
struct Place<'a> {
    span: Span,
    value: Option<&'a Value>,
    sensitive: bool,
    path: &'a [Seg],
    ctx: &'a Ctx,
}

impl<'a> Place<'a> {
    fn of(value: &'a Value, ctx: &'a Ctx, path: &'a [Seg]) -> Place<'a> {
        Place {
            span: value.span,
            value: Some(value),
            sensitive: value.contains_sensitive(),
            path,
            ctx,
        }
    }

    fn found(&self) -> String {
        self.value
            .map(describe)
            .unwrap_or_else(|| "this".to_string())
    }

    /// `the `port` block`, or the root's name.
    fn block_name(&self, struct_name: Option<&str>) -> String {
        let key = self.path.iter().rev().find_map(|s| match s {
            Seg::Key(k) => Some(k.as_str()),
            Seg::Index(_) => None,
        });
        match (key, struct_name) {
            (None, _) if self.ctx.root.is_some() => self.ctx.root.clone().unwrap_or_default(),
            (Some(k), _) => format!("the `{k}` block"),
            (None, Some(n)) => format!("the `{n}` block"),
            (None, None) => "this block".to_string(),
        }
    }

    fn diagnostic(&self, kind: ErrorKind, struct_name: Option<&str>) -> Diagnostic {
        let found = self.found();
        let d = match kind {
            ErrorKind::Custom(msg) => {
                let (message, help) = match msg.split_once(HELP_SEPARATOR) {
                    Some((m, h)) => (m.to_string(), Some(h.to_string())),
                    None => (msg, None),
                };
                let message = if self.sensitive {
                    // The message may quote the value.
                    format!("{found} is not valid here (the details are hidden because the value is sensitive)")
                } else {
                    message
                };
                let d = Diagnostic::error(code::TYPE, message);
                match help {
                    Some(h) => d.with_help(h),
                    None => d,
                }
            }
            ErrorKind::MissingField(f) => Diagnostic::error(
                code::MISSING_ATTRIBUTE,
                format!(
                    "{} is missing the required attribute `{f}`",
                    self.block_name(struct_name)
                ),
            )
            .with_help(format!("add `{f} = …`")),
            ErrorKind::UnknownField(f) => Diagnostic::error(
                code::UNKNOWN_ATTRIBUTE,
                format!("{} has no attribute `{f}`", self.block_name(struct_name)),
            ),
            ErrorKind::DuplicateField(f) => {
                Diagnostic::error(code::DUPLICATE, format!("attribute `{f}` is set twice"))
            }
            ErrorKind::UnknownVariant { variant, expected } => {
                let message = if self.sensitive {
                    format!("invalid value: expected {}", one_of(expected))
                } else {
                    format!(
                        "invalid value {}: expected {}",
                        quote(&variant),
                        one_of(expected)
                    )
                };
                let d = Diagnostic::error(code::TYPE, message)
                    .with_help(format!("write {}", one_of(expected)));
                if self.sensitive {
                    d
                } else {
                    d.did_you_mean(&variant, expected.iter().copied())
                }
            }
            ErrorKind::InvalidType { expected } => {
                Diagnostic::error(code::TYPE, format!("expected {expected}, found {found}"))
                    .with_help(format!(
                        "write {expected} here; docs/language.md lists each attribute's type"
                    ))
            }
            ErrorKind::InvalidValue { expected } => Diagnostic::error(
                code::TYPE,
                format!("invalid value {found}: expected {expected}"),
            )
            .with_help(format!("write {expected} here")),
            ErrorKind::InvalidLength { len, expected } => Diagnostic::error(
                code::TYPE,
                format!("expected {expected}, found {len} element{}", plural(len)),
            )
            .with_help(format!("write {expected} here")),
            ErrorKind::Located(l) => {
                return l
                    .diag
                    .map(|d| *d)
                    .unwrap_or_else(|| Diagnostic::error(code::TYPE, "invalid value"))
            }
        };
        d.at(self.span)
    }

    /// Places an error raised while decoding this value.
    fn locate(&self, e: Error) -> Error {
        match e.kind {
            ErrorKind::Located(_) => e,
            ErrorKind::MissingField(f) => self.missing(f, None),
            kind => Error::located(Some(self.diagnostic(kind, None)), self.path.to_vec()),
        }
    }

    /// A required attribute of the struct at this place is absent. When it was left out because
    /// it failed before, the struct fails silently; otherwise the absence is reported.
    fn missing(&self, field: &'static str, struct_name: Option<&str>) -> Error {
        let path = self.path.to_vec();
        if self
            .ctx
            .excluded
            .contains(&child(&path, Seg::Key(field.to_string())))
        {
            return Error::located(None, path);
        }
        let d = self.diagnostic(ErrorKind::MissingField(field), struct_name);
        Error::located(Some(d), path)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Parses a string the way HCL converts it to a number.
fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty()
        || !t
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
    {
        return None;
    }
    t.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// The deserializer of one value.
#[derive(Clone)]
struct De<'a> {
    value: &'a Value,
    ctx: &'a Ctx,
    path: Path,
}

impl<'a> De<'a> {
    fn new(value: &'a Value, ctx: &'a Ctx, path: Path) -> De<'a> {
        De { value, ctx, path }
    }

    fn place(&self) -> Place<'_> {
        Place::of(self.value, self.ctx, &self.path)
    }

    fn locate<T>(&self, r: Result<T, Error>) -> Result<T, Error> {
        r.map_err(|e| self.place().locate(e))
    }

    fn error_with_help(&self, message: String, help: &str) -> Error {
        Error::located(
            Some(
                Diagnostic::error(code::TYPE, message)
                    .with_help(help)
                    .at(self.value.span),
            ),
            self.path.clone(),
        )
    }

    /// "expected {expected}, found …", with advice for the usual confusions.
    fn type_error(&self, expected: &str) -> Error {
        let v = self.value;
        let mut d = match &v.kind {
            ValueKind::Unknown => Diagnostic::error(code::TYPE, "value not known until apply")
                .with_help(format!(
                    "this attribute needs {expected} when planning, but the value depends on \
                     something known only after apply (an image digest, say)"
                )),
            _ => Diagnostic::error(
                code::TYPE,
                format!("expected {expected}, found {}", describe(v)),
            ),
        };
        if let ValueKind::Resource(r) = &v.kind {
            if expected.contains("string") {
                d = d.with_help(format!(
                    "a resource is an object; use one of its attributes, like `{}.name`",
                    r.address
                ));
            }
        }
        if d.help.is_none() {
            d = d.with_help(format!(
                "write {expected} here; docs/language.md lists each attribute's type"
            ));
        }
        Error::located(Some(d.at(v.span)), self.path.clone())
    }

    fn number(&self, expected: &str) -> Result<f64, Error> {
        match &self.value.kind {
            ValueKind::Number(n) => Ok(*n),
            ValueKind::String(s) => parse_number(s).ok_or_else(|| self.type_error(expected)),
            _ => Err(self.type_error(expected)),
        }
    }

    /// A whole number in `min..=max`.
    fn whole(&self, min: f64, max: f64, range: Option<&str>) -> Result<f64, Error> {
        let n = self.number("a whole number")?;
        let found = describe(self.value);
        if !n.is_finite() || n.fract() != 0.0 {
            return Err(self.error_with_help(
                format!("expected a whole number, found {found}"),
                "write a number without a fraction, like 3",
            ));
        }
        if n < min || n > max {
            let message = match range {
                Some(r) => format!("expected a whole number {r}, found {found}"),
                None if n < 0.0 => format!("expected a whole number of at least 0, found {found}"),
                None => format!("expected a smaller whole number, found {found}"),
            };
            return Err(
                self.error_with_help(message, &format!("use a whole number from {min} to {max}"))
            );
        }
        Ok(n)
    }

    /// For a struct or map target: a list of blocks becomes its single block; every further
    /// block is reported as a duplicate.
    fn single_block(self, struct_name: &str) -> De<'a> {
        let ValueKind::Seq(SeqKind::Blocks, items) = &self.value.kind else {
            return self;
        };
        let Some(first) = items.first() else {
            return self;
        };
        let name = match self.path.last() {
            Some(Seg::Key(k)) => k.clone(),
            _ => struct_name.to_string(),
        };
        for extra in items.iter().skip(1) {
            let at = if extra.key_span == Span::default() {
                extra.span
            } else {
                extra.key_span
            };
            self.ctx.report(
                Diagnostic::error(
                    code::DUPLICATE,
                    format!("only one `{name}` block is allowed"),
                )
                .at(at)
                .with_label("another block")
                .and_label(
                    if first.key_span == Span::default() {
                        first.span
                    } else {
                        first.key_span
                    },
                    "first block",
                )
                .with_help(format!("merge the `{name}` blocks into one")),
            );
        }
        De::new(first, self.ctx, self.path)
    }

    fn visit_seq<'de, V: Visitor<'de>>(
        &self,
        items: &'a [Value],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let items: Vec<(&'a Value, Path)> = items
            .iter()
            .enumerate()
            .map(|(i, v)| (v, child(&self.path, Seg::Index(i))))
            .filter(|(_, p)| !self.ctx.excluded.contains(p))
            .collect();
        let r = visitor.visit_seq(SeqAcc {
            items: items.into_iter(),
            ctx: self.ctx,
        });
        self.locate(r)
    }

    fn visit_map<'de, V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value, Error> {
        let Some(map) = self.value.as_map() else {
            return Err(self.type_error("a map"));
        };
        let entries: Vec<Entry<'a>> = map
            .iter()
            .map(|(k, v)| (k.as_str(), v, child(&self.path, Seg::Key(k.clone()))))
            .filter(|(_, _, p)| !self.ctx.excluded.contains(p))
            .collect();
        let r = visitor.visit_map(MapAcc {
            entries: entries.into_iter(),
            value: None,
            ctx: self.ctx,
        });
        self.locate(r)
    }

    fn visit_struct<'de, V: Visitor<'de>>(
        &self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let Some(map) = self.value.as_map() else {
            let expected = match self.path.iter().rev().find_map(|s| match s {
                Seg::Key(k) => Some(k),
                Seg::Index(_) => None,
            }) {
                Some(k) => format!("a `{k}` block"),
                None => "a block".to_string(),
            };
            return Err(self.type_error(&expected));
        };
        let what = self.place().block_name(Some(name));
        let mut entries: Vec<Entry<'a>> = Vec::with_capacity(map.len());
        for (k, v) in map.iter() {
            if !fields.contains(&k.as_str()) {
                self.report_unknown(k, v, fields, &what);
                continue;
            }
            if v.is_null() {
                continue;
            }
            let p = child(&self.path, Seg::Key(k.clone()));
            if !self.ctx.excluded.contains(&p) {
                entries.push((k.as_str(), v, p));
            }
        }
        let r = visitor.visit_map(MapAcc {
            entries: entries.into_iter(),
            value: None,
            ctx: self.ctx,
        });
        r.map_err(|e| match e.kind {
            ErrorKind::MissingField(f) => self.place().missing(f, Some(name)),
            kind => self.place().locate(Error::new(kind)),
        })
    }

    fn report_unknown(&self, key: &str, v: &Value, fields: &[&str], what: &str) {
        let is_block = v.seq_kind() == Some(SeqKind::Blocks);
        let noun = if is_block { "block" } else { "attribute" };
        let at = if v.key_span == Span::default() {
            v.span
        } else {
            v.key_span
        };
        let mut d = Diagnostic::error(
            if is_block {
                code::UNKNOWN_BLOCK
            } else {
                code::UNKNOWN_ATTRIBUTE
            },
            format!("{what} has no {noun} `{key}`"),
        )
        .at(at)
        .with_label(format!("unknown {noun}"));
        if suggest(key, fields.iter().copied()).is_some() {
            d = d.did_you_mean(key, fields.iter().copied());
        } else if !fields.is_empty() {
            d = d.with_help(format!("{what} accepts: {}", fields.join(", ")));
        }
        self.ctx.report(d);
    }
}

type Entry<'a> = (&'a str, &'a Value, Path);

macro_rules! whole_number {
    ($($method:ident: $ty:ty => $visit:ident, $range:expr;)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                let n = self.whole(<$ty>::MIN as f64, <$ty>::MAX as f64, $range)?;
                self.locate(visitor.$visit(n as _))
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for De<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let r = match &self.value.kind {
            ValueKind::Null => visitor.visit_unit(),
            ValueKind::Bool(b) => visitor.visit_bool(*b),
            ValueKind::Number(n) => {
                let n = *n;
                if n.fract() == 0.0 && (0.0..1.8e19).contains(&n) {
                    visitor.visit_u64(n as u64)
                } else if n.fract() == 0.0 && (-9.2e18..0.0).contains(&n) {
                    visitor.visit_i64(n as i64)
                } else {
                    visitor.visit_f64(n)
                }
            }
            ValueKind::String(s) => visitor.visit_str(s),
            ValueKind::Seq(_, items) => return self.visit_seq(items, visitor),
            ValueKind::Map(..) | ValueKind::Resource(_) => return self.visit_map(visitor),
            ValueKind::Unknown => visitor.visit_str(UNKNOWN),
        };
        self.locate(r)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let b = match &self.value.kind {
            ValueKind::Bool(b) => *b,
            ValueKind::String(s) if &**s == "true" => true,
            ValueKind::String(s) if &**s == "false" => false,
            _ => return Err(self.type_error("a bool (true or false)")),
        };
        self.locate(visitor.visit_bool(b))
    }

    whole_number! {
        deserialize_i8: i8 => visit_i64, Some("from -128 to 127");
        deserialize_i16: i16 => visit_i64, Some("from -32768 to 32767");
        deserialize_i32: i32 => visit_i64, None;
        deserialize_i64: i64 => visit_i64, None;
        deserialize_u8: u8 => visit_u64, Some("from 0 to 255");
        deserialize_u16: u16 => visit_u64, Some("from 0 to 65535");
        deserialize_u32: u32 => visit_u64, None;
        deserialize_u64: u64 => visit_u64, None;
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let n = self.number("a number")?;
        self.locate(visitor.visit_f64(n))
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let mut chars = self.value.as_str().map(str::chars);
        match chars.as_mut().map(|c| (c.next(), c.next())) {
            Some((Some(c), None)) => self.locate(visitor.visit_char(c)),
            _ => Err(self.type_error("a single character")),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let r = match &self.value.kind {
            ValueKind::String(s) => visitor.visit_str(s),
            ValueKind::Unknown => visitor.visit_str(UNKNOWN),
            ValueKind::Number(n) => visitor.visit_string(format_number(*n)),
            ValueKind::Bool(b) => visitor.visit_str(if *b { "true" } else { "false" }),
            _ => return Err(self.type_error("a string")),
        };
        self.locate(r)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value.as_str() {
            Some(s) => self.locate(visitor.visit_bytes(s.as_bytes())),
            None => Err(self.type_error("a string")),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let none = match &self.value.kind {
            ValueKind::Null | ValueKind::Unknown => true,
            ValueKind::Seq(SeqKind::Blocks, items) => items.is_empty(),
            _ => false,
        };
        if none {
            let r = visitor.visit_none();
            self.locate(r)
        } else {
            // The inner deserializer places its own errors.
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value.kind {
            ValueKind::Null => self.locate(visitor.visit_unit()),
            _ => Err(self.type_error("null")),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        if name != REF_TOKEN {
            let this = self.clone();
            return this.locate(visitor.visit_newtype_struct(self));
        }
        let r = match &self.value.kind {
            ValueKind::Resource(r) => visitor.visit_newtype_struct(StrDe {
                s: &r.address,
                span: self.value.span,
                ctx: self.ctx,
                path: self.path.clone(),
            }),
            ValueKind::String(s) => visitor.visit_str(s),
            _ => return Err(self.type_error("a resource reference")),
        };
        self.locate(r)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.value.kind {
            ValueKind::Seq(_, items) => self.visit_seq(items, visitor),
            _ => Err(self.type_error("a list")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let this = self.single_block("map");
        this.visit_map(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let this = self.single_block(name);
        this.visit_struct(name, fields, visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match &self.value.kind {
            ValueKind::String(s) => {
                let r = visitor.visit_enum(IntoDeserializer::<Error>::into_deserializer(&**s));
                self.locate(r)
            }
            ValueKind::Map(_, m) if m.len() == 1 => {
                let Some((k, v)) = m.iter().next() else {
                    return Err(self.type_error("a map"));
                };
                let r = visitor.visit_enum(MapEnum {
                    variant: k,
                    value: De::new(v, self.ctx, child(&self.path, Seg::Key(k.clone()))),
                });
                self.locate(r)
            }
            _ => Err(self.type_error(&one_of(variants))),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.locate(visitor.visit_unit())
    }
}

/// A string that is not a value of its own: a map key, a resource's address.
#[derive(Clone)]
struct StrDe<'a> {
    s: &'a str,
    span: Span,
    ctx: &'a Ctx,
    path: Path,
}

impl StrDe<'_> {
    fn locate<T>(&self, r: Result<T, Error>) -> Result<T, Error> {
        r.map_err(|e| {
            let place = Place {
                span: self.span,
                value: None,
                sensitive: false,
                path: &self.path,
                ctx: self.ctx,
            };
            match e.kind {
                ErrorKind::Located(_) => e,
                ErrorKind::InvalidType { expected } => Error::located(
                    Some(
                        Diagnostic::error(
                            code::TYPE,
                            format!("expected {expected}, found {}", quote(self.s)),
                        )
                        .at(self.span),
                    ),
                    self.path.clone(),
                ),
                kind => Error::located(Some(place.diagnostic(kind, None)), self.path.clone()),
            }
        })
    }

    fn whole<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let r = match self.s.parse::<i64>() {
            Ok(n) if n >= 0 => visitor.visit_u64(n as u64),
            Ok(n) => visitor.visit_i64(n),
            Err(_) => visitor.visit_str(self.s),
        };
        self.locate(r)
    }
}

impl<'de> de::Deserializer<'de> for StrDe<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.locate(visitor.visit_str(self.s))
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.whole(visitor)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.whole(visitor)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.whole(visitor)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.whole(visitor)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.whole(visitor)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.whole(visitor)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.whole(visitor)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.whole(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let this = self.clone();
        this.locate(visitor.visit_newtype_struct(self))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let r = visitor.visit_enum(IntoDeserializer::<Error>::into_deserializer(self.s));
        self.locate(r)
    }

    serde::forward_to_deserialize_any! {
        bool f32 f64 char str string bytes byte_buf unit unit_struct seq tuple tuple_struct
        map struct identifier ignored_any
    }
}

struct SeqAcc<'a> {
    items: std::vec::IntoIter<(&'a Value, Path)>,
    ctx: &'a Ctx,
}

impl<'de> de::SeqAccess<'de> for SeqAcc<'_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.items.next() {
            Some((v, path)) => seed
                .deserialize(De::new(v, self.ctx, path.clone()))
                .map(Some)
                .map_err(|e| Place::of(v, self.ctx, &path).locate(e)),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapAcc<'a> {
    entries: std::vec::IntoIter<Entry<'a>>,
    value: Option<(&'a Value, Path)>,
    ctx: &'a Ctx,
}

impl<'de> de::MapAccess<'de> for MapAcc<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((k, v, path)) = self.entries.next() else {
            return Ok(None);
        };
        let span = if v.key_span == Span::default() {
            v.span
        } else {
            v.key_span
        };
        self.value = Some((v, path.clone()));
        seed.deserialize(StrDe {
            s: k,
            span,
            ctx: self.ctx,
            path,
        })
        .map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Error> {
        match self.value.take() {
            Some((v, path)) => seed
                .deserialize(De::new(v, self.ctx, path.clone()))
                .map_err(|e| Place::of(v, self.ctx, &path).locate(e)),
            None => Err(de::Error::custom(
                "a map value was asked for before its key",
            )),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// An enum written as a map with one entry: `{ variant = content }`.
struct MapEnum<'a> {
    variant: &'a str,
    value: De<'a>,
}

impl<'de, 'a> de::EnumAccess<'de> for MapEnum<'a> {
    type Error = Error;
    type Variant = De<'a>;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, De<'a>), Error> {
        let span = if self.value.value.key_span == Span::default() {
            self.value.value.span
        } else {
            self.value.value.key_span
        };
        let v = seed.deserialize(StrDe {
            s: self.variant,
            span,
            ctx: self.value.ctx,
            path: self.value.path.clone(),
        })?;
        Ok((v, self.value))
    }
}

impl<'de> de::VariantAccess<'de> for De<'_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.value.kind {
            ValueKind::Null => Ok(()),
            _ => Err(self.type_error("null")),
        }
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_struct(self, "variant", fields, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::value::{Map, ResourceValue};
    use serde::Deserialize;
    use std::collections::BTreeMap;
    use std::sync::Arc;

    fn sp(a: usize, b: usize) -> Span {
        Span::new(FileId(0), a, b)
    }

    /// A block body from `(name, value)` pairs; each key's span starts where its value does.
    fn block(entries: Vec<(&str, Value)>, span: Span) -> Value {
        let map: Map = entries
            .into_iter()
            .map(|(k, v)| {
                let ks = sp(v.span.start as usize, v.span.start as usize + k.len());
                (k.to_string(), v.with_key_span(ks))
            })
            .collect();
        Value::new(ValueKind::Map(MapKind::Block, Arc::new(map)), span)
    }

    fn blocks(items: Vec<Value>, span: Span) -> Value {
        Value::seq(SeqKind::Blocks, items, span)
    }

    fn s(text: &str, a: usize) -> Value {
        Value::string(text, sp(a, a + text.len() + 2))
    }

    fn n(x: f64, a: usize) -> Value {
        Value::number(x, sp(a, a + 2))
    }

    fn resource(address: &str, a: usize) -> Value {
        Value::new(
            ValueKind::Resource(Arc::new(ResourceValue {
                address: address.to_string(),
                attrs: Map::new(),
            })),
            sp(a, a + address.len()),
        )
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename = "port")]
    struct Port {
        host: Option<u16>,
        container: u16,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename = "resources")]
    struct Res {
        cpus: Option<f64>,
        memory: Option<String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "kebab-case")]
    enum Restart {
        No,
        Always,
        OnFailure,
    }

    /// A reference field: the address of a resource, or a plain string.
    #[derive(Debug, PartialEq)]
    enum ImageRef {
        Resource(String),
        Plain(String),
    }

    impl<'de> Deserialize<'de> for ImageRef {
        fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = ImageRef;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("an image reference")
                }
                fn visit_newtype_struct<D: de::Deserializer<'de>>(
                    self,
                    d: D,
                ) -> Result<ImageRef, D::Error> {
                    let a = String::deserialize(d)?;
                    if !a.starts_with("image.") {
                        return Err(error_with_help(
                            format!("expected an image reference like image.web, found {a}"),
                            "refer to an image block",
                        ));
                    }
                    Ok(ImageRef::Resource(a))
                }
                fn visit_str<E: de::Error>(self, s: &str) -> Result<ImageRef, E> {
                    Ok(ImageRef::Plain(s.to_string()))
                }
            }
            d.deserialize_newtype_struct(REF_TOKEN, V)
        }
    }

    /// A domain type that fails through `custom`.
    #[derive(Debug, PartialEq)]
    struct Even(u64);

    impl<'de> Deserialize<'de> for Even {
        fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let n = u64::deserialize(d)?;
            if n % 2 == 0 {
                Ok(Even(n))
            } else {
                Err(error_with_help(format!("{n} is not even"), "use 0, 2, 4 …"))
            }
        }
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename = "container")]
    struct Container {
        image: ImageRef,
        command: Option<Vec<String>>,
        env: Option<BTreeMap<String, String>>,
        privileged: Option<bool>,
        restart: Option<Restart>,
        replicas: Option<u32>,
        even: Option<Even>,
        #[serde(rename = "port", default)]
        ports: Vec<Port>,
        resources: Option<Res>,
    }

    fn codes(d: &[Diagnostic]) -> Vec<&str> {
        d.iter().map(|d| d.code).collect()
    }

    #[test]
    fn decodes_a_full_block() {
        let body = block(
            vec![
                ("image", resource("image.redis", 10)),
                (
                    "command",
                    Value::tuple(vec![s("run", 30), n(8.0, 40)], sp(29, 45)),
                ),
                (
                    "env",
                    Value::object(
                        [("A".to_string(), s("1", 60))].into_iter().collect(),
                        sp(55, 70),
                    ),
                ),
                ("privileged", Value::bool(true, sp(80, 84))),
                ("restart", s("on-failure", 90)),
                ("replicas", s("3", 100)),
                ("even", n(4.0, 110)),
                (
                    "port",
                    blocks(
                        vec![
                            block(vec![("container", n(80.0, 130))], sp(120, 140)),
                            block(
                                vec![("container", n(443.0, 150)), ("host", n(8443.0, 155))],
                                sp(145, 160),
                            ),
                        ],
                        sp(120, 160),
                    ),
                ),
                (
                    "resources",
                    blocks(
                        vec![block(vec![("cpus", n(0.5, 170))], sp(165, 180))],
                        sp(165, 180),
                    ),
                ),
            ],
            sp(0, 200),
        );
        let c: Container = from_value(&body).unwrap();
        assert_eq!(c.image, ImageRef::Resource("image.redis".into()));
        assert_eq!(c.command, Some(vec!["run".to_string(), "8".to_string()]));
        assert_eq!(c.env.unwrap()["A"], "1");
        assert_eq!(c.privileged, Some(true));
        assert_eq!(c.restart, Some(Restart::OnFailure));
        assert_eq!(c.replicas, Some(3));
        assert_eq!(c.even, Some(Even(4)));
        assert_eq!(
            c.ports,
            vec![
                Port {
                    host: None,
                    container: 80
                },
                Port {
                    host: Some(8443),
                    container: 443
                }
            ]
        );
        assert_eq!(
            c.resources,
            Some(Res {
                cpus: Some(0.5),
                memory: None
            })
        );
    }

    #[test]
    fn plain_string_references_visit_str() {
        let body = block(vec![("image", s("redis:7", 10))], sp(0, 50));
        let c: Container = from_value(&body).unwrap();
        assert_eq!(c.image, ImageRef::Plain("redis:7".into()));
    }

    #[test]
    fn wrong_reference_kind_is_a_type_error_at_the_reference() {
        let body = block(vec![("image", resource("network.x", 10))], sp(0, 50));
        let e = from_value::<Container>(&body).unwrap_err();
        assert_eq!(codes(&e), vec![code::TYPE]);
        assert_eq!(
            e[0].message,
            "expected an image reference like image.web, found network.x"
        );
        assert_eq!(e[0].help.as_deref(), Some("refer to an image block"));
        assert_eq!(e[0].span, Some(sp(10, 19)));
    }

    #[test]
    fn other_values_are_not_references() {
        let body = block(vec![("image", n(3.0, 10))], sp(0, 50));
        let e = from_value::<Container>(&body).unwrap_err();
        assert_eq!(
            e[0].message,
            "expected a resource reference, found number 3"
        );
    }

    #[test]
    fn every_unknown_attribute_is_reported_with_a_suggestion() {
        let body = block(
            vec![
                ("image", s("redis", 10)),
                ("comand", Value::tuple(vec![], sp(30, 32))),
                ("privilegd", Value::bool(true, sp(40, 44))),
                ("zzz", Value::bool(true, sp(50, 54))),
            ],
            sp(0, 100),
        );
        let e = from_value_named::<Container>(&body, "container \"web\"").unwrap_err();
        assert_eq!(codes(&e), vec![code::UNKNOWN_ATTRIBUTE; 3]);
        assert_eq!(e[0].message, "container \"web\" has no attribute `comand`");
        assert_eq!(e[0].span, Some(sp(30, 36)));
        assert_eq!(e[0].help.as_deref(), Some("did you mean `command`?"));
        assert_eq!(e[1].help.as_deref(), Some("did you mean `privileged`?"));
        assert!(e[2]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("accepts: image, command")));
    }

    #[test]
    fn unknown_nested_blocks_use_the_block_code() {
        let body = block(
            vec![
                ("image", s("redis", 10)),
                (
                    "resource",
                    blocks(vec![block(vec![], sp(30, 40))], sp(30, 40)),
                ),
            ],
            sp(0, 100),
        );
        let e = from_value::<Container>(&body).unwrap_err();
        assert_eq!(codes(&e), vec![code::UNKNOWN_BLOCK]);
        assert_eq!(e[0].help.as_deref(), Some("did you mean `resources`?"));
    }

    #[test]
    fn missing_required_attributes_name_the_block() {
        let body = block(
            vec![("privileged", Value::bool(true, sp(10, 14)))],
            sp(0, 100),
        );
        let e = from_value_named::<Container>(&body, "container \"web\"").unwrap_err();
        assert_eq!(codes(&e), vec![code::MISSING_ATTRIBUTE]);
        assert_eq!(
            e[0].message,
            "container \"web\" is missing the required attribute `image`"
        );
        assert_eq!(e[0].span, Some(sp(0, 100)));

        let e = from_value::<Container>(&body).unwrap_err();
        assert_eq!(
            e[0].message,
            "the `container` block is missing the required attribute `image`"
        );

        let body = block(
            vec![
                ("image", s("redis", 10)),
                (
                    "port",
                    blocks(
                        vec![block(vec![("host", n(80.0, 40))], sp(30, 50))],
                        sp(30, 50),
                    ),
                ),
            ],
            sp(0, 100),
        );
        let e = from_value::<Container>(&body).unwrap_err();
        assert_eq!(
            e[0].message,
            "the `port` block is missing the required attribute `container`"
        );
        assert_eq!(e[0].span, Some(sp(30, 50)));
    }

    #[test]
    fn null_attributes_are_unset() {
        let body = block(
            vec![
                ("image", Value::null(sp(10, 14))),
                ("privileged", Value::null(sp(20, 24))),
            ],
            sp(0, 100),
        );
        let e = from_value::<Container>(&body).unwrap_err();
        assert_eq!(codes(&e), vec![code::MISSING_ATTRIBUTE]);
    }

    #[test]
    fn type_mismatches_are_reported_at_the_value() {
        let body = block(
            vec![("image", s("redis", 10)), ("privileged", s("x", 30))],
            sp(0, 100),
        );
        let e = from_value::<Container>(&body).unwrap_err();
        assert_eq!(codes(&e), vec![code::TYPE]);
        assert_eq!(
            e[0].message,
            "expected a bool (true or false), found string \"x\""
        );
        assert_eq!(e[0].span, Some(sp(30, 33)));

        #[derive(Debug, Deserialize)]
        struct F {
            #[allow(dead_code)]
            x: f64,
        }
        let e = from_value::<F>(&block(vec![("x", s("x", 5))], sp(0, 20))).unwrap_err();
        assert_eq!(e[0].message, "expected a number, found string \"x\"");
    }

    #[test]
    fn integers_must_be_whole_and_in_range() {
        let body = block(
            vec![("image", s("redis", 10)), ("replicas", n(1.5, 30))],
            sp(0, 100),
        );
        let e = from_value::<Container>(&body).unwrap_err();
        assert_eq!(e[0].message, "expected a whole number, found number 1.5");

        let body = block(
            vec![
                ("image", s("redis", 10)),
                (
                    "port",
                    blocks(
                        vec![block(vec![("container", n(70000.0, 40))], sp(30, 50))],
                        sp(30, 50),
                    ),
                ),
            ],
            sp(0, 100),
        );
        let e = from_value::<Container>(&body).unwrap_err();
        assert_eq!(
            e[0].message,
            "expected a whole number from 0 to 65535, found number 70000"
        );
        let body = block(
            vec![("image", s("redis", 10)), ("replicas", n(-1.0, 30))],
            sp(0, 100),
        );
        let e = from_value::<Container>(&body).unwrap_err();
        assert_eq!(
            e[0].message,
            "expected a whole number of at least 0, found number -1"
        );
    }

    #[test]
    fn many_errors_are_collected_at_once() {
        let body = block(
            vec![
                ("image", Value::bool(true, sp(10, 14))),
                ("privileged", s("x", 20)),
                ("replicas", s("many", 30)),
                ("restart", s("allways", 40)),
                (
                    "command",
                    Value::tuple(
                        vec![s("ok", 50), Value::tuple(vec![], sp(60, 62))],
                        sp(49, 63),
                    ),
                ),
                (
                    "port",
                    blocks(
                        vec![
                            block(vec![("container", s("http", 70))], sp(65, 80)),
                            block(
                                vec![("container", n(80.0, 90)), ("hots", n(1.0, 95))],
                                sp(85, 99),
                            ),
                        ],
                        sp(65, 99),
                    ),
                ),
            ],
            sp(0, 100),
        );
        let e = from_value::<Container>(&body).unwrap_err();
        let spans: Vec<Option<Span>> = e.iter().map(|d| d.span).collect();
        assert_eq!(
            codes(&e),
            vec![
                code::TYPE,
                code::TYPE,
                code::TYPE,
                code::TYPE,
                code::TYPE,
                code::TYPE,
                code::UNKNOWN_ATTRIBUTE
            ],
            "{e:#?}"
        );
        assert_eq!(spans[0], Some(sp(10, 14)));
        assert_eq!(
            e[3].message,
            "invalid value \"allways\": expected one of \"no\", \"always\" or \"on-failure\""
        );
        assert!(e[3]
            .help
            .as_deref()
            .unwrap_or("")
            .starts_with("did you mean `always`?"));
        assert_eq!(e[4].message, "expected a string, found an empty tuple");
        assert_eq!(
            e[5].message,
            "expected a whole number, found string \"http\""
        );
        // The failures of required attributes are not reported again as missing.
        assert!(!codes(&e).contains(&code::MISSING_ATTRIBUTE));
    }

    #[test]
    fn a_single_block_is_unwrapped_and_repeats_are_duplicates() {
        let body = block(
            vec![
                ("image", s("redis", 10)),
                (
                    "resources",
                    blocks(
                        vec![
                            block(vec![("cpus", n(1.0, 30))], sp(20, 40)),
                            block(vec![("cpus", n(2.0, 60))], sp(50, 70)),
                        ],
                        sp(20, 70),
                    ),
                ),
            ],
            sp(0, 100),
        );
        let e = from_value::<Container>(&body).unwrap_err();
        assert_eq!(codes(&e), vec![code::DUPLICATE]);
        assert_eq!(e[0].message, "only one `resources` block is allowed");
        assert_eq!(e[0].span, Some(sp(50, 70)));
        assert_eq!(e[0].labels[0].span, sp(20, 40));
    }

    #[test]
    fn the_attribute_form_of_blocks_is_accepted() {
        let body = block(
            vec![
                ("image", s("redis", 10)),
                (
                    "resources",
                    Value::object(
                        [("cpus".to_string(), n(1.0, 30))].into_iter().collect(),
                        sp(20, 40),
                    ),
                ),
                (
                    "port",
                    Value::tuple(
                        vec![Value::object(
                            [("container".to_string(), n(80.0, 50))]
                                .into_iter()
                                .collect(),
                            sp(45, 55),
                        )],
                        sp(44, 56),
                    ),
                ),
            ],
            sp(0, 100),
        );
        let c: Container = from_value(&body).unwrap();
        assert_eq!(c.ports.len(), 1);
        assert_eq!(c.resources.and_then(|r| r.cpus), Some(1.0));
    }

    #[test]
    fn unknown_values() {
        let body = block(
            vec![
                ("image", s("redis", 10)),
                ("replicas", Value::unknown(sp(30, 40))),
            ],
            sp(0, 100),
        );
        let c: Container = from_value(&body).unwrap();
        assert_eq!(c.replicas, None);

        let body = block(
            vec![
                ("image", s("redis", 10)),
                (
                    "env",
                    Value::object(
                        [("D".to_string(), Value::unknown(sp(30, 40)))]
                            .into_iter()
                            .collect(),
                        sp(20, 45),
                    ),
                ),
            ],
            sp(0, 100),
        );
        // A string known only after apply decodes as the placeholder a plan shows.
        let c: Container = from_value(&body).unwrap();
        assert_eq!(
            c.env.as_ref().and_then(|m| m.get("D")).map(String::as_str),
            Some(UNKNOWN)
        );

        // A number must be known when planning.
        let port = block(vec![("container", Value::unknown(sp(30, 40)))], sp(25, 45));
        let body = block(
            vec![
                ("image", s("redis", 10)),
                ("port", Value::seq(SeqKind::Blocks, vec![port], sp(25, 45))),
            ],
            sp(0, 100),
        );
        let e = from_value::<Container>(&body).unwrap_err();
        assert_eq!(e[0].message, "value not known until apply");
        assert_eq!(e[0].span, Some(sp(30, 40)));
    }

    #[test]
    fn custom_errors_carry_help_and_hide_sensitive_values() {
        let body = block(
            vec![("image", s("redis", 10)), ("even", n(3.0, 30))],
            sp(0, 100),
        );
        let e = from_value::<Container>(&body).unwrap_err();
        assert_eq!(e[0].message, "3 is not even");
        assert_eq!(e[0].help.as_deref(), Some("use 0, 2, 4 …"));
        assert_eq!(e[0].span, Some(sp(30, 32)));

        let body = block(
            vec![
                ("image", s("redis", 10)),
                ("even", n(3.0, 30).mark_sensitive(true)),
                ("privileged", s("secret", 40).mark_sensitive(true)),
            ],
            sp(0, 100),
        );
        let e = from_value::<Container>(&body).unwrap_err();
        assert!(!e[0].message.contains('3'), "{}", e[0].message);
        assert_eq!(
            e[1].message,
            "expected a bool (true or false), found a sensitive string"
        );
    }

    #[test]
    fn sensitive_values_decode_normally() {
        let body = block(
            vec![("image", s("redis", 10).mark_sensitive(true))],
            sp(0, 100),
        );
        let c: Container = from_value(&body).unwrap();
        assert_eq!(c.image, ImageRef::Plain("redis".into()));
    }

    #[test]
    fn generic_targets() {
        let v = Value::object(
            [
                ("a".to_string(), n(1.0, 0)),
                (
                    "b".to_string(),
                    Value::tuple(vec![s("x", 5), Value::bool(true, sp(9, 13))], sp(4, 14)),
                ),
                ("c".to_string(), resource("image.web", 20)),
            ]
            .into_iter()
            .collect(),
            sp(0, 30),
        );
        let j: serde_json::Value = from_value(&v).unwrap();
        assert_eq!(j, serde_json::json!({"a": 1, "b": ["x", true], "c": {}}));
        let m: BTreeMap<String, serde_json::Value> = from_value(&v).unwrap();
        assert_eq!(m.len(), 3);
        // Integer map keys parse.
        let v = Value::map(
            [("80".to_string(), s("http", 0))].into_iter().collect(),
            sp(0, 10),
        );
        let m: BTreeMap<u16, String> = from_value(&v).unwrap();
        assert_eq!(m[&80], "http");
    }

    #[test]
    fn maps_of_the_wrong_shape() {
        let body = block(
            vec![
                ("image", s("redis", 10)),
                ("env", Value::tuple(vec![], sp(20, 22))),
            ],
            sp(0, 100),
        );
        let e = from_value::<Container>(&body).unwrap_err();
        assert_eq!(e[0].message, "expected a map, found an empty tuple");
        let body = block(
            vec![("image", s("redis", 10)), ("resources", s("big", 20))],
            sp(0, 100),
        );
        let e = from_value::<Container>(&body).unwrap_err();
        assert_eq!(
            e[0].message,
            "expected a `resources` block, found string \"big\""
        );
    }
}
