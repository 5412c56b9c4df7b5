//! String functions: `join`, `split`, `upper`, `substr`, `regex`, `replace` and friends.
//!
//! Lengths and offsets count grapheme clusters, as Terraform does, so that `substr("née", 1, 1)`
//! is `"é"` however the accent is encoded. Regular expressions use RE2 syntax (the `regex` crate
//! implements the same language as Go's `regexp`), which runs in linear time whatever the
//! pattern, so a user's pattern cannot hang a plan.

use super::{Args, FuncError};
use crate::value::{Map, Value, ValueKind};
use std::borrow::Cow;
use unicode_segmentation::UnicodeSegmentation;

/// The widest `indent` we accept; more is surely a mistake and would only make huge strings.
const MAX_INDENT: i64 = 1024;

fn bool_result(a: &Args, b: bool) -> Result<Value, FuncError> {
    Ok(Value::bool(b, a.span))
}

/// The string form of a list element for `join`, `sort` and `compact`: strings as they are,
/// numbers and bools converted; `None` for null and collections.
pub(super) fn element_string(v: &Value) -> Option<Cow<'_, str>> {
    match &v.kind {
        ValueKind::String(s) => Some(Cow::Borrowed(&**s)),
        ValueKind::Number(_) | ValueKind::Bool(_) => v.to_template_string().map(Cow::Owned),
        _ => None,
    }
}

pub(super) fn upper(a: &Args) -> Result<Value, FuncError> {
    // Go maps each character on its own (`ß` stays `ß`); characters whose upper case is several
    // characters are kept as they are, like Go's simple case mapping.
    let s = a.str(0)?;
    let out: String = s
        .chars()
        .map(|c| {
            let mut up = c.to_uppercase();
            match (up.next(), up.next()) {
                (Some(u), None) => u,
                _ => c,
            }
        })
        .collect();
    Ok(a.string(out))
}

pub(super) fn lower(a: &Args) -> Result<Value, FuncError> {
    // `İ` lower-cases to `i` plus a combining dot; Go's simple mapping gives just `i`.
    let s = a.str(0)?;
    let out: String = s
        .chars()
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .collect();
    Ok(a.string(out))
}

pub(super) fn title(a: &Args) -> Result<Value, FuncError> {
    // Go's strings.Title: a letter after a separator is upper-cased. ASCII letters, digits and
    // `_` are not separators, nor are other letters and digits; other ASCII and spaces are.
    fn is_separator(c: char) -> bool {
        if c.is_ascii() {
            return !(c.is_ascii_alphanumeric() || c == '_');
        }
        if c.is_alphabetic() || c.is_numeric() {
            return false;
        }
        c.is_whitespace()
    }
    let s = a.str(0)?;
    let mut out = String::with_capacity(s.len());
    let mut prev = ' ';
    for c in s.chars() {
        if is_separator(prev) {
            let mut up = c.to_uppercase();
            match (up.next(), up.next()) {
                (Some(u), None) => out.push(u),
                _ => out.push(c),
            }
        } else {
            out.push(c);
        }
        prev = c;
    }
    Ok(a.string(out))
}

pub(super) fn trimspace(a: &Args) -> Result<Value, FuncError> {
    Ok(a.string(a.str(0)?.trim()))
}

pub(super) fn trim(a: &Args) -> Result<Value, FuncError> {
    let s = a.str(0)?;
    let cutset = a.str(1)?;
    Ok(a.string(s.trim_matches(|c| cutset.contains(c))))
}

pub(super) fn trimprefix(a: &Args) -> Result<Value, FuncError> {
    let s = a.str(0)?;
    let prefix = a.str(1)?;
    Ok(a.string(s.strip_prefix(&*prefix).unwrap_or(&s)))
}

pub(super) fn trimsuffix(a: &Args) -> Result<Value, FuncError> {
    let s = a.str(0)?;
    let suffix = a.str(1)?;
    Ok(a.string(s.strip_suffix(&*suffix).unwrap_or(&s)))
}

