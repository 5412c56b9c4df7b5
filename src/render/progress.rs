//! Apply progress (CLI.md "Apply"): on a terminal, one line per resource with a spinner and
//! its elapsed time (and bytes, for image pulls); otherwise one log line per event. Always on
//! stderr, so stdout keeps only results.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use stackc_engine::apply::{ActionKind, Event, Outcome, Summary, INTERRUPTED};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::time::Duration;
use tokio::sync::mpsc;

fn doing(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::Create => "creating",
        ActionKind::Update => "updating",
        ActionKind::Replace => "replacing",
        ActionKind::Delete => "destroying",
        ActionKind::Start => "starting",
    }
}

fn done(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::Create => "created",
        ActionKind::Update => "updated",
        ActionKind::Replace => "replaced",
        ActionKind::Delete => "destroyed",
        ActionKind::Start => "started",
    }
}

fn secs(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

/// Renders events until the channel closes.
pub async fn render(mut events: mpsc::Receiver<Event>, total: usize) {
    if std::io::stderr().is_terminal() {
        render_terminal(&mut events, total).await;
    } else {
        while let Some(e) = events.recv().await {
            if let Some(line) = plain_line(&e) {
                eprintln!("{line}");
            }
        }
    }
}

/// The log line of one event, for output that is not a terminal.
pub fn plain_line(e: &Event) -> Option<String> {
    Some(match e {
        Event::Started { address, action } => format!("{address}: {}", doing(*action)),
        Event::Succeeded {
            address,
            action,
            elapsed,
        } => format!("{address}: {} ({})", done(*action), secs(*elapsed)),
        Event::Failed {
            address,
            action,
            error,
            elapsed,
        } => format!(
            "{address}: {} failed after {}: {error}",
            doing(*action),
            secs(*elapsed)
        ),
        Event::Skipped { address, cause, .. } if cause == INTERRUPTED => {
            format!("{address}: not started (interrupted)")
        }
        Event::Skipped { address, cause, .. } => {
            format!("{address}: skipped, because {cause} failed")
        }
        Event::Progress(p) => {
            let bytes = match (p.current_bytes, p.total_bytes) {
                (Some(c), Some(t)) => format!(" ({} / {})", human(c), human(t)),
                (Some(c), None) => format!(" ({})", human(c)),
                _ => String::new(),
            };
            format!("{}: {}{bytes}", p.address, p.detail)
        }
    })
}

fn human(bytes: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB"];
    let mut v = bytes as f64;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < units.len() {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", units[i])
    }
}

async fn render_terminal(events: &mut mpsc::Receiver<Event>, total: usize) {
    let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    let mut bars: HashMap<String, (ProgressBar, ActionKind)> = HashMap::new();
    let _ = total;
    while let Some(e) = events.recv().await {
        match &e {
            Event::Started { address, action } => {
                let bar = multi.add(ProgressBar::new_spinner());
                bar.set_style(style.clone());
                bar.set_message(format!("{address}: {}", doing(*action)));
                bar.enable_steady_tick(Duration::from_millis(100));
                bars.insert(address.clone(), (bar, *action));
            }
            Event::Progress(p) => {
                if let (Some(line), Some((bar, _))) = (plain_line(&e), bars.get(&p.address)) {
                    bar.set_message(line);
                }
            }
            Event::Succeeded { address, .. } | Event::Failed { address, .. } => {
                if let (Some(line), Some((bar, _))) = (plain_line(&e), bars.remove(address)) {
                    bar.finish_and_clear();
                    let _ = multi.println(line);
                }
            }
            Event::Skipped { .. } => {
                if let Some(line) = plain_line(&e) {
                    let _ = multi.println(line);
                }
            }
        }
    }
    for (_, (bar, _)) in bars {
        bar.finish_and_clear();
    }
}

/// The last line of an apply (CLI.md "Apply").
pub fn summary_line(summary: &Summary, destroy: bool) -> String {
    let mut added = 0;
    let mut changed = 0;
    let mut replaced = 0;
    let mut destroyed = 0;
    let mut failed = 0;
    let mut skipped = 0;
    let mut succeeded = 0;
    let mut not_started = 0;
    for r in summary.results.values() {
        match &r.outcome {
            Outcome::Succeeded => {
                succeeded += 1;
                match r.action {
                    ActionKind::Create => added += 1,
                    ActionKind::Update | ActionKind::Start => changed += 1,
                    ActionKind::Replace => replaced += 1,
                    ActionKind::Delete => destroyed += 1,
                }
            }
            Outcome::Failed(_) => failed += 1,
            Outcome::Skipped { cause } if cause == INTERRUPTED => not_started += 1,
            Outcome::Skipped { .. } => skipped += 1,
        }
    }
    let what = if destroy { "Destroy" } else { "Apply" };
    if summary.interrupted {
        format!(
            "{what} interrupted: {succeeded} succeeded, {failed} failed, {not_started} not started"
        )
    } else if failed > 0 {
        format!(
            "{what} failed: {failed} error{}, {succeeded} succeeded, {skipped} skipped",
            if failed == 1 { "" } else { "s" }
        )
    } else if destroy {
        format!(
            "Destroy complete: {destroyed} destroyed ({})",
            secs(summary.elapsed)
        )
    } else {
        format!(
            "Apply complete: {added} added, {changed} changed, {replaced} replaced, {destroyed} destroyed ({})",
            secs(summary.elapsed)
        )
    }
}

/// One line per failed action, with its address.
pub fn errors(summary: &Summary) -> Vec<String> {
    summary
        .failed()
        .map(|(address, e)| format!("error: {address}: {e}"))
        .collect()
}
