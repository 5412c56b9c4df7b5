//! `stackc output [NAME]`: the outputs of the last apply, from the history.

use super::session;
use crate::cli::Options;
use crate::output::fail;

pub fn run(options: &Options, name: Option<&str>, as_json: bool) -> u8 {
    let (config, _, _) = super::load_stack(options);
    let state = match session::state_dir(options).stack(&config.stack.name) {
        Ok(s) => s,
        Err(e) => return fail(&e.to_string(), e.help().as_deref()),
    };
    let last = match state.history() {
        Ok(h) => h.into_iter().rev().find(|r| r.command != "destroy"),
        Err(e) => return fail(&e.to_string(), e.help().as_deref()),
    };
    let Some(revision) = last else {
        return fail(
            &format!("the stack `{}` has not been applied yet", config.stack.name),
            Some("run `stackc apply` first"),
        );
    };
    let outputs = revision.outputs;
    match name {
        Some(n) => match outputs.get(n) {
            Some(v) if as_json => println!("{v}"),
            Some(serde_json::Value::String(s)) => println!("{s}"),
            Some(v) => println!("{v}"),
            None => {
                return fail(
                    &format!("the last apply has no output `{n}`"),
                    Some("`stackc output` lists the outputs"),
                )
            }
        },
        None if as_json => println!(
            "{}",
            serde_json::to_string_pretty(&outputs).unwrap_or_default()
        ),
        None => {
            let width = outputs.keys().map(|k| k.len()).max().unwrap_or(0);
            for (k, v) in &outputs {
                println!("{k:<width$} = {v}");
            }
        }
    }
    0
}
