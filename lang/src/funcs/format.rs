//! `format` and `formatlist`: printf-style formatting with Terraform's verbs.
//!
//! A verb is `%` followed by flags (`+ - # 0` and space), a width, a precision (`.2`), an
//! explicit argument index (`[2]`) and a letter:
//!
//! | verb | meaning |
//! | --- | --- |
//! | `%%` | a literal percent sign |
//! | `%v` | strings as `%s`, numbers as `%g`, anything else as JSON |
//! | `%#v` | JSON |
//! | `%t` | a bool |
//! | `%b %d %o %x %X` | a whole number in base 2, 10, 8, 16 |
//! | `%e %E %f %g %G` | a number in scientific, decimal or shortest notation |
//! | `%s` | a string (numbers and bools convert) |
//! | `%q` | a string, JSON-quoted |
//!
//! The output matches Go's `fmt` (which Terraform uses) digit for digit, including `%g`'s switch
//! to exponent notation at 1e+06. Widths and precisions count grapheme clusters for strings.
//! Every argument must be used: an extra argument is an error, because it is usually a mistake
//! in the format string.

use super::{Args, FuncError};
use crate::types::{self, Type};
use crate::value::{Value, ValueKind};
use unicode_segmentation::UnicodeSegmentation;

/// The largest width or precision accepted. Real formats use a few columns; this bound keeps a
/// typo like `%99999999d` from allocating gigabytes.
const MAX_WIDTH: usize = 10_000;

/// An error from formatting: its message and, when an argument is at fault, its index among the
/// values (not counting the format string).
pub(super) struct FormatError {
    pub message: String,
    pub value: Option<usize>,
}

fn ferr(message: String) -> FormatError {
    FormatError {
        message,
        value: None,
    }
}

#[derive(Default)]
struct Verb<'s> {
    raw: &'s str,
    offset: usize,
    arg: usize,
    mode: char,
    zero: bool,
    sharp: bool,
    plus: bool,
    minus: bool,
    space: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// Formats `values` according to `spec`.
pub(super) fn format_values(
    spec: &str,
    values: &[Value],
    redact: bool,
) -> Result<String, FormatError> {
    let mut out = String::with_capacity(spec.len());
    let bytes = spec.as_bytes();
    let mut next_arg = 1usize;
    let mut highest = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        let Some(pct) = spec[i..].find('%') else {
            out.push_str(&spec[i..]);
            break;
        };
        out.push_str(&spec[i..i + pct]);
        let start = i + pct;
        i = start + 1;
        if bytes.get(i) == Some(&b'%') {
            out.push('%');
            i += 1;
            continue;
        }
        let mut verb = Verb {
            offset: start,
            arg: next_arg,
            ..Verb::default()
        };
        // Flags.
        while let Some(&c) = bytes.get(i) {
            match c {
                b'0' => verb.zero = true,
                b'#' => verb.sharp = true,
                b'-' => verb.minus = true,
                b'+' => verb.plus = true,
                b' ' => verb.space = true,
                _ => break,
            }
            i += 1;
        }
        // Width: a number without a leading zero (a leading zero is the flag).
        if matches!(bytes.get(i), Some(b'1'..=b'9')) {
            verb.width = Some(read_number(bytes, &mut i, start)?);
        }
        // Precision: a period and digits (none means zero).
        if bytes.get(i) == Some(&b'.') {
            i += 1;
            verb.prec = Some(if bytes.get(i).is_some_and(u8::is_ascii_digit) {
                read_number(bytes, &mut i, start)?
            } else {
                0
            });
        }
        // Explicit argument index.
        if bytes.get(i) == Some(&b'[') {
            i += 1;
            if !matches!(bytes.get(i), Some(b'1'..=b'9')) {
                return Err(bad_char(spec, i));
            }
            verb.arg = read_number(bytes, &mut i, start)?;
            if bytes.get(i) != Some(&b']') {
                return Err(bad_char(spec, i));
            }
            i += 1;
        }
        match bytes.get(i) {
            Some(c) if c.is_ascii_alphabetic() => {
                verb.mode = *c as char;
                i += 1;
            }
            Some(_) => return Err(bad_char(spec, i)),
            None => {
                return Err(ferr(format!(
                    "the format verb starting at offset {start} is incomplete"
                )))
            }
        }
        verb.raw = &spec[start..i];
        highest = highest.max(verb.arg);
        append(&verb, &mut out, values, redact)?;
        next_arg = verb.arg + 1;
    }
    if highest < values.len() {
        let message = if highest == 0 {
            "too many arguments; the format string has no verbs".to_string()
        } else {
            format!("too many arguments; only {highest} used by the format string")
        };
        return Err(FormatError {
            message,
            value: Some(highest),
        });
    }
    Ok(out)
}

