//! A plan as text (CLI.md "Plan output", Terraform's shape) and as the `--json` document.

use serde_json::{json, Value};
use stackc_engine::plan::{flatten, Change, Plan, PlanAction, PlannedAction, SENSITIVE};
use std::fmt::Write as _;

/// The human rendering.
pub fn human(plan: &Plan, color: bool) -> String {
    let paint = Paint { color };
    let mut out = String::new();
    let shown: Vec<&PlannedAction> = plan
        .actions
        .iter()
        .filter(|a| a.action != PlanAction::Noop || !a.drift.is_empty() || a.kept.is_some())
        .collect();
    if plan.refresh_only {
        let drifted: Vec<&&PlannedAction> = shown.iter().filter(|a| !a.drift.is_empty()).collect();
        if drifted.is_empty() {
            out.push_str("No changes outside stackc: the runtime matches the last apply.\n");
        } else {
            out.push_str("stackc found these changes made outside its control:\n\n");
            for a in drifted {
                let _ = writeln!(out, "  # {} has drifted: {}", a.address, a.drift.join("; "));
            }
            out.push_str(
                "\nNothing was planned (--refresh-only); `stackc plan` shows how to heal it.\n",
            );
        }
        return out;
    }
    if plan.is_empty() {
        for a in &shown {
            block(&mut out, a, &paint);
        }
        if !shown.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "No changes. The runtime matches the stack `{}`.",
            plan.stack
        );
        return out;
    }
    out.push_str("stackc will perform the following actions:\n");
    for a in &shown {
        out.push('\n');
        block(&mut out, a, &paint);
    }
    let s = plan.summary();
    let mut line = format!(
        "\nPlan: {} to add, {} to change, {} to replace, {} to destroy",
        s.add, s.change, s.replace, s.destroy
    );
    if s.start > 0 {
        let _ = write!(line, ", {} to start", s.start);
    }
    line.push_str(".\n");
    out.push_str(&paint.bold(&line));
    out
}

struct Paint {
    color: bool,
}

