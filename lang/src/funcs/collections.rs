//! Collection functions: `length`, `concat`, `merge`, `keys`, `lookup`, `range`, `element` and
//! the rest of LANGUAGE.md §6's collection list.
//!
//! The kinds of the results follow Terraform where it matters to users: functions on maps return
//! maps for maps and objects for objects (`merge`, `zipmap`), `keys` and `values` return lists,
//! `flatten` returns a tuple. Sets have no indexes, so the functions that index (`element`,
//! `slice`, `reverse`, `index`, `concat`) refuse them and say to convert with `tolist()`.

use super::strings::element_string;
use super::{Args, FuncError};
use crate::value::{Map, MapKind, SeqKind, Value, ValueKind};

/// The most elements `range` will produce. Terraform stops at 1024; stacks use `range` to build
/// port lists and the like, so we allow more, but not enough to exhaust memory.
const MAX_RANGE: f64 = 1024.0 * 1024.0;

/// How deeply `flatten` follows nested lists.
const MAX_FLATTEN_DEPTH: usize = 256;

const SET_HELP: &str = "sets have no order; convert with tolist(set) first";

/// Argument `i` as a list or tuple (or block list), refusing sets.
fn indexed<'a>(a: &Args<'a>, i: usize) -> Result<&'a [Value], FuncError> {
    let v = a.non_null(i)?;
    match v.seq_kind() {
        Some(SeqKind::Set) => Err(a
            .err(
                i,
                format!(
                    "{}: cannot use a set here, because its elements have no index",
                    a.fname()
                ),
            )
            .with_help(SET_HELP)),
        Some(_) => Ok(v.as_seq().unwrap_or(&[])),
        None => Err(a.type_err(i, "a list or tuple")),
    }
}

/// A new sequence of the same kind as `like` (tuples stay tuples, lists and blocks become
/// lists).
fn same_kind(a: &Args, like: &Value, items: Vec<Value>) -> Value {
    match like.seq_kind() {
        Some(SeqKind::Tuple) => Value::tuple(items, a.span),
        _ => Value::list(items, a.span),
    }
}

pub(super) fn length(a: &Args) -> Result<Value, FuncError> {
    let v = a.non_null(0)?;
    let n =
        match &v.kind {
            ValueKind::String(s) => {
                use unicode_segmentation::UnicodeSegmentation;
                s.graphemes(true).count()
            }
            ValueKind::Seq(_, items) => items.len(),
            _ => match v.as_map() {
                Some(m) => m.len(),
                None => return Err(a
                    .type_err(0, "a string, list, tuple, set, map or object")
                    .with_help(
                    "length() counts the characters of a string or the elements of a collection",
                )),
            },
        };
    Ok(Value::number(n as f64, a.span))
}

pub(super) fn concat(a: &Args) -> Result<Value, FuncError> {
    let mut out = Vec::new();
    let mut all_lists = true;
    for i in 0..a.len() {
        let items = indexed(a, i)?;
        all_lists &= a.values.get(i).and_then(Value::seq_kind) != Some(SeqKind::Tuple);
        out.extend(items.iter().cloned());
    }
    Ok(if all_lists {
        Value::list(out, a.span)
    } else {
        Value::tuple(out, a.span)
    })
}

pub(super) fn merge(a: &Args) -> Result<Value, FuncError> {
    let mut out = Map::new();
    let mut all_maps = a.len() > 0;
    for (i, v) in a.values.iter().enumerate() {
        if v.is_null() {
            continue;
        }
        let m = v.as_map().ok_or_else(|| {
            a.type_err(i, "a map or object")
                .with_help("merge() combines maps and objects; use concat() for lists")
        })?;
        all_maps &= v.map_kind() == Some(MapKind::Map);
        for (k, item) in m {
            out.insert(k.clone(), item.clone());
        }
    }
    Ok(if all_maps {
        Value::map(out, a.span)
    } else {
        Value::object(out, a.span)
    })
}

