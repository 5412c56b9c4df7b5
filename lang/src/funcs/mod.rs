//! The built-in functions of LANGUAGE.md §6.
//!
//! Every function behaves like Terraform's function of the same name, so that people can bring
//! what they know (and their snippets) along. [`FUNCTIONS`] lists them for arity checks, hover
//! and documentation; [`call`] runs one with evaluated arguments. `try` and `can` are listed but
//! not run here: they take unevaluated arguments, so the evaluator implements them itself.
//!
//! Arguments are converted like Terraform converts them for a typed parameter: a string
//! parameter accepts numbers and bools (`upper(1)` is `"1"`), a number parameter accepts numeric
//! strings. Errors say which argument is wrong (its index in [`FuncError::arg`], so the caller can
//! point at its span) and, where it helps, how to fix it. Nothing here panics on user input:
//! indexes, widths, ranges and nesting depths are checked before use.
//!
//! The functions live in one file per category; this file holds the table, the dispatcher and
//! the argument helpers they share.

mod collections;
mod conversions;
mod encoding;
mod env;
mod files;
mod format;
mod hashing;
mod network;
mod numbers;
mod strings;

use crate::source::Span;
use crate::types;
use crate::value::{quote, Map, Value, ValueKind};
use std::borrow::Cow;
use std::path::Path;

/// What a function may use besides its arguments.
pub struct FuncCtx<'a> {
    /// The stack directory: relative paths in file functions resolve against it.
    pub stack_dir: &'a Path,
    /// The span of the whole call.
    pub call_span: Span,
    /// The span of each argument (same length as the arguments).
    pub arg_spans: &'a [Span],
    /// Renders a template text (for `templatefile`): (template text, path of the template file
    /// for messages, variables object) -> rendered string value or an error message.
    pub render_template: &'a dyn Fn(&str, &Path, &Value) -> Result<Value, String>,
}

/// A function's own error. The caller turns it into a `stackc::function` diagnostic at the span
/// of argument `arg`, or of the whole call when `arg` is `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct FuncError {
    pub message: String,
    /// Index of the argument at fault (its span is used); `None` = the call.
    pub arg: Option<usize>,
    pub help: Option<String>,
}

impl FuncError {
    /// An error about the call as a whole.
    pub fn call(message: impl Into<String>) -> FuncError {
        FuncError {
            message: message.into(),
            arg: None,
            help: None,
        }
    }

