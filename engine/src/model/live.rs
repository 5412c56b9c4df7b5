//! The live attributes of an object: those a runtime lets change in place, so that they can
//! drift without the object being replaced (`docker update` changes limits and the restart
//! policy of a running container; nothing changes its image or its command).
//!
//! The diff compares what [`Provider::expected_live`](crate::provider::Provider::expected_live)
//! says an object made from the desired spec shows with what `observe` read
//! ([`ObservedObject::live`](crate::provider::ObservedObject::live)). Both sides use one form:
//! whole numbers in the runtime's units (bytes, nano-CPUs), `0` or `""` for "no limit", and
//! the spec's own words for enumerations.

use super::container::{ContainerSpec, RestartPolicy};
use super::ResourceSpec;
use serde_json::Value;
use std::collections::BTreeMap;

/// `resources.cpus`, in billionths of a CPU.
pub const CPUS: &str = "resources.cpus";
/// `resources.memory`, in bytes.
pub const MEMORY: &str = "resources.memory";
/// `resources.memory_swap`, memory plus swap in bytes.
pub const MEMORY_SWAP: &str = "resources.memory_swap";
pub const PIDS: &str = "resources.pids";
pub const CPU_SHARES: &str = "resources.cpu_shares";
/// `resources.cpuset`, as written: `"0-3"`.
pub const CPUSET: &str = "resources.cpuset";
pub const IO_WEIGHT: &str = "resources.io_weight";
/// `restart`: `"no"`, `"always"`, `"on-failure"`, `"unless-stopped"`.
pub const RESTART: &str = "restart";
pub const MAX_RESTARTS: &str = "max_restarts";

/// Every live key, in the order plans show them.
pub const KEYS: &[&str] = &[
    CPUS,
    MEMORY,
    MEMORY_SWAP,
    PIDS,
    CPU_SHARES,
    CPUSET,
    IO_WEIGHT,
    RESTART,
    MAX_RESTARTS,
];

/// The live attributes an object made from `spec` has, before any runtime's own defaults.
/// Only containers have any.
pub fn attributes(spec: &ResourceSpec) -> BTreeMap<String, Value> {
    match spec {
        ResourceSpec::Container(c) => container(c),
        _ => BTreeMap::new(),
    }
}

/// The live attributes of a container.
pub fn container(c: &ContainerSpec) -> BTreeMap<String, Value> {
    let r = c.resources.clone().unwrap_or_default();
    let mut out = BTreeMap::new();
    let mut put = |k: &str, v: Value| {
        out.insert(k.to_string(), v);
    };
    put(CPUS, r.cpus.as_ref().map_or(0, |c| c.nanos()).into());
    put(MEMORY, r.memory.as_ref().map_or(0, |m| m.bytes()).into());
    put(
        MEMORY_SWAP,
        r.memory_swap.as_ref().map_or(0, |m| m.bytes()).into(),
    );
    put(PIDS, r.pids.unwrap_or(0).into());
    put(CPU_SHARES, r.cpu_shares.unwrap_or(0).into());
    put(CPUSET, r.cpuset.clone().unwrap_or_default().into());
    put(IO_WEIGHT, r.io_weight.unwrap_or(0).into());
    put(RESTART, restart_word(c.restart_policy()).into());
    put(MAX_RESTARTS, c.max_restarts.unwrap_or(0).into());
    out
}

/// The word of a restart policy, as LANGUAGE.md writes it.
pub fn restart_word(p: RestartPolicy) -> &'static str {
    match p {
        RestartPolicy::No => "no",
        RestartPolicy::Always => "always",
        RestartPolicy::OnFailure => "on-failure",
        RestartPolicy::UnlessStopped => "unless-stopped",
    }
}

/// A live value as a plan shows it: sizes in binary units, CPUs as a count.
pub fn display(key: &str, value: &Value) -> String {
    match (key, value.as_u64()) {
        (MEMORY | MEMORY_SWAP, Some(0)) | (CPUS | PIDS | CPU_SHARES | IO_WEIGHT, Some(0)) => {
            "(unset)".to_string()
        }
        (MEMORY | MEMORY_SWAP, Some(bytes)) => human_bytes(bytes),
        (CPUS, Some(nanos)) => {
            let cpus = nanos as f64 / 1e9;
            stackc_lang::value::format_number(cpus)
        }
        _ => match value {
            Value::String(s) if s.is_empty() => "(unset)".to_string(),
            Value::String(s) => stackc_lang::value::quote(s),
            other => other.to_string(),
        },
    }
}

/// A live value as a plan's change shows it: `None` for "no limit", sizes in binary units,
/// CPUs as a count.
pub fn shown(key: &str, value: &Value) -> Option<Value> {
    match (key, value) {
        (_, Value::Number(n)) if n.as_u64() == Some(0) => None,
        (_, Value::String(s)) if s.is_empty() => None,
        (MEMORY | MEMORY_SWAP, Value::Number(n)) => {
            n.as_u64().map(|b| Value::String(human_bytes(b)))
        }
        (CPUS, Value::Number(n)) => n
            .as_u64()
            .and_then(|nanos| serde_json::Number::from_f64(nanos as f64 / 1e9))
            .map(Value::Number),
        (_, other) => Some(other.clone()),
    }
}

/// `268435456` → `"256MiB"`: the largest binary unit that divides the size exactly.
pub fn human_bytes(bytes: u64) -> String {
    for (unit, size) in [
        ("TiB", 1u64 << 40),
        ("GiB", 1 << 30),
        ("MiB", 1 << 20),
        ("KiB", 1 << 10),
    ] {
        if bytes >= size && bytes.is_multiple_of(size) {
            return format!("{}{unit}", bytes / size);
        }
    }
    bytes.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_show_in_the_largest_exact_unit() {
        assert_eq!(human_bytes(268_435_456), "256MiB");
        assert_eq!(human_bytes(1 << 30), "1GiB");
        assert_eq!(human_bytes(1_500_000), "1500000");
        assert_eq!(display(MEMORY, &Value::from(0u64)), "(unset)");
        assert_eq!(display(CPUS, &Value::from(1_500_000_000u64)), "1.5");
        assert_eq!(display(RESTART, &Value::from("always")), "\"always\"");
    }
}
