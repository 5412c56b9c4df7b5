//! `stackc validate`: every problem the files have, without contacting a provider.

use crate::cli::{DiagFormat, Options};
use crate::output::print_diagnostics;
use stackc_lang::diag::render;

pub fn run(options: &Options, format: DiagFormat) -> u8 {
    let (config, desired, diags) = super::load_stack(options);
    let has_errors = diags.has_errors();
    let list = diags.into_sorted();
    match format {
        DiagFormat::Json => {
            let doc = render::validate_json(&config.sources, &list);
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        DiagFormat::Human => {
            print_diagnostics(&config.sources, &list, options.color);
            if !has_errors && !options.global.quiet {
                println!(
                    "The stack `{}` is valid: {} resource{}.",
                    config.stack.name,
                    config.resources.len(),
                    if config.resources.len() == 1 { "" } else { "s" }
                );
            }
        }
    }
    // The process ends right after this; freeing a large configuration piece by piece would
    // only delay the exit.
    std::mem::forget(config);
    std::mem::forget(desired);
    u8::from(has_errors)
}
