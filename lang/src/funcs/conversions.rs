//! Type conversion functions: `tostring`, `tonumber`, `tobool`, `tolist`, `toset`, `tomap` and
//! `type`.
//!
//! They are thin wrappers over [`crate::types::convert`], so an explicit conversion behaves
//! exactly like the implicit one applied to a typed variable. As in Terraform, converting null
//! gives null.

use super::{Args, FuncError};
use crate::types::{self, Type};
use crate::value::{Value, ValueKind};

fn convert_to(a: &Args, ty: Type, help: &str) -> Result<Value, FuncError> {
    let v = a.get(0)?;
    // Marking the value sensitive (on a copy) keeps its content out of the message.
    let probe;
    let v = if a.redact && !v.sensitive {
        probe = v.clone().mark_sensitive(true);
        &probe
    } else {
        v
    };
    types::convert(v, &ty)
        .map(|c| Value {
            sensitive: a.values.first().is_some_and(|x| x.sensitive),
            ..c
        })
        .map_err(|e| {
            a.err(0, format!("{}: cannot convert to {ty}: {e}", a.fname()))
                .with_help(help)
        })
}

pub(super) fn tostring(a: &Args) -> Result<Value, FuncError> {
    convert_to(
        a,
        Type::String,
        "only numbers and bools convert to strings; use jsonencode() for collections",
    )
}

pub(super) fn tonumber(a: &Args) -> Result<Value, FuncError> {
    convert_to(a, Type::Number, "a string must hold a decimal number, like \"42\" or \"-1.5\"; use parseint() for other bases")
}

pub(super) fn tobool(a: &Args) -> Result<Value, FuncError> {
    convert_to(
        a,
        Type::Bool,
        "only the strings \"true\" and \"false\" convert to bools",
    )
}

pub(super) fn tolist(a: &Args) -> Result<Value, FuncError> {
    convert_to(
        a,
        Type::List(Box::new(Type::Any)),
        "tolist() converts tuples and sets whose elements share one type",
    )
}

pub(super) fn toset(a: &Args) -> Result<Value, FuncError> {
    convert_to(
        a,
        Type::Set(Box::new(Type::Any)),
        "toset() converts lists and tuples whose elements share one type",
    )
}

pub(super) fn tomap(a: &Args) -> Result<Value, FuncError> {
    convert_to(
        a,
        Type::Map(Box::new(Type::Any)),
        "tomap() converts objects whose values share one type",
    )
}

pub(super) fn type_(a: &Args) -> Result<Value, FuncError> {
    let v = a.get(0)?;
    let text = match v.kind {
        // Null has no type of its own; say so rather than "any".
        ValueKind::Null => "null".to_string(),
        _ => types::type_of(v).to_string(),
    };
    Ok(a.string(text))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::value::{MapKind, SeqKind};

    #[test]
    fn primitive_conversions() {
        assert_eq!(ok("tostring", &[n(1.5)]), s("1.5"));
        assert_eq!(ok("tostring", &[b(true)]), s("true"));
        assert_eq!(ok("tostring", &[s("x")]), s("x"));
        assert_eq!(ok("tostring", &[null()]), null());
        let e = fails(
            "tostring",
            &[strs(&["a"])],
            "cannot convert to string: a string is required, found tuple",
        );
        assert!(e.help.is_some());

        assert_eq!(ok("tonumber", &[s("42")]), n(42.0));
        assert_eq!(ok("tonumber", &[s("-1.5e2")]), n(-150.0));
        assert_eq!(ok("tonumber", &[n(3.0)]), n(3.0));
        assert_eq!(ok("tonumber", &[null()]), null());
        fails(
            "tonumber",
            &[s("no")],
            "a number is required, found string \"no\"",
        );
        fails("tonumber", &[b(true)], "a number is required");

        assert_eq!(ok("tobool", &[s("true")]), b(true));
        assert_eq!(ok("tobool", &[s("false")]), b(false));
        assert_eq!(ok("tobool", &[null()]), null());
        fails("tobool", &[s("yes")], "a bool is required");
        fails("tobool", &[s("TRUE")], "lowercase");
        fails("tobool", &[n(1.0)], "a bool is required");
    }

    #[test]
    fn collection_conversions() {
        let l = ok("tolist", &[tup(vec![s("a"), n(1.0)])]);
        assert_eq!(l.seq_kind(), Some(SeqKind::List));
        assert_eq!(l, list(vec![s("a"), s("1")]));
        assert_eq!(
            ok("tolist", &[set(vec![s("b"), s("a")])]),
            list(vec![s("a"), s("b")])
        );
        assert_eq!(ok("tolist", &[tup(vec![])]), list(vec![]));
        fails("tolist", &[tup(vec![n(1.0), b(true)])], "any single type");
        fails("tolist", &[s("a")], "a list is required");

        let st = ok("toset", &[strs(&["b", "a", "b"])]);
        assert_eq!(st.seq_kind(), Some(SeqKind::Set));
        assert_eq!(st, set(vec![s("a"), s("b")]));
        fails("toset", &[obj(&[])], "a set is required");

        let m = ok("tomap", &[obj(&[("a", s("x")), ("b", n(1.0))])]);
        assert_eq!(m.map_kind(), Some(MapKind::Map));
        assert_eq!(m, map(&[("a", s("x")), ("b", s("1"))]));
        fails(
            "tomap",
            &[obj(&[("a", s("x")), ("b", strs(&["y"]))])],
            "any single type",
        );
        fails("tomap", &[strs(&["a"])], "a map is required");
    }

    #[test]
    fn type_names() {
        assert_eq!(ok("type", &[s("x")]), s("string"));
        assert_eq!(
            ok("type", &[tup(vec![s("a"), n(1.0)])]),
            s("tuple([string, number])")
        );
        assert_eq!(ok("type", &[list(vec![s("a")])]), s("list(string)"));
        assert_eq!(
            ok("type", &[obj(&[("a", b(true))])]),
            s("object({a = bool})")
        );
        assert_eq!(ok("type", &[map(&[("a", n(1.0))])]), s("map(number)"));
        assert_eq!(ok("type", &[set(vec![n(1.0)])]), s("set(number)"));
        assert_eq!(ok("type", &[null()]), s("null"));
    }

    #[test]
    fn sensitive_values_stay_hidden() {
        let e = fails(
            "tonumber",
            &[s("hunter2").mark_sensitive(true)],
            "a number is required",
        );
        assert!(!e.message.contains("hunter2"));
        assert!(ok("tostring", &[n(1.0).mark_sensitive(true)]).sensitive);
    }
}
