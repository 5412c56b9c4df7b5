//! Number functions: `min`, `max`, `abs`, `ceil`, `floor` and `parseint`.
//!
//! Numbers are f64 (LANGUAGE.md §2 requires integers up to 2^53 to be exact, which f64 gives).
//! Numeric strings are accepted wherever a number is, as Terraform converts them.

use super::{Args, FuncError};
use crate::value::{Value, ValueKind};

/// Every argument as a number. A list where a number belongs is a common slip (`max(var.ports)`),
/// so that error says how to expand it.
fn numbers(a: &Args) -> Result<Vec<f64>, FuncError> {
    (0..a.len())
        .map(|i| {
            a.num(i).map_err(|e| {
                if a.values.get(i).is_some_and(|v| v.as_seq().is_some()) {
                    e.with_help(format!(
                        "to use the elements of a list as the arguments, expand it: {}(list...)",
                        a.spec.name
                    ))
                } else {
                    e
                }
            })
        })
        .collect()
}

pub(super) fn min(a: &Args) -> Result<Value, FuncError> {
    let nums = numbers(a)?;
    let m = nums.iter().copied().fold(f64::INFINITY, f64::min);
    Ok(Value::number(m, a.span))
}

pub(super) fn max(a: &Args) -> Result<Value, FuncError> {
    let nums = numbers(a)?;
    let m = nums.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Ok(Value::number(m, a.span))
}

pub(super) fn abs(a: &Args) -> Result<Value, FuncError> {
    Ok(Value::number(a.num(0)?.abs(), a.span))
}

pub(super) fn ceil(a: &Args) -> Result<Value, FuncError> {
    Ok(Value::number(a.num(0)?.ceil(), a.span))
}

pub(super) fn floor(a: &Args) -> Result<Value, FuncError> {
    Ok(Value::number(a.num(0)?.floor(), a.span))
}

/// The value of one digit in bases up to 62: 0-9, then a-z, then A-Z; for bases up to 36 the
/// letters are case-insensitive (as in Go's `big.Int.SetString`).
fn digit_value(c: char, base: u32) -> Option<u32> {
    let d = match c {
        '0'..='9' => c as u32 - '0' as u32,
        'a'..='z' => c as u32 - 'a' as u32 + 10,
        'A'..='Z' if base <= 36 => c as u32 - 'A' as u32 + 10,
        'A'..='Z' => c as u32 - 'A' as u32 + 36,
        _ => return None,
    };
    (d < base).then_some(d)
}

pub(super) fn parseint(a: &Args) -> Result<Value, FuncError> {
    let v = a.non_null(0)?;
    let ValueKind::String(text) = &v.kind else {
        return Err(a
            .err(
                0,
                format!(
                    "parseint(): the first argument must be a string, not {}",
                    v.type_name()
                ),
            )
            .with_help("write the number as a string, for example parseint(\"ff\", 16)"));
    };
    let base = a.int(1)?;
    if !(2..=62).contains(&base) {
        return Err(a.err(
            1,
            format!("parseint(): the base must be a whole number between 2 and 62, not {base}"),
        ));
    }
    let base = base as u32;
    let invalid = || {
        a.err(
            0,
            format!(
                "parseint(): cannot parse {} as a base {base} integer",
                a.show(text)
            ),
        )
        .with_help(match base {
            2..=10 => format!("base {base} digits are 0 to {}", base - 1),
            11..=36 => "digits are 0-9 then letters a-z (either case)".to_string(),
            _ => "digits are 0-9, then a-z, then A-Z".to_string(),
        })
    };
    let (neg, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() {
        return Err(invalid());
    }
    // Exact while it fits in a u128, then approximate (f64 cannot hold more anyway).
    let mut exact: Option<u128> = Some(0);
    let mut approx = 0f64;
    for c in digits.chars() {
        let d = digit_value(c, base).ok_or_else(invalid)?;
        exact = exact
            .and_then(|x| x.checked_mul(u128::from(base)))
            .and_then(|x| x.checked_add(u128::from(d)));
        approx = approx * f64::from(base) + f64::from(d);
    }
    let mut n = exact.map_or(approx, |x| x as f64);
    if !n.is_finite() {
        return Err(a.err(0, "parseint(): the number is too large"));
    }
    if neg {
        n = -n;
    }
    Ok(Value::number(n, a.span))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn min_and_max() {
        assert_eq!(ok("min", &[n(12.0), n(54.0), n(3.0)]), n(3.0));
        assert_eq!(ok("max", &[n(12.0), n(54.0), n(3.0)]), n(54.0));
        assert_eq!(ok("max", &[n(-1.5)]), n(-1.5));
        assert_eq!(ok("min", &[s("7"), n(8.0)]), n(7.0));
        let e = fails(
            "max",
            &[n(1.0), nums(&[1.0, 2.0])],
            "must be a number, found tuple",
        );
        assert_eq!(e.arg, Some(1));
        assert!(e.help.unwrap().contains("max(list...)"));
        fails("min", &[s("x")], "must be a number, found string \"x\"");
        fails("min", &[null()], "must not be null");
    }

    #[test]
    fn abs_ceil_floor() {
        assert_eq!(ok("abs", &[n(-12.4)]), n(12.4));
        assert_eq!(ok("abs", &[n(0.0)]), n(0.0));
        assert_eq!(ok("ceil", &[n(5.1)]), n(6.0));
        assert_eq!(ok("ceil", &[n(-5.1)]), n(-5.0));
        assert_eq!(ok("floor", &[n(4.9)]), n(4.0));
        assert_eq!(ok("floor", &[s("-4.1")]), n(-5.0));
        fails("abs", &[b(true)], "must be a number");
        fails("ceil", &[tup(vec![])], "must be a number");
        fails("floor", &[null()], "must not be null");
    }

    #[test]
    fn parseint_bases() {
        let cases: &[(&str, f64, f64)] = &[
            ("100", 10.0, 100.0),
            ("FF", 16.0, 255.0),
            ("ff", 16.0, 255.0),
            ("-10", 16.0, -16.0),
            ("+7", 8.0, 7.0),
            ("1011111011101111", 2.0, 48879.0),
            ("aA", 62.0, 10.0 * 62.0 + 36.0),
            ("zZ", 62.0, 35.0 * 62.0 + 61.0),
            ("9007199254740993", 10.0, 9007199254740992.0),
            (
                "ffffffffffffffffffffffffffffffffffff",
                16.0,
                2f64.powi(144) - 1.0,
            ),
        ];
        for (text, base, want) in cases {
            assert_eq!(
                ok("parseint", &[s(text), n(*base)]),
                n(*want),
                "{text} base {base}"
            );
        }
        let e = fails("parseint", &[s("12"), n(1.0)], "between 2 and 62");
        assert_eq!(e.arg, Some(1));
        fails("parseint", &[s("12"), n(63.0)], "between 2 and 62");
        fails("parseint", &[s("12"), n(2.5)], "whole number");
        let e = fails(
            "parseint",
            &[s("FG"), n(16.0)],
            "cannot parse \"FG\" as a base 16 integer",
        );
        assert!(e.help.is_some());
        fails("parseint", &[s("2"), n(2.0)], "cannot parse");
        fails("parseint", &[s(""), n(10.0)], "cannot parse");
        fails("parseint", &[s("-"), n(10.0)], "cannot parse");
        fails("parseint", &[s("1_000"), n(10.0)], "cannot parse");
        fails(
            "parseint",
            &[n(10.0), n(10.0)],
            "must be a string, not number",
        );
        fails("parseint", &[s(&"z".repeat(400)), n(36.0)], "too large");
    }
}
