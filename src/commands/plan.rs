//! `stackc plan`: observe, diff and print the actions; `--out` saves the plan for `apply`.

use super::saved::SavedPlan;
use super::session::{self, Files};
use crate::cli::{Options, PlanArgs};
use crate::output::fail;
use crate::render;
use stackc_engine::plan::PlanOptions;
use stackc_engine::state::LockMode;

pub fn run(options: &Options, args: &PlanArgs) -> u8 {
    let session = match session::open(options, Files::Disk, Some(LockMode::Shared), "stackc plan") {
        Ok(s) => s,
        Err(code) => return code,
    };
    let plan = match session.plan(PlanOptions {
        targets: args.targets.clone(),
        refresh_only: args.refresh_only,
        ..PlanOptions::default()
    }) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if args.json {
        println!("{}", render::plan::json(&plan));
    } else {
        print!("{}", render::plan::human(&plan, options.color));
    }
    if let Some(path) = &args.out {
        let saved = SavedPlan::new(plan.clone(), &session.config);
        if let Err(e) = saved.write(path) {
            return fail(&e, Some("choose a writable path for --out"));
        }
        if !args.json && !options.global.quiet {
            println!(
                "\nSaved the plan to {}. Apply exactly these actions with `stackc apply {}`.",
                path.display(),
                path.display()
            );
        }
    }
    let changes = !plan.is_empty() || (args.refresh_only && plan.has_drift());
    if args.detailed_exitcode && changes {
        2
    } else {
        0
    }
}
