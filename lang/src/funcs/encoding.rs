//! Encoding functions: JSON, YAML, Base64 and URL query escaping.
//!
//! The encoders produce exactly Terraform's text, because their output often ends up in files
//! and labels whose bytes are hashed into a resource's desired spec: a different but equivalent
//! encoding would show as a change. So `jsonencode` sorts keys, writes whole numbers without a
//! fraction and escapes `<`, `>` and `&` like Go's `encoding/json`; `yamlencode` quotes every
//! string and key and writes block style like go-yaml.

use super::{Args, FuncError};
use crate::value::{format_number, Map, Value, ValueKind};
use base64::Engine as _;
use std::fmt::Write as _;

/// How deeply values may nest when encoding or decoding. serde_json and serde_yaml stop at 128
/// levels; the same bound here keeps encoding symmetric with decoding.
const MAX_DEPTH: usize = 128;

/// A string as a JSON string literal, escaped like Go's `encoding/json` (which also escapes
/// `<`, `>`, `&`, U+2028 and U+2029 so that the JSON is safe inside HTML).
pub(super) fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A value as compact JSON text, keys sorted. Errors for values JSON cannot hold.
pub(super) fn json_text(v: &Value) -> Result<String, String> {
    let mut out = String::new();
    write_json(v, &mut out, 0)?;
    Ok(out)
}

fn write_json(v: &Value, out: &mut String, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "the value is nested more than {MAX_DEPTH} levels deep"
        ));
    }
    match &v.kind {
        ValueKind::Null => out.push_str("null"),
        ValueKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        ValueKind::Number(n) => {
            if !n.is_finite() {
                return Err(format!("{n} cannot be written as a JSON number"));
            }
            out.push_str(&format_number(*n));
        }
        ValueKind::String(s) => out.push_str(&json_string(s)),
        ValueKind::Seq(_, items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out, depth + 1)?;
            }
            out.push(']');
        }
        ValueKind::Map(_, m) => write_json_map(m, out, depth)?,
        ValueKind::Resource(r) => write_json_map(&r.attrs, out, depth)?,
        ValueKind::Unknown => return Err("the value is not known until apply".into()),
    }
    Ok(())
}

fn write_json_map(m: &Map, out: &mut String, depth: usize) -> Result<(), String> {
    out.push('{');
    for (i, (k, item)) in m.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&json_string(k));
        out.push(':');
        write_json(item, out, depth + 1)?;
    }
    out.push('}');
    Ok(())
}

pub(super) fn jsonencode(a: &Args) -> Result<Value, FuncError> {
    let v = a.get(0)?;
    let text = json_text(v).map_err(|e| a.err(0, format!("jsonencode(): {e}")))?;
    Ok(a.string(text))
}

pub(super) fn jsondecode(a: &Args) -> Result<Value, FuncError> {
    let text = a.str(0)?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        a.err(
            0,
            format!("jsondecode(): the string is not valid JSON: {e}"),
        )
        .with_help(
            "check the JSON text; to read a JSON file, use jsondecode(file(\"./name.json\"))",
        )
    })?;
    Ok(Value::from_json(&json, a.span))
}

/// A scalar (or empty collection) in YAML flow notation, or `None` for a block collection.
fn yaml_scalar(v: &Value) -> Result<Option<String>, String> {
    Ok(Some(match &v.kind {
        ValueKind::Null => "null".into(),
        ValueKind::Bool(b) => b.to_string(),
        ValueKind::Number(n) if n.is_nan() => return Err("NaN cannot be written as YAML".into()),
        ValueKind::Number(n) if n.is_infinite() => if *n > 0.0 { "+Inf" } else { "-Inf" }.into(),
        ValueKind::Number(n) => format_number(*n),
        ValueKind::String(s) => yaml_string(s),
        ValueKind::Seq(_, items) if items.is_empty() => "[]".into(),
        ValueKind::Map(_, m) if m.is_empty() => "{}".into(),
        ValueKind::Resource(r) if r.attrs.is_empty() => "{}".into(),
        ValueKind::Unknown => return Err("the value is not known until apply".into()),
        _ => return Ok(None),
    }))
}

