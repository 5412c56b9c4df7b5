//! The reconcile loop of `stackc watch` (ARCHITECTURE.md "The reconcile loop").
//!
//! Level-based and idempotent, like a Kubernetes controller: every tick reads the source and
//! the observed state, plans and, when something differs, applies. A revision that does not
//! validate or fails to apply is recorded with its error and not retried until the source
//! moves again (or `POST /reconcile` asks); meanwhile the last good revision stays deployed and
//! is still healed. The stack's lock is held only while applying, so `plan` and `status` work
//! beside the watcher.

pub mod git;
mod server;
pub mod status;
pub mod webhook;

pub use status::WatchStatus;

use crate::apply::{self, ApplyOptions};
use crate::graph::ResourceGraph;
use crate::load::{self, Loaded};
use crate::plan::{self, PlanAction, PlanInput, PlanOptions};
use crate::provider::{ObjectState, Provider};
use crate::state::{write_atomic, LockMode, Revision, RevisionSummary, StateDir};
use git::GitSource;
use sha2::{Digest, Sha256};
use stackc_lang::eval::{LoadOptions, VarInputs};
use status::{ReportedError, ResourceStatus};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch as signal};

/// Where the desired state comes from.
#[derive(Clone, Debug)]
pub enum Source {
    /// A local stack directory, re-applied when its files change.
    Local(PathBuf),
    Git(GitSource),
}

impl Source {
    /// For the status and logs: no credentials.
    pub fn describe(&self) -> String {
        match self {
            Source::Local(dir) => dir.display().to_string(),
            Source::Git(g) => {
                let what = match &g.reference {
                    git::GitRef::Branch(Some(b)) => format!("branch {b}"),
                    git::GitRef::Branch(None) => "the default branch".to_string(),
                    git::GitRef::Tag(t) => format!("tag {t}"),
                    git::GitRef::Rev(r) => format!("revision {r}"),
                };
                let path = g
                    .path
                    .as_ref()
                    .map(|p| format!(", path {}", p.display()))
                    .unwrap_or_default();
                format!("{} ({what}{path})", git::redact(&g.url))
            }
        }
    }

    /// The current revision and the stack directory holding it. Blocking (git, disk).
    /// `inputs` are the files outside a local stack directory that its last revision read
    /// (`from_host` executables, image `dir`s and `archive`s): a change of one is a new
    /// revision, so rebuilding a binary rolls the containers made from it.
    pub fn read(&self, inputs: &[PathBuf]) -> Result<(String, PathBuf), String> {
        match self {
            Source::Local(dir) => Ok((local_revision(dir, inputs), dir.clone())),
            Source::Git(g) => g
                .sync()
                .map(|r| (r.commit, r.dir))
                .map_err(|e| e.to_string()),
        }
    }
}

/// A local directory's revision: a hash of its stack files, so that saving a file unchanged
/// is not a new revision, and of the identity of the outside files it reads (their size,
/// modification time and inode: reading a large binary on every tick would cost more than
/// the tick).
fn local_revision(dir: &std::path::Path, inputs: &[PathBuf]) -> String {
    use std::os::unix::fs::MetadataExt;
    let mut h = Sha256::new();
    if let Ok(files) = stackc_lang::eval::load::stack_files(dir) {
        for f in files {
            h.update(f.to_string_lossy().as_bytes());
            h.update([0]);
            h.update(std::fs::read(&f).unwrap_or_default());
        }
    }
    for input in inputs {
        for entry in walkdir_entries(input) {
            h.update(entry.as_os_str().as_encoded_bytes());
            if let Ok(m) = std::fs::metadata(&entry) {
                h.update(m.len().to_le_bytes());
                h.update(m.mtime().to_le_bytes());
                h.update(m.mtime_nsec().to_le_bytes());
                h.update(m.ino().to_le_bytes());
            }
        }
    }
    format!("local:{}", &hex::encode(h.finalize())[..12])
}

/// `path` itself, and every file below it when it is a directory (sorted; at most
/// [`MAX_INPUT_FILES`], which is plenty for an image `dir`).
fn walkdir_entries(path: &std::path::Path) -> Vec<PathBuf> {
    let mut out = vec![path.to_path_buf()];
    let mut todo = vec![path.to_path_buf()];
    while let Some(dir) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            if out.len() >= MAX_INPUT_FILES {
                break;
            }
            let p = e.path();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                todo.push(p.clone());
            }
            out.push(p);
        }
    }
    out.sort();
    out
}

