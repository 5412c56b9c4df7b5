//! The language corpus: `testdata/lang/valid` and `testdata/lang/invalid`.
//!
//! A case is a file `NAME.stack.hcl` or a directory `NAME/` holding a multi-file stack. Beside
//! it:
//! - valid cases: `NAME.json`, the evaluated configuration (`stackc config --format json`);
//! - invalid cases: `NAME.diags`, one line per diagnostic, `CODE LINE:COLUMN FILE`, and an insta
//!   snapshot of the rendered diagnostics under `tests/snapshots/`;
//! - optionally `NAME.args`: extra arguments, one per line (`--var a=1`, `--var-file x.vars.hcl`
//!   relative to the case's folder, `env NAME=VALUE` for an environment variable).
//!
//! Run with `UPDATE_EXPECT=1` to rewrite the expected files after checking the changes by hand.

use stackc::cli;
use stackc::commands;
use stackc_lang::diag::render;
use std::path::{Path, PathBuf};

/// The corpus, relative to the package (cargo runs integration tests there), so that no
/// absolute path of a checkout reaches a message, an expectation or a line-wrapped snapshot.
fn testdata() -> PathBuf {
    PathBuf::from("testdata/lang")
}

struct Case {
    name: String,
    /// The file (`-f`) or directory (`-C`) of the stack.
    path: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

fn cases(kind: &str) -> Vec<Case> {
    let dir = testdata().join(kind);
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        let file_name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let name = if p.is_dir() {
            file_name.clone()
        } else if let Some(n) = file_name.strip_suffix(".stack.hcl") {
            n.to_string()
        } else {
            continue;
        };
        let mut args = Vec::new();
        let mut env = Vec::new();
        if let Ok(text) = std::fs::read_to_string(dir.join(format!("{name}.args"))) {
            for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
                if let Some(kv) = line.strip_prefix("env ") {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    env.push((k.to_string(), v.to_string()));
                } else if let Some(f) = line.strip_prefix("--var-file ") {
                    args.push("--var-file".to_string());
                    args.push(dir.join(f).display().to_string());
                } else if let Some((flag, value)) = line.split_once(' ') {
                    args.push(flag.to_string());
                    args.push(value.to_string());
                } else {
                    args.push(line.to_string());
                }
            }
        }
        out.push(Case {
            name,
            path: p,
            args,
            env,
        });
    }
    out
}

/// Runs the validate pipeline on a case: the configuration document and the diagnostics.
fn run_case(
    case: &Case,
) -> (
    serde_json::Value,
    Vec<stackc_lang::Diagnostic>,
    stackc_lang::Sources,
) {
    let mut argv = vec!["stackc".to_string()];
    if case.path.is_dir() {
        argv.push("-C".into());
        argv.push(case.path.display().to_string());
    } else {
        argv.push("-f".into());
        argv.push(case.path.display().to_string());
    }
    argv.extend(case.args.iter().cloned());
    argv.push("validate".into());
    let options = cli::parse_from(argv).expect("case arguments parse");
    let (config, _, diags) = commands::load_stack_with_env(&options, &case.env);
    let doc = commands::config::document(&config, options.global.provider.as_deref());
    (doc, diags.into_sorted(), config.sources)
}

fn update() -> bool {
    std::env::var_os("UPDATE_EXPECT").is_some()
}

fn diag_lines(sources: &stackc_lang::Sources, diags: &[stackc_lang::Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        match d.span {
            Some(s) => {
                let p = sources.start(s);
                out.push_str(&format!(
                    "{} {}:{} {}\n",
                    d.code,
                    p.line,
                    p.column,
                    sources.name(s.file)
                ));
            }
            None => out.push_str(&format!("{} - -\n", d.code)),
        }
    }
    out
}

/// Makes machine-specific paths stable in expected output (an absolute path can still come from
/// canonicalisation).
fn normalise(text: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/lang");
    text.replace(&root.display().to_string(), "testdata/lang")
}