    /// An error about argument `index` (0-based).
    pub fn arg(index: usize, message: impl Into<String>) -> FuncError {
        FuncError {
            message: message.into(),
            arg: Some(index),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> FuncError {
        self.help = Some(help.into());
        self
    }
}

impl std::fmt::Display for FuncError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FuncError {}

/// The description of one function, for arity checks, hover and documentation.
#[derive(Debug)]
pub struct FunctionSpec {
    pub name: &'static str,
    /// e.g. "join(separator, list)"
    pub signature: &'static str,
    /// One line, for hover and docs.
    pub summary: &'static str,
    pub min_args: usize,
    /// `None` = variadic.
    pub max_args: Option<usize>,
}

const fn f(
    name: &'static str,
    signature: &'static str,
    summary: &'static str,
    min_args: usize,
    max_args: Option<usize>,
) -> FunctionSpec {
    FunctionSpec {
        name,
        signature,
        summary,
        min_args,
        max_args,
    }
}

/// Every function, sorted by name (includes `try` and `can`, which the evaluator implements
/// itself because they take unevaluated arguments).
pub static FUNCTIONS: &[FunctionSpec] = &[
    f("abs", "abs(number)", "The absolute value of a number.", 1, Some(1)),
    f("base64decode", "base64decode(string)", "Decodes a Base64 string whose bytes are UTF-8 text.", 1, Some(1)),
    f("base64encode", "base64encode(string)", "Encodes the UTF-8 bytes of a string as Base64.", 1, Some(1)),
    f("can", "can(expression)", "True when the expression evaluates without an error.", 1, Some(1)),
    f("ceil", "ceil(number)", "The smallest whole number greater than or equal to a number.", 1, Some(1)),
    f("chomp", "chomp(string)", "Removes newlines at the end of a string.", 1, Some(1)),
    f("cidrhost", "cidrhost(prefix, hostnum)", "The address of host number `hostnum` in a network; negative numbers count from the end.", 2, Some(2)),
    f("cidrnetmask", "cidrnetmask(prefix)", "The dotted netmask of an IPv4 network prefix.", 1, Some(1)),
    f("cidrsubnet", "cidrsubnet(prefix, newbits, netnum)", "Subnet number `netnum` of a network, with a prefix `newbits` longer.", 3, Some(3)),
    f("coalesce", "coalesce(values...)", "The first argument that is neither null nor an empty string.", 1, None),
    f("compact", "compact(list)", "A list of strings without its null and empty elements.", 1, Some(1)),
    f("concat", "concat(lists...)", "Joins lists and tuples into one.", 1, None),
    f("contains", "contains(list, value)", "True when a list, tuple or set holds the value.", 2, Some(2)),
    f("distinct", "distinct(list)", "A list without duplicates, in order of first appearance.", 1, Some(1)),
    f("element", "element(list, index)", "The element at an index, wrapping around past the end.", 2, Some(2)),
    f("endswith", "endswith(string, suffix)", "True when a string ends with the suffix.", 2, Some(2)),
    f("env", "env(name, [default])", "An environment variable of the process that runs stackc, read at plan time.", 1, Some(2)),
    f("file", "file(path)", "The contents of a UTF-8 text file, relative to the stack directory.", 1, Some(1)),
    f("fileexists", "fileexists(path)", "True when a regular file exists at the path.", 1, Some(1)),
    f("filesha256", "filesha256(path)", "The SHA-256 hash of a file's bytes, in hexadecimal.", 1, Some(1)),
    f("flatten", "flatten(list)", "Replaces nested lists with their elements, recursively.", 1, Some(1)),
    f("floor", "floor(number)", "The largest whole number less than or equal to a number.", 1, Some(1)),
    f("format", "format(spec, values...)", "Formats values printf-style: %s %d %f %.2f %q %v %t %%.", 1, None),
    f("formatlist", "formatlist(spec, values...)", "Like format, once per element of the list arguments.", 1, None),
    f("indent", "indent(spaces, string)", "Indents every line of a string but the first.", 2, Some(2)),
    f("index", "index(list, value)", "The index of the first element equal to the value.", 2, Some(2)),
    f("join", "join(separator, lists...)", "Joins the strings of lists with a separator.", 2, None),
    f("jsondecode", "jsondecode(string)", "Parses JSON into a value.", 1, Some(1)),
    f("jsonencode", "jsonencode(value)", "Encodes a value as JSON, keys sorted.", 1, Some(1)),
    f("keys", "keys(map)", "The keys of a map or object, sorted.", 1, Some(1)),
    f("length", "length(value)", "The number of elements of a collection, or of characters of a string.", 1, Some(1)),
    f("lookup", "lookup(map, key, [default])", "The element of a map at a key, or the default when the key is missing.", 2, Some(3)),
    f("lower", "lower(string)", "A string in lower case.", 1, Some(1)),
    f("max", "max(numbers...)", "The largest of the numbers.", 1, None),
    f("md5", "md5(string)", "The MD5 hash of a string's UTF-8 bytes, in hexadecimal.", 1, Some(1)),
    f("merge", "merge(maps...)", "Merges maps and objects; later arguments win.", 0, None),
    f("min", "min(numbers...)", "The smallest of the numbers.", 1, None),
    f("parseint", "parseint(string, base)", "Parses an integer written in a base from 2 to 62.", 2, Some(2)),
    f("range", "range([start,] limit[, step])", "A list of numbers from start (default 0) up to, not including, limit.", 1, Some(3)),
    f("regex", "regex(pattern, string)", "The first match of a regular expression: the match, its captures, or its named captures.", 2, Some(2)),
    f("regexall", "regexall(pattern, string)", "Every match of a regular expression.", 2, Some(2)),
    f("replace", "replace(string, substring, replacement)", "Replaces every occurrence of a substring, or of a /regex/ with $1 captures.", 3, Some(3)),
    f("reverse", "reverse(list)", "A list or tuple in reverse order.", 1, Some(1)),
    f("setunion", "setunion(sets...)", "The set of elements in any of the arguments.", 1, None),
    f("sha256", "sha256(string)", "The SHA-256 hash of a string's UTF-8 bytes, in hexadecimal.", 1, Some(1)),
    f("slice", "slice(list, start, end)", "The elements from index start up to, not including, end.", 3, Some(3)),
    f("sort", "sort(list)", "A list of strings in lexical order.", 1, Some(1)),
    f("split", "split(separator, string)", "Splits a string at every separator.", 2, Some(2)),
    f("startswith", "startswith(string, prefix)", "True when a string starts with the prefix.", 2, Some(2)),
    f("strcontains", "strcontains(string, substring)", "True when a string contains the substring.", 2, Some(2)),
    f("substr", "substr(string, offset, length)", "Part of a string, counted in characters; a negative offset counts from the end, length -1 means to the end.", 3, Some(3)),
    f("templatefile", "templatefile(path, vars)", "Renders a template file with the given variables.", 2, Some(2)),
    f("title", "title(string)", "Capitalises the first letter of every word.", 1, Some(1)),
    f("tobool", "tobool(value)", "Converts to a bool (\"true\" and \"false\" are accepted).", 1, Some(1)),
    f("tolist", "tolist(value)", "Converts a tuple or set to a list.", 1, Some(1)),
    f("tomap", "tomap(value)", "Converts an object to a map.", 1, Some(1)),
    f("tonumber", "tonumber(value)", "Converts to a number (numeric strings are accepted).", 1, Some(1)),
    f("toset", "toset(value)", "Converts a list or tuple to a set: sorted, without duplicates.", 1, Some(1)),
    f("tostring", "tostring(value)", "Converts a number or bool to a string.", 1, Some(1)),
    f("trim", "trim(string, characters)", "Removes the given characters from both ends of a string.", 2, Some(2)),
    f("trimprefix", "trimprefix(string, prefix)", "Removes a prefix from a string, once.", 2, Some(2)),
    f("trimspace", "trimspace(string)", "Removes white space from both ends of a string.", 1, Some(1)),
    f("trimsuffix", "trimsuffix(string, suffix)", "Removes a suffix from a string, once.", 2, Some(2)),
    f("try", "try(expressions...)", "The value of the first expression that evaluates without an error.", 1, None),
    f("type", "type(value)", "The type of a value, as a string like \"list(string)\".", 1, Some(1)),
    f("upper", "upper(string)", "A string in upper case.", 1, Some(1)),
    f("urlencode", "urlencode(string)", "Escapes a string for use in a URL query.", 1, Some(1)),
    f("uuidv5", "uuidv5(namespace, name)", "A name-based (SHA-1) UUID; namespace is \"dns\", \"url\", \"oid\", \"x500\" or a UUID.", 2, Some(2)),
    f("values", "values(map)", "The values of a map or object, in key order.", 1, Some(1)),
    f("yamldecode", "yamldecode(string)", "Parses one YAML document into a value.", 1, Some(1)),
    f("yamlencode", "yamlencode(value)", "Encodes a value as YAML.", 1, Some(1)),
    f("zipmap", "zipmap(keys, values)", "A map from a list of keys and a list of values.", 2, Some(2)),
];

/// The function called `name`, if there is one.
pub fn lookup(name: &str) -> Option<&'static FunctionSpec> {
    FUNCTIONS
        .binary_search_by(|f| f.name.cmp(name))
        .ok()
        .and_then(|i| FUNCTIONS.get(i))
}

/// Calls a function with evaluated arguments.
///
/// Arity is normally checked by the caller against [`FunctionSpec`]; it is checked again here so
/// that a wrong count is an error, never a panic. Unknown arguments make an unknown result.
/// The returned value's span is `ctx.call_span`.
pub fn call(name: &str, args: &[Value], ctx: &FuncCtx) -> Result<Value, FuncError> {
    let Some(spec) = lookup(name) else {
        let mut e = FuncError::call(format!("there is no function named `{name}`"));
        if let Some(best) = crate::diag::suggest(name, FUNCTIONS.iter().map(|f| f.name)) {
            e = e.with_help(format!("did you mean `{best}`?"));
        } else {
            e = e.with_help("see LANGUAGE.md §6 for the list of functions");
        }
        return Err(e);
    };
    check_arity(spec, args.len())?;
    if args.iter().any(Value::contains_unknown) {
        return Ok(Value::unknown(ctx.call_span));
    }
    let a = Args::new(spec, args, ctx.call_span);
    let result = match name {
        // strings
        "chomp" => strings::chomp(&a),
        "endswith" => strings::endswith(&a),
        "format" => format::format(&a),
        "formatlist" => format::formatlist(&a),
        "indent" => strings::indent(&a),
        "join" => strings::join(&a),
        "lower" => strings::lower(&a),
        "regex" => strings::regex(&a),
        "regexall" => strings::regexall(&a),
        "replace" => strings::replace(&a),
        "split" => strings::split(&a),
        "startswith" => strings::startswith(&a),
        "strcontains" => strings::strcontains(&a),
        "substr" => strings::substr(&a),
        "title" => strings::title(&a),
        "trim" => strings::trim(&a),
        "trimprefix" => strings::trimprefix(&a),
        "trimspace" => strings::trimspace(&a),
        "trimsuffix" => strings::trimsuffix(&a),
        "upper" => strings::upper(&a),
        // collections
        "coalesce" => collections::coalesce(&a),
        "compact" => collections::compact(&a),
        "concat" => collections::concat(&a),
        "contains" => collections::contains(&a),
        "distinct" => collections::distinct(&a),
        "element" => collections::element(&a),
        "flatten" => collections::flatten(&a),
        "index" => collections::index(&a),
        "keys" => collections::keys(&a),
        "length" => collections::length(&a),
        "lookup" => collections::lookup(&a),
        "merge" => collections::merge(&a),
        "range" => collections::range(&a),
        "reverse" => collections::reverse(&a),
        "setunion" => collections::setunion(&a),
        "slice" => collections::slice(&a),
        "sort" => collections::sort(&a),
        "values" => collections::values(&a),
        "zipmap" => collections::zipmap(&a),
        // numbers
        "abs" => numbers::abs(&a),
        "ceil" => numbers::ceil(&a),
        "floor" => numbers::floor(&a),
        "max" => numbers::max(&a),
        "min" => numbers::min(&a),
        "parseint" => numbers::parseint(&a),
        // encoding
        "base64decode" => encoding::base64decode(&a),
        "base64encode" => encoding::base64encode(&a),
        "jsondecode" => encoding::jsondecode(&a),
        "jsonencode" => encoding::jsonencode(&a),
        "urlencode" => encoding::urlencode(&a),
        "yamldecode" => encoding::yamldecode(&a),
        "yamlencode" => encoding::yamlencode(&a),
        // files
        "file" => files::file(&a, ctx),
        "fileexists" => files::fileexists(&a, ctx),
        "filesha256" => files::filesha256(&a, ctx),
        "templatefile" => files::templatefile(&a, ctx),
        // hashing
        "md5" => hashing::md5(&a),
        "sha256" => hashing::sha256(&a),
        "uuidv5" => hashing::uuidv5(&a),
        // network
        "cidrhost" => network::cidrhost(&a),
        "cidrnetmask" => network::cidrnetmask(&a),
        "cidrsubnet" => network::cidrsubnet(&a),
        // types
        "tobool" => conversions::tobool(&a),
        "tolist" => conversions::tolist(&a),
        "tomap" => conversions::tomap(&a),
        "tonumber" => conversions::tonumber(&a),
        "toset" => conversions::toset(&a),
        "tostring" => conversions::tostring(&a),
        "type" => conversions::type_(&a),
        // environment
        "env" => env::env(&a),
        "try" | "can" => Err(FuncError::call(format!(
            "{name}() takes unevaluated expressions and is evaluated by the evaluator, not called \
             with values"
        ))),
        _ => Err(FuncError::call(format!(
            "the function `{name}` is listed but not implemented"
        ))),
    }?;
    Ok(Value {
        span: ctx.call_span,
        key_span: Span::default(),
        ..result
    })
}

fn check_arity(spec: &FunctionSpec, n: usize) -> Result<(), FuncError> {
    let too_few = n < spec.min_args;
    let too_many = spec.max_args.is_some_and(|max| n > max);
    if !too_few && !too_many {
        return Ok(());
    }
    let expected = match spec.max_args {
        Some(max) if max == spec.min_args => format!("{max}"),
        Some(max) => format!("{} to {max}", spec.min_args),
        None => format!("at least {}", spec.min_args),
    };
    let plural = if spec.max_args == Some(1) { "" } else { "s" };
    Err(FuncError::call(format!(
        "{}() takes {expected} argument{plural}, but {n} {} given",
        spec.name,
        if n == 1 { "was" } else { "were" }
    ))
    .with_help(format!("call it as `{}`", spec.signature)))
}

/// The arguments of one call, with the helpers that check and convert them.
pub(crate) struct Args<'a> {
    pub spec: &'static FunctionSpec,
    pub values: &'a [Value],
    /// The span given to every value the function builds.
    pub span: Span,
    /// Some argument is sensitive: messages must not quote argument values.
    pub redact: bool,
}