/// How many files of an outside input are looked at, at most.
const MAX_INPUT_FILES: usize = 10_000;

/// The files outside the stack directory that its resources are made from: `from_host`
/// executables, and image `dir`s and `archive`s given by absolute path or leading out.
fn outside_inputs(loaded: &Loaded, dir: &std::path::Path) -> Vec<PathBuf> {
    use crate::model::ResourceSpec;
    let mut out = std::collections::BTreeSet::new();
    for r in &loaded.stack.resources {
        let ResourceSpec::Image(image) = &r.spec else {
            continue;
        };
        for exe in image.from_host.iter().flatten() {
            out.insert(PathBuf::from(exe.as_str()));
        }
        for p in [&image.dir, &image.archive].into_iter().flatten() {
            out.insert(p.resolve(dir));
        }
    }
    out.into_iter().filter(|p| !p.starts_with(dir)).collect()
}

/// How the watcher runs.
#[derive(Clone, Debug)]
pub struct WatchOptions {
    pub interval: Duration,
    pub self_heal: bool,
    pub prune: bool,
    /// One tick, then return its outcome.
    pub once: bool,
    pub vars: VarInputs,
    pub cli_provider: Option<String>,
    pub parallelism: usize,
    pub state_dir: StateDir,
    pub status_addr: Option<SocketAddr>,
    /// `--notify`: webhooks told of applies, failures and healed drift.
    pub notify: Vec<String>,
}

/// How a tick ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TickOutcome {
    /// Nothing to do: the runtime matched.
    Converged,
    /// Something was applied successfully.
    Applied,
    /// The revision was invalid, the apply failed, or the source or runtime was unreachable.
    Failed,
}

/// What the watcher keeps between ticks.
struct Watcher<P: Provider> {
    provider: Arc<P>,
    source: Source,
    options: WatchOptions,
    status: Arc<Mutex<WatchStatus>>,
    /// A revision that failed: not tried again until the source moves.
    failed: Option<String>,
    /// The last good revision and its stack, healed between source changes.
    deployed: Option<(String, Loaded)>,
    seen: Option<String>,
    /// When each container was restarted for failing its health check, for the flap limit.
    restarts: std::collections::HashMap<String, std::collections::VecDeque<Instant>>,
    /// Files outside a local stack directory that the last revision read, and the watch on
    /// them (see [`Source::read`]).
    inputs: Vec<PathBuf>,
    inputs_watch: Option<notify::RecommendedWatcher>,
    change_tx: mpsc::Sender<()>,
}

/// At most this many restarts of an unhealthy container within [`FLAP_WINDOW`]; then it is
/// reported and left alone, since restarting it again is not helping.
const FLAP_LIMIT: usize = 5;
const FLAP_WINDOW: Duration = Duration::from_secs(600);

/// Runs the loop until `shutdown` turns true (SIGTERM/SIGINT: the current tick finishes
/// first), or after one tick with `once`.
pub async fn run<P: Provider>(
    provider: Arc<P>,
    source: Source,
    options: WatchOptions,
    mut shutdown: signal::Receiver<bool>,
) -> Result<TickOutcome, String> {
    let status = Arc::new(Mutex::new(WatchStatus {
        source: source.describe(),
        ..WatchStatus::default()
    }));
    let (trigger_tx, mut trigger_rx) = mpsc::channel::<()>(1);
    let server = match options.status_addr {
        Some(addr) => {
            let (bound, task) = server::serve(addr, Arc::clone(&status), trigger_tx.clone())
                .await
                .map_err(|e| format!("cannot serve the status on {addr}: {e}"))?;
            tracing::info!(%bound, "status endpoint listening");
            Some(task)
        }
        None => None,
    };
    // Local sources: file changes trigger a tick, debounced.
    let (change_tx, mut change_rx) = mpsc::channel::<()>(16);
    let inputs_tx = change_tx.clone();
    let _fs_watcher = match &source {
        Source::Local(dir) => Some(watch_dir(dir, options.state_dir.root(), change_tx)?),
        Source::Git(_) => None,
    };
    let mut w = Watcher {
        provider,
        source,
        options,
        status,
        failed: None,
        deployed: None,
        seen: None,
        restarts: Default::default(),
        inputs: Vec::new(),
        inputs_watch: None,
        change_tx: inputs_tx,
    };
    let mut forced = false;
    let mut failures_in_a_row: u32 = 0;
    let outcome = loop {
        let outcome = w.tick(forced).await;
        forced = false;
        if w.options.once || *shutdown.borrow() {
            break outcome;
        }
        failures_in_a_row = match outcome {
            TickOutcome::Failed => failures_in_a_row.saturating_add(1),
            _ => 0,
        };
        let wait = backoff(w.options.interval, failures_in_a_row);
        let next = jiff::Timestamp::now()
            .checked_add(jiff::SignedDuration::try_from(wait).unwrap_or_default())
            .map(|t| t.to_string())
            .ok();
        w.update(|s| s.next_tick = next);
        w.write_status();
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            Some(()) = trigger_rx.recv() => {
                tracing::info!("reconcile requested");
                forced = true;
            }
            Some(()) = change_rx.recv() => {
                // Debounce: wait until the files have been quiet for a moment.
                loop {
                    tokio::select! {
                        Some(()) = change_rx.recv() => continue,
                        _ = tokio::time::sleep(Duration::from_millis(300)) => break,
                    }
                }
                tracing::info!("files changed");
            }
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            break outcome;
        }
    };
    w.write_status();
    if let Some(task) = server {
        task.abort();
    }
    Ok(outcome)
}