fn read_number(bytes: &[u8], i: &mut usize, start: usize) -> Result<usize, FormatError> {
    let mut n = 0usize;
    while let Some(c) = bytes.get(*i).filter(|c| c.is_ascii_digit()) {
        n = n * 10 + usize::from(c - b'0');
        if n > MAX_WIDTH {
            return Err(ferr(format!(
                "the format verb at offset {start} has a width, precision or index over {MAX_WIDTH}"
            )));
        }
        *i += 1;
    }
    Ok(n)
}

fn bad_char(spec: &str, i: usize) -> FormatError {
    let c = spec.get(i..).and_then(|r| r.chars().next());
    match c {
        Some(c) => ferr(format!("unrecognized format character {c:?} at offset {i}")),
        None => ferr(format!(
            "the format verb ending at offset {i} is incomplete"
        )),
    }
}

fn append(
    verb: &Verb,
    out: &mut String,
    values: &[Value],
    redact: bool,
) -> Result<(), FormatError> {
    let Some(arg) = values.get(verb.arg - 1) else {
        return Err(ferr(format!(
            "not enough arguments for {:?} at offset {}: it needs argument {} but {} {} given",
            verb.raw,
            verb.offset,
            verb.arg,
            values.len(),
            if values.len() == 1 { "was" } else { "were" }
        )));
    };
    let arg_err = |what: String| FormatError {
        message: format!(
            "unsupported value for {:?} at offset {}: {what}",
            verb.raw, verb.offset
        ),
        value: Some(verb.arg - 1),
    };
    // Conversion errors quote the value unless it is sensitive; mark it so when any argument is.
    let marked;
    let arg = if redact && !arg.sensitive {
        marked = arg.clone().mark_sensitive(true);
        &marked
    } else {
        arg
    };
    if verb.mode != 'v' && arg.is_null() {
        return Err(arg_err("a null value cannot be formatted".into()));
    }
    match verb.mode {
        'v' => {
            if !verb.sharp {
                match &arg.kind {
                    ValueKind::String(s) => {
                        out.push_str(&pad(verb, s));
                        return Ok(());
                    }
                    ValueKind::Number(n) => {
                        out.push_str(&pad(verb, &go_float(*n, 'g', None)));
                        return Ok(());
                    }
                    _ => {}
                }
            }
            let json = super::encoding::json_text(arg).map_err(arg_err)?;
            out.push_str(&pad(verb, &json));
        }
        't' => {
            let v = types::convert(arg, &Type::Bool).map_err(arg_err)?;
            out.push_str(if v.as_bool() == Some(true) {
                "true"
            } else {
                "false"
            });
        }
        'b' | 'd' | 'o' | 'x' | 'X' | 'e' | 'E' | 'f' | 'g' | 'G' => {
            let v = types::convert(arg, &Type::Number).map_err(arg_err)?;
            let n = v.as_number().unwrap_or(0.0);
            if matches!(verb.mode, 'e' | 'E' | 'f' | 'g' | 'G') {
                out.push_str(&float_verb(verb, n));
            } else {
                out.push_str(&integer_verb(verb, n).map_err(arg_err)?);
            }
        }
        's' | 'q' => {
            let v = types::convert(arg, &Type::String).map_err(arg_err)?;
            let mut s = v.as_str().unwrap_or("");
            if let Some(p) = verb.prec.filter(|p| *p > 0) {
                if let Some((end, _)) = s.grapheme_indices(true).nth(p) {
                    s = &s[..end];
                }
            }
            if verb.mode == 's' {
                out.push_str(&pad(verb, s));
            } else {
                out.push_str(&pad(verb, &super::encoding::json_string(s)));
            }
        }
        other => {
            return Err(ferr(format!(
                "unsupported format verb {other:?} in {:?} at offset {}",
                verb.raw, verb.offset
            )))
        }
    }
    Ok(())
}

/// Pads to the width, counted in grapheme clusters: with zeros for `0`, on the right for `-`.
fn pad(verb: &Verb, s: &str) -> String {
    let Some(width) = verb.width else {
        return s.to_string();
    };
    let len = s.graphemes(true).count();
    if len >= width {
        return s.to_string();
    }
    let fill = if verb.zero { "0" } else { " " }.repeat(width - len);
    if verb.minus {
        format!("{s}{fill}")
    } else {
        format!("{fill}{s}")
    }
}