/// A string in YAML double-quoted style, escaped like go-yaml: line breaks, tabs, quotes,
/// backslashes and unprintable characters become escapes; other characters stay as they are.
fn yaml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        let u = c as u32;
        let printable = u == 0x0A
            || (0x20..=0x7E).contains(&u)
            || u == 0x85
            || (0xA0..=0xD7FF).contains(&u)
            || ((0xE000..=0xFFFD).contains(&u) && u != 0xFEFF)
            || (0x10000..=0x10FFFF).contains(&u);
        let is_break = matches!(u, 0x0A | 0x0D | 0x85 | 0x2028 | 0x2029);
        if printable && !is_break && c != '"' && c != '\\' {
            out.push(c);
            continue;
        }
        match u {
            0x00 => out.push_str("\\0"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x09 => out.push_str("\\t"),
            0x0A => out.push_str("\\n"),
            0x0B => out.push_str("\\v"),
            0x0C => out.push_str("\\f"),
            0x0D => out.push_str("\\r"),
            0x1B => out.push_str("\\e"),
            0x22 => out.push_str("\\\""),
            0x5C => out.push_str("\\\\"),
            0x85 => out.push_str("\\N"),
            0xA0 => out.push_str("\\_"),
            0x2028 => out.push_str("\\L"),
            0x2029 => out.push_str("\\P"),
            u if u <= 0xFF => {
                let _ = write!(out, "\\x{u:02X}");
            }
            u if u <= 0xFFFF => {
                let _ = write!(out, "\\u{u:04X}");
            }
            u => {
                let _ = write!(out, "\\U{u:08X}");
            }
        }
    }
    out.push('"');
    out
}

/// Writes a block collection at `indent`. With `inline`, the first line continues a `- ` that is
/// already written.
fn yaml_block(
    v: &Value,
    indent: usize,
    inline: bool,
    out: &mut String,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "the value is nested more than {MAX_DEPTH} levels deep"
        ));
    }
    let pad = " ".repeat(indent);
    if let Some(items) = v.as_seq() {
        for (i, item) in items.iter().enumerate() {
            if i > 0 || !inline {
                out.push_str(&pad);
            }
            out.push('-');
            match yaml_scalar(item)? {
                Some(text) => {
                    out.push(' ');
                    out.push_str(&text);
                    out.push('\n');
                }
                None => {
                    out.push(' ');
                    yaml_block(item, indent + 2, true, out, depth + 1)?;
                }
            }
        }
    } else if let Some(m) = v.as_map() {
        for (i, (k, item)) in m.iter().enumerate() {
            if i > 0 || !inline {
                out.push_str(&pad);
            }
            out.push_str(&yaml_string(k));
            out.push(':');
            match yaml_scalar(item)? {
                Some(text) => {
                    out.push(' ');
                    out.push_str(&text);
                    out.push('\n');
                }
                None => {
                    out.push('\n');
                    // Sequences under a key are not indented further, as go-yaml writes them.
                    let child = if item.as_seq().is_some() {
                        indent
                    } else {
                        indent + 2
                    };
                    yaml_block(item, child, false, out, depth + 1)?;
                }
            }
        }
    }
    Ok(())
}

fn yaml_text(v: &Value) -> Result<String, String> {
    let mut out = String::new();
    match yaml_scalar(v)? {
        Some(text) => {
            out.push_str(&text);
            out.push('\n');
            // go-yaml ends a document that is a single plain scalar with an explicit end marker.
            if matches!(
                v.kind,
                ValueKind::Null | ValueKind::Bool(_) | ValueKind::Number(_)
            ) {
                out.push_str("...\n");
            }
        }
        None => yaml_block(v, 0, false, &mut out, 0)?,
    }
    Ok(out)
}

pub(super) fn yamlencode(a: &Args) -> Result<Value, FuncError> {
    let v = a.get(0)?;
    let text = yaml_text(v).map_err(|e| a.err(0, format!("yamlencode(): {e}")))?;
    Ok(a.string(text))
}

fn from_yaml(y: &serde_yaml::Value, a: &Args, depth: usize) -> Result<Value, String> {
    use serde_yaml::Value as Y;
    if depth > MAX_DEPTH {
        return Err(format!(
            "the document is nested more than {MAX_DEPTH} levels deep"
        ));
    }
    Ok(match y {
        Y::Null => Value::null(a.span),
        Y::Bool(b) => Value::bool(*b, a.span),
        Y::Number(n) => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            if !f.is_finite() {
                return Err(format!("{n} is not a number the language can hold"));
            }
            Value::number(f, a.span)
        }
        Y::String(s) => a.string(s.as_str()),
        Y::Sequence(items) => Value::tuple(
            items
                .iter()
                .map(|i| from_yaml(i, a, depth + 1))
                .collect::<Result<Vec<_>, _>>()?,
            a.span,
        ),
        Y::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let key = match k {
                    Y::String(s) => s.clone(),
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".into(),
                    _ => return Err("mapping keys must be strings, numbers or bools".into()),
                };
                out.insert(key, from_yaml(v, a, depth + 1)?);
            }
            Value::object(out, a.span)
        }
        Y::Tagged(t) => from_yaml(&t.value, a, depth + 1)?,
    })
}

pub(super) fn yamldecode(a: &Args) -> Result<Value, FuncError> {
    let text = a.str(0)?;
    let help = "check the YAML text; yamldecode() reads exactly one document";
    let y: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| {
        a.err(
            0,
            format!("yamldecode(): the string is not valid YAML: {e}"),
        )
        .with_help(help)
    })?;
    from_yaml(&y, a, 0).map_err(|e| a.err(0, format!("yamldecode(): {e}")).with_help(help))
}

