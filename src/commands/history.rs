//! `stackc history`: the applied revisions of the stack, oldest first.

use super::session;
use crate::cli::Options;
use crate::output::fail;

pub fn run(options: &Options, as_json: bool) -> u8 {
    let (config, _, _) = super::load_stack(options);
    let state = match session::state_dir(options).stack(&config.stack.name) {
        Ok(s) => s,
        Err(e) => return fail(&e.to_string(), e.help().as_deref()),
    };
    let history = match state.history() {
        Ok(h) => h,
        Err(e) => return fail(&e.to_string(), e.help().as_deref()),
    };
    if as_json {
        println!(
            "{}",
            serde_json::to_string_pretty(&history).unwrap_or_default()
        );
        return 0;
    }
    if history.is_empty() {
        println!(
            "The stack `{}` has not been applied yet.",
            config.stack.name
        );
        return 0;
    }
    println!("REV  APPLIED AT            COMMAND      RESULT                      SOURCE");
    for r in &history {
        let s = &r.summary;
        let result = if s.is_success() {
            format!(
                "ok: +{} ~{} -/+{} -{}",
                s.added, s.changed, s.replaced, s.destroyed
            )
        } else {
            format!("failed: {} error(s)", s.failed)
        };
        let when = r
            .applied_at
            .parse::<jiff::Timestamp>()
            .map(|t| {
                t.to_zoned(jiff::tz::TimeZone::system())
                    .strftime("%Y-%m-%d %H:%M:%S")
                    .to_string()
            })
            .unwrap_or_else(|_| r.applied_at.clone());
        println!(
            "{:<4} {:<21} {:<12} {:<27} {}",
            r.number, when, r.command, result, r.source
        );
    }
    0
}
