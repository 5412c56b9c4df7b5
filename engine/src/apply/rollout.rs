//! A service's rollout: the executor's one action for a service (ARCHITECTURE.md decision 5).
//!
//! In order: replicas beyond the count are removed (highest index first) together with any
//! replica an interrupted rollout left aside; stopped replicas of today's template are
//! started; missing ones are made; then replicas of another template are rolled, `parallelism`
//! at a time with `delay` between batches. A rolled replica must become healthy (or, with no
//! health check, run) and stay so for `monitor`; `start-first` makes it beside the old one —
//! moved aside under another name — and removes the old one only then, `stop-first` removes
//! the old one first. When more than `max_failure_ratio` of the replicas fail, `failure_action`
//! decides: `rollback` rolls every replica touched back to the template it had, `pause` stops
//! where it is, `continue` goes on.

use super::{ApplyOptions, Health, ObjectState, ObservedObject, Progress, Provider, ProviderError};
use crate::model::service::{FailureAction, UpdateOrder};
use crate::provider::DesiredObject;
use crate::service::{self, Rollout};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How often a new replica's state is looked at while it is monitored.
const MONITOR_POLL: Duration = Duration::from_millis(250);

/// How long a replica taken out of the service's ports keeps running before it is stopped,
/// so that requests already under way finish (new connections go elsewhere at once). Servers
/// that stop at once on SIGTERM (busybox httpd) drop what they serve when stopped; a request
/// can take a while on a busy host, so this is generous.
const DRAIN: Duration = Duration::from_millis(1500);

/// The replicas a service's published ports reach. Every change is handed to the provider
/// whole, one at a time, so concurrent batches never publish a stale set.
struct Pool<'a, P: Provider> {
    provider: &'a P,
    template: &'a DesiredObject,
    /// False for a service without `port` blocks: nothing is published.
    enabled: bool,
    members: tokio::sync::Mutex<Vec<ObservedObject>>,
}

impl<'a, P: Provider> Pool<'a, P> {
    fn new(provider: &'a P, template: &'a DesiredObject) -> Pool<'a, P> {
        let enabled = template
            .spec
            .container()
            .is_some_and(|c| !c.ports.is_empty());
        Pool {
            provider,
            template,
            enabled,
            members: tokio::sync::Mutex::new(Vec::new()),
        }
    }

    /// What is published when the rollout begins: every replica that runs.
    async fn seed(&self, serving: impl Iterator<Item = &ObservedObject>) {
        let mut members = self.members.lock().await;
        members.extend(serving.cloned());
    }

    /// Adds `add` and takes out `remove` (by id) in one change.
    async fn change(
        &self,
        add: &[&ObservedObject],
        remove: &[&ObservedObject],
    ) -> Result<(), ProviderError> {
        if !self.enabled {
            return Ok(());
        }
        let mut members = self.members.lock().await;
        members.retain(|m| !remove.iter().any(|r| r.id == m.id));
        for a in add {
            if !members.iter().any(|m| m.id == a.id) {
                members.push((*a).clone());
            }
        }
        members.sort_by(|a, b| a.runtime_name.cmp(&b.runtime_name));
        self.provider.balance(self.template, &members).await
    }

    /// Takes `o` out and lets what it is serving finish.
    async fn drain(&self, o: &ObservedObject) -> Result<(), ProviderError> {
        if !self.enabled {
            return Ok(());
        }
        self.change(&[], &[o]).await?;
        tokio::time::sleep(DRAIN).await;
        Ok(())
    }
}