pub(super) fn keys(a: &Args) -> Result<Value, FuncError> {
    let m = a.map(0)?;
    // A BTreeMap iterates in lexical (byte) order, which is Terraform's order.
    Ok(Value::list(
        m.keys().map(|k| a.string(k.as_str())).collect(),
        a.span,
    ))
}

pub(super) fn values(a: &Args) -> Result<Value, FuncError> {
    let m = a.map(0)?;
    Ok(Value::list(m.values().cloned().collect(), a.span))
}

pub(super) fn lookup(a: &Args) -> Result<Value, FuncError> {
    let m = a
        .map(0)
        .map_err(|e| e.with_help("lookup() reads a key of a map or object"))?;
    let key = a.str(1)?;
    if let Some(v) = m.get(&*key) {
        return Ok(v.clone());
    }
    if a.len() > 2 {
        return a.get(2).cloned();
    }
    let mut e = a.err(1, format!("lookup(): the map has no key {}", a.show(&key)));
    let suggestion = (!a.redact)
        .then(|| crate::diag::suggest(&key, m.keys().map(String::as_str)))
        .flatten();
    e = match suggestion {
        Some(best) => e.with_help(format!(
            "did you mean {}? To allow missing keys, give a default: lookup(map, key, default)",
            crate::value::quote(best)
        )),
        None => e.with_help("to allow missing keys, give a default: lookup(map, key, default)"),
    };
    Err(e)
}

pub(super) fn contains(a: &Args) -> Result<Value, FuncError> {
    let items = a.seq(0)?;
    let needle = a.get(1)?;
    Ok(Value::bool(items.iter().any(|v| v == needle), a.span))
}

pub(super) fn distinct(a: &Args) -> Result<Value, FuncError> {
    let items = a.seq(0)?;
    let mut out: Vec<Value> = Vec::new();
    for item in items {
        if !out.contains(item) {
            out.push(item.clone());
        }
    }
    Ok(Value::list(out, a.span))
}

fn flatten_into(
    a: &Args,
    items: &[Value],
    out: &mut Vec<Value>,
    depth: usize,
) -> Result<(), FuncError> {
    if depth > MAX_FLATTEN_DEPTH {
        return Err(a.err(
            0,
            format!("flatten(): the list is nested more than {MAX_FLATTEN_DEPTH} levels deep"),
        ));
    }
    for item in items {
        match item.as_seq() {
            Some(inner) => flatten_into(a, inner, out, depth + 1)?,
            None => out.push(item.clone()),
        }
    }
    Ok(())
}

pub(super) fn flatten(a: &Args) -> Result<Value, FuncError> {
    let items = a.seq(0)?;
    let mut out = Vec::new();
    flatten_into(a, items, &mut out, 0)?;
    Ok(Value::tuple(out, a.span))
}

pub(super) fn range(a: &Args) -> Result<Value, FuncError> {
    let nums = (0..a.len())
        .map(|i| a.num(i))
        .collect::<Result<Vec<f64>, _>>()?;
    let (start, limit, step) = match nums.as_slice() {
        [limit] => (0.0, *limit, if *limit < 0.0 { -1.0 } else { 1.0 }),
        [start, limit] => (*start, *limit, if limit < start { -1.0 } else { 1.0 }),
        [start, limit, step] => (*start, *limit, *step),
        _ => {
            return Err(
                FuncError::call("range() takes one, two or three arguments").with_help(
                    "call it as range(limit), range(start, limit) or range(start, limit, step)",
                ),
            )
        }
    };
    let last = a.len().saturating_sub(1);
    if let Some(i) = nums.iter().position(|n| !n.is_finite()) {
        return Err(a.err(i, "range(): the arguments must be finite numbers"));
    }
    if step == 0.0 {
        return Err(a.err(last, "range(): the step must not be zero"));
    }
    if step < 0.0 && limit > start {
        return Err(a
            .err(
                1,
                "range(): the limit must be less than the start when the step is negative",
            )
            .with_help("swap start and limit, or use a positive step"));
    }
    if step > 0.0 && limit < start {
        return Err(a
            .err(
                1.min(last),
                "range(): the limit must be greater than the start when the step is positive",
            )
            .with_help("swap start and limit, or use a negative step"));
    }
    let count = ((limit - start) / step).ceil();
    if count.is_nan() || count > MAX_RANGE {
        return Err(a
            .err(
                last,
                format!("range(): this range would have more than {MAX_RANGE} elements"),
            )
            .with_help("use a smaller difference between start and limit, or a larger step"));
    }
    // Computing each element from the start (rather than adding the step repeatedly) keeps
    // rounding errors from accumulating; rounding to the inputs' decimal places then turns
    // 0.30000000000000004 back into the 0.3 the user expects.
    let places = [start, step]
        .iter()
        .map(|x| decimal_places(*x))
        .max()
        .unwrap_or(0);
    let scale = 10f64.powi(places as i32);
    let mut out = Vec::with_capacity(count.max(0.0) as usize);
    for i in 0..count.max(0.0) as usize {
        let mut x = start + step * i as f64;
        if places > 0 && places <= 15 {
            x = (x * scale).round() / scale;
        }
        if (step > 0.0 && x >= limit) || (step < 0.0 && x <= limit) {
            break;
        }
        out.push(Value::number(x, a.span));
    }
    Ok(Value::list(out, a.span))
}

