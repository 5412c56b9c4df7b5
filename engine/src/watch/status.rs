//! What the watcher reports: `watch.json` in the stack's state directory, `GET /status` and
//! `GET /metrics`.

use crate::plan::PlanSummary;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The watcher's status, rewritten after every tick.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WatchStatus {
    pub stack: String,
    /// The source, without credentials: a directory or a git URL with what it follows.
    pub source: String,
    /// The revision of the source last read (a commit, or a hash of the local files).
    pub revision_seen: Option<String>,
    /// The revision last applied successfully: what is deployed.
    pub revision_applied: Option<String>,
    pub last_plan: Option<PlanSummary>,
    pub last_error: Option<ReportedError>,
    pub resources: Vec<ResourceStatus>,
    /// RFC 3339.
    pub updated_at: String,
    pub next_tick: Option<String>,
    pub metrics: Metrics,
}

/// A failure, with the revision it belongs to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportedError {
    pub revision: Option<String>,
    pub message: String,
    /// Diagnostics in the short form, `file:line:col: error[code]: message`.
    pub diagnostics: Vec<String>,
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceStatus {
    pub address: String,
    pub state: String,
}

/// Counters since the watcher started.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub reconciles: u64,
    pub failures: u64,
    pub applies: u64,
    pub drift_corrections: u64,
    /// Service rollouts that failed and were rolled back.
    #[serde(default)]
    pub rollbacks: u64,
    pub last_duration_seconds: f64,
}

impl WatchStatus {
    /// The Prometheus text exposition of the metrics.
    pub fn prometheus(&self) -> String {
        let stack = self.stack.replace('\\', "\\\\").replace('"', "\\\"");
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, value: String| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            let _ = writeln!(out, "{name}{{stack=\"{stack}\"}} {value}");
        };
        let m = &self.metrics;
        metric(
            "stackc_reconciles_total",
            "counter",
            "Reconcile ticks run.",
            m.reconciles.to_string(),
        );
        metric(
            "stackc_reconcile_failures_total",
            "counter",
            "Ticks that ended with an error (invalid revision, failed apply, unreachable source).",
            m.failures.to_string(),
        );
        metric(
            "stackc_applies_total",
            "counter",
            "Applies carried out.",
            m.applies.to_string(),
        );
        metric(
            "stackc_drift_corrections_total",
            "counter",
            "Applies that healed drift made outside stackc.",
            m.drift_corrections.to_string(),
        );
        metric(
            "stackc_rollbacks_total",
            "counter",
            "Service rollouts that failed and were rolled back.",
            m.rollbacks.to_string(),
        );
        metric(
            "stackc_reconcile_duration_seconds",
            "gauge",
            "How long the last tick took.",
            format!("{:.3}", m.last_duration_seconds),
        );
        let mut by_state: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &self.resources {
            *by_state.entry(r.state.as_str()).or_default() += 1;
        }
        let _ = writeln!(
            out,
            "# HELP stackc_resources Resources of the stack by state."
        );
        let _ = writeln!(out, "# TYPE stackc_resources gauge");
        for (state, n) in by_state {
            let _ = writeln!(
                out,
                "stackc_resources{{stack=\"{stack}\",state=\"{state}\"}} {n}"
            );
        }
        out
    }
}