impl<'a> Args<'a> {
    pub fn new(spec: &'static FunctionSpec, values: &'a [Value], span: Span) -> Args<'a> {
        Args {
            spec,
            values,
            span,
            redact: values.iter().any(Value::contains_sensitive),
        }
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// The function name, with parentheses, for messages: `join()`.
    pub fn fname(&self) -> String {
        format!("{}()", self.spec.name)
    }

    /// The parameter name of argument `i`, taken from the signature (`join(separator, lists...)`
    /// names argument 3 `lists`).
    pub fn param(&self, i: usize) -> &'static str {
        let sig = self.spec.signature;
        let inner = sig
            .find('(')
            .and_then(|open| sig.get(open + 1..sig.len().saturating_sub(1)))
            .unwrap_or("");
        let names: Vec<&'static str> = inner
            .split(',')
            .map(|p| p.trim_matches(|c: char| c == '[' || c == ']' || c == ' ' || c == '.'))
            .filter(|p| !p.is_empty())
            .collect();
        names.get(i).or(names.last()).copied().unwrap_or("argument")
    }

    pub fn get(&self, i: usize) -> Result<&'a Value, FuncError> {
        self.values.get(i).ok_or_else(|| {
            FuncError::call(format!(
                "{} is missing its `{}` argument",
                self.fname(),
                self.param(i)
            ))
            .with_help(format!("call it as `{}`", self.spec.signature))
        })
    }

    /// An error about argument `i`.
    pub fn err(&self, i: usize, message: impl Into<String>) -> FuncError {
        FuncError::arg(i, message)
    }

    /// "`list` must be a list or tuple, found string "x"".
    pub fn type_err(&self, i: usize, expected: &str) -> FuncError {
        let found = self
            .values
            .get(i)
            .map(|v| self.describe(v))
            .unwrap_or_else(|| "nothing".into());
        FuncError::arg(
            i,
            format!(
                "{}: `{}` must be {expected}, found {found}",
                self.fname(),
                self.param(i)
            ),
        )
    }

    /// A value for a message, hidden when an argument is sensitive.
    pub fn describe(&self, v: &Value) -> String {
        types::describe(v, self.redact)
    }

    /// A user string for a message, quoted, or hidden when an argument is sensitive.
    pub fn show(&self, s: &str) -> String {
        if self.redact {
            "(sensitive value)".into()
        } else {
            quote(s)
        }
    }

    /// Argument `i`, which must not be null.
    pub fn non_null(&self, i: usize) -> Result<&'a Value, FuncError> {
        let v = self.get(i)?;
        if v.is_null() {
            return Err(self
                .err(
                    i,
                    format!("{}: `{}` must not be null", self.fname(), self.param(i)),
                )
                .with_help(format!("call it as `{}`", self.spec.signature)));
        }
        Ok(v)
    }

    /// Argument `i` as a string; numbers and bools convert, as for a Terraform string parameter.
    pub fn str(&self, i: usize) -> Result<Cow<'a, str>, FuncError> {
        let v = self.non_null(i)?;
        match &v.kind {
            ValueKind::String(s) => Ok(Cow::Borrowed(&**s)),
            ValueKind::Number(_) | ValueKind::Bool(_) => {
                Ok(Cow::Owned(v.to_template_string().unwrap_or_default()))
            }
            _ => Err(self.type_err(i, "a string")),
        }
    }

    /// Argument `i` as a number; numeric strings convert.
    pub fn num(&self, i: usize) -> Result<f64, FuncError> {
        let v = self.non_null(i)?;
        match &v.kind {
            ValueKind::Number(n) => Ok(*n),
            ValueKind::String(s) => {
                types::parse_number(s).ok_or_else(|| self.type_err(i, "a number"))
            }
            _ => Err(self.type_err(i, "a number")),
        }
    }

    /// Argument `i` as a whole number within ±2^53 (where every integer is exact).
    pub fn int(&self, i: usize) -> Result<i64, FuncError> {
        let n = self.num(i)?;
        to_int(n).ok_or_else(|| {
            self.err(
                i,
                format!(
                    "{}: `{}` must be a whole number, found {}",
                    self.fname(),
                    self.param(i),
                    self.describe(&Value::number(n, self.span))
                ),
            )
        })
    }

    /// Argument `i` as the elements of a list, tuple, set or block list.
    pub fn seq(&self, i: usize) -> Result<&'a [Value], FuncError> {
        let v = self.non_null(i)?;
        v.as_seq()
            .ok_or_else(|| self.type_err(i, "a list, tuple or set"))
    }

    /// Argument `i` as the entries of a map or object.
    pub fn map(&self, i: usize) -> Result<&'a Map, FuncError> {
        let v = self.non_null(i)?;
        v.as_map()
            .ok_or_else(|| self.type_err(i, "a map or object"))
    }

    pub fn string(&self, s: impl Into<std::sync::Arc<str>>) -> Value {
        Value::string(s, self.span)
    }
}

