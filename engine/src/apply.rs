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

mod rollout;
mod schedule;

use crate::graph::ResourceGraph;
use crate::provider::{
    DesiredObject, Health, ObjectState, ObservedObject, Progress, ProgressReport, Provider,
    ProviderError,
};
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
    Replace,
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
    /// Delete `current`, then create `desired` (and start it, if it runs).
    Replace {
        current: Box<ObservedObject>,
        desired: Box<DesiredObject>,
    },
    Delete(Box<ObservedObject>),
    Start(Box<ObservedObject>),
    /// Bring a service's replicas to its template and count ([`crate::service`]).
    Rollout(Box<crate::service::Rollout>),
}

/// One step of a plan: an operation on one instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    pub address: String,
    pub operation: Operation,
    /// After starting, wait until the container is running and healthy before dependants
    /// start (`depends_on`, `--wait`).
    pub wait_ready: bool,
}

impl Action {
    pub fn create(desired: DesiredObject) -> Action {
        Action {
            address: desired.address.clone(),
            operation: Operation::Create(Box::new(desired)),
            wait_ready: false,
        }
    }

    pub fn update(current: ObservedObject, desired: DesiredObject) -> Action {
        Action {
            address: desired.address.clone(),
            operation: Operation::Update {
                current: Box::new(current),
                desired: Box::new(desired),
            },
            wait_ready: false,
        }
    }

    pub fn delete(object: ObservedObject) -> Action {
        Action {
            address: object.address.clone(),
            operation: Operation::Delete(Box::new(object)),
            wait_ready: false,
        }
    }

    pub fn start(object: ObservedObject) -> Action {
        Action {
            address: object.address.clone(),
            operation: Operation::Start(Box::new(object)),
            wait_ready: false,
        }
    }