/// The number of decimal places in the shortest representation of `x`.
fn decimal_places(x: f64) -> usize {
    let text = format!("{x}");
    match text.split_once('.') {
        Some((_, frac)) => frac.len(),
        None => 0,
    }
}

pub(super) fn element(a: &Args) -> Result<Value, FuncError> {
    let items = indexed(a, 0)?;
    let index = a.int(1)?;
    if items.is_empty() {
        return Err(a
            .err(0, "element() cannot take an element of an empty list")
            .with_help("check the length first: length(list) > 0 ? element(list, i) : default"));
    }
    if index < 0 {
        return Err(a
            .err(
                1,
                format!("element() cannot use a negative index ({index})"),
            )
            .with_help("for the last element, use element(list, length(list) - 1)"));
    }
    let i = (index as u64 % items.len() as u64) as usize;
    Ok(items.get(i).cloned().unwrap_or_else(|| Value::null(a.span)))
}

pub(super) fn index(a: &Args) -> Result<Value, FuncError> {
    let items = indexed(a, 0)?;
    let needle = a.get(1)?;
    match items.iter().position(|v| v == needle) {
        Some(i) => Ok(Value::number(i as f64, a.span)),
        None if items.is_empty() => Err(a.err(0, "index() cannot search an empty list")),
        None => Err(a
            .err(
                1,
                format!("index(): the list does not contain {}", a.describe(needle)),
            )
            .with_help("to test for an element first, use contains(list, value)")),
    }
}

pub(super) fn slice(a: &Args) -> Result<Value, FuncError> {
    let list = a.non_null(0)?;
    let items = indexed(a, 0)?;
    let start = a.int(1)?;
    let end = a.int(2)?;
    let len = items.len() as i64;
    let check = |i: usize, what: &str, n: i64| -> Result<usize, FuncError> {
        if n < 0 {
            return Err(a.err(
                i,
                format!("slice(): the {what} index must not be less than zero"),
            ));
        }
        if n > len {
            return Err(a
                .err(i, format!("slice(): the {what} index {n} is greater than the length of the list ({len})"))
                .with_help("indexes run from 0 to length(list)"));
        }
        Ok(n as usize)
    };
    let s = check(1, "start", start)?;
    let e = check(2, "end", end)?;
    if s > e {
        return Err(a.err(
            1,
            format!("slice(): the start index {s} is greater than the end index {e}"),
        ));
    }
    Ok(same_kind(a, list, items.get(s..e).unwrap_or(&[]).to_vec()))
}