pub(super) fn startswith(a: &Args) -> Result<Value, FuncError> {
    let s = a.str(0)?;
    bool_result(a, s.starts_with(&*a.str(1)?))
}

pub(super) fn endswith(a: &Args) -> Result<Value, FuncError> {
    let s = a.str(0)?;
    bool_result(a, s.ends_with(&*a.str(1)?))
}

pub(super) fn strcontains(a: &Args) -> Result<Value, FuncError> {
    let s = a.str(0)?;
    bool_result(a, s.contains(&*a.str(1)?))
}

pub(super) fn chomp(a: &Args) -> Result<Value, FuncError> {
    // Removes every trailing "\n", "\r\n" or "\r", like Terraform's `(?:\r\n?|\n)*\z`.
    let s = a.str(0)?;
    Ok(a.string(s.trim_end_matches(['\n', '\r'])))
}

pub(super) fn indent(a: &Args) -> Result<Value, FuncError> {
    let spaces = a.int(0)?;
    if spaces < 0 {
        return Err(a
            .err(
                0,
                format!("indent() cannot indent by a negative number of spaces ({spaces})"),
            )
            .with_help("give the number of spaces to add after each newline, 0 or more"));
    }
    if spaces > MAX_INDENT {
        return Err(a
            .err(
                0,
                format!("indent() accepts at most {MAX_INDENT} spaces, not {spaces}"),
            )
            .with_help("use a smaller indentation"));
    }
    let s = a.str(1)?;
    let pad = format!("\n{}", " ".repeat(spaces as usize));
    Ok(a.string(s.replace('\n', &pad)))
}

pub(super) fn join(a: &Args) -> Result<Value, FuncError> {
    let sep = a.str(0)?;
    let mut parts: Vec<Cow<str>> = Vec::new();
    for i in 1..a.len() {
        let list = a.seq(i)?;
        for (ei, item) in list.iter().enumerate() {
            match element_string(item) {
                Some(s) => parts.push(s),
                None if item.is_null() => {
                    return Err(a
                        .err(
                            i,
                            format!("join(): element {ei} is null; cannot join null values"),
                        )
                        .with_help("remove nulls first, with compact(list)"))
                }
                None => {
                    return Err(a
                        .err(
                            i,
                            format!(
                                "join(): element {ei} is {}; only strings, numbers and bools \
                                 can be joined",
                                a.describe(item)
                            ),
                        )
                        .with_help("flatten nested lists first, with flatten(list)"))
                }
            }
        }
    }
    Ok(a.string(parts.join(&sep)))
}

pub(super) fn split(a: &Args) -> Result<Value, FuncError> {
    let sep = a.str(0)?;
    let s = a.str(1)?;
    let parts: Vec<Value> = if sep.is_empty() {
        // Go splits into characters when the separator is empty.
        s.chars().map(|c| a.string(c.to_string())).collect()
    } else {
        s.split(&*sep).map(|p| a.string(p)).collect()
    };
    Ok(Value::list(parts, a.span))
}

pub(super) fn substr(a: &Args) -> Result<Value, FuncError> {
    let s = a.str(0)?;
    let offset = a.int(1)?;
    let length = a.int(2)?;
    let bounds: Vec<usize> = s
        .grapheme_indices(true)
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()))
        .collect();
    let total = (bounds.len() - 1) as i64;
    // A negative offset counts from the end; one before the start clamps to the start.
    let start = if offset < 0 { offset + total } else { offset }.clamp(0, total);
    let end = if length < 0 {
        total
    } else {
        start.saturating_add(length).min(total)
    };
    let byte = |g: i64| bounds.get(g as usize).copied().unwrap_or(s.len());
    Ok(a.string(s.get(byte(start)..byte(end)).unwrap_or("")))
}

pub(super) fn replace(a: &Args) -> Result<Value, FuncError> {
    let s = a.str(0)?;
    let search = a.str(1)?;
    let with = a.str(2)?;
    if search.len() > 1 && search.starts_with('/') && search.ends_with('/') {
        let pattern = &search[1..search.len() - 1];
        let re = compile(a, 1, pattern)?;
        return Ok(a.string(re.replace_all(&s, &*with).into_owned()));
    }
    Ok(a.string(s.replace(&*search, &with)))
}

