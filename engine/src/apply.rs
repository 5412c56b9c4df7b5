//! The executor (ARCHITECTURE.md decision 5): carries out actions on a [`Provider`] in the
//! order of the [`ResourceGraph`].
//!
//! An action starts once everything it waits for has succeeded (see [`schedule`] for what
//! waits for what; deletions walk the graph in reverse); independent actions run at once, up
//! to `parallelism`. A failure skips everything that waits for it, directly or through other
//! instances, each recorded once with the failed address as its cause, and lets unrelated
//! work finish, so that one bad container does not leave the rest of a stack half-applied.
//!
//! Progress goes out as [`Event`]s on a channel rather than being printed, since nothing below
//! the CLI prints (ARCHITECTURE.md "Layout").

mod schedule;

use crate::graph::ResourceGraph;
use crate::provider::{DesiredObject, ObservedObject, Progress, Provider, ProviderError};
use schedule::Schedule;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// What an action does, for events and the summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ActionKind {
    Create,
    Update,
    Delete,
    Start,
}

/// What to ask the provider, with everything the call needs.
#[derive(Clone, Debug, PartialEq)]
pub enum Operation {
    Create(Box<DesiredObject>),
    Update {
        current: Box<ObservedObject>,
        desired: Box<DesiredObject>,
    },
    Delete(Box<ObservedObject>),
    Start(Box<ObservedObject>),
}

/// One step of a plan: an operation on one instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    pub address: String,
    pub operation: Operation,
}

impl Action {
    pub fn create(desired: DesiredObject) -> Action {
        Action {
            address: desired.address.clone(),
            operation: Operation::Create(Box::new(desired)),
        }
    }

    pub fn update(current: ObservedObject, desired: DesiredObject) -> Action {
        Action {
            address: desired.address.clone(),
            operation: Operation::Update {
                current: Box::new(current),
                desired: Box::new(desired),
            },
        }
    }

    pub fn delete(object: ObservedObject) -> Action {
        Action {
            address: object.address.clone(),
            operation: Operation::Delete(Box::new(object)),
        }
    }

    pub fn start(object: ObservedObject) -> Action {
        Action {
            address: object.address.clone(),
            operation: Operation::Start(Box::new(object)),
        }
    }