/// `%b %d %o %x %X`, laid out like Go's `big.Int` formatting: [spaces][sign][prefix][zeros]
/// digits[spaces].
fn integer_verb(verb: &Verb, n: f64) -> Result<String, String> {
    if !n.is_finite() || n.fract() != 0.0 {
        return Err("a whole number is required".into());
    }
    let neg = n < 0.0;
    let mag = n.abs();
    let digits = if verb.mode == 'd' {
        format!("{mag:.0}")
    } else if mag < 2f64.powi(127) {
        let m = mag as u128;
        match verb.mode {
            'b' => format!("{m:b}"),
            'o' => format!("{m:o}"),
            'x' => format!("{m:x}"),
            _ => format!("{m:X}"),
        }
    } else {
        return Err(format!("the number is too large for %{}", verb.mode));
    };
    let sign = if neg {
        "-"
    } else if verb.plus {
        "+"
    } else if verb.space {
        " "
    } else {
        ""
    };
    let prefix = match (verb.sharp, verb.mode) {
        (true, 'b') => "0b",
        (true, 'o') => "0",
        (true, 'x') => "0x",
        (true, 'X') => "0X",
        _ => "",
    };
    let mut zeros = 0;
    let mut digits = digits.as_str();
    if let Some(p) = verb.prec {
        if digits.len() < p {
            zeros = p - digits.len();
        } else if digits == "0" && p == 0 {
            digits = "";
        }
    }
    let (mut left, mut right) = (0, 0);
    let len = sign.len() + prefix.len() + zeros + digits.len();
    if let Some(w) = verb.width.filter(|w| *w > len) {
        let d = w - len;
        if verb.minus {
            right = d;
        } else if verb.zero && verb.prec.is_none() {
            zeros = d;
        } else {
            left = d;
        }
    }
    Ok(format!(
        "{}{sign}{prefix}{}{digits}{}",
        " ".repeat(left),
        "0".repeat(zeros),
        " ".repeat(right)
    ))
}

/// `%e %E %f %g %G`, laid out like Go's `big.Float` formatting.
fn float_verb(verb: &Verb, n: f64) -> String {
    let body = go_float(n.abs(), verb.mode, verb.prec);
    let sign = if n.is_sign_negative() && n != 0.0 && !n.is_nan() {
        "-"
    } else if n == f64::INFINITY {
        if verb.space {
            " "
        } else {
            "+"
        }
    } else if verb.plus {
        "+"
    } else if verb.space {
        " "
    } else {
        ""
    };
    let len = sign.len() + body.len();
    let padding = verb.width.map_or(0, |w| w.saturating_sub(len));
    if verb.zero && n.is_finite() {
        format!("{sign}{}{body}", "0".repeat(padding))
    } else if verb.minus {
        format!("{sign}{body}{}", " ".repeat(padding))
    } else {
        format!("{}{sign}{body}", " ".repeat(padding))
    }
}

