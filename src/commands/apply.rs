//! `stackc apply`, `stackc destroy` and `stackc rollback`: plan (or load a saved plan),
//! show it, ask, carry it out with progress, record the revision, print the summary.

use super::saved::{self, SavedPlan};
use super::session::{self, Files, Session};
use crate::cli::{ApplyArgs, ApplySource, Options};
use crate::output::fail;
use crate::render;
use stackc_engine::apply::{self, ApplyOptions, Interrupt, Summary};
use stackc_engine::plan::{fingerprint, Plan, PlanOptions};
use stackc_engine::provider::Provider;
use stackc_engine::state::{LockMode, Revision, RevisionFile, RevisionSummary};
use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

/// The exit code of an interrupted apply (CLI.md "Exit codes").
const INTERRUPTED: u8 = 130;

pub fn run(options: &Options, args: &ApplyArgs) -> u8 {
    match run_inner(options, args) {
        Ok(code) | Err(code) => code,
    }
}

fn run_inner(options: &Options, args: &ApplyArgs) -> Result<u8, u8> {
    let command = match &args.source {
        ApplySource::Files | ApplySource::SavedPlan(_) => "stackc apply".to_string(),
        ApplySource::Destroy { .. } => "stackc destroy".to_string(),
        ApplySource::Revision(n) => match n {
            Some(n) => format!("stackc rollback {n}"),
            None => "stackc rollback".to_string(),
        },
    };
    let (files, revision) = match &args.source {
        ApplySource::Revision(n) => {
            let (number, files) = revision_files(options, *n)?;
            (Files::Revision(files), Some(number))
        }
        _ => (Files::Disk, None),
    };
    let session = session::open(options, files, Some(LockMode::Exclusive), &command)?;
    let targets = args.targets.clone();
    let (plan, files, outputs, source) = match &args.source {
        ApplySource::SavedPlan(path) => {
            let saved = SavedPlan::read(path).map_err(|e| fail(&e, None))?;
            check_fresh(&session, &saved.plan)?;
            let files = saved.revision_files();
            (saved.plan, files, saved.outputs, saved.source)
        }
        other => {
            let plan = session.plan(PlanOptions {
                targets,
                destroy: matches!(other, ApplySource::Destroy { .. }),
                purge_volumes: matches!(
                    other,
                    ApplySource::Destroy {
                        purge_volumes: true
                    }
                ),
                ..PlanOptions::default()
            })?;
            let files = saved::stack_files(&session.config);
            let source = match revision {
                Some(n) => format!("revision {n}"),
                None => session.config.dir.display().to_string(),
            };
            (plan, files, saved::outputs(&session.config), source)
        }
    };

    if !options.global.quiet {
        print!("{}", render::plan::human(&plan, options.color));
    }
    if plan.is_empty() {
        return Ok(0);
    }
    // A saved plan was reviewed when it was made (Terraform's rule): no second question.
    let reviewed = matches!(args.source, ApplySource::SavedPlan(_));
    if !args.auto_approve && !reviewed && !confirm()? {
        println!("Apply cancelled.");
        return Ok(1);
    }

    let summary = execute(&session, &plan, args)?;
    let destroyed = matches!(args.source, ApplySource::Destroy { .. });
    record(
        &session, &plan, &summary, &command, &source, files, outputs, destroyed,
    );
    println!("{}", render::progress::summary_line(&summary, destroyed));
    for line in render::progress::errors(&summary) {
        eprintln!("{line}");
    }
    Ok(if summary.interrupted {
        INTERRUPTED
    } else if summary.is_success() {
        0
    } else {
        1
    })
}

/// The files of revision `n`, or of the last successful revision before the newest.
fn revision_files(options: &Options, n: Option<u64>) -> Result<(u64, Vec<RevisionFile>), u8> {
    // The revision belongs to the stack of the directory; its name comes from the files on
    // disk, or from the directory when they do not load.
    let (config, _, _) = super::load_stack(options);
    let state = session::state_dir(options)
        .stack(&config.stack.name)
        .map_err(|e| fail(&e.to_string(), e.help().as_deref()))?;
    let number = match n {
        Some(n) => n,
        None => {
            let history = state
                .history()
                .map_err(|e| fail(&e.to_string(), e.help().as_deref()))?;
            let newest = history.last().map_or(0, |r| r.number);
            history
                .iter()
                .rev()
                .find(|r| r.number < newest && r.summary.is_success() && r.command != "destroy")
                .map(|r| r.number)
                .ok_or_else(|| {
                    fail(
                        "there is no earlier successful revision to roll back to",
                        Some("`stackc history` lists the revisions"),
                    )
                })?
        }
    };
    let (revision, files) = state
        .revision(number)
        .map_err(|e| fail(&e.to_string(), e.help().as_deref()))?;
    if revision.command == "destroy" {
        return Err(fail(
            &format!("revision {number} is a destroy, which has nothing to re-apply"),
            Some("roll back to a revision made by apply"),
        ));
    }
    Ok((number, files))
}