pub(super) async fn run<P: Provider>(
    provider: &P,
    rollout: &Rollout,
    options: &ApplyOptions,
    progress: &Progress,
) -> Result<(), ProviderError> {
    let template = &rollout.template;
    let stack = template.stack().to_string();
    let pool = Pool::new(provider, template);
    pool.seed(
        rollout
            .current
            .iter()
            .filter(|o| o.state == ObjectState::Running),
    )
    .await;
    let mut slots: BTreeMap<u32, Vec<ObservedObject>> = BTreeMap::new();
    for o in &rollout.current {
        if let Some(i) = Rollout::index_of(o) {
            slots.entry(i).or_default().push(o.clone());
        }
    }

    // Replicas beyond the count go, highest index first; of two replicas for one index,
    // the one an interrupted rollout moved aside goes.
    let mut keep: BTreeMap<u32, ObservedObject> = BTreeMap::new();
    for (i, mut objects) in slots.into_iter().rev() {
        if i > rollout.replicas {
            for o in objects {
                progress.report(format!("removing `{}`", o.runtime_name), None, None);
                pool.drain(&o).await?;
                remove(provider, &o).await?;
            }
            continue;
        }
        let wanted = template.runtime_name.clone() + &format!("-{i}");
        objects.sort_by_key(|o| (o.runtime_name != wanted, !is_current(o, template)));
        let mut rest = objects.into_iter();
        if let Some(first) = rest.next() {
            keep.insert(i, first);
        }
        for o in rest {
            pool.drain(&o).await?;
            remove(provider, &o).await?;
        }
    }

    // Today's replicas that are down are started; missing ones are made.
    let mut fresh = Vec::new();
    for i in 1..=rollout.replicas {
        match keep.get(&i) {
            Some(o) if is_current(o, template) && !rollout.force => {
                if matches!(o.state, ObjectState::Created | ObjectState::Stopped { .. }) {
                    provider.start(o).await?;
                    fresh.push(o.clone());
                }
            }
            Some(_) => {}
            None => {
                let made = provider
                    .create(&service::replica(template, i), progress)
                    .await?;
                provider.start(&made).await?;
                fresh.push(made);
            }
        }
    }
    let checks = fresh.iter().map(|o| async {
        progress.report(format!("waiting for `{}`", o.runtime_name), None, None);
        // A replica joins the service's ports only once it has proved itself, as in a roll.
        if pool.enabled {
            prove(
                provider,
                &stack,
                o,
                rollout.update.monitor(),
                options.ready_timeout,
            )
            .await
        } else {
            ready(provider, o, options.ready_timeout).await
        }
    });
    for proved in futures::future::join_all(checks).await {
        proved.map_err(ProviderError::Runtime)?;
    }
    // Every replica that runs serves, whichever template it has, until it is rolled.
    let serving: Vec<&ObservedObject> = keep
        .values()
        .filter(|o| o.state == ObjectState::Running)
        .chain(fresh.iter())
        .collect();
    if rollout.replicas == 0 {
        withdraw(provider, rollout).await?;
    } else {
        pool.change(&serving, &[]).await?;
        if !pool.enabled {
            withdraw(provider, rollout).await?;
        }
    }

    // The roll.
    let stale: Vec<(u32, ObservedObject)> = keep
        .into_iter()
        .filter(|(_, o)| rollout.force || !is_current(o, template))
        .collect();
    if stale.is_empty() {
        return Ok(());
    }
    let update = &rollout.update;
    let total = stale.len();
    let batch = (update.parallelism().max(1) as usize).min(total);
    let mut touched: Vec<(u32, ObservedObject)> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    let mut done = 0;
    for (n, chunk) in stale.chunks(batch).enumerate() {
        if options.interrupt.is_raised() {
            return Err(ProviderError::Runtime(format!(
                "interrupted after {done}/{total} replicas were updated"
            )));
        }
        if n > 0 && !update.delay().is_zero() {
            tokio::time::sleep(update.delay()).await;
        }
        let names: Vec<String> = chunk
            .iter()
            .map(|(i, _)| format!("{}-{i}", template.runtime_name))
            .collect();
        progress.report(
            format!(
                "{done}/{total} updated, waiting for {} healthy",
                names.join(", ")
            ),
            None,
            None,
        );
        let wanted: Vec<DesiredObject> = chunk
            .iter()
            .map(|(i, _)| service::replica(template, *i))
            .collect();
        let results =
            futures::future::join_all(chunk.iter().zip(&wanted).map(|((_, old), new)| {
                roll_one(provider, &pool, &stack, old, new, rollout, options)
            }))
            .await;
        for ((i, old), result) in chunk.iter().zip(results) {
            touched.push((*i, old.clone()));
            match result {
                Ok(()) => done += 1,
                Err(why) => failures.push(why),
            }
        }
        progress.report(format!("{done}/{total} updated"), None, None);
        let ratio = failures.len() as f64 / total as f64;
        if failures.is_empty() || ratio <= update.max_failure_ratio() {
            continue;
        }
        let why = failures.join("; ");
        match update.failure_action() {
            FailureAction::Continue => continue,
            FailureAction::Pause => {
                return Err(ProviderError::Runtime(format!(
                    "rollout paused after {done}/{total} replicas: {why}"
                )))
            }
            FailureAction::Rollback => {
                progress.report(format!("rolling back: {why}"), None, None);
                return match roll_back(provider, &pool, &stack, &touched, rollout, options).await {
                    Ok(()) => Err(ProviderError::RolledBack(why)),
                    Err(e) => Err(ProviderError::Runtime(format!(
                        "the rollout failed ({why}) and so did its rollback: {e}"
                    ))),
                };
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(ProviderError::Runtime(format!(
            "{} of {total} replicas failed: {}",
            failures.len(),
            failures.join("; ")
        )))
    }
}

/// Withdraws published ports the replicas had when the service has none now (or is
/// destroyed); a provider that cannot publish had none to withdraw.
async fn withdraw<P: Provider>(provider: &P, rollout: &Rollout) -> Result<(), ProviderError> {
    let had_ports = rollout.current.iter().any(|o| {
        service::previous_template(o, &rollout.template)
            .and_then(|t| t.spec.container().map(|c| !c.ports.is_empty()))
            .unwrap_or(false)
    });
    if !had_ports {
        return Ok(());
    }
    match provider.balance(&rollout.template, &[]).await {
        Ok(()) | Err(ProviderError::Unsupported(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// True when `o` was made from `template` (its spec hash is the template's).
fn is_current(o: &ObservedObject, template: &DesiredObject) -> bool {
    o.spec_hash.as_deref() == Some(template.spec_hash.as_str())
}

/// Removes an object; one already gone is what was wanted.
async fn remove<P: Provider>(provider: &P, o: &ObservedObject) -> Result<(), ProviderError> {
    match provider.delete(o).await {
        Ok(()) | Err(ProviderError::NotFound(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Replaces `old` by a replica made from `new`, in the rollout's order, and waits until the
/// new one has proved itself. On failure the error says why, in words; with `start-first`
/// the old replica is back in its place and still serving.
async fn roll_one<P: Provider>(
    provider: &P,
    pool: &Pool<'_, P>,
    stack: &str,
    old: &ObservedObject,
    new: &DesiredObject,
    rollout: &Rollout,
    options: &ApplyOptions,
) -> Result<(), String> {
    let monitor = rollout.update.monitor();
    let start_first = rollout.update.order() == UpdateOrder::StartFirst;
    let aside = if start_first {
        match provider
            .rename(old, &format!("{}-old", old.runtime_name))
            .await
        {
            Ok(aside) => Some(aside),
            // A runtime that cannot rename: the old replica must make room first.
            Err(ProviderError::Unsupported(_)) => None,
            Err(e) => return Err(format!("`{}`: {e}", old.runtime_name)),
        }
    } else {
        None
    };
    if aside.is_none() {
        pool.drain(old)
            .await
            .map_err(|e| format!("`{}`: {e}", old.runtime_name))?;
        remove(provider, old)
            .await
            .map_err(|e| format!("`{}`: {e}", old.runtime_name))?;
    }
    let outcome = async {
        let made = provider
            .create(new, &Progress::none())
            .await
            .map_err(|e| format!("`{}`: {e}", new.runtime_name))?;
        let proved = async {
            provider
                .start(&made)
                .await
                .map_err(|e| format!("`{}`: {e}", new.runtime_name))?;
            prove(provider, stack, &made, monitor, options.ready_timeout).await?;
            // In service: the new replica joins, the old one (moved aside) leaves.
            pool.change(&[&made], &[old])
                .await
                .map_err(|e| format!("`{}`: {e}", new.runtime_name))
        }
        .await;
        if proved.is_err() && aside.is_some() {
            // The old replica takes its place back.
            let _ = remove(provider, &made).await;
        }
        proved
    }
    .await;
    match (aside, &outcome) {
        (Some(aside), Ok(())) => {
            tokio::time::sleep(if pool.enabled { DRAIN } else { Duration::ZERO }).await;
            remove(provider, &aside)
                .await
                .map_err(|e| format!("`{}`: {e}", aside.runtime_name))
        }
        (Some(aside), Err(_)) => {
            if let Err(e) = provider.rename(&aside, &old.runtime_name).await {
                return Err(format!(
                    "{}; and `{}` could not take its name back: {e}",
                    outcome.err().unwrap_or_default(),
                    aside.runtime_name
                ));
            }
            outcome
        }
        (None, _) => outcome,
    }
}

/// Rolls every replica `touched` back to the template it was made from.
async fn roll_back<P: Provider>(
    provider: &P,
    pool: &Pool<'_, P>,
    stack: &str,
    touched: &[(u32, ObservedObject)],
    rollout: &Rollout,
    options: &ApplyOptions,
) -> Result<(), String> {
    let found = provider.observe(stack).await.map_err(|e| e.to_string())?;
    for (i, old) in touched {
        let Some(previous) = service::previous_template(old, &rollout.template) else {
            return Err(format!(
                "the template of `{}` cannot be restored from its record (it holds secrets, \
                 or was made by another tool)",
                old.runtime_name
            ));
        };
        let address = service::replica_address(&rollout.template.address, *i);
        let now: Vec<&ObservedObject> = found.iter().filter(|o| o.address == address).collect();
        // With start-first, a failed replica already gave its place back to the old one.
        if now.iter().any(|o| o.spec_hash == old.spec_hash) {
            continue;
        }
        let wanted = service::replica(&previous, *i);
        match now.first() {
            Some(current) => {
                roll_one(provider, pool, stack, current, &wanted, rollout, options).await?
            }
            None => {
                let made = provider
                    .create(&wanted, &Progress::none())
                    .await
                    .map_err(|e| e.to_string())?;
                provider.start(&made).await.map_err(|e| e.to_string())?;
                ready(provider, &made, options.ready_timeout).await?;
                pool.change(&[&made], &[])
                    .await
                    .map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(())
}

/// Waits until a new replica is ready, then watches it for `monitor`: it must keep running,
/// without a restart, and never turn unhealthy.
async fn prove<P: Provider>(
    provider: &P,
    stack: &str,
    made: &ObservedObject,
    monitor: Duration,
    timeout: Duration,
) -> Result<(), String> {
    ready(provider, made, timeout).await?;
    let until = Instant::now() + monitor;
    loop {
        let found = provider.observe(stack).await.map_err(|e| e.to_string())?;
        let Some(now) = found.iter().find(|o| o.id == made.id) else {
            return Err(format!("`{}` disappeared", made.runtime_name));
        };
        if now.state != ObjectState::Running || now.restarts > made.restarts {
            return Err(format!(
                "`{}` did not keep running: it is {}{}",
                made.runtime_name,
                now.state.word(),
                if now.restarts > made.restarts {
                    " and was restarted"
                } else {
                    ""
                }
            ));
        }
        if let Health::Unhealthy { reason } =
            provider.health(made).await.map_err(|e| e.to_string())?
        {
            return Err(format!(
                "`{}` turned unhealthy: {reason}",
                made.runtime_name
            ));
        }
        if Instant::now() >= until {
            return Ok(());
        }
        tokio::time::sleep(MONITOR_POLL.min(until.saturating_duration_since(Instant::now()))).await;
    }
}

/// Waits until the replica is healthy (or runs, without a health check); fails as soon as
/// it is unhealthy, or at the deadline.
async fn ready<P: Provider>(
    provider: &P,
    object: &ObservedObject,
    timeout: Duration,
) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(50);
    loop {
        let last = match provider.health(object).await.map_err(|e| e.to_string())? {
            Health::Healthy | Health::None => return Ok(()),
            Health::Starting => "its health check is still starting".to_string(),
            Health::Unhealthy { reason } => {
                return Err(format!("`{}` is unhealthy: {reason}", object.runtime_name))
            }
        };
        if Instant::now() >= deadline {
            return Err(format!(
                "`{}` was not ready after {:?}: {last}",
                object.runtime_name, timeout
            ));
        }
        tokio::time::sleep(pause.min(deadline.saturating_duration_since(Instant::now()))).await;
        pause = (pause * 2).min(Duration::from_millis(500));
    }
}