/// Decimal digits of `x` (≥ 0) without trailing zeros, and the exponent `e` such that
/// x = 0.d1d2d3… × 10^e. `digits` = `None` gives the shortest digits that read back as `x`,
/// `Some(k)` rounds to k significant digits. Zero has no digits and exponent 0.
fn decimal(x: f64, digits: Option<usize>) -> (String, i32) {
    let text = match digits {
        None => format!("{x:e}"),
        Some(k) => format!("{x:.*e}", k.saturating_sub(1)),
    };
    let (mant, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0').to_string();
    if digits.is_empty() {
        return (String::new(), 0);
    }
    (digits, exp + 1)
}

/// Go's `%e` body: d.ddde±dd with `prec` digits after the point.
fn fmt_e(mant: &str, exp: i32, prec: usize, upper: bool) -> String {
    let mut out = String::new();
    out.push(mant.chars().next().unwrap_or('0'));
    if prec > 0 {
        out.push('.');
        let more: String = mant.chars().skip(1).take(prec).collect();
        let n = more.len();
        out.push_str(&more);
        out.push_str(&"0".repeat(prec - n));
    }
    out.push(if upper { 'E' } else { 'e' });
    let e = if mant.is_empty() { 0 } else { exp - 1 };
    out.push(if e < 0 { '-' } else { '+' });
    out.push_str(&format!("{:02}", e.unsigned_abs()));
    out
}

/// Go's `%f` body from decimal digits: the integer part, then `prec` digits of fraction.
fn fmt_f(mant: &str, exp: i32, prec: usize) -> String {
    let digit = |i: i32| -> char {
        if i >= 0 {
            mant.chars().nth(i as usize).unwrap_or('0')
        } else {
            '0'
        }
    };
    let mut out = String::new();
    if exp > 0 {
        for i in 0..exp {
            out.push(digit(i));
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 0..prec as i32 {
            out.push(digit(exp + i));
        }
    }
    out
}

/// A non-negative number (or infinity/NaN) in Go's `%e`, `%f` or `%g` notation, without sign.
pub(super) fn go_float(x: f64, mode: char, prec: Option<usize>) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Inf" } else { "-Inf" }.into();
    }
    let neg = x < 0.0;
    let x = x.abs();
    let body = match mode {
        'e' | 'E' => {
            let p = prec.unwrap_or(6);
            let (mant, exp) = decimal(x, Some(p + 1));
            fmt_e(&mant, exp, p, mode == 'E')
        }
        'f' => format!("{x:.*}", prec.unwrap_or(6)),
        _ => {
            // %g: %e for large and small exponents, %f otherwise, trailing zeros dropped.
            let shortest = prec.is_none();
            let (mant, exp, p) = match prec {
                None => {
                    let (m, e) = decimal(x, None);
                    let p = m.len();
                    (m, e, p)
                }
                Some(p) => {
                    let p = p.max(1);
                    let (m, e) = decimal(x, Some(p));
                    (m, e, p)
                }
            };
            let mut eprec = p as i32;
            if eprec > mant.len() as i32 && mant.len() as i32 >= exp {
                eprec = mant.len() as i32;
            }
            if shortest {
                eprec = 6;
            }
            let e = exp - 1;
            if e < -4 || e >= eprec {
                let p = p.min(mant.len());
                fmt_e(&mant, exp, p.saturating_sub(1), mode == 'G')
            } else {
                let p = if p as i32 > exp {
                    mant.len() as i32
                } else {
                    p as i32
                };
                fmt_f(&mant, exp, (p - exp).max(0) as usize)
            }
        }
    };
    if neg {
        format!("-{body}")
    } else {
        body
    }
}

fn to_func_error(a: &Args, e: FormatError) -> FuncError {
    let arg = e.value.map(|v| v + 1);
    let mut err = match arg {
        Some(i) if i < a.len() => FuncError::arg(i, e.message),
        _ => FuncError::arg(0, e.message),
    };
    err = err.with_help(
        "verbs are %s %d %f %.2f %q %v %t %x %e %g and %% for a percent sign; give one argument \
         per verb",
    );
    err
}

pub(super) fn format(a: &Args) -> Result<Value, FuncError> {
    let spec = a.str(0)?;
    let values = a.values.get(1..).unwrap_or(&[]);
    let out = format_values(&spec, values, a.redact).map_err(|e| to_func_error(a, e))?;
    Ok(a.string(out))
}

