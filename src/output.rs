//! Writing results: stdout for results, stderr for diagnostics and progress.

use stackc_lang::diag::render;
use stackc_lang::{Diagnostic, Sources};

/// Prints diagnostics for a person on stderr, followed by a count line.
pub fn print_diagnostics(sources: &Sources, diags: &[Diagnostic], color: bool) {
    if diags.is_empty() {
        return;
    }
    eprint!("{}", render::render_human(sources, diags, color));
    let errors = diags
        .iter()
        .filter(|d| d.severity == stackc_lang::diag::Severity::Error)
        .count();
    let warnings = diags.len() - errors;
    let mut parts = Vec::new();
    if errors > 0 {
        parts.push(format!(
            "{errors} error{}",
            if errors == 1 { "" } else { "s" }
        ));
    }
    if warnings > 0 {
        parts.push(format!(
            "{warnings} warning{}",
            if warnings == 1 { "" } else { "s" }
        ));
    }
    eprintln!("{}", parts.join(", "));
}

/// Reports an error that is not about a place in the files, with how to fix it, and returns
/// exit code 1.
pub fn fail(message: &str, help: Option<&str>) -> u8 {
    eprintln!("error: {message}");
    if let Some(h) = help {
        eprintln!("  help: {h}");
    }
    1
}
