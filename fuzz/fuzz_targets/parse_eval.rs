//! Any text, parsed and evaluated as a stack, must give values or diagnostics, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stackc_lang::eval::{evaluate_sources, NoHooks, VarInputs};
use stackc_lang::Sources;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut sources = Sources::new();
    let id = sources.add("fuzz.stack.hcl", "fuzz.stack.hcl", text);
    let dir = std::env::temp_dir();
    let (_config, diags) = evaluate_sources(sources, &[id], &dir, &VarInputs::default(), &NoHooks);
    let _ = diags.into_sorted();
});
