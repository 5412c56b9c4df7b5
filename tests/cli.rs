//! The `stackc` binary end to end: exit codes (CLI.md "Exit codes"), output streams and formats.

use std::path::PathBuf;
use std::process::{Command, Output};

fn stackc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stackc"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("the stackc binary runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stackc-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

#[test]
fn validate_the_quickstart() {
    let out = stackc(&["-C", "examples/quickstart", "validate"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("is valid: 4 resources"));
}

#[test]
fn validate_reports_errors_as_json_and_exits_1() {
    let dir = scratch("invalid");
    std::fs::write(dir.join("main.stack.hcl"), "locals {\n  a = var.nope\n}\n").unwrap();
    let out = stackc(&["-C", dir.to_str().unwrap(), "validate", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(doc["valid"], false);
    assert_eq!(doc["error_count"], 1);
    let d = &doc["diagnostics"][0];
    assert_eq!(d["code"], "stackc::undefined");
    assert_eq!(d["range"]["filename"], "main.stack.hcl");
    assert_eq!(d["range"]["start"]["line"], 2);
    assert_eq!(d["range"]["start"]["column"], 7);
    assert_eq!(d["range"]["start"]["byte"], 15);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn human_diagnostics_go_to_stderr() {
    let dir = scratch("human");
    std::fs::write(dir.join("main.stack.hcl"), "contaner \"x\" {}\n").unwrap();
    let out = stackc(&["-C", dir.to_str().unwrap(), "--color", "never", "validate"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("stackc::unknown-block"), "{err}");
    assert!(err.contains("did you mean `container`?"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn config_json_is_sorted_and_shows_references_as_addresses() {
    let out = stackc(&["-C", "examples/quickstart", "config", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["stack"], "quickstart");
    assert_eq!(doc["provider"], "native");
    assert_eq!(doc["resources"]["container.web"]["image"], "image.busybox");
    assert_eq!(
        doc["resources"]["container.web"]["networks"][0],
        "network.web"
    );
    // A single block is an object, a repeated one a list.
    assert!(doc["resources"]["container.web"]["resources"].is_object());
    assert!(doc["resources"]["container.web"]["port"].is_array());
}

#[test]
fn variables_from_the_command_line_and_the_environment() {
    let dir = scratch("vars");
    std::fs::write(
        dir.join("main.stack.hcl"),
        "variable \"port\" {\n  type = number\n}\noutput \"p\" {\n  value = var.port + 1\n}\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_stackc"))
        .args(["-C", dir.to_str().unwrap(), "config", "--format", "json"])
        .env("STACKC_VAR_port", "41")
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["outputs"]["p"], 42);
    let out = Command::new(env!("CARGO_BIN_EXE_stackc"))
        .args([
            "-C",
            dir.to_str().unwrap(),
            "--var",
            "port=1",
            "config",
            "--format",
            "json",
        ])
        .env("STACKC_VAR_port", "41")
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["outputs"]["p"], 2, "--var wins over the environment");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fmt_check_exits_3_and_fmt_rewrites() {
    let dir = scratch("fmt");
    let file = dir.join("main.stack.hcl");
    std::fs::write(&file, "locals {\na=1\n  bbb = 2\n}\n").unwrap();
    let out = stackc(&["fmt", "--check", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "locals {\na=1\n  bbb = 2\n}\n",
        "--check writes nothing"
    );
    let out = stackc(&["fmt", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "locals {\n  a   = 1\n  bbb = 2\n}\n"
    );
    let out = stackc(&["fmt", "--check", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_directory_is_an_error_not_a_panic() {
    let out = stackc(&["-C", "/nonexistent/stack", "validate"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the stack directory"));
}

#[test]
fn a_held_lock_refuses_apply_at_once_with_a_clear_message() {
    let dir = scratch("lock");
    let state = dir.join("state");
    std::fs::write(dir.join("main.stack.hcl"), "stack \"locked\" {}\n").unwrap();
    let lock_dir = state.join("stacks/locked");
    std::fs::create_dir_all(&lock_dir).unwrap();
    // Another process holds the lock exclusively (util-linux's flock stands in for a writer).
    let mut holder = Command::new("flock")
        .args(["-x", lock_dir.join("lock").to_str().unwrap(), "sleep", "30"])
        .spawn()
        .expect("flock(1) runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let out = loop {
        let out = stackc(&[
            "-C",
            dir.to_str().unwrap(),
            "--state-dir",
            state.to_str().unwrap(),
            "--provider",
            "docker",
            "apply",
            "--auto-approve",
        ]);
        if String::from_utf8_lossy(&out.stderr).contains("is locked")
            || std::time::Instant::now() > deadline
        {
            break out;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: stack `locked` is locked by another stackc process"),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: wait for the other command to finish"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn output_and_history_before_any_apply() {
    let dir = scratch("history");
    let state = dir.join("state");
    std::fs::write(dir.join("main.stack.hcl"), "stack \"fresh\" {}\n").unwrap();
    let base = [
        "-C",
        dir.to_str().unwrap(),
        "--state-dir",
        state.to_str().unwrap(),
    ];
    let out = stackc(&[&base[..], &["history"]].concat());
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("has not been applied yet"));
    let out = stackc(&[&base[..], &["output"]].concat());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("run `stackc apply` first"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn apply_flags_are_checked_before_anything_runs() {
    // Refused before any provider is asked: the flag rules are checked first.
    let out = stackc(&["apply", "--parallelism", "0"]);
    assert_eq!(out.status.code(), Some(1));
    let out = stackc(&["apply", "plan.out", "--target", "container.web"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--target cannot be used with a saved plan")
    );
}

#[test]
fn the_language_server_answers_on_stdio() {
    use std::io::{Read, Write};
    let mut child = Command::new(env!("CARGO_BIN_EXE_stackc"))
        .arg("lsp")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let send = |stdin: &mut std::process::ChildStdin, body: &str| {
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    };
    send(
        &mut stdin,
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{},"processId":null,"rootUri":null}}"#,
    );
    send(
        &mut stdin,
        r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
    );
    send(
        &mut stdin,
        r#"{"jsonrpc":"2.0","id":2,"method":"shutdown","params":null}"#,
    );
    send(
        &mut stdin,
        r#"{"jsonrpc":"2.0","method":"exit","params":null}"#,
    );
    drop(stdin);
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert!(out.contains("\"hoverProvider\":true"), "{out}");
    assert!(out.contains("\"id\":2"), "{out}");
}