pub(super) fn sort(a: &Args) -> Result<Value, FuncError> {
    let items = a.seq(0)?;
    let mut strings = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match element_string(item) {
            Some(s) => strings.push(s.into_owned()),
            None if item.is_null() => {
                return Err(a.err(
                    0,
                    format!("sort(): element {i} is null; a null cannot be sorted"),
                ))
            }
            None => {
                return Err(a
                    .err(
                        0,
                        format!(
                            "sort(): element {i} is {}; sort() only sorts strings",
                            a.describe(item)
                        ),
                    )
                    .with_help("numbers and bools sort as strings; collections cannot be sorted"))
            }
        }
    }
    strings.sort();
    Ok(Value::list(
        strings.into_iter().map(|s| a.string(s)).collect(),
        a.span,
    ))
}

pub(super) fn reverse(a: &Args) -> Result<Value, FuncError> {
    let list = a.non_null(0)?;
    let items = indexed(a, 0)?;
    Ok(same_kind(a, list, items.iter().rev().cloned().collect()))
}

pub(super) fn zipmap(a: &Args) -> Result<Value, FuncError> {
    let keys = a.seq(0)?;
    let values = indexed(a, 1)?;
    if keys.len() != values.len() {
        return Err(a
            .err(
                1,
                format!(
                    "zipmap(): the number of keys ({}) does not match the number of values ({})",
                    keys.len(),
                    values.len()
                ),
            )
            .with_help("give one value per key"));
    }
    let mut out = Map::new();
    for (i, (k, v)) in keys.iter().zip(values).enumerate() {
        let key = match element_string(k) {
            Some(s) => s.into_owned(),
            None if k.is_null() => return Err(a.err(0, format!("zipmap(): key {i} is null"))),
            None => {
                return Err(a.err(
                    0,
                    format!(
                        "zipmap(): key {i} is {}; keys must be strings",
                        a.describe(k)
                    ),
                ))
            }
        };
        out.insert(key, v.clone());
    }
    let tuple = a.values.get(1).and_then(Value::seq_kind) == Some(SeqKind::Tuple);
    Ok(if tuple {
        Value::object(out, a.span)
    } else {
        Value::map(out, a.span)
    })
}

pub(super) fn coalesce(a: &Args) -> Result<Value, FuncError> {
    // Like Terraform, arguments are unified first: with a string among them, numbers and bools
    // become strings.
    let any_string = a.values.iter().any(|v| v.as_str().is_some());
    for v in a.values {
        match &v.kind {
            ValueKind::Null => continue,
            ValueKind::String(s) if s.is_empty() => continue,
            ValueKind::Number(_) | ValueKind::Bool(_) if any_string => {
                return Ok(a.string(v.to_template_string().unwrap_or_default()))
            }
            _ => return Ok(v.clone()),
        }
    }
    Err(
        FuncError::call("coalesce(): every argument is null or an empty string")
            .with_help("add a final fallback value, for example coalesce(var.name, \"default\")"),
    )
}

pub(super) fn compact(a: &Args) -> Result<Value, FuncError> {
    let items = a.seq(0)?;
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if item.is_null() {
            continue;
        }
        match element_string(item) {
            Some(s) if s.is_empty() => {}
            Some(s) => out.push(a.string(s.into_owned())),
            None => {
                return Err(a
                    .err(
                        0,
                        format!(
                            "compact(): element {i} is {}; compact() works on lists of strings",
                            a.describe(item)
                        ),
                    )
                    .with_help(
                        "to drop nulls from other lists, use [for x in list : x if x != null]",
                    ))
            }
        }
    }
    Ok(Value::list(out, a.span))
}