pub(super) fn base64encode(a: &Args) -> Result<Value, FuncError> {
    let s = a.str(0)?;
    Ok(a.string(base64::engine::general_purpose::STANDARD.encode(s.as_bytes())))
}

pub(super) fn base64decode(a: &Args) -> Result<Value, FuncError> {
    let s = a.str(0)?;
    // Go's decoder skips line breaks, so wrapped Base64 (as from `base64` on the command line)
    // decodes.
    let compact: String = s.chars().filter(|c| *c != '\n' && *c != '\r').collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| {
            a.err(0, format!("base64decode(): the string is not valid Base64: {e}"))
                .with_help("Base64 uses A-Z, a-z, 0-9, + and / with = padding; URL-safe Base64 must have - and _ replaced by + and /")
        })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        a.err(
            0,
            "base64decode(): the decoded bytes are not valid UTF-8 text",
        )
        .with_help("strings hold text only; pass binary data around in its Base64 form")
    })?;
    Ok(a.string(text))
}

pub(super) fn urlencode(a: &Args) -> Result<Value, FuncError> {
    // Go's url.QueryEscape: unreserved characters stay, space is "+", every other byte is %XX.
    let s = a.str(0)?;
    let mut out = String::with_capacity(s.len());
    for byte in s.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    Ok(a.string(out))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::value::Value;

    fn text(v: Value) -> String {
        v.as_str()
            .unwrap_or_else(|| panic!("not a string: {v:?}"))
            .to_string()
    }

    #[test]
    fn jsonencode_matches_terraform() {
        let v = obj(&[
            ("b", nums(&[1.0, 2.5, -3.0])),
            ("a", s("<x & y>")),
            ("c", null()),
            ("d", obj(&[("t", b(true))])),
        ]);
        assert_eq!(
            text(ok("jsonencode", &[v])),
            r#"{"a":"\u003cx \u0026 y\u003e","b":[1,2.5,-3],"c":null,"d":{"t":true}}"#
        );
        assert_eq!(
            text(ok("jsonencode", &[s("a\"\\\n\u{1}")])),
            r#""a\"\\\n\u0001""#
        );
        assert_eq!(text(ok("jsonencode", &[n(1e21)])), "1000000000000000000000");
        assert_eq!(text(ok("jsonencode", &[n(0.1)])), "0.1");
        assert_eq!(text(ok("jsonencode", &[null()])), "null");
        assert_eq!(text(ok("jsonencode", &[tup(vec![])])), "[]");
        fails("jsonencode", &[n(f64::INFINITY)], "cannot be written");
        let mut deep = n(1.0);
        for _ in 0..200 {
            deep = tup(vec![deep]);
        }
        fails("jsonencode", &[deep], "nested");
    }

    #[test]
    fn jsondecode_round_trips() {
        let v = ok(
            "jsondecode",
            &[s(r#"{"a": [1, "x", true, null], "b": {"c": 1.5}}"#)],
        );
        assert_eq!(
            v,
            obj(&[
                ("a", tup(vec![n(1.0), s("x"), b(true), null()])),
                ("b", obj(&[("c", n(1.5))]))
            ])
        );
        assert_eq!(ok("jsondecode", &[s("\"hi\"")]), s("hi"));
        assert_eq!(ok("jsondecode", &[s("null")]), null());
        let e = fails("jsondecode", &[s("{\"a\": }")], "not valid JSON");
        assert!(e.message.contains("line 1"), "{}", e.message);
        fails("jsondecode", &[s("")], "not valid JSON");
        fails("jsondecode", &[s("1 2")], "not valid JSON");
        fails("jsondecode", &[s(&"[".repeat(10_000))], "not valid JSON");
        let round = ok(
            "jsonencode",
            &[ok("jsondecode", &[s(r#"{"k":[1,{"z":"<"}]}"#)])],
        );
        assert_eq!(text(round), r#"{"k":[1,{"z":"\u003c"}]}"#);
    }

    #[test]
    fn yamlencode_matches_terraform() {
        let cases: Vec<(Value, &str)> = vec![
            (
                obj(&[("a", s("b")), ("c", s("d"))]),
                "\"a\": \"b\"\n\"c\": \"d\"\n",
            ),
            (
                obj(&[("foo", nums(&[1.0, 2.0, 3.0])), ("bar", s("baz"))]),
                "\"bar\": \"baz\"\n\"foo\":\n- 1\n- 2\n- 3\n",
            ),
            (
                obj(&[
                    (
                        "foo",
                        tup(vec![n(1.0), obj(&[("a", s("b")), ("c", s("d"))]), n(3.0)]),
                    ),
                    ("bar", s("baz")),
                ]),
                "\"bar\": \"baz\"\n\"foo\":\n- 1\n- \"a\": \"b\"\n  \"c\": \"d\"\n- 3\n",
            ),
            (
                obj(&[("o", obj(&[("p", obj(&[("q", n(1.0))]))]))]),
                "\"o\":\n  \"p\":\n    \"q\": 1\n",
            ),
            (
                tup(vec![strs(&["a", "b"]), strs(&["c"])]),
                "- - \"a\"\n  - \"b\"\n- - \"c\"\n",
            ),
            (
                obj(&[("e", tup(vec![])), ("m", obj(&[])), ("n", null())]),
                "\"e\": []\n\"m\": {}\n\"n\": null\n",
            ),
            (s("hello"), "\"hello\"\n"),
            (s(""), "\"\"\n"),
            (b(true), "true\n...\n"),
            (n(0.0), "0\n...\n"),
            (null(), "null\n...\n"),
            (obj(&[]), "{}\n"),
            (tup(vec![]), "[]\n"),
            (
                s("a\nb\t\"c\"\\ é \u{1}"),
                "\"a\\nb\\t\\\"c\\\"\\\\ é \\x01\"\n",
            ),
        ];
        for (v, want) in cases {
            assert_eq!(
                text(ok("yamlencode", std::slice::from_ref(&v))),
                want,
                "{v:?}"
            );
        }
        fails("yamlencode", &[n(f64::NAN)], "NaN");
    }

    #[test]
    fn yamldecode_reads_one_document() {
        let v = ok(
            "yamldecode",
            &[s("a: 1\nb:\n  - x\n  - true\nc: null\n1: one\n")],
        );
        assert_eq!(
            v,
            obj(&[
                ("a", n(1.0)),
                ("b", tup(vec![s("x"), b(true)])),
                ("c", null()),
                ("1", s("one"))
            ])
        );
        assert_eq!(ok("yamldecode", &[s("")]), null());
        assert_eq!(ok("yamldecode", &[s("hello")]), s("hello"));
        assert_eq!(ok("yamldecode", &[s("!custom 5")]), n(5.0));
        let back = ok(
            "yamldecode",
            &[ok(
                "yamlencode",
                &[obj(&[(
                    "k",
                    tup(vec![s("a\nb"), n(1.5), obj(&[("x", b(false))])]),
                )])],
            )],
        );
        assert_eq!(
            back,
            obj(&[("k", tup(vec![s("a\nb"), n(1.5), obj(&[("x", b(false))])]))])
        );
        fails("yamldecode", &[s("a: [1")], "not valid YAML");
        fails("yamldecode", &[s("a: 1\n---\nb: 2\n")], "not valid YAML");
        fails("yamldecode", &[s("? [1, 2]\n: x\n")], "mapping keys");
        fails("yamldecode", &[s("a: .nan")], "not a number");
        fails(
            "yamldecode",
            &[s(&format!("{}1{}", "[".repeat(500), "]".repeat(500)))],
            "YAML",
        );
        // An alias bomb stays bounded.
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\ni: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
        let _ = call_fn("yamldecode", &[s(bomb)]);
    }

    #[test]
    fn base64() {
        assert_eq!(
            ok("base64encode", &[s("Hello World")]),
            s("SGVsbG8gV29ybGQ=")
        );
        assert_eq!(ok("base64encode", &[s("")]), s(""));
        assert_eq!(
            ok("base64decode", &[s("SGVsbG8gV29ybGQ=")]),
            s("Hello World")
        );
        assert_eq!(
            ok("base64decode", &[s("SGVsbG8g\nV29ybGQ=\n")]),
            s("Hello World")
        );
        assert_eq!(ok("base64decode", &[s("w6k=")]), s("é"));
        let e = fails("base64decode", &[s("SGVsbG8gV29ybGQ")], "not valid Base64");
        assert!(e.help.is_some());
        fails("base64decode", &[s("!!!!")], "not valid Base64");
        fails("base64decode", &[s("/w==")], "not valid UTF-8");
        let e = fails(
            "base64decode",
            &[s("!!!!").mark_sensitive(true)],
            "not valid Base64",
        );
        assert!(!e.message.contains("!!!!"));
    }

    #[test]
    fn urlencode_is_query_escape() {
        assert_eq!(ok("urlencode", &[s("Hello World!")]), s("Hello+World%21"));
        assert_eq!(ok("urlencode", &[s("a-b_c.d~e")]), s("a-b_c.d~e"));
        assert_eq!(
            ok("urlencode", &[s("☃ & =/?")]),
            s("%E2%98%83+%26+%3D%2F%3F")
        );
        assert_eq!(ok("urlencode", &[s("")]), s(""));
        fails("urlencode", &[tup(vec![])], "must be a string");
    }
}
