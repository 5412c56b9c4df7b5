//! `stackc status` (`ps`): each resource with its runtime name, state, health, ports,
//! restarts and age, like `docker compose ps`.

use super::session::{self, Files};
use crate::cli::Options;
use crate::output::fail;
use serde_json::json;
use stackc_engine::model::ResourceKind;
use stackc_engine::provider::{Health, ObjectState, ObservedObject, Provider};
use stackc_engine::service::parse_replica;
use stackc_engine::watch::WatchStatus;

/// One row of the table.
struct Row {
    address: String,
    name: String,
    state: String,
    health: String,
    ports: String,
    restarts: String,
    age: String,
}

pub fn run(options: &Options, as_json: bool, stats: bool) -> u8 {
    if stats {
        return fail(
            "--stats is not available yet",
            Some("use `docker stats` for the docker provider meanwhile"),
        );
    }
    let session = match session::open(options, Files::Disk, None, "stackc status") {
        Ok(s) => s,
        Err(code) => return code,
    };
    let observed = match session
        .runtime
        .block_on(session.provider.observe(&session.stack.name))
    {
        Ok(o) => o,
        Err(e) => return fail(&format!("cannot observe the runtime: {e}"), None),
    };
    let provider = &session.provider;
    let healths: Vec<Option<Health>> = session.runtime.block_on(async {
        let checks = observed.iter().map(|o| async move {
            if o.state == ObjectState::Running {
                provider.health(o).await.ok()
            } else {
                None
            }
        });
        futures::future::join_all(checks).await
    });
    // The revision a service runs is the last one applied in full (a failed rollout was
    // rolled back, or stopped part way).
    let revision = session
        .state
        .history()
        .ok()
        .and_then(|h| h.into_iter().rev().find(|r| r.summary.is_success()))
        .map(|r| r.number);
    let mut rows = Vec::new();
    for r in &session.stack.resources {
        if r.kind == ResourceKind::Service {
            service_rows(&mut rows, r, &observed, &healths, revision);
            continue;
        }
        let found = observed.iter().position(|o| o.address == r.address);
        let ports = r
            .spec
            .container()
            .map(|c| {
                c.ports
                    .iter()
                    .map(|p| {
                        format!(
                            "{}:{}->{}/{}",
                            p.host_ip(),
                            p.host_port(),
                            p.container,
                            p.protocol().as_str()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        rows.push(match found {
            Some(i) => row(&observed[i], healths[i].as_ref(), ports),
            None => Row {
                address: r.address.clone(),
                name: r.runtime_name.clone(),
                state: "missing".into(),
                health: String::new(),
                ports,
                restarts: String::new(),
                age: String::new(),
            },
        });
    }
    for (i, o) in observed.iter().enumerate() {
        let replica_of_stack = parse_replica(&o.address)
            .is_some_and(|(service, _)| session.stack.get(service).is_some());
        if session.stack.get(&o.address).is_none() && !replica_of_stack {
            let mut r = row(o, healths[i].as_ref(), String::new());
            r.state = format!("{} (not in the stack)", r.state);
            rows.push(r);
        }
    }
    let watch = watch_status(&session);
    if as_json {
        let doc: Vec<_> = rows
            .iter()
            .map(|r| {
                json!({
                    "address": r.address,
                    "name": r.name,
                    "state": r.state,
                    "health": r.health,
                    "ports": r.ports,
                    "restarts": r.restarts.parse::<u64>().ok(),
                    "age": r.age,
                })
            })
            .collect();
        let doc = match watch {
            Some(w) => json!({"resources": doc, "watch": w}),
            None => json!({"resources": doc}),
        };
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        print!("{}", table(&rows));
        if let Some(w) = watch {
            println!();
            println!("watched from {}", w.source);
            if let Some(r) = &w.revision_applied {
                println!("  deployed revision: {r}");
            }
            if let Some(e) = &w.last_error {
                println!(
                    "  last error ({}): {}",
                    e.revision.as_deref().unwrap_or("no revision"),
                    e.message
                );
                for d in &e.diagnostics {
                    println!("    {d}");
                }
            }
            if let Some(next) = &w.next_tick {
                println!("  next reconcile: {next}");
            }
        }
    }
    0
}

/// A service's line — `3/3 ready (rev 4)` — and one line per replica under it.
fn service_rows(
    rows: &mut Vec<Row>,
    r: &stackc_engine::model::DesiredResource,
    observed: &[ObservedObject],
    healths: &[Option<Health>],
    revision: Option<u64>,
) {
    let wanted = match &r.spec {
        stackc_engine::model::ResourceSpec::Service(s) => s.replicas.unwrap_or(1),
        _ => 1,
    };
    let mut replicas: Vec<(u32, usize)> = observed
        .iter()
        .enumerate()
        .filter_map(|(i, o)| match parse_replica(&o.address) {
            Some((service, n)) if service == r.address => Some((n, i)),
            _ => None,
        })
        .collect();
    replicas.sort();
    let ready = replicas
        .iter()
        .filter(|(_, i)| {
            observed[*i].state == ObjectState::Running
                && matches!(healths[*i], Some(Health::Healthy | Health::None) | None)
        })
        .count();
    rows.push(Row {
        address: r.address.clone(),
        name: r.runtime_name.clone(),
        state: match revision {
            Some(rev) => format!("{ready}/{wanted} ready (rev {rev})"),
            None => format!("{ready}/{wanted} ready"),
        },
        health: String::new(),
        ports: String::new(),
        restarts: String::new(),
        age: String::new(),
    });
    for (_, i) in replicas {
        let mut row = row(&observed[i], healths[i].as_ref(), String::new());
        row.address = format!("  {}", row.address);
        rows.push(row);
    }
}

/// The watcher's status, when one runs (or ran) for this stack.
fn watch_status(session: &session::Session) -> Option<WatchStatus> {
    let bytes = std::fs::read(session.state.dir().join("watch.json")).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn row(o: &ObservedObject, health: Option<&Health>, ports: String) -> Row {
    let runs = matches!(o.kind, ResourceKind::Container | ResourceKind::Service);
    Row {
        address: o.address.clone(),
        name: o.runtime_name.clone(),
        state: match &o.state {
            ObjectState::Present => "present".into(),
            ObjectState::Created => "created".into(),
            ObjectState::Running => "running".into(),
            ObjectState::Restarting => "restarting".into(),
            ObjectState::Stopped { exit_code: Some(c) } => format!("exited ({c})"),
            ObjectState::Stopped { exit_code: None } => "exited".into(),
        },
        health: match health {
            Some(Health::Healthy) => "healthy".into(),
            Some(Health::Starting) => "starting".into(),
            Some(Health::Unhealthy { .. }) => "unhealthy".into(),
            Some(Health::None) | None => String::new(),
        },
        ports,
        restarts: if runs {
            o.restarts.to_string()
        } else {
            String::new()
        },
        age: if o.state == ObjectState::Running {
            o.started_at.as_deref().map(age).unwrap_or_default()
        } else {
            String::new()
        },
    }
}

/// `3m`, `2h`, `5d` since an RFC 3339 time.
fn age(started: &str) -> String {
    let Ok(t) = started.parse::<jiff::Timestamp>() else {
        return String::new();
    };
    let secs = jiff::Timestamp::now().as_second() - t.as_second();
    match secs {
        s if s < 60 => format!("{}s", s.max(0)),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

fn table(rows: &[Row]) -> String {
    let header = [
        "ADDRESS", "NAME", "STATE", "HEALTH", "PORTS", "RESTARTS", "AGE",
    ];
    let cells: Vec<[&str; 7]> = rows
        .iter()
        .map(|r| {
            [
                r.address.as_str(),
                &r.name,
                &r.state,
                &r.health,
                &r.ports,
                &r.restarts,
                &r.age,
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for c in &cells {
        for (w, v) in widths.iter_mut().zip(c) {
            *w = (*w).max(v.chars().count());
        }
    }
    let mut out = String::new();
    for line in std::iter::once(header).chain(cells) {
        let parts: Vec<String> = line
            .iter()
            .zip(widths)
            .map(|(v, w)| format!("{v:<w$}"))
            .collect();
        out.push_str(parts.join("  ").trim_end());
        out.push('\n');
    }
    out
}
