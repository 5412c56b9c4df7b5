//! The labels every object carries (ARCHITECTURE.md decision 1).

use stackc_engine::provider::{DesiredObject, LABEL_APPLIED};
use std::collections::{BTreeMap, HashMap};

/// The spec's own `labels`, then the engine's `io.stackc.*` labels and the applied record,
/// which win: a user label cannot hide an object from `observe`.
pub(crate) fn of(
    desired: &DesiredObject,
    own: Option<&BTreeMap<String, String>>,
) -> HashMap<String, String> {
    let mut labels: HashMap<String, String> = own
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    labels.extend(desired.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
    labels.insert(LABEL_APPLIED.to_string(), desired.applied.clone());
    labels
}