fn compile(a: &Args, i: usize, pattern: &str) -> Result<regex::Regex, FuncError> {
    regex::Regex::new(pattern).map_err(|e| {
        let detail = match e {
            regex::Error::Syntax(s) => s.lines().last().unwrap_or("").trim().to_string(),
            regex::Error::CompiledTooBig(_) => "the pattern is too large".into(),
            _ => e.to_string(),
        };
        a.err(
            i,
            format!("{}: invalid regular expression: {detail}", a.fname()),
        )
        .with_help("patterns use RE2 syntax; escape special characters with a backslash")
    })
}

/// What one match of a pattern produces: the match for patterns without captures, a tuple of
/// captures, or an object of named captures (null where a group did not take part).
enum Shape {
    Whole,
    Unnamed,
    Named(Vec<Option<String>>),
}

fn shape(a: &Args, re: &regex::Regex) -> Result<Shape, FuncError> {
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    let named = names.iter().filter(|n| n.is_some()).count();
    Ok(if names.is_empty() {
        Shape::Whole
    } else if named == 0 {
        Shape::Unnamed
    } else if named == names.len() {
        Shape::Named(names.iter().map(|n| n.map(str::to_string)).collect())
    } else {
        return Err(a
            .err(0, format!("{}: the pattern mixes named and unnamed capture groups", a.fname()))
            .with_help("name every group, `(?P<name>…)`, or none; use `(?:…)` for a group that captures nothing"));
    })
}

fn match_value(a: &Args, shape: &Shape, caps: &regex::Captures) -> Value {
    let group = |i: usize| match caps.get(i) {
        Some(m) => a.string(m.as_str()),
        None => Value::null(a.span),
    };
    match shape {
        Shape::Whole => group(0),
        Shape::Unnamed => Value::tuple((1..caps.len()).map(group).collect(), a.span),
        Shape::Named(names) => {
            let mut m = Map::new();
            for (i, name) in names.iter().enumerate() {
                if let Some(name) = name {
                    m.insert(name.clone(), group(i + 1));
                }
            }
            Value::object(m, a.span)
        }
    }
}

pub(super) fn regex(a: &Args) -> Result<Value, FuncError> {
    let pattern = a.str(0)?;
    let s = a.str(1)?;
    let re = compile(a, 0, &pattern)?;
    let shape = shape(a, &re)?;
    match re.captures(&s) {
        Some(caps) => Ok(match_value(a, &shape, &caps)),
        None => Err(a
            .err(1, "regex(): the pattern did not match any part of the string")
            .with_help("to test for a match, use `length(regexall(pattern, string)) > 0` or `can(regex(pattern, string))`")),
    }
}