impl Paint {
    fn code(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn bold(&self, s: &str) -> String {
        self.code("1", s)
    }

    fn glyph(&self, action: PlanAction) -> String {
        let g = format!("{:>3}", action.glyph());
        match action {
            PlanAction::Create => self.code("32", &g),
            PlanAction::Delete => self.code("31", &g),
            PlanAction::Replace => self.code("35", &g),
            PlanAction::Update | PlanAction::Start => self.code("33", &g),
            PlanAction::Noop => g,
        }
    }
}

/// `container "web"` for `container.web`, `container "web[0]"` for an instance.
fn header_name(a: &PlannedAction) -> String {
    let name = a
        .address
        .split_once('.')
        .map_or(a.address.as_str(), |(_, n)| n);
    format!("{} \"{}\"", a.kind, name.replace('"', "\\\""))
}

fn block(out: &mut String, a: &PlannedAction, paint: &Paint) {
    // One drift reads on the action's line; several get a line each.
    let drift = match a.drift.as_slice() {
        [] => String::new(),
        [one] => format!(" has drifted: {one};"),
        many => {
            let _ = writeln!(out, "  # {} has drifted:", a.address);
            for d in many {
                let _ = writeln!(out, "  #   - {d}");
            }
            String::new()
        }
    };
    match a.action {
        PlanAction::Noop => {
            if let Some(kept) = &a.kept {
                let _ = writeln!(out, "  # {} will be kept: {kept}", a.address);
            } else {
                let _ = writeln!(out, "  # {}{drift} nothing to do", a.address);
            }
            return;
        }
        PlanAction::Start => {
            let verb = a.headline.as_deref().unwrap_or("will be started");
            let _ = writeln!(out, "  # {}{drift} {verb}", a.address);
            return;
        }
        _ => {}
    }
    let verb = match a.action {
        _ if a.headline.is_some() => a.headline.as_deref().unwrap_or_default(),
        PlanAction::Create => "will be created",
        PlanAction::Update => "will be updated in place",
        PlanAction::Replace => "must be replaced",
        PlanAction::Delete => "will be destroyed",
        _ => "",
    };
    let _ = writeln!(out, "  # {}{drift} {verb}", a.address);
    let own_reasons: Vec<&String> = a
        .reasons
        .iter()
        .filter(|r| !r.ends_with("forces replacement") && !a.drift.contains(r))
        .collect();
    for r in own_reasons {
        let _ = writeln!(out, "  # ({r})");
    }
    let _ = writeln!(out, "{} {} {{", paint.glyph(a.action), header_name(a));
    let rows = match a.action {
        PlanAction::Create => created_rows(a),
        PlanAction::Delete => vec![Row::new("-", "name", quote(&a.runtime_name))],
        _ => changed_rows(a),
    };
    let width = rows
        .iter()
        .map(|r| r.path.chars().count())
        .max()
        .unwrap_or(0);
    for r in rows {
        let pad = width - r.path.chars().count();
        let _ = writeln!(
            out,
            "      {} {}{} = {}{}",
            r.mark,
            r.path,
            " ".repeat(pad),
            r.value,
            r.note
        );
    }
    out.push_str("    }\n");
}

struct Row {
    mark: &'static str,
    path: String,
    value: String,
    note: String,
}

impl Row {
    fn new(mark: &'static str, path: &str, value: String) -> Row {
        Row {
            mark,
            path: path.to_string(),
            value,
            note: String::new(),
        }
    }
}

/// Every attribute of a new object, as written, with its runtime name.
fn created_rows(a: &PlannedAction) -> Vec<Row> {
    created_changes(a)
        .into_iter()
        .map(|c| {
            Row::new(
                "+",
                &c.path,
                c.after.as_ref().map(value).unwrap_or_default(),
            )
        })
        .collect()
}

fn created_changes(a: &PlannedAction) -> Vec<Change> {
    let spec = a
        .desired
        .as_ref()
        .and_then(|d| serde_json::to_value(&d.spec).ok())
        .unwrap_or(Value::Null);
    let mut leaves = flatten(&spec);
    leaves.insert("name".into(), Value::String(a.runtime_name.clone()));
    leaves
        .into_iter()
        .map(|(path, v)| Change {
            after: Some(if a.is_sensitive(&path) {
                Value::String(SENSITIVE.into())
            } else {
                v
            }),
            path,
            before: None,
            forces_replacement: false,
        })
        .collect()
}

/// The changed attributes, then the name for context.
fn changed_rows(a: &PlannedAction) -> Vec<Row> {
    let mut rows: Vec<Row> = a.changes.iter().map(change_row).collect();
    rows.push(Row::new(" ", "name", quote(&a.runtime_name)));
    rows
}

fn change_row(c: &Change) -> Row {
    let (mark, text) = match (&c.before, &c.after) {
        (None, Some(after)) => ("+", value(after)),
        (Some(before), None) => ("-", format!("{} -> (unset)", value(before))),
        (Some(before), Some(after)) => ("~", format!("{} -> {}", value(before), value(after))),
        (None, None) => ("~", "(unset)".to_string()),
    };
    Row {
        mark,
        path: c.path.clone(),
        value: text,
        note: if c.forces_replacement {
            " # forces replacement".to_string()
        } else {
            String::new()
        },
    }
}

/// A value as the language writes it: strings quoted, lists `["a", "b"]`, objects
/// `{ k = v }`.
fn value(v: &Value) -> String {
    match v {
        Value::String(s) if s == SENSITIVE => SENSITIVE.to_string(),
        Value::String(s) => quote(&short_digest(s)),
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(value).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Object(m) if m.is_empty() => "{}".to_string(),
        Value::Object(m) => {
            let inner: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{} = {}", object_key(k), value(v)))
                .collect();
            format!("{{ {} }}", inner.join(", "))
        }
        other => other.to_string(),
    }
}

/// `sha256:` and 64 hex digits → the first 12, as Docker shows IDs; the JSON keeps it whole.
fn short_digest(s: &str) -> String {
    match s.strip_prefix("sha256:") {
        Some(hex) if hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()) => {
            format!("sha256:{}…", &hex[..12])
        }
        _ => s.to_string(),
    }
}

fn object_key(k: &str) -> String {
    let plain = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        k.to_string()
    } else {
        quote(k)
    }
}

fn quote(s: &str) -> String {
    stackc_lang::value::quote(s)
}

/// The `--json` document of CLI.md.
pub fn json(plan: &Plan) -> String {
    let actions: Vec<Value> = plan
        .actions
        .iter()
        .map(|a| {
            // A new object's changes are all its attributes, from nothing.
            let created;
            let changes = if a.action == PlanAction::Create {
                created = created_changes(a);
                &created
            } else {
                &a.changes
            };
            let mut o = json!({
                "address": a.address,
                "action": a.action.as_str(),
                "reasons": a.reasons,
                "changes": changes.iter().map(|c| json!({
                    "path": c.path,
                    "before": c.before,
                    "after": c.after,
                    "forces_replacement": c.forces_replacement,
                })).collect::<Vec<_>>(),
            });
            if !a.drift.is_empty() {
                o["drift"] = json!(a.drift);
            }
            if let Some(kept) = &a.kept {
                o["kept"] = json!(kept);
            }
            o
        })
        .collect();
    let s = plan.summary();
    let doc = json!({
        "format_version": plan.format_version,
        "stack": plan.stack,
        "provider": plan.provider,
        "actions": actions,
        "summary": {
            "add": s.add,
            "change": s.change,
            "replace": s.replace,
            "destroy": s.destroy,
            "start": s.start,
        },
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}