pub(super) fn formatlist(a: &Args) -> Result<Value, FuncError> {
    let spec = a.str(0)?;
    let values = a.values.get(1..).unwrap_or(&[]);
    // Sequences are iterated together; everything else is repeated for every iteration.
    let mut len: Option<(usize, usize)> = None;
    for (i, v) in values.iter().enumerate() {
        if let Some(items) = v.as_seq() {
            match len {
                None => len = Some((items.len(), i)),
                Some((l, first)) if l != items.len() => {
                    return Err(a
                        .err(
                            i + 1,
                            format!(
                                "formatlist(): argument {} has length {}, which is inconsistent \
                                 with argument {} of length {l}",
                                i + 2,
                                items.len(),
                                first + 2
                            ),
                        )
                        .with_help("every list argument must have the same length"));
                }
                Some(_) => {}
            }
        }
    }
    let count = len.map_or(1, |(l, _)| l);
    let mut out = Vec::with_capacity(count);
    for iteration in 0..count {
        let row: Vec<Value> = values
            .iter()
            .map(|v| match v.as_seq() {
                Some(items) => items
                    .get(iteration)
                    .cloned()
                    .unwrap_or_else(|| Value::null(a.span)),
                None => v.clone(),
            })
            .collect();
        let text = format_values(&spec, &row, a.redact).map_err(|e| {
            let message = if len.is_some() {
                format!("error on format iteration {iteration}: {}", e.message)
            } else {
                e.message
            };
            to_func_error(
                a,
                FormatError {
                    message,
                    value: e.value,
                },
            )
        })?;
        out.push(a.string(text));
    }
    Ok(Value::list(out, a.span))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn fmt(spec: &str, args: &[Value]) -> String {
        format_values(spec, args, false).unwrap_or_else(|e| panic!("{spec}: {}", e.message))
    }
    fn fmt_err(spec: &str, args: &[Value]) -> String {
        match format_values(spec, args, false) {
            Ok(s) => panic!("{spec} gave {s:?}"),
            Err(e) => e.message,
        }
    }

    #[test]
    fn strings_and_defaults() {
        assert_eq!(fmt("Hello, %s!", &[s("Ander")]), "Hello, Ander!");
        assert_eq!(fmt("no verbs", &[]), "no verbs");
        assert_eq!(fmt("100%%", &[]), "100%");
        assert_eq!(fmt("%s %s", &[n(1.5), b(true)]), "1.5 true");
        assert_eq!(fmt("%v|%v|%v", &[s("a"), n(42.0), b(false)]), "a|42|false");
        assert_eq!(fmt("%v", &[n(1234567.0)]), "1.234567e+06");
        assert_eq!(fmt("%v", &[n(0.0001)]), "0.0001");
        assert_eq!(
            fmt("%v", &[strs(&["a", "<b>"])]),
            "[\"a\",\"\\u003cb\\u003e\"]"
        );
        assert_eq!(fmt("%#v", &[s("a")]), "\"a\"");
        assert_eq!(fmt("%v", &[null()]), "null");
        assert_eq!(fmt("%q", &[s("a\"b\n")]), "\"a\\\"b\\n\"");
        assert_eq!(fmt("%q", &[n(1.0)]), "\"1\"");
        assert_eq!(fmt("%t", &[s("true")]), "true");
        assert_eq!(
            fmt("%5s|%-5s|%.2s|%05s", &[s("ab"), s("ab"), s("abc"), s("7")]),
            "   ab|ab   |ab|00007"
        );
        assert_eq!(fmt("%3s", &[s("🤔")]), "  🤔");
        assert_eq!(fmt("%[2]s %[1]s %s", &[s("a"), s("b")]), "b a b");
    }

    #[test]
    fn integers() {
        assert_eq!(fmt("%d", &[n(42.0)]), "42");
        assert_eq!(fmt("%d", &[s("42")]), "42");
        assert_eq!(
            fmt("%5d|%-5d|%05d", &[n(42.0), n(42.0), n(-42.0)]),
            "   42|42   |-0042"
        );
        assert_eq!(fmt("%+d % d %.3d", &[n(5.0), n(5.0), n(5.0)]), "+5  5 005");
        assert_eq!(
            fmt("%b %o %x %X", &[n(5.0), n(8.0), n(255.0), n(255.0)]),
            "101 10 ff FF"
        );
        assert_eq!(
            fmt("%#b %#o %#x %#X", &[n(5.0), n(8.0), n(255.0), n(255.0)]),
            "0b101 010 0xff 0XFF"
        );
        assert_eq!(fmt("%.0d|", &[n(0.0)]), "|");
        assert_eq!(fmt("%d", &[n(1e21)]), "1000000000000000000000");
        assert!(fmt_err("%d", &[n(1.5)]).contains("whole number"));
        assert!(fmt_err("%d", &[s("x")]).contains("a number is required"));
        assert!(fmt_err("%x", &[n(1e300)]).contains("too large"));
    }

    #[test]
    fn floats_match_go() {
        let cases: &[(&str, f64, &str)] = &[
            ("%f", 1.23456, "1.234560"),
            ("%.2f", 1.23456, "1.23"),
            ("%.0f", 2.5, "2"),
            ("%8.3f", -1.23456, "  -1.235"),
            ("%-8.1f|", 3.0, "3.0     |"),
            ("%08.2f", -1.23456, "-0001.23"),
            ("%+.1f", 3.0, "+3.0"),
            ("%e", 1234.5678, "1.234568e+03"),
            ("%.2E", 0.000123, "1.23E-04"),
            ("%e", 0.0, "0.000000e+00"),
            ("%g", 100000.0, "100000"),
            ("%g", 1000000.0, "1e+06"),
            ("%g", 0.00001, "1e-05"),
            ("%g", 123.456, "123.456"),
            ("%.3g", 123.456, "123"),
            ("%.2g", 123.456, "1.2e+02"),
            ("%.10g", 1.5, "1.5"),
            ("%G", 1e-7, "1E-07"),
            ("%g", 0.0, "0"),
            ("%f", 1e20, "100000000000000000000.000000"),
        ];
        for (spec, x, want) in cases {
            assert_eq!(fmt(spec, &[n(*x)]), *want, "{spec} {x}");
        }
        assert_eq!(
            float_verb(
                &Verb {
                    mode: 'f',
                    ..Verb::default()
                },
                f64::INFINITY
            ),
            "+Inf"
        );
        assert_eq!(
            float_verb(
                &Verb {
                    mode: 'g',
                    ..Verb::default()
                },
                f64::NEG_INFINITY
            ),
            "-Inf"
        );
        assert_eq!(
            float_verb(
                &Verb {
                    mode: 'g',
                    ..Verb::default()
                },
                f64::NAN
            ),
            "NaN"
        );
    }

    #[test]
    fn errors() {
        assert!(fmt_err("%s %s", &[s("a")]).contains("not enough arguments for \"%s\" at offset 3"));
        assert!(fmt_err("%s", &[s("a"), s("b")]).contains("only 1 used"));
        assert!(fmt_err("hello", &[s("a")]).contains("no verbs"));
        assert!(fmt_err("%y", &[s("a")]).contains("unsupported format verb 'y'"));
        assert!(fmt_err("%", &[]).contains("incomplete"));
        assert!(fmt_err("%5", &[n(1.0)]).contains("incomplete"));
        assert!(fmt_err("%!", &[]).contains("unrecognized format character '!'"));
        assert!(fmt_err("%[0]s", &[s("a")]).contains("unrecognized"));
        assert!(fmt_err("%[1s", &[s("a")]).contains("unrecognized"));
        assert!(fmt_err("%99999999d", &[n(1.0)]).contains("over"));
        assert!(fmt_err("%s", &[null()]).contains("null value cannot be formatted"));
        assert!(fmt_err("%s", &[strs(&["a"])]).contains("a string is required, found tuple"));
        assert!(fmt_err("%t", &[n(1.0)]).contains("a bool is required"));
        let e = format_values("%d", &[s("hunter2")], true).err().unwrap();
        assert!(!e.message.contains("hunter2"), "{}", e.message);
        let e = format_values("%s", &[s("a"), s("b")], false).err().unwrap();
        assert_eq!(e.value, Some(1));
    }

    #[test]
    fn format_function() {
        assert_eq!(
            ok("format", &[s("%s-%03d"), s("web"), n(7.0)]),
            s("web-007")
        );
        let e = fails("format", &[s("%d"), s("x")], "a number is required");
        assert_eq!(e.arg, Some(1));
        assert!(e.help.is_some());
        let e = fails("format", &[s("%d %d"), n(1.0)], "not enough arguments");
        assert_eq!(e.arg, Some(0));
        let e = fails("format", &[s("%d"), n(1.0), n(2.0)], "too many arguments");
        assert_eq!(e.arg, Some(2));
        fails("format", &[null()], "must not be null");
    }

    #[test]
    fn formatlist_iterates_lists_together() {
        assert_eq!(
            ok(
                "formatlist",
                &[s("Hello, %s!"), strs(&["Valentina", "Ander"])]
            ),
            list(vec![s("Hello, Valentina!"), s("Hello, Ander!")])
        );
        assert_eq!(
            ok(
                "formatlist",
                &[
                    s("%s, %s!"),
                    s("Salutations"),
                    strs(&["Valentina", "Ander"])
                ]
            ),
            list(vec![s("Salutations, Valentina!"), s("Salutations, Ander!")])
        );
        assert_eq!(
            ok(
                "formatlist",
                &[s("%s=%d"), strs(&["a", "b"]), nums(&[1.0, 2.0])]
            ),
            list(vec![s("a=1"), s("b=2")])
        );
        assert_eq!(ok("formatlist", &[s("x")]), list(vec![s("x")]));
        assert_eq!(ok("formatlist", &[s("%s"), s("x")]), list(vec![s("x")]));
        assert_eq!(ok("formatlist", &[s("%s"), tup(vec![])]), list(vec![]));
        let e = fails(
            "formatlist",
            &[s("%s%s"), strs(&["a"]), strs(&["a", "b"])],
            "inconsistent",
        );
        assert_eq!(e.arg, Some(2));
        fails(
            "formatlist",
            &[s("%d"), strs(&["1", "x"])],
            "error on format iteration 1",
        );
    }
}