pub(super) fn regexall(a: &Args) -> Result<Value, FuncError> {
    let pattern = a.str(0)?;
    let s = a.str(1)?;
    let re = compile(a, 0, &pattern)?;
    let shape = shape(a, &re)?;
    let items = re
        .captures_iter(&s)
        .map(|caps| match_value(a, &shape, &caps))
        .collect();
    Ok(Value::list(items, a.span))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    fn st(name: &str, args: &[crate::value::Value]) -> String {
        ok(name, args)
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| panic!("{name}: not a string"))
    }

    #[test]
    fn case_functions() {
        assert_eq!(st("upper", &[s("hello, wörld")]), "HELLO, WÖRLD");
        assert_eq!(st("upper", &[s("straße")]), "STRAßE");
        assert_eq!(st("upper", &[n(1.0)]), "1");
        assert_eq!(st("lower", &[s("HELLO İ")]), "hello i");
        assert_eq!(
            st("title", &[s("hello world-wide_web été")]),
            "Hello World-Wide_web Été"
        );
        assert_eq!(st("title", &[s("")]), "");
        fails("upper", &[null()], "must not be null");
        fails("lower", &[tup(vec![])], "must be a string, found tuple");
    }

    #[test]
    fn trimming() {
        assert_eq!(st("trimspace", &[s(" \t\n hi \u{a0}\n")]), "hi");
        assert_eq!(st("trim", &[s("?!hello?!"), s("!?")]), "hello");
        assert_eq!(st("trim", &[s("xx"), s("x")]), "");
        assert_eq!(st("trimprefix", &[s("helloworld"), s("hello")]), "world");
        assert_eq!(st("trimprefix", &[s("hellohello"), s("hello")]), "hello");
        assert_eq!(st("trimprefix", &[s("world"), s("hello")]), "world");
        assert_eq!(st("trimsuffix", &[s("helloworld"), s("world")]), "hello");
        assert_eq!(st("trimsuffix", &[s("hello"), s("x")]), "hello");
        assert_eq!(st("chomp", &[s("hello\r\n\n\r")]), "hello");
        assert_eq!(st("chomp", &[s("a\nb")]), "a\nb");
        fails("trim", &[s("x"), obj(&[])], "must be a string");
        fails("chomp", &[null()], "must not be null");
    }

    #[test]
    fn predicates() {
        let t = |name, x: &str, y: &str| ok(name, &[s(x), s(y)]).as_bool().unwrap();
        assert!(t("startswith", "hello world", "hello"));
        assert!(!t("startswith", "hello world", "world"));
        assert!(t("endswith", "hello world", "world"));
        assert!(!t("endswith", "hello world", "hello"));
        assert!(t("strcontains", "hello world", "o w"));
        assert!(!t("strcontains", "hello world", "x"));
        assert!(t("startswith", "x", ""));
        fails("strcontains", &[s("x"), null()], "must not be null");
    }

    #[test]
    fn indent_adds_spaces_after_newlines() {
        assert_eq!(st("indent", &[n(2.0), s("a\nb\n")]), "a\n  b\n  ");
        assert_eq!(st("indent", &[s("1"), s("a")]), "a");
        fails("indent", &[n(-1.0), s("a")], "negative");
        fails("indent", &[n(1.5), s("a")], "whole number");
        fails("indent", &[n(1e9), s("a")], "at most");
    }

    #[test]
    fn join_and_split() {
        assert_eq!(st("join", &[s(", "), strs(&["a", "b", "c"])]), "a, b, c");
        assert_eq!(
            st("join", &[s("-"), strs(&["a"]), tup(vec![n(1.0), b(true)])]),
            "a-1-true"
        );
        assert_eq!(st("join", &[s(","), tup(vec![])]), "");
        assert_eq!(st("join", &[s(","), set(vec![s("b"), s("a")])]), "a,b");
        let e = fails(
            "join",
            &[s(","), strs(&["a"]), tup(vec![null()])],
            "element 0 is null",
        );
        assert_eq!(e.arg, Some(2));
        fails("join", &[s(","), tup(vec![strs(&["a"])])], "only strings");
        fails("join", &[s(","), s("a")], "must be a list, tuple or set");

        assert_eq!(
            ok("split", &[s(","), s("a,b,,c")]),
            list(vec![s("a"), s("b"), s(""), s("c")])
        );
        assert_eq!(ok("split", &[s(","), s("")]), list(vec![s("")]));
        assert_eq!(ok("split", &[s(""), s("ab")]), list(vec![s("a"), s("b")]));
        assert_eq!(ok("split", &[s(","), s("abc")]), list(vec![s("abc")]));
        fails("split", &[null(), s("a")], "must not be null");
    }

    #[test]
    fn substr_counts_graphemes() {
        let cases: &[(&str, f64, f64, &str)] = &[
            ("hello world", 1.0, 4.0, "ello"),
            ("hello world", -5.0, 3.0, "wor"),
            ("hello world", -5.0, -1.0, "world"),
            ("hello world", 6.0, -1.0, "world"),
            ("hello", 0.0, 100.0, "hello"),
            ("hello", 10.0, 2.0, ""),
            ("hello", 5.0, 2.0, ""),
            ("hello", -10.0, 2.0, "he"),
            ("hello", 1.0, 0.0, ""),
            ("🤔🤷", 0.0, 1.0, "🤔"),
            ("noe\u{301}l", 2.0, 1.0, "e\u{301}"),
            ("", 0.0, 1.0, ""),
            ("", -1.0, -1.0, ""),
        ];
        for (text, off, len, want) in cases {
            assert_eq!(
                st("substr", &[s(text), n(*off), n(*len)]),
                *want,
                "{text} {off} {len}"
            );
        }
        fails("substr", &[s("x"), n(0.5), n(1.0)], "whole number");
        fails(
            "substr",
            &[s("x"), n(0.0), n(f64::INFINITY)],
            "whole number",
        );
        fails("substr", &[s("x"), n(1e300), n(1.0)], "whole number");
        // Extremes within range never panic.
        assert_eq!(st("substr", &[s("abc"), n(9e15), n(9e15)]), "");
        assert_eq!(st("substr", &[s("abc"), n(-9e15), n(9e15)]), "abc");
    }

    #[test]
    fn replace_plain_and_regex() {
        assert_eq!(
            st("replace", &[s("1 + 2 + 3"), s("+"), s("-")]),
            "1 - 2 - 3"
        );
        assert_eq!(
            st("replace", &[s("hello world"), s("/w.*d/"), s("everybody")]),
            "hello everybody"
        );
        assert_eq!(
            st("replace", &[s("a-1 b-2"), s("/([a-z])-(\\d)/"), s("$2$1")]),
            "1a 2b"
        );
        assert_eq!(
            st(
                "replace",
                &[s("a-1"), s("/(?P<l>[a-z])-(?P<d>\\d)/"), s("${d}_${l}")]
            ),
            "1_a"
        );
        assert_eq!(st("replace", &[s("/"), s("/"), s("x")]), "x");
        assert_eq!(st("replace", &[s("abc"), s(""), s("-")]), "-a-b-c-");
        let e = fails(
            "replace",
            &[s("x"), s("/(/"), s("y")],
            "invalid regular expression",
        );
        assert_eq!(e.arg, Some(1));
        assert!(e.help.is_some());
    }

    #[test]
    fn regex_shapes() {
        assert_eq!(
            ok("regex", &[s("[a-z]+"), s("53453453.345345aaabbbccc23454")]),
            s("aaabbbccc")
        );
        assert_eq!(
            ok(
                "regex",
                &[s("(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)"), s("2019-02-01")]
            ),
            strs(&["2019", "02", "01"])
        );
        assert_eq!(
            ok(
                "regex",
                &[
                    s("^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?"),
                    s("https://terraform.io/docs/")
                ]
            ),
            obj(&[("authority", s("terraform.io")), ("scheme", s("https"))])
        );
        assert_eq!(
            ok("regex", &[s("(a)|(b)"), s("b")]),
            tup(vec![null(), s("b")])
        );
        let e = fails("regex", &[s("[a-z]+"), s("123")], "did not match");
        assert!(e.help.is_some());
        fails(
            "regex",
            &[s("(?P<a>x)(y)"), s("xy")],
            "mixes named and unnamed",
        );
        fails("regex", &[s("[a-"), s("x")], "invalid regular expression");
    }

    #[test]
    fn regexall_lists_every_match() {
        assert_eq!(
            ok("regexall", &[s("[a-z]+"), s("1234abcd5678efgh9")]),
            list(vec![s("abcd"), s("efgh")])
        );
        assert_eq!(ok("regexall", &[s("[a-z]+"), s("123")]), list(vec![]));
        assert_eq!(
            ok("regexall", &[s("(\\w)=(\\d)"), s("a=1 b=2")]),
            list(vec![strs(&["a", "1"]), strs(&["b", "2"])])
        );
        fails("regexall", &[s("("), s("x")], "invalid regular expression");
    }
}