    pub fn kind(&self) -> ActionKind {
        match self.operation {
            Operation::Create(_) => ActionKind::Create,
            Operation::Update { .. } => ActionKind::Update,
            Operation::Delete(_) => ActionKind::Delete,
            Operation::Start(_) => ActionKind::Start,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplyOptions {
    /// How many provider calls may run at once (`--parallelism`); 0 counts as 1.
    pub parallelism: usize,
}

impl Default for ApplyOptions {
    /// CLI.md: `--parallelism` defaults to 10.
    fn default() -> ApplyOptions {
        ApplyOptions { parallelism: 10 }
    }
}

/// Progress of an apply, in the order it happened.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    Started {
        address: String,
        action: ActionKind,
    },
    Succeeded {
        address: String,
        action: ActionKind,
        elapsed: Duration,
    },
    Failed {
        address: String,
        action: ActionKind,
        error: ProviderError,
        elapsed: Duration,
    },
    /// Not attempted, because `cause` (an address) failed.
    Skipped {
        address: String,
        action: ActionKind,
        cause: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Succeeded,
    Failed(ProviderError),
    /// Not attempted, because the action at the address `cause` failed.
    Skipped {
        cause: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct ActionResult {
    pub action: ActionKind,
    pub outcome: Outcome,
}

/// What became of every action, by address.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub results: BTreeMap<String, ActionResult>,
    pub elapsed: Duration,
}

impl Summary {
    pub fn is_success(&self) -> bool {
        self.results
            .values()
            .all(|r| r.outcome == Outcome::Succeeded)
    }

    pub fn succeeded(&self) -> impl Iterator<Item = &str> {
        self.results
            .iter()
            .filter(|(_, r)| r.outcome == Outcome::Succeeded)
            .map(|(a, _)| a.as_str())
    }

    pub fn failed(&self) -> impl Iterator<Item = (&str, &ProviderError)> {
        self.results.iter().filter_map(|(a, r)| match &r.outcome {
            Outcome::Failed(e) => Some((a.as_str(), e)),
            _ => None,
        })
    }

    /// Skipped addresses with the failed address that caused each.
    pub fn skipped(&self) -> impl Iterator<Item = (&str, &str)> {
        self.results.iter().filter_map(|(a, r)| match &r.outcome {
            Outcome::Skipped { cause } => Some((a.as_str(), cause.as_str())),
            _ => None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    #[error("the plan has two actions for `{0}`")]
    DuplicateAction(String),
    /// Only possible if the graph had a cycle, which [`ResourceGraph`] refuses.
    #[error("actions wait for each other and cannot start: {}", .0.join(", "))]
    Stuck(Vec<String>),
}

/// Carries out `actions` in the order of `graph`, reporting progress on `events` (a closed
/// receiver is not an error: progress is optional). Errors of the provider are results in the
/// summary; `Err` only means the actions themselves were inconsistent.
pub async fn apply<P: Provider>(
    provider: Arc<P>,
    graph: &ResourceGraph,
    actions: Vec<Action>,
    options: &ApplyOptions,
    events: &mpsc::Sender<Event>,
) -> Result<Summary, ApplyError> {
    let began = Instant::now();
    let mut by_address: HashMap<String, Action> = HashMap::with_capacity(actions.len());
    let mut kinds = Vec::with_capacity(actions.len());
    for a in actions {
        if by_address.contains_key(&a.address) {
            return Err(ApplyError::DuplicateAction(a.address));
        }
        kinds.push((a.address.clone(), a.kind()));
        by_address.insert(a.address.clone(), a);
    }
    let kinds_ref: Vec<(&str, ActionKind)> = kinds.iter().map(|(a, k)| (a.as_str(), *k)).collect();
    let mut schedule = Schedule::new(graph, &kinds_ref);
    let parallelism = options.parallelism.max(1);
    let mut results = BTreeMap::new();
    let mut running: JoinSet<Result<(), ProviderError>> = JoinSet::new();
    let mut tasks: HashMap<tokio::task::Id, (usize, ActionKind, Instant)> = HashMap::new();
    loop {
        while running.len() < parallelism {
            let Some(i) = schedule.start_next() else {
                break;
            };
            let Some(action) = by_address.remove(schedule.address(i)) else {
                continue;
            };
            let kind = action.kind();
            emit(
                events,
                Event::Started {
                    address: action.address.clone(),
                    action: kind,
                },
            )
            .await;
            let p = Arc::clone(&provider);
            let handle = running.spawn(async move { perform(&*p, action.operation).await });
            tasks.insert(handle.id(), (i, kind, Instant::now()));
        }
        let Some(joined) = running.join_next_with_id().await else {
            break;
        };
        let (id, result) = match joined {
            Ok((id, r)) => (id, r),
            Err(e) => (
                e.id(),
                Err(ProviderError::Runtime(
                    "the provider call panicked".to_string(),
                )),
            ),
        };
        let Some((i, kind, started)) = tasks.remove(&id) else {
            continue;
        };
        let address = schedule.address(i).to_string();
        let elapsed = started.elapsed();
        match result {
            Ok(()) => {
                schedule.succeeded(i);
                emit(
                    events,
                    Event::Succeeded {
                        address: address.clone(),
                        action: kind,
                        elapsed,
                    },
                )
                .await;
                results.insert(
                    address,
                    ActionResult {
                        action: kind,
                        outcome: Outcome::Succeeded,
                    },
                );
            }
            Err(error) => {
                let skipped = schedule.failed(i);
                emit(
                    events,
                    Event::Failed {
                        address: address.clone(),
                        action: kind,
                        error: error.clone(),
                        elapsed,
                    },
                )
                .await;
                results.insert(
                    address.clone(),
                    ActionResult {
                        action: kind,
                        outcome: Outcome::Failed(error),
                    },
                );
                for s in skipped {
                    let Some(action) = by_address.remove(schedule.address(s)) else {
                        continue;
                    };
                    let kind = action.kind();
                    emit(
                        events,
                        Event::Skipped {
                            address: action.address.clone(),
                            action: kind,
                            cause: address.clone(),
                        },
                    )
                    .await;
                    results.insert(
                        action.address,
                        ActionResult {
                            action: kind,
                            outcome: Outcome::Skipped {
                                cause: address.clone(),
                            },
                        },
                    );
                }
            }
        }
    }
    let stuck = schedule.stuck();
    if !stuck.is_empty() {
        let addresses = stuck
            .iter()
            .map(|&i| schedule.address(i).to_string())
            .collect();
        return Err(ApplyError::Stuck(addresses));
    }
    Ok(Summary {
        results,
        elapsed: began.elapsed(),
    })
}

async fn emit(events: &mpsc::Sender<Event>, event: Event) {
    // A closed receiver means nobody is watching; the apply goes on.
    let _ = events.send(event).await;
}

async fn perform<P: Provider>(provider: &P, operation: Operation) -> Result<(), ProviderError> {
    match operation {
        Operation::Create(desired) => provider.create(&desired, &Progress::none()).await.map(drop),
        Operation::Update { current, desired } => provider
            .update(&current, &desired, &Progress::none())
            .await
            .map(drop),
        Operation::Delete(object) => provider.delete(&object).await,
        Operation::Start(object) => provider.start(&object).await,
    }
}

#[cfg(test)]
mod tests;