/// The largest magnitude at which every integer is exactly representable in an f64.
pub(crate) const MAX_SAFE_INT: f64 = 9_007_199_254_740_992.0;

/// `n` as an i64 when it is a whole number within ±2^53; `None` for fractions, NaN and infinity.
pub(crate) fn to_int(n: f64) -> Option<i64> {
    (n.is_finite() && n.fract() == 0.0 && n.abs() <= MAX_SAFE_INT).then_some(n as i64)
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for the function tests: build values and call functions without an evaluator.

    use super::*;
    use crate::value::Value;

    pub fn sp() -> Span {
        Span::default()
    }
    pub fn s(x: &str) -> Value {
        Value::string(x, sp())
    }
    pub fn n(x: f64) -> Value {
        Value::number(x, sp())
    }
    pub fn b(x: bool) -> Value {
        Value::bool(x, sp())
    }
    pub fn null() -> Value {
        Value::null(sp())
    }
    pub fn tup(items: Vec<Value>) -> Value {
        Value::tuple(items, sp())
    }
    pub fn list(items: Vec<Value>) -> Value {
        Value::list(items, sp())
    }
    pub fn set(items: Vec<Value>) -> Value {
        Value::set(items, sp())
    }
    pub fn strs(items: &[&str]) -> Value {
        tup(items.iter().map(|x| s(x)).collect())
    }
    pub fn nums(items: &[f64]) -> Value {
        tup(items.iter().map(|x| n(*x)).collect())
    }
    pub fn obj(items: &[(&str, Value)]) -> Value {
        Value::object(
            items
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            sp(),
        )
    }
    pub fn map(items: &[(&str, Value)]) -> Value {
        Value::map(
            items
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            sp(),
        )
    }

    fn no_templates(_: &str, _: &Path, _: &Value) -> Result<Value, String> {
        Err("templates are not available in this test".into())
    }

    /// Calls `name` with the stack directory `dir`.
    pub fn call_in(dir: &Path, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        let spans = vec![sp(); args.len()];
        let ctx = FuncCtx {
            stack_dir: dir,
            call_span: Span::new(crate::source::FileId(0), 1, 2),
            arg_spans: &spans,
            render_template: &no_templates,
        };
        call(name, args, &ctx)
    }

    /// Calls `name` in the current directory.
    pub fn call_fn(name: &str, args: &[Value]) -> Result<Value, FuncError> {
        call_in(Path::new("."), name, args)
    }

    /// Calls `name` and unwraps the result, naming the call on failure.
    pub fn ok(name: &str, args: &[Value]) -> Value {
        call_fn(name, args).unwrap_or_else(|e| panic!("{name}({args:?}) failed: {}", e.message))
    }

    /// Calls `name`, expects an error, and checks that its message contains `needle`.
    pub fn fails(name: &str, args: &[Value], needle: &str) -> FuncError {
        match call_fn(name, args) {
            Ok(v) => panic!("{name}({args:?}) succeeded with {v:?}, expected {needle:?}"),
            Err(e) => {
                assert!(
                    e.message.contains(needle),
                    "{name}: message {:?} does not contain {needle:?}",
                    e.message
                );
                e
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        for pair in FUNCTIONS.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} !< {}",
                pair[0].name,
                pair[1].name
            );
        }
    }

    #[test]
    fn every_function_of_the_spec_is_listed() {
        let spec = [
            "format",
            "formatlist",
            "join",
            "split",
            "upper",
            "lower",
            "title",
            "trimspace",
            "trim",
            "trimprefix",
            "trimsuffix",
            "replace",
            "substr",
            "startswith",
            "endswith",
            "strcontains",
            "regex",
            "regexall",
            "indent",
            "chomp",
            "length",
            "concat",
            "merge",
            "keys",
            "values",
            "lookup",
            "contains",
            "distinct",
            "flatten",
            "range",
            "element",
            "index",
            "slice",
            "sort",
            "reverse",
            "zipmap",
            "coalesce",
            "compact",
            "setunion",
            "try",
            "can",
            "min",
            "max",
            "abs",
            "ceil",
            "floor",
            "parseint",
            "jsonencode",
            "jsondecode",
            "yamlencode",
            "yamldecode",
            "base64encode",
            "base64decode",
            "urlencode",
            "file",
            "fileexists",
            "templatefile",
            "filesha256",
            "sha256",
            "md5",
            "uuidv5",
            "cidrsubnet",
            "cidrhost",
            "cidrnetmask",
            "tostring",
            "tonumber",
            "tobool",
            "tolist",
            "toset",
            "tomap",
            "type",
            "env",
        ];
        for name in spec {
            assert!(lookup(name).is_some(), "{name} missing");
        }
        assert_eq!(FUNCTIONS.len(), spec.len());
    }

    #[test]
    fn every_listed_function_is_dispatched() {
        // Calling with the minimum number of null arguments must reach the implementation: it
        // may fail on the nulls, but never with "not implemented", and never panic.
        for spec in FUNCTIONS {
            let args = vec![null(); spec.min_args];
            if let Err(e) = call_fn(spec.name, &args) {
                assert!(!e.message.contains("not implemented"), "{}", spec.name);
            }
        }
    }

    #[test]
    fn signatures_name_their_function_and_summaries_are_sentences() {
        for spec in FUNCTIONS {
            assert!(
                spec.signature.starts_with(&format!("{}(", spec.name)),
                "{}",
                spec.name
            );
            assert!(spec.signature.ends_with(')'), "{}", spec.name);
            assert!(spec.summary.ends_with('.'), "{}", spec.name);
            if let Some(max) = spec.max_args {
                assert!(max >= spec.min_args, "{}", spec.name);
            }
        }
    }

    #[test]
    fn unknown_functions_suggest_a_name() {
        let e = call_fn("uper", &[s("x")]).unwrap_err();
        assert!(e.message.contains("no function named `uper`"));
        assert_eq!(e.help.as_deref(), Some("did you mean `upper`?"));
        assert!(call_fn("zzzzzzzz", &[]).unwrap_err().help.is_some());
    }

    #[test]
    fn wrong_arity_is_an_error_not_a_panic() {
        let e = call_fn("upper", &[]).unwrap_err();
        assert_eq!(e.message, "upper() takes 1 argument, but 0 were given");
        assert_eq!(e.help.as_deref(), Some("call it as `upper(string)`"));
        let e = call_fn("lookup", &[s("a")]).unwrap_err();
        assert!(
            e.message.contains("takes 2 to 3 arguments"),
            "{}",
            e.message
        );
        let e = call_fn("join", &[s("a")]).unwrap_err();
        assert!(e.message.contains("at least 2"), "{}", e.message);
        for spec in FUNCTIONS {
            if let Some(max) = spec.max_args {
                assert!(
                    call_fn(spec.name, &vec![s("x"); max + 1]).is_err(),
                    "{}",
                    spec.name
                );
            }
        }
    }

    #[test]
    fn try_and_can_are_left_to_the_evaluator() {
        assert!(lookup("try").is_some() && lookup("can").is_some());
        assert!(call_fn("try", &[s("x")]).is_err());
        assert!(call_fn("can", &[s("x")]).is_err());
    }

    #[test]
    fn results_take_the_call_span_and_unknowns_propagate() {
        let v = ok("upper", &[s("x")]);
        assert_eq!(v.span, Span::new(crate::source::FileId(0), 1, 2));
        let v = ok("element", &[strs(&["a"]), n(0.0)]);
        assert_eq!(v.span, Span::new(crate::source::FileId(0), 1, 2));
        let v = ok("length", &[tup(vec![Value::unknown(sp())])]);
        assert!(v.is_unknown());
    }

    #[test]
    fn param_names_come_from_signatures() {
        let spec = lookup("join").unwrap();
        let a = Args::new(spec, &[], sp());
        assert_eq!(a.param(0), "separator");
        assert_eq!(a.param(1), "lists");
        assert_eq!(a.param(5), "lists");
        let a = Args::new(lookup("range").unwrap(), &[], sp());
        assert_eq!(
            (a.param(0), a.param(1), a.param(2)),
            ("start", "limit", "step")
        );
        let a = Args::new(lookup("env").unwrap(), &[], sp());
        assert_eq!(a.param(1), "default");
    }

    #[test]
    fn argument_conversion() {
        let vals = [n(1.5), s("2"), b(true), s("x"), null(), tup(vec![])];
        let a = Args::new(lookup("format").unwrap(), &vals, sp());
        assert_eq!(a.str(0).unwrap(), "1.5");
        assert_eq!(a.str(2).unwrap(), "true");
        assert_eq!(a.num(1).unwrap(), 2.0);
        assert!(a
            .num(3)
            .unwrap_err()
            .message
            .contains("must be a number, found string \"x\""));
        assert!(a.int(0).unwrap_err().message.contains("whole number"));
        assert!(a.str(4).unwrap_err().message.contains("must not be null"));
        assert!(a.str(5).unwrap_err().message.contains("found tuple"));
        assert_eq!(a.str(5).unwrap_err().arg, Some(5));
        assert!(a.get(9).is_err());
        assert_eq!(to_int(f64::NAN), None);
        assert_eq!(to_int(f64::INFINITY), None);
        assert_eq!(to_int(1e300), None);
        assert_eq!(to_int(-3.0), Some(-3));
    }

    #[test]
    fn sensitive_arguments_are_not_quoted_in_messages() {
        let secret = s("hunter2").mark_sensitive(true);
        let e = call_fn("tonumber", std::slice::from_ref(&secret)).unwrap_err();
        assert!(!e.message.contains("hunter2"), "{}", e.message);
        let e = call_fn("lookup", &[obj(&[]), secret]).unwrap_err();
        assert!(!e.message.contains("hunter2"), "{}", e.message);
    }
}