    pub fn kind(&self) -> ActionKind {
        match &self.operation {
            Operation::Create(_) => ActionKind::Create,
            Operation::Update { .. } => ActionKind::Update,
            Operation::Replace { .. } => ActionKind::Replace,
            Operation::Delete(_) => ActionKind::Delete,
            Operation::Start(_) => ActionKind::Start,
            Operation::Rollout(r) if r.current.is_empty() => ActionKind::Create,
            Operation::Rollout(r) if r.replicas == 0 => ActionKind::Delete,
            Operation::Rollout(_) => ActionKind::Update,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplyOptions {
    /// How many provider calls may run at once (`--parallelism`); 0 counts as 1.
    pub parallelism: usize,
    /// `--wait`: every container waits until it is running and healthy.
    pub wait: bool,
    /// How long a readiness wait may take (`--timeout`).
    pub ready_timeout: Duration,
    /// Once raised (the first Ctrl-C), no new action starts; running ones finish.
    pub interrupt: Interrupt,
}

/// A flag the CLI raises on the first Ctrl-C.
#[derive(Clone, Debug, Default)]
pub struct Interrupt(Arc<std::sync::atomic::AtomicBool>);

impl Interrupt {
    pub fn raise(&self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn is_raised(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl PartialEq for Interrupt {
    fn eq(&self, other: &Interrupt) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Interrupt {}

impl Default for ApplyOptions {
    /// CLI.md: `--parallelism` defaults to 10, `--timeout` to 5m.
    fn default() -> ApplyOptions {
        ApplyOptions {
            parallelism: 10,
            wait: false,
            ready_timeout: Duration::from_secs(300),
            interrupt: Interrupt::default(),
        }
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
    /// A provider call reported progress (an image pull).
    Progress(ProgressReport),
    /// Not attempted, because `cause` (an address, or [`INTERRUPTED`]) failed.
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
    /// The apply stopped starting actions after an interrupt.
    pub interrupted: bool,
}

/// The cause recorded for actions an interrupt kept from starting.
pub const INTERRUPTED: &str = "interrupted";

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
    // Progress reports of provider calls become events, in their own task so that a slow
    // reader never holds up a provider call.
    let (progress_tx, mut progress_rx) = mpsc::unbounded_channel::<ProgressReport>();
    let progress = Some(progress_tx);
    let forward_events = events.clone();
    let forwarder = tokio::spawn(async move {
        while let Some(p) = progress_rx.recv().await {
            emit(&forward_events, Event::Progress(p)).await;
        }
    });
    let mut interrupted = false;
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
        if options.interrupt.is_raised() {
            interrupted = true;
        }
        while running.len() < parallelism && !interrupted {
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
            let opts = options.clone();
            let progress = match &progress {
                Some(tx) => Progress::new(&action.address, tx.clone()),
                None => Progress::none(),
            };
            let handle = running.spawn(async move { perform(&*p, action, &opts, progress).await });
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
    drop(progress);
    let _ = forwarder.await;
    if interrupted {
        // What never started is skipped, with the interrupt as its cause.
        let mut left: Vec<Action> = by_address.into_values().collect();
        left.sort_by(|a, b| a.address.cmp(&b.address));
        for action in left {
            let kind = action.kind();
            emit(
                events,
                Event::Skipped {
                    address: action.address.clone(),
                    action: kind,
                    cause: INTERRUPTED.to_string(),
                },
            )
            .await;
            results.insert(
                action.address,
                ActionResult {
                    action: kind,
                    outcome: Outcome::Skipped {
                        cause: INTERRUPTED.to_string(),
                    },
                },
            );
        }
        return Ok(Summary {
            results,
            elapsed: began.elapsed(),
            interrupted,
        });
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
        interrupted,
    })
}

async fn emit(events: &mpsc::Sender<Event>, event: Event) {
    // A closed receiver means nobody is watching; the apply goes on.
    let _ = events.send(event).await;
}

async fn perform<P: Provider>(
    provider: &P,
    action: Action,
    options: &ApplyOptions,
    progress: Progress,
) -> Result<(), ProviderError> {
    let wait = action.wait_ready || options.wait;
    match action.operation {
        Operation::Create(desired) => {
            let made = provider.create(&desired, &progress).await?;
            start_and_wait(provider, &made, wait, options).await
        }
        Operation::Update { current, desired } => {
            let updated = provider.update(&current, &desired, &progress).await?;
            // A container found stopped is started once updated (the plan said so).
            let oneshot = desired.spec.container().is_some_and(|c| c.is_oneshot());
            let down = matches!(
                updated.state,
                ObjectState::Created | ObjectState::Stopped { .. }
            );
            if updated.kind.runs() && down && !oneshot {
                provider.start(&updated).await?;
            }
            if wait && updated.kind.runs() {
                wait_ready(provider, &updated, options.ready_timeout).await?;
            }
            Ok(())
        }
        Operation::Replace { current, desired } => {
            match provider.delete(&current).await {
                Ok(()) | Err(ProviderError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
            let made = provider.create(&desired, &progress).await?;
            start_and_wait(provider, &made, wait, options).await
        }
        Operation::Delete(object) => match provider.delete(&object).await {
            // Gone already: what the delete wanted.
            Ok(()) | Err(ProviderError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        },
        Operation::Start(object) => start_and_wait(provider, &object, wait, options).await,
        Operation::Rollout(r) => rollout::run(provider, &r, options, &progress).await,
    }
}

async fn start_and_wait<P: Provider>(
    provider: &P,
    object: &ObservedObject,
    wait: bool,
    options: &ApplyOptions,
) -> Result<(), ProviderError> {
    if !object.kind.runs() {
        return Ok(());
    }
    provider.start(object).await?;
    if wait {
        wait_ready(provider, object, options.ready_timeout).await?;
    }
    Ok(())
}

/// Polls the object's health until it is running and healthy (or has no health check),
/// failing when it turns unhealthy for good or the deadline passes (decision 5).
async fn wait_ready<P: Provider>(
    provider: &P,
    object: &ObservedObject,
    timeout: Duration,
) -> Result<(), ProviderError> {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(50);
    loop {
        let last = match provider.health(object).await? {
            Health::Healthy | Health::None => return Ok(()),
            Health::Starting => "its health check is still starting".to_string(),
            Health::Unhealthy { reason } => format!("unhealthy: {reason}"),
        };
        if Instant::now() >= deadline {
            return Err(ProviderError::Runtime(format!(
                "`{}` was not ready after {}: {last}",
                object.runtime_name,
                humantime_short(timeout)
            )));
        }
        tokio::time::sleep(pause.min(deadline.saturating_duration_since(Instant::now()))).await;
        pause = (pause * 2).min(Duration::from_secs(1));
    }
}

fn humantime_short(d: Duration) -> String {
    if d.as_secs() >= 60 && d.as_secs().is_multiple_of(60) {
        format!("{}m", d.as_secs() / 60)
    } else {
        format!("{}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests;