/// How long to wait before the next tick: the interval, doubled for each tick in a row that
/// failed (an unreachable remote, a runtime that is down), up to eight intervals, so that a
/// long outage is not hammered; a change of the source or `POST /reconcile` still wakes the
/// loop at once.
fn backoff(interval: Duration, failures_in_a_row: u32) -> Duration {
    let doublings = failures_in_a_row.saturating_sub(1).min(3);
    interval.saturating_mul(1 << doublings)
}

/// Watches the outside inputs: each file's directory (a rebuilt binary is often a new file
/// renamed into place, which a watch on the old file would miss) and each input directory
/// recursively; a change of one of them sends on `tx`.
fn watch_inputs(
    inputs: &[PathBuf],
    tx: mpsc::Sender<()>,
) -> Result<notify::RecommendedWatcher, String> {
    use notify::Watcher as _;
    let wanted: Vec<PathBuf> = inputs.to_vec();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(e) = event {
            if !e.kind.is_access()
                && e.paths
                    .iter()
                    .any(|p| wanted.iter().any(|w| p.starts_with(w)))
            {
                let _ = tx.try_send(());
            }
        }
    })
    .map_err(|e| format!("cannot watch the stack's outside inputs: {e}"))?;
    for input in inputs {
        let (path, mode) = if input.is_dir() {
            (input.as_path(), notify::RecursiveMode::Recursive)
        } else {
            match input.parent() {
                Some(parent) => (parent, notify::RecursiveMode::NonRecursive),
                None => continue,
            }
        };
        if let Err(e) = watcher.watch(path, mode) {
            tracing::warn!("cannot watch {}: {e}", path.display());
        }
    }
    Ok(watcher)
}

/// Watches `dir` recursively; each change sends on `tx`. Changes under `state` (the state
/// directory may sit inside the stack's, and the watcher writes there every tick) and under
/// `.git` are not changes of the stack.
fn watch_dir(
    dir: &std::path::Path,
    state: &std::path::Path,
    tx: mpsc::Sender<()>,
) -> Result<notify::RecommendedWatcher, String> {
    use notify::Watcher as _;
    let state = std::fs::canonicalize(state).unwrap_or_else(|_| state.to_path_buf());
    let ignored = move |p: &std::path::Path| {
        p.starts_with(&state)
            || std::fs::canonicalize(p).is_ok_and(|c| c.starts_with(&state))
            || p.components().any(|c| c.as_os_str() == ".git")
    };
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(e) = event {
            if !e.kind.is_access() && !e.paths.iter().all(|p| ignored(p)) {
                let _ = tx.try_send(());
            }
        }
    })
    .map_err(|e| format!("cannot watch {}: {e}", dir.display()))?;
    watcher
        .watch(dir, notify::RecursiveMode::Recursive)
        .map_err(|e| format!("cannot watch {}: {e}", dir.display()))?;
    Ok(watcher)
}

