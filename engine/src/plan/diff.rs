//! The field-level diff (ARCHITECTURE.md decision 2): the desired spec against the record the
//! object was made from, compared in canonical form (so `"1GiB"` equals `"1024MiB"` and
//! `"CAP_NET_RAW"` equals `"NET_RAW"`), shown in the form the user wrote.
//!
//! Live attributes ([`crate::model::live`]) are left out here: they are compared with what the
//! runtime reports, since they can change without the record changing.

use super::objects::{AppliedRecord, RecordedRef};
use crate::model::domain::{canonical, with_secret_form, SecretForm};
use crate::model::{ResourceKind, ResourceSpec};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Shown in place of a sensitive value.
pub const SENSITIVE: &str = "(sensitive)";

/// One attribute that changes. `before`/`after` are `None` when the attribute is unset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub path: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub forces_replacement: bool,
}

/// What the diff needs to know about the desired side.
pub(crate) struct DesiredSide<'a> {
    pub kind: ResourceKind,
    pub spec: &'a ResourceSpec,
    pub refs: &'a BTreeMap<String, RecordedRef>,
    /// An image's content digest.
    pub digest: Option<&'a str>,
    pub key: &'a [u8; 32],
    /// True for paths whose desired value is sensitive.
    pub sensitive: &'a dyn Fn(&str) -> bool,
    /// `lifecycle.ignore_changes`.
    pub ignore: &'a [String],
    /// True for paths a change of which replaces the object (the schema's change kind, plus
    /// what the provider cannot change in place).
    pub replaces: &'a dyn Fn(&str) -> bool,
}

/// Why the record cannot be compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Unreadable(pub String);

/// The changes from the applied record to the desired side.
pub(crate) fn changes(desired: &DesiredSide<'_>, applied: &str) -> Result<Vec<Change>, Unreadable> {
    let record: AppliedRecord = serde_json::from_str(applied)
        .map_err(|e| Unreadable(format!("its record is not valid JSON ({e})")))?;
    let applied_spec = ResourceSpec::from_json(desired.kind, record.spec.clone())
        .map_err(|e| Unreadable(format!("its record does not decode ({e})")))?;
    // The record's secrets are keyed already: serialise them as they are.
    let canon_applied = with_secret_form(SecretForm::Revealed, || {
        canonical(|| serde_json::to_value(&applied_spec).unwrap_or(Value::Null))
    });
    let canon_desired = with_secret_form(SecretForm::Keyed(*desired.key), || {
        canonical(|| serde_json::to_value(desired.spec).unwrap_or(Value::Null))
    });
    let written_desired = serde_json::to_value(desired.spec).unwrap_or(Value::Null);

    let a = flatten(&canon_applied);
    let d = flatten(&canon_desired);
    let wa = flatten(&record.spec);
    let wd = flatten(&written_desired);
    let live: BTreeSet<&str> = crate::model::live::KEYS.iter().copied().collect();
    let ignored = |p: &str| {
        desired.ignore.iter().any(|i| {
            p == i
                || p.strip_prefix(i.as_str())
                    .is_some_and(|r| r.starts_with('.'))
        })
    };
    let paths: BTreeSet<&String> = a.keys().chain(d.keys()).collect();
    let mut out = Vec::new();
    for path in paths {
        if live.contains(path.as_str()) || ignored(path) || a.get(path) == d.get(path) {
            continue;
        }
        let shown = |v: Option<&Value>| {
            v.map(|v| {
                if (desired.sensitive)(path) || is_secret_value(path) {
                    Value::String(SENSITIVE.into())
                } else {
                    v.clone()
                }
            })
        };
        out.push(Change {
            path: path.clone(),
            before: shown(wa.get(path)),
            after: shown(wd.get(path)),
            forces_replacement: (desired.replaces)(path),
        });
    }
    out.extend(ref_changes(desired, &record.refs));
    if let (ResourceSpec::Image(image), Some(after)) = (desired.spec, desired.digest) {
        if record.digest.as_deref() != Some(after) {
            // The inputs' content changed: the image's `.digest`.
            let _ = image;
            out.push(Change {
                path: "digest".to_string(),
                before: record.digest.clone().map(Value::String),
                after: Some(Value::String(after.to_string())),
                forces_replacement: true,
            });
        }
    }
    Ok(out)
}

/// A referenced resource whose runtime name or digest differs from the record's: the object
/// was made from another image or joined another network, so it is replaced.
fn ref_changes(desired: &DesiredSide<'_>, recorded: &BTreeMap<String, RecordedRef>) -> Vec<Change> {
    let image = match desired.spec {
        ResourceSpec::Container(c) => c.image.resource().map(|r| r.address().to_string()),
        ResourceSpec::Service(s) => s.template.image.resource().map(|r| r.address().to_string()),
        _ => None,
    };
    let addresses: BTreeSet<&String> = recorded.keys().chain(desired.refs.keys()).collect();
    let mut out = Vec::new();
    for addr in addresses {
        let (before, after) = (recorded.get(addr), desired.refs.get(addr));
        if before == after || before.is_none() || after.is_none() {
            // A reference added or removed shows as the attribute that names it.
            continue;
        }
        let ident = |r: Option<&RecordedRef>| {
            r.map(|r| Value::String(r.digest.clone().unwrap_or_else(|| r.runtime_name.clone())))
        };
        let path = match &image {
            Some(i) if i == addr || addr.split('[').next() == Some(i.as_str()) => "image".into(),
            _ => addr.clone(),
        };
        out.push(Change {
            path,
            before: ident(before),
            after: ident(after),
            forces_replacement: true,
        });
    }
    out
}

/// `secret.0.value`: always sensitive.
fn is_secret_value(path: &str) -> bool {
    path.starts_with("secret.") && path.ends_with(".value")
}

/// Leaf paths of a spec's JSON: objects by key, lists of blocks (objects) by index; other
/// lists are leaves, compared whole.
pub fn flatten(v: &Value) -> BTreeMap<String, Value> {
    fn walk(v: &Value, path: &str, out: &mut BTreeMap<String, Value>) {
        let join = |k: &str| {
            if path.is_empty() {
                k.to_string()
            } else {
                format!("{path}.{k}")
            }
        };
        match v {
            Value::Object(m) if !m.is_empty() => {
                for (k, item) in m {
                    walk(item, &join(k), out);
                }
            }
            Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_object) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &join(&i.to_string()), out);
                }
            }
            _ if path.is_empty() => {}
            other => {
                out.insert(path.to_string(), other.clone());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(v, "", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flattening_keeps_scalar_lists_whole_and_indexes_blocks() {
        let v = json!({
            "command": ["sh", "-c", "x"],
            "env": {"A": "1"},
            "port": [{"container": 80}, {"container": 443, "host": 8443}],
            "resources": {"memory": "256MiB"}
        });
        let f = flatten(&v);
        let keys: Vec<&str> = f.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "command",
                "env.A",
                "port.0.container",
                "port.1.container",
                "port.1.host",
                "resources.memory"
            ]
        );
    }
}