/// A saved plan applies only to the world it was made against (CLI.md "Apply").
fn check_fresh(session: &Session, plan: &Plan) -> Result<(), u8> {
    if plan.stack != session.stack.name {
        return Err(fail(
            &format!(
                "the saved plan is for the stack `{}`, not `{}`",
                plan.stack, session.stack.name
            ),
            Some("apply it from its own stack directory"),
        ));
    }
    if plan.provider != session.provider.name() {
        return Err(fail(
            &format!(
                "the saved plan was made with the {} provider, not {}",
                plan.provider,
                session.provider.name()
            ),
            Some("apply it with the same --provider"),
        ));
    }
    let observed = session
        .runtime
        .block_on(session.provider.observe(&session.stack.name))
        .map_err(|e| fail(&format!("cannot observe the runtime: {e}"), None))?;
    if fingerprint(&observed) != plan.fingerprint {
        return Err(fail(
            "saved plan is stale: the runtime changed since it was made, so its actions may no \
             longer be right; nothing was changed",
            Some("run `stackc plan --out FILE` again and apply the new plan"),
        ));
    }
    Ok(())
}

/// Asks on the terminal; refuses rather than hangs without one.
fn confirm() -> Result<bool, u8> {
    if !std::io::stdin().is_terminal() {
        return Err(fail(
            "apply needs confirmation, and stdin is not a terminal",
            Some("run it with --auto-approve, or from a terminal"),
        ));
    }
    print!(
        "\nDo you want to perform these actions?\n  Only 'yes' will be accepted.\n\n  Enter a value: "
    );
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| fail(&format!("cannot read the answer: {e}"), None))?;
    println!();
    Ok(answer.trim() == "yes")
}

/// Runs the plan's actions with progress; Ctrl-C once stops new actions, twice abandons the
/// running ones (CLI.md "Apply").
fn execute(session: &Session, plan: &Plan, args: &ApplyArgs) -> Result<Summary, u8> {
    let graph = plan
        .executor_graph()
        .map_err(|e| fail(&format!("the plan's graph is invalid: {e}"), None))?;
    let interrupt = Interrupt::default();
    let options = ApplyOptions {
        parallelism: args.parallelism,
        wait: args.wait,
        ready_timeout: args.timeout,
        interrupt: interrupt.clone(),
    };
    let provider = Arc::clone(&session.provider);
    let actions = plan.executor_actions();
    let total = actions.len();
    session.runtime.block_on(async move {
        let (tx, rx) = tokio::sync::mpsc::channel(256);
        let renderer = tokio::spawn(render::progress::render(rx, total));
        let signals = tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                interrupt.raise();
                eprintln!(
                    "\nInterrupted: no new actions will start; waiting for the running ones. \
                     Press Ctrl-C again to abandon them."
                );
                if tokio::signal::ctrl_c().await.is_ok() {
                    eprintln!(
                        "Abandoned the running actions; the next plan sees and fixes the result."
                    );
                    std::process::exit(i32::from(INTERRUPTED));
                }
            }
        });
        let result = apply::apply(provider, &graph, actions, &options, &tx).await;
        drop(tx);
        let _ = renderer.await;
        signals.abort();
        result.map_err(|e| fail(&format!("the plan cannot be carried out: {e}"), None))
    })
}

/// Records the revision in the history. A failure to record is reported, not fatal: the
/// runtime holds the truth, the history is for the user.
#[allow(clippy::too_many_arguments)]
fn record(
    session: &Session,
    plan: &Plan,
    summary: &Summary,
    command: &str,
    source: &str,
    files: Vec<RevisionFile>,
    outputs: std::collections::BTreeMap<String, serde_json::Value>,
    destroyed: bool,
) {
    // What is in the runtime now, from the plan and its outcome rather than another
    // observation: kept and made objects, and objects whose removal failed.
    let resources: Vec<String> = plan
        .actions
        .iter()
        .filter(|a| {
            let outcome = summary.results.get(&a.address).map(|r| &r.outcome);
            let ok = matches!(outcome, None | Some(apply::Outcome::Succeeded));
            match a.action {
                stackc_engine::plan::PlanAction::Delete => !ok,
                stackc_engine::plan::PlanAction::Create => ok,
                _ => true,
            }
        })
        .map(|a| a.address.clone())
        .collect();
    let counts = RevisionSummary::of(plan, summary);
    let revision = Revision {
        number: 0,
        applied_at: jiff::Timestamp::now().to_string(),
        command: if destroyed {
            "destroy".to_string()
        } else {
            command.trim_start_matches("stackc ").to_string()
        },
        source: source.to_string(),
        summary: counts,
        outputs: if destroyed {
            Default::default()
        } else {
            outputs
        },
        files: Vec::new(),
        resources,
    };
    if let Err(e) = session.state.record(revision, &files) {
        eprintln!("warning: the revision was applied but not recorded in the history: {e}");
    }
}