#[test]
fn valid() {
    let mut failures = Vec::new();
    let all = cases("valid");
    assert!(
        all.len() >= 40,
        "the valid corpus needs at least 40 cases, has {}",
        all.len()
    );
    for case in &all {
        let (doc, diags, sources) = run_case(case);
        let errors: Vec<_> = diags
            .iter()
            .filter(|d| d.severity == stackc_lang::diag::Severity::Error)
            .cloned()
            .collect();
        if !errors.is_empty() {
            failures.push(format!(
                "{}: expected no errors, got:\n{}",
                case.name,
                render::render_short(&sources, &errors)
            ));
            continue;
        }
        let actual = normalise(&(serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"));
        let expected_path = testdata().join("valid").join(format!("{}.json", case.name));
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if actual != expected {
            if update() {
                std::fs::write(&expected_path, &actual)
                    .unwrap_or_else(|e| panic!("write {}: {e}", expected_path.display()));
            } else {
                failures.push(format!(
                    "{}: evaluated configuration differs from {}:\n{}",
                    case.name,
                    expected_path.display(),
                    diff(&expected, &actual)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} valid cases failed:\n\n{}",
        failures.len(),
        all.len(),
        failures.join("\n\n")
    );
}

#[test]
fn invalid() {
    let mut failures = Vec::new();
    let all = cases("invalid");
    assert!(
        all.len() >= 120,
        "the invalid corpus needs at least 120 cases, has {}",
        all.len()
    );
    let mut codes_seen = std::collections::BTreeSet::new();
    for case in &all {
        let (_, diags, sources) = run_case(case);
        if !diags
            .iter()
            .any(|d| d.severity == stackc_lang::diag::Severity::Error)
        {
            failures.push(format!("{}: expected errors, got none", case.name));
            continue;
        }
        for d in &diags {
            codes_seen.insert(d.code);
        }
        let actual = diag_lines(&sources, &diags);
        let expected_path = testdata()
            .join("invalid")
            .join(format!("{}.diags", case.name));
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if actual != expected {
            if update() {
                std::fs::write(&expected_path, &actual)
                    .unwrap_or_else(|e| panic!("write {}: {e}", expected_path.display()));
            } else {
                failures.push(format!(
                    "{}: diagnostics differ from {}:\n{}",
                    case.name,
                    expected_path.display(),
                    diff(&expected, &actual)
                ));
            }
        }
        let rendered = normalise(&render::render_human_width(&sources, &diags, false, 1000));
        insta::with_settings!({snapshot_suffix => case.name.clone(), prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!("invalid", rendered);
        });
    }
    for code in stackc_lang::diag::code::ALL {
        if !codes_seen.contains(code) {
            failures.push(format!("no invalid case produces {code}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems in {} invalid cases:\n\n{}",
        failures.len(),
        all.len(),
        failures.join("\n\n")
    );
}

fn diff(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(2)
        .header("expected", "actual")
        .to_string()
}

/// `fmt` never changes what a stack means: every valid case, formatted, evaluates to the same
/// configuration, and formatting it again changes nothing.
#[test]
fn fmt_keeps_meaning() {
    let mut failures = Vec::new();
    let scratch = std::env::temp_dir().join(format!("stackc-fmt-corpus-{}", std::process::id()));
    for case in cases("valid") {
        let (before, _, _) = run_case(&case);
        // Copy the case beside its inputs' names, with every stack file formatted.
        // Same directory name as the original, so the default stack name is the same.
        let original_dir = if case.path.is_dir() {
            case.path.clone()
        } else {
            case.path.parent().expect("parent").to_path_buf()
        };
        let dir = scratch
            .join(&case.name)
            .join(original_dir.file_name().expect("directory name"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch directory");
        let files: Vec<PathBuf> = if case.path.is_dir() {
            copy_tree(&case.path, &dir);
            std::fs::read_dir(&case.path)
                .expect("case directory")
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.to_string_lossy().ends_with(".stack.hcl"))
                .collect()
        } else {
            vec![case.path.clone()]
        };
        for f in &files {
            let name = f.file_name().expect("file name");
            let text = std::fs::read_to_string(f).expect("read case file");
            let out = if name.to_string_lossy().ends_with(".stack.hcl") {
                match stackc_lang::fmt::format_source(stackc_lang::FileId(0), &text) {
                    Ok(once) => {
                        let twice = stackc_lang::fmt::format_source(stackc_lang::FileId(0), &once);
                        if twice.as_deref() != Ok(once.as_str()) {
                            failures.push(format!(
                                "{}: formatting {} twice changes it",
                                case.name,
                                name.to_string_lossy()
                            ));
                        }
                        once
                    }
                    Err(_) => {
                        failures.push(format!(
                            "{}: {} does not format",
                            case.name,
                            name.to_string_lossy()
                        ));
                        text
                    }
                }
            } else {
                text
            };
            std::fs::write(dir.join(name), out).expect("write formatted file");
        }
        let formatted = Case {
            name: case.name.clone(),
            path: if case.path.is_dir() {
                dir.clone()
            } else {
                dir.join(case.path.file_name().expect("file name"))
            },
            args: case.args.clone(),
            env: case.env.clone(),
        };
        let (after, diags, _) = run_case(&formatted);
        // `path.stack` differs between the two places; compare everything else.
        let normalise = |v: &serde_json::Value, root: &Path| {
            v.to_string().replace(&root.display().to_string(), "$DIR")
        };
        let (before, after) = (normalise(&before, &original_dir), normalise(&after, &dir));
        if diags
            .iter()
            .any(|d| d.severity == stackc_lang::diag::Severity::Error)
            || before != after
        {
            failures.push(format!(
                "{}: the formatted stack evaluates differently:\n{}",
                case.name,
                diff(
                    &before.replace(",\"", ",\n\""),
                    &after.replace(",\"", ",\n\"")
                )
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Copies a case directory (files as bytes, sub-directories too).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("scratch directory");
    for entry in std::fs::read_dir(from).expect("case directory").flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy case file");
        }
    }
}