impl<P: Provider> Watcher<P> {
    fn update(&self, f: impl FnOnce(&mut WatchStatus)) {
        let mut s = self.status.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut s);
        s.updated_at = jiff::Timestamp::now().to_string();
    }

    fn notify(&self, event: webhook::EventKind, revision: Option<&str>, message: &str) {
        let stack = self
            .status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .stack
            .clone();
        webhook::send(
            &self.options.notify,
            webhook::Notification::new(&stack, event, revision, message),
        );
    }

    fn fail(&self, revision: Option<String>, message: String, diagnostics: Vec<String>) {
        tracing::warn!(revision = revision.as_deref().unwrap_or("-"), "{message}");
        self.update(|s| {
            s.metrics.failures += 1;
            s.last_error = Some(ReportedError {
                revision,
                message,
                diagnostics,
                at: jiff::Timestamp::now().to_string(),
            });
        });
    }

    fn write_status(&self) {
        let s = self
            .status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if s.stack.is_empty() {
            return;
        }
        let Ok(state) = self.options.state_dir.stack(&s.stack) else {
            return;
        };
        if let Ok(json) = serde_json::to_vec_pretty(&s) {
            if let Err(e) = write_atomic(&state.dir().join("watch.json"), &json, 0o644) {
                tracing::warn!("cannot write the watch status: {e}");
            }
        }
    }

    async fn tick(&mut self, forced: bool) -> TickOutcome {
        let began = Instant::now();
        self.update(|s| s.metrics.reconciles += 1);
        let source = self.source.clone();
        let inputs = self.inputs.clone();
        let read = tokio::task::spawn_blocking(move || source.read(&inputs)).await;
        let (revision, dir) = match read {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => {
                self.fail(None, format!("cannot read the source: {e}"), Vec::new());
                return self.heal_only(began).await;
            }
            Err(e) => {
                self.fail(None, format!("reading the source stopped: {e}"), Vec::new());
                return TickOutcome::Failed;
            }
        };
        let moved = self.seen.as_deref() != Some(revision.as_str());
        self.seen = Some(revision.clone());
        self.update(|s| s.revision_seen = Some(revision.clone()));
        let retry = self.failed.as_deref() != Some(revision.as_str());
        let deployed_is_current =
            self.deployed.as_ref().map(|(r, _)| r.as_str()) == Some(revision.as_str());
        if !(forced || (moved && retry) || (!deployed_is_current && retry)) {
            return self.heal_only(began).await;
        }
        tracing::info!(%revision, "reconciling a new revision");
        let loaded = load::load(
            &LoadOptions {
                dir: dir.clone(),
                file: None,
                vars: self.options.vars.clone(),
            },
            self.options.cli_provider.as_deref(),
        );
        if loaded.diagnostics.has_errors() {
            let diagnostics: Vec<String> = stackc_lang::diag::render::render_short(
                &loaded.config.sources,
                &loaded.diagnostics.clone().into_sorted(),
            )
            .lines()
            .map(str::to_string)
            .collect();
            self.failed = Some(revision.clone());
            let first = diagnostics.first().cloned().unwrap_or_default();
            self.fail(
                Some(revision.clone()),
                "the revision is invalid; what is deployed keeps running".to_string(),
                diagnostics,
            );
            self.notify(
                webhook::EventKind::Invalid,
                Some(&revision),
                &format!("the revision is invalid; what is deployed keeps running: {first}"),
            );
            let _ = self.heal_only(began).await;
            return TickOutcome::Failed;
        }
        self.update(|s| s.stack = loaded.stack.name.clone());
        let revision = self.follow_inputs(&loaded, &dir).unwrap_or(revision);
        let outcome = self.reconcile(&loaded, &revision, false).await;
        match outcome {
            TickOutcome::Failed => self.failed = Some(revision),
            _ => {
                self.failed = None;
                self.update(|s| {
                    s.revision_applied = Some(revision.clone());
                    s.last_error = None;
                });
                self.deployed = Some((revision, loaded));
            }
        }
        self.finish(began);
        outcome
    }

    /// Watches the outside files this revision reads (local sources only), so that a
    /// rebuilt binary triggers a tick as an edit in the directory does.
    /// Returns the revision counted anew when the set of inputs changed.
    fn follow_inputs(&mut self, loaded: &Loaded, dir: &std::path::Path) -> Option<String> {
        if !matches!(self.source, Source::Local(_)) {
            return None;
        }
        let inputs = outside_inputs(loaded, dir);
        if inputs == self.inputs {
            return None;
        }
        self.inputs_watch = watch_inputs(&inputs, self.change_tx.clone())
            .map_err(|e| tracing::warn!("{e}"))
            .ok();
        // The revision just read did not count them: it is counted again with them, so
        // that the next read is not taken for a change.
        self.inputs = inputs;
        let revision = local_revision(dir, &self.inputs);
        self.seen = Some(revision.clone());
        self.update(|s| s.revision_seen = Some(revision.clone()));
        Some(revision)
    }

    /// Between source changes: heal what is deployed (unless `--no-self-heal`).
    async fn heal_only(&mut self, began: Instant) -> TickOutcome {
        let Some((revision, loaded)) = self.deployed.take() else {
            self.finish(began);
            return TickOutcome::Converged;
        };
        let outcome = self.reconcile(&loaded, &revision, true).await;
        if self.options.self_heal {
            self.restart_unhealthy(&loaded).await;
        }
        self.deployed = Some((revision, loaded));
        self.finish(began);
        outcome
    }

    /// Restarts running containers whose health check fails and whose `on_unhealthy` is
    /// `restart`, when the runtime does not do it itself; a container that keeps failing is
    /// left alone after [`FLAP_LIMIT`] restarts in [`FLAP_WINDOW`], and reported.
    async fn restart_unhealthy(&mut self, loaded: &Loaded) {
        use crate::model::container::OnUnhealthy;
        use crate::provider::{Feature, Health};
        if self
            .provider
            .capabilities()
            .supports(Feature::UnhealthyRestarts)
        {
            return;
        }
        let Ok(observed) = self.provider.observe(&loaded.stack.name).await else {
            return;
        };
        for o in observed.iter().filter(|o| o.state == ObjectState::Running) {
            let Some(r) = loaded.stack.get(&o.address) else {
                continue;
            };
            let Some(c) = r.spec.container() else {
                continue;
            };
            if c.health.is_none() || c.on_unhealthy() != OnUnhealthy::Restart {
                continue;
            }
            let Ok(Health::Unhealthy { reason }) = self.provider.health(o).await else {
                continue;
            };
            let now = Instant::now();
            let history = self.restarts.entry(o.address.clone()).or_default();
            while history
                .front()
                .is_some_and(|t| now.duration_since(*t) > FLAP_WINDOW)
            {
                history.pop_front();
            }
            if history.len() >= FLAP_LIMIT {
                let message = format!(
                    "{} is unhealthy ({reason}) after {FLAP_LIMIT} restarts in {} minutes; \
                     left alone until it recovers or the source moves",
                    o.address,
                    FLAP_WINDOW.as_secs() / 60
                );
                let already = self
                    .status
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .last_error
                    .as_ref()
                    .is_some_and(|e| e.message == message);
                if !already {
                    self.fail(None, message, Vec::new());
                }
                continue;
            }
            history.push_back(now);
            tracing::info!(address = %o.address, %reason, "restarting an unhealthy container");
            if let Err(e) = self.provider.restart(o).await {
                tracing::warn!(address = %o.address, "the restart failed: {e}");
            } else {
                self.update(|s| s.metrics.drift_corrections += 1);
            }
        }
    }

    fn finish(&self, began: Instant) {
        let secs = began.elapsed().as_secs_f64();
        self.update(|s| s.metrics.last_duration_seconds = secs);
        self.write_status();
    }

    /// Observe, plan and (when needed) apply `loaded`; `healing` is a tick without a new
    /// revision, which applies only with self-heal.
    async fn reconcile(&self, loaded: &Loaded, revision: &str, healing: bool) -> TickOutcome {
        let stack = &loaded.stack;
        let state = match self.options.state_dir.stack(&stack.name) {
            Ok(s) => s,
            Err(e) => {
                self.fail(Some(revision.into()), e.to_string(), Vec::new());
                return TickOutcome::Failed;
            }
        };
        let key = match state.key() {
            Ok(k) => k,
            Err(e) => {
                self.fail(Some(revision.into()), e.to_string(), Vec::new());
                return TickOutcome::Failed;
            }
        };
        let graph = match ResourceGraph::build(stack) {
            Ok(g) => g,
            Err(e) => {
                self.fail(Some(revision.into()), e.to_string(), Vec::new());
                return TickOutcome::Failed;
            }
        };
        let observed = match self.provider.observe(&stack.name).await {
            Ok(o) => o,
            Err(e) => {
                self.fail(
                    Some(revision.into()),
                    format!("cannot observe the runtime: {e}"),
                    Vec::new(),
                );
                return TickOutcome::Failed;
            }
        };
        self.update(|s| {
            s.resources = observed
                .iter()
                .map(|o| ResourceStatus {
                    address: o.address.clone(),
                    state: o.state.word().to_string(),
                })
                .collect();
        });
        let mut options = PlanOptions::default();
        if let Ok(Some(last)) = state.last_revision() {
            options.previously_applied = last.resources.into_iter().collect();
        }
        let mut plan = plan::build(PlanInput {
            provider: &*self.provider,
            stack,
            graph: &graph,
            observed,
            key: &key,
            stack_dir: &loaded.config.dir,
            options: &options,
        });
        if !self.options.prune {
            for a in &mut plan.actions {
                if a.action == PlanAction::Delete && a.desired.is_none() {
                    a.action = PlanAction::Noop;
                }
            }
        }
        let summary = plan.summary();
        self.update(|s| s.last_plan = Some(summary));
        if plan.is_empty() {
            return TickOutcome::Converged;
        }
        if healing && !self.options.self_heal {
            tracing::info!("drift found; not healed (--no-self-heal)");
            return TickOutcome::Converged;
        }
        let _lock = match state.lock(LockMode::Exclusive, "stackc watch") {
            Ok(l) => l,
            Err(e) => {
                tracing::info!("{e}; trying again next tick");
                return TickOutcome::Failed;
            }
        };
        let graph = match plan.executor_graph() {
            Ok(g) => g,
            Err(e) => {
                self.fail(Some(revision.into()), e.to_string(), Vec::new());
                return TickOutcome::Failed;
            }
        };
        let (tx, mut rx) = mpsc::channel(256);
        let logger = tokio::spawn(async move {
            while let Some(e) = rx.recv().await {
                tracing::info!(event = ?e, "apply");
            }
        });
        let result = apply::apply(
            Arc::clone(&self.provider),
            &graph,
            plan.executor_actions(),
            &ApplyOptions {
                parallelism: self.options.parallelism,
                ..ApplyOptions::default()
            },
            &tx,
        )
        .await;
        drop(tx);
        let _ = logger.await;
        let summary = match result {
            Ok(s) => s,
            Err(e) => {
                self.fail(Some(revision.into()), e.to_string(), Vec::new());
                return TickOutcome::Failed;
            }
        };
        let after = self.provider.observe(&stack.name).await.unwrap_or_default();
        let counts = RevisionSummary::of(&plan, &summary);
        let record = Revision {
            number: 0,
            applied_at: jiff::Timestamp::now().to_string(),
            command: "watch".to_string(),
            source: format!("{} @ {revision}", self.source.describe()),
            summary: counts.clone(),
            outputs: load::outputs(&loaded.config),
            files: Vec::new(),
            resources: after.iter().map(|o| o.address.clone()).collect(),
        };
        if let Err(e) = state.record(record, &load::stack_files(&loaded.config)) {
            tracing::warn!("cannot record the revision: {e}");
        }
        if summary.is_success() {
            tracing::info!(%revision, "applied");
            let (event, what) = if healing {
                (
                    webhook::EventKind::Healed,
                    "drift made outside stackc was healed",
                )
            } else {
                (webhook::EventKind::Applied, "the revision was applied")
            };
            self.notify(
                event,
                Some(revision),
                &format!(
                    "{what}: {} added, {} changed, {} replaced, {} destroyed",
                    counts.added, counts.changed, counts.replaced, counts.destroyed
                ),
            );
            self.update(|s| {
                s.metrics.applies += 1;
                if healing {
                    s.metrics.drift_corrections += 1;
                }
            });
            TickOutcome::Applied
        } else {
            let errors: Vec<String> = summary.failed().map(|(a, e)| format!("{a}: {e}")).collect();
            let rolled_back = summary
                .failed()
                .any(|(_, e)| matches!(e, crate::provider::ProviderError::RolledBack(_)));
            let (event, message) = if rolled_back {
                (
                    webhook::EventKind::RolledBack,
                    "a service rollout failed and was rolled back; what was deployed keeps \
                     running, and the revision is tried again when the source moves",
                )
            } else {
                (
                    webhook::EventKind::Failed,
                    "the apply failed; it is tried again when the source moves",
                )
            };
            self.notify(
                event,
                Some(revision),
                &format!("{message}: {}", errors.join("; ")),
            );
            self.fail(Some(revision.into()), message.to_string(), errors);
            if rolled_back {
                self.update(|s| s.metrics.rollbacks += 1);
            }
            TickOutcome::Failed
        }
    }
}

#[cfg(test)]
mod tests;
