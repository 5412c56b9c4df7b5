//! From desired resources to the [`DesiredObject`]s a provider is handed: references
//! resolved, the keyed spec hash (ARCHITECTURE.md decision 2) and the applied record.

use crate::model::domain::{canonical, with_secret_form, SecretForm};
use crate::model::{DesiredResource, DesiredStack, ResourceKind, ResourceSpec};
use crate::provider::{DesiredObject, Referenced};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use stackc_lang::eval::DependencyKind;
use std::collections::BTreeMap;
use std::path::Path;

/// What an object's record says about one resource it refers to; a change of either forces
/// the object's replacement (a new image digest, a network made under another name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRef {
    pub runtime_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// The applied record ([`DesiredObject::applied`]): the spec as written, with secrets
/// keyed, and what its references were.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppliedRecord {
    pub spec: Value,
    #[serde(default)]
    pub refs: BTreeMap<String, RecordedRef>,
    /// An image's content digest (of `dir`, `archive` or `from_host` inputs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// Builds the desired object of every resource of `stack`.
pub fn desired_objects(
    stack: &DesiredStack,
    key: &[u8; 32],
    stack_dir: &Path,
) -> BTreeMap<String, DesiredObject> {
    let digests: BTreeMap<&str, Option<String>> = stack
        .of_kind(ResourceKind::Image)
        .map(|r| {
            (
                r.address.as_str(),
                crate::model::hooks::image_digest(&r.body, stack_dir),
            )
        })
        .collect();
    let mut objects: BTreeMap<String, DesiredObject> = stack
        .resources
        .iter()
        .map(|r| {
            let o = desired_object(stack, r, &digests, key, stack_dir);
            (r.address.clone(), o)
        })
        .collect();
    // A spec hash depends on its references' names and digests only, never on their hashes,
    // so every hash is known now and can be handed along with each reference.
    let hashes: BTreeMap<String, String> = objects
        .iter()
        .map(|(a, o)| (a.clone(), o.spec_hash.clone()))
        .collect();
    for o in objects.values_mut() {
        for (address, r) in o.references.iter_mut() {
            if let Some(h) = hashes.get(address) {
                r.spec_hash = h.clone();
            }
        }
    }
    objects
}

fn desired_object(
    stack: &DesiredStack,
    r: &DesiredResource,
    digests: &BTreeMap<&str, Option<String>>,
    key: &[u8; 32],
    stack_dir: &Path,
) -> DesiredObject {
    let mut references = BTreeMap::new();
    for d in &r.depends_on {
        if d.kind != DependencyKind::Reference {
            continue;
        }
        let targets: Vec<&DesiredResource> = match stack.get(&d.address) {
            Some(t) => vec![t],
            None => stack
                .resources
                .iter()
                .filter(|t| t.address.split('[').next() == Some(d.address.as_str()))
                .collect(),
        };
        for t in targets {
            references.insert(
                t.address.clone(),
                Referenced {
                    kind: t.kind,
                    runtime_name: t.runtime_name.clone(),
                    spec: t.spec.clone(),
                    digest: digests.get(t.address.as_str()).cloned().flatten(),
                    spec_hash: String::new(),
                },
            );
        }
    }
    let refs: BTreeMap<String, RecordedRef> = references
        .iter()
        .map(|(a, t)| {
            (
                a.clone(),
                RecordedRef {
                    runtime_name: t.runtime_name.clone(),
                    digest: t.digest.clone(),
                },
            )
        })
        .collect();
    let digest = digests.get(r.address.as_str()).cloned().flatten();
    let spec_hash = spec_hash(key, r, &refs, digest.as_deref());
    let digest_for_record = digest.clone();
    let record = AppliedRecord {
        spec: with_secret_form(SecretForm::Keyed(*key), || {
            serde_json::to_value(hashed_spec(r)).unwrap_or(Value::Null)
        }),
        refs,
        digest: digest_for_record,
    };
    let applied = serde_json::to_string(&record).unwrap_or_default();
    DesiredObject {
        address: r.address.clone(),
        kind: r.kind,
        runtime_name: r.runtime_name.clone(),
        spec: r.spec.clone(),
        spec_hash: spec_hash.clone(),
        labels: DesiredObject::labels_for(&stack.name, &r.address, &spec_hash),
        applied,
        references,
        stack_dir: stack_dir.to_path_buf(),
    }
}

/// What an object is made from: a resource's spec; for a service, its replica template, so
/// that its hash and applied record are those of every replica, and scaling (`replicas`) or
/// a new `update` block rolls nothing.
fn hashed_spec(r: &DesiredResource) -> ResourceSpec {
    match &r.spec {
        ResourceSpec::Service(s) => ResourceSpec::Container(s.template.clone()),
        other => other.clone(),
    }
}

/// The keyed hash of everything that decides what the object is: its kind, runtime name,
/// spec in canonical form (secrets included, which the key keeps unrecoverable), its
/// references and, for an image, the digest of its inputs.
fn spec_hash(
    key: &[u8; 32],
    r: &DesiredResource,
    refs: &BTreeMap<String, RecordedRef>,
    digest: Option<&str>,
) -> String {
    let spec = with_secret_form(SecretForm::Revealed, || {
        canonical(|| serde_json::to_value(hashed_spec(r)).unwrap_or(Value::Null))
    });
    let input = serde_json::json!({
        "kind": r.kind,
        "runtime_name": r.runtime_name,
        "spec": spec,
        "refs": refs,
        "digest": digest,
    });
    // HMAC accepts keys of any length, so this cannot fail.
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(input.to_string().as_bytes());
    hex::encode(mac.finalize().into_bytes())
}