pub(super) fn setunion(a: &Args) -> Result<Value, FuncError> {
    let mut out = Vec::new();
    for i in 0..a.len() {
        out.extend(a.seq(i)?.iter().cloned());
    }
    Ok(Value::set(out, a.span))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::value::{MapKind, SeqKind, Value};

    #[test]
    fn length_counts_graphemes_and_elements() {
        assert_eq!(ok("length", &[s("hello")]), n(5.0));
        assert_eq!(ok("length", &[s("🤔e\u{301}")]), n(2.0));
        assert_eq!(ok("length", &[s("")]), n(0.0));
        assert_eq!(ok("length", &[strs(&["a", "b"])]), n(2.0));
        assert_eq!(ok("length", &[set(vec![s("a"), s("a")])]), n(1.0));
        assert_eq!(ok("length", &[obj(&[("a", n(1.0))])]), n(1.0));
        fails("length", &[n(5.0)], "must be a string, list");
        fails("length", &[null()], "must not be null");
        fails("length", &[b(true)], "must be a string, list");
    }

    #[test]
    fn concat_and_merge() {
        assert_eq!(
            ok("concat", &[strs(&["a"]), strs(&["b", "c"])]),
            strs(&["a", "b", "c"])
        );
        assert_eq!(
            ok("concat", &[list(vec![s("a")]), list(vec![])]).seq_kind(),
            Some(SeqKind::List)
        );
        assert_eq!(ok("concat", &[tup(vec![])]), tup(vec![]));
        let e = fails(
            "concat",
            &[strs(&["a"]), set(vec![s("b")])],
            "cannot use a set",
        );
        assert_eq!(e.arg, Some(1));
        fails("concat", &[strs(&["a"]), s("b")], "must be a list or tuple");

        let m = ok(
            "merge",
            &[
                obj(&[("a", n(1.0)), ("b", n(2.0))]),
                null(),
                obj(&[("b", n(3.0)), ("c", n(4.0))]),
            ],
        );
        assert_eq!(m, obj(&[("a", n(1.0)), ("b", n(3.0)), ("c", n(4.0))]));
        assert_eq!(m.map_kind(), Some(MapKind::Object));
        assert_eq!(
            ok("merge", &[map(&[("a", s("x"))]), map(&[])]).map_kind(),
            Some(MapKind::Map)
        );
        assert_eq!(ok("merge", &[]), obj(&[]));
        let e = fails(
            "merge",
            &[obj(&[]), strs(&["a"])],
            "must be a map or object",
        );
        assert_eq!(e.arg, Some(1));
    }

    #[test]
    fn keys_values_lookup() {
        let m = obj(&[("b", n(2.0)), ("a", n(1.0)), ("c", n(3.0))]);
        assert_eq!(
            ok("keys", std::slice::from_ref(&m)),
            list(vec![s("a"), s("b"), s("c")])
        );
        assert_eq!(
            ok("values", std::slice::from_ref(&m)),
            list(vec![n(1.0), n(2.0), n(3.0)])
        );
        assert_eq!(ok("keys", &[obj(&[])]), list(vec![]));
        fails("keys", &[strs(&["a"])], "must be a map or object");
        fails("values", &[null()], "must not be null");

        assert_eq!(ok("lookup", &[m.clone(), s("b")]), n(2.0));
        assert_eq!(ok("lookup", &[m.clone(), s("z"), s("dflt")]), s("dflt"));
        assert_eq!(ok("lookup", &[m.clone(), s("z"), null()]), null());
        let e = fails("lookup", &[m.clone(), s("bb")], "no key \"bb\"");
        assert!(e.help.unwrap().contains("did you mean \"b\"?"));
        assert_eq!(fails("lookup", &[m, s("zzz")], "no key").arg, Some(1));
        fails("lookup", &[strs(&["a"]), s("a")], "must be a map or object");
    }

    #[test]
    fn contains_distinct_flatten() {
        assert_eq!(ok("contains", &[strs(&["a", "b"]), s("b")]), b(true));
        assert_eq!(ok("contains", &[strs(&["a", "b"]), s("c")]), b(false));
        assert_eq!(ok("contains", &[nums(&[1.0]), s("1")]), b(false));
        assert_eq!(ok("contains", &[set(vec![n(1.0)]), n(1.0)]), b(true));
        assert_eq!(
            ok(
                "contains",
                &[tup(vec![obj(&[("a", n(1.0))])]), obj(&[("a", n(1.0))])]
            ),
            b(true)
        );
        fails(
            "contains",
            &[s("abc"), s("a")],
            "must be a list, tuple or set",
        );

        assert_eq!(
            ok("distinct", &[strs(&["a", "b", "a", "c", "b"])]),
            list(vec![s("a"), s("b"), s("c")])
        );
        assert_eq!(ok("distinct", &[tup(vec![])]), list(vec![]));
        fails("distinct", &[obj(&[])], "must be a list");

        let nested = tup(vec![
            strs(&["a", "b"]),
            tup(vec![]),
            tup(vec![strs(&["c"]), s("d")]),
            s("e"),
        ]);
        assert_eq!(ok("flatten", &[nested]), strs(&["a", "b", "c", "d", "e"]));
        assert_eq!(
            ok("flatten", &[tup(vec![set(vec![n(2.0), n(1.0)])])]),
            nums(&[1.0, 2.0])
        );
        fails("flatten", &[s("x")], "must be a list");
        let mut deep = s("x");
        for _ in 0..300 {
            deep = tup(vec![deep]);
        }
        fails("flatten", &[deep], "nested");
    }

    #[test]
    fn range_semantics() {
        let cases: &[(&[f64], &[f64])] = &[
            (&[3.0], &[0.0, 1.0, 2.0]),
            (&[0.0], &[]),
            (&[-3.0], &[0.0, -1.0, -2.0]),
            (&[1.0, 4.0], &[1.0, 2.0, 3.0]),
            (&[4.0, 1.0], &[4.0, 3.0, 2.0]),
            (&[1.0, 1.0], &[]),
            (&[0.0, 10.0, 5.0], &[0.0, 5.0]),
            (&[0.0, -4.0, -2.0], &[0.0, -2.0]),
            (&[1.0, 2.0, 0.5], &[1.0, 1.5]),
            (&[0.0, 0.5, 0.1], &[0.0, 0.1, 0.2, 0.3, 0.4]),
        ];
        for (args, want) in cases {
            let args: Vec<Value> = args.iter().map(|x| n(*x)).collect();
            assert_eq!(
                ok("range", &args),
                list(want.iter().map(|x| n(*x)).collect()),
                "{args:?}"
            );
        }
        assert_eq!(ok("range", &[s("2")]), list(vec![n(0.0), n(1.0)]));
        fails("range", &[n(0.0), n(1.0), n(0.0)], "must not be zero");
        fails("range", &[n(0.0), n(5.0), n(-1.0)], "less than the start");
        fails("range", &[n(5.0), n(0.0), n(1.0)], "greater than the start");
        fails("range", &[n(1e12)], "more than");
        fails("range", &[n(0.0), n(1.0), n(1e-12)], "more than");
        fails("range", &[n(f64::INFINITY)], "finite");
        fails("range", &[s("x")], "must be a number");
        assert_eq!(
            call_fn("range", &[n(1048576.0)]).map(|v| v.as_seq().map(<[Value]>::len)),
            Ok(Some(1048576))
        );
    }

    #[test]
    fn element_index_slice() {
        let l = strs(&["a", "b", "c"]);
        assert_eq!(ok("element", &[l.clone(), n(1.0)]), s("b"));
        assert_eq!(ok("element", &[l.clone(), n(5.0)]), s("c"));
        assert_eq!(ok("element", &[l.clone(), n(9e15)]), s("a"));
        let e = fails(
            "element",
            &[tup(vec![]), n(0.0)],
            "element() cannot take an element of an empty list",
        );
        assert!(e.help.is_some());
        assert_eq!(
            fails("element", &[l.clone(), n(-1.0)], "negative").arg,
            Some(1)
        );
        fails("element", &[l.clone(), n(0.5)], "whole number");
        fails("element", &[set(vec![s("a")]), n(0.0)], "cannot use a set");

        assert_eq!(ok("index", &[l.clone(), s("b")]), n(1.0));
        fails(
            "index",
            &[l.clone(), s("z")],
            "does not contain string \"z\"",
        );
        fails("index", &[tup(vec![]), s("z")], "empty list");
        fails("index", &[set(vec![s("a")]), s("a")], "cannot use a set");

        assert_eq!(ok("slice", &[l.clone(), n(1.0), n(3.0)]), strs(&["b", "c"]));
        assert_eq!(ok("slice", &[l.clone(), n(1.0), n(1.0)]), tup(vec![]));
        assert_eq!(
            ok("slice", &[list(vec![s("a")]), n(0.0), n(1.0)]).seq_kind(),
            Some(SeqKind::List)
        );
        assert_eq!(
            fails(
                "slice",
                &[l.clone(), n(2.0), n(1.0)],
                "greater than the end"
            )
            .arg,
            Some(1)
        );
        assert_eq!(
            fails(
                "slice",
                &[l.clone(), n(0.0), n(4.0)],
                "greater than the length"
            )
            .arg,
            Some(2)
        );
        fails("slice", &[l.clone(), n(-1.0), n(1.0)], "less than zero");
        fails("slice", &[set(vec![]), n(0.0), n(0.0)], "cannot use a set");
    }

    #[test]
    fn sort_reverse_zipmap() {
        assert_eq!(
            ok("sort", &[strs(&["e", "d", "a", "x"])]),
            list(vec![s("a"), s("d"), s("e"), s("x")])
        );
        assert_eq!(
            ok("sort", &[nums(&[3.0, 10.0, 1.0])]),
            list(vec![s("1"), s("10"), s("3")])
        );
        assert_eq!(
            ok("sort", &[set(vec![s("b"), s("a")])]),
            list(vec![s("a"), s("b")])
        );
        fails("sort", &[tup(vec![s("a"), null()])], "element 1 is null");
        fails("sort", &[tup(vec![strs(&["a"])])], "only sorts strings");

        assert_eq!(
            ok("reverse", &[strs(&["a", "b", "c"])]),
            strs(&["c", "b", "a"])
        );
        assert_eq!(
            ok("reverse", &[list(vec![s("a")])]).seq_kind(),
            Some(SeqKind::List)
        );
        fails("reverse", &[set(vec![s("a")])], "cannot use a set");

        let z = ok("zipmap", &[strs(&["a", "b"]), nums(&[1.0, 2.0])]);
        assert_eq!(z, obj(&[("a", n(1.0)), ("b", n(2.0))]));
        assert_eq!(z.map_kind(), Some(MapKind::Object));
        assert_eq!(
            ok("zipmap", &[strs(&["a"]), list(vec![n(1.0)])]).map_kind(),
            Some(MapKind::Map)
        );
        assert_eq!(
            ok("zipmap", &[strs(&["a", "a"]), nums(&[1.0, 2.0])]),
            obj(&[("a", n(2.0))])
        );
        fails(
            "zipmap",
            &[strs(&["a"]), nums(&[1.0, 2.0])],
            "number of keys (1) does not match the number of values (2)",
        );
        fails(
            "zipmap",
            &[tup(vec![null()]), nums(&[1.0])],
            "key 0 is null",
        );
        fails(
            "zipmap",
            &[tup(vec![tup(vec![])]), nums(&[1.0])],
            "keys must be strings",
        );
    }

    #[test]
    fn coalesce_compact_setunion() {
        assert_eq!(ok("coalesce", &[null(), s(""), s("b"), s("c")]), s("b"));
        assert_eq!(ok("coalesce", &[null(), n(1.0), n(2.0)]), n(1.0));
        assert_eq!(ok("coalesce", &[n(1.0), s("x")]), s("1"));
        assert_eq!(ok("coalesce", &[null(), strs(&["a"])]), strs(&["a"]));
        let e = fails("coalesce", &[null(), s("")], "every argument is null");
        assert!(e.help.is_some());

        assert_eq!(
            ok(
                "compact",
                &[tup(vec![s("a"), s(""), null(), s("b"), n(1.0)])]
            ),
            list(vec![s("a"), s("b"), s("1")])
        );
        fails("compact", &[tup(vec![tup(vec![])])], "lists of strings");
        fails("compact", &[s("a")], "must be a list");

        let u = ok(
            "setunion",
            &[strs(&["a", "b"]), strs(&["b", "c"]), set(vec![s("d")])],
        );
        assert_eq!(u, set(vec![s("a"), s("b"), s("c"), s("d")]));
        assert_eq!(u.seq_kind(), Some(SeqKind::Set));
        fails("setunion", &[strs(&["a"]), s("b")], "must be a list");
    }
}
