//! The reconcile loop against the in-memory provider, with local directories and a git
//! repository served from a bare repository on disk (`file://`).

use super::*;
use crate::memory::MemoryProvider;
use git::GitRef;
use std::path::Path;

fn options(state: &Path) -> WatchOptions {
    WatchOptions {
        interval: Duration::from_millis(100),
        self_heal: true,
        prune: true,
        once: false,
        vars: VarInputs::default(),
        cli_provider: None,
        parallelism: 4,
        state_dir: StateDir::new(state),
        status_addr: None,
        notify: Vec::new(),
    }
}

fn stack(containers: &[&str]) -> String {
    let mut s = String::from("stack \"shop\" {}\n");
    for c in containers {
        s.push_str(&format!(
            "\ncontainer \"{c}\" {{\n  image    = \"busybox\"\n  networks = []\n}}\n"
        ));
    }
    s
}

#[tokio::test]
async fn once_applies_then_converges() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.stack.hcl"), stack(&["web"])).unwrap();
    let provider = Arc::new(MemoryProvider::new());
    let mut o = options(state.path());
    o.once = true;
    let (_tx, rx) = signal::channel(false);
    let source = Source::Local(dir.path().to_path_buf());
    let first = run(Arc::clone(&provider), source.clone(), o.clone(), rx.clone())
        .await
        .unwrap();
    assert_eq!(first, TickOutcome::Applied);
    assert!(provider.object("container.web").is_some());
    let second = run(Arc::clone(&provider), source, o, rx).await.unwrap();
    assert_eq!(second, TickOutcome::Converged);
    let status: WatchStatus = serde_json::from_slice(
        &std::fs::read(state.path().join("stacks/shop/watch.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(status.stack, "shop");
    assert!(status.revision_applied.unwrap().starts_with("local:"));
}

/// A bare repository and a working clone that commits to it.
struct Repo {
    _dir: tempfile::TempDir,
    bare: PathBuf,
    work: git2::Repository,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let bare = dir.path().join("remote.git");
        git2::Repository::init_bare(&bare).unwrap();
        let work = git2::Repository::init(dir.path().join("work")).unwrap();
        work.remote("origin", bare.to_str().unwrap()).unwrap();
        Repo {
            _dir: dir,
            bare,
            work,
        }
    }

    fn url(&self) -> String {
        format!("file://{}", self.bare.display())
    }

    /// Commits `text` as `stack/main.stack.hcl` on `main` and pushes; returns the commit.
    fn commit(&self, text: &str) -> String {
        let root = self.work.workdir().unwrap().to_path_buf();
        std::fs::create_dir_all(root.join("stack")).unwrap();
        std::fs::write(root.join("stack/main.stack.hcl"), text).unwrap();
        let mut index = self.work.index().unwrap();
        index.add_path(Path::new("stack/main.stack.hcl")).unwrap();
        index.write().unwrap();
        let tree = self.work.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = git2::Signature::now("t", "t@example.invalid").unwrap();
        let parent = self
            .work
            .find_reference("refs/heads/main")
            .ok()
            .and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        let id = self
            .work
            .commit(
                Some("refs/heads/main"),
                &sig,
                &sig,
                "change",
                &tree,
                &parents,
            )
            .unwrap();
        let mut remote = self.work.find_remote("origin").unwrap();
        remote
            .push(&["+refs/heads/main:refs/heads/main"], None)
            .unwrap();
        id.to_string()
    }
}

async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn read_status(state: &Path) -> WatchStatus {
    std::fs::read(state.join("stacks/shop/watch.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn follows_a_git_branch_survives_a_bad_commit_prunes_and_heals() {
    let repo = Repo::new();
    let state = tempfile::tempdir().unwrap();
    repo.commit(&stack(&["web", "worker"]));
    let provider = Arc::new(MemoryProvider::new());
    let source = Source::Git(GitSource {
        url: repo.url(),
        reference: GitRef::Branch(Some("main".into())),
        path: Some(PathBuf::from("stack")),
        checkout: state.path().join("sources/test"),
        ssh_key: None,
    });
    let (stop, rx) = signal::channel(false);
    let task = tokio::spawn(run(
        Arc::clone(&provider),
        source,
        options(state.path()),
        rx,
    ));

    eventually("the first commit to converge", || {
        provider.object("container.worker").is_some()
    })
    .await;

    // A syntax error: reported with its commit, nothing deployed changes.
    let bad = repo.commit("container \"web\" {\n  image = \n}\n");
    eventually("the bad commit to be reported", || {
        read_status(state.path())
            .last_error
            .is_some_and(|e| e.revision.as_deref() == Some(bad.as_str()))
    })
    .await;
    let status = read_status(state.path());
    let error = status.last_error.unwrap();
    assert!(!error.diagnostics.is_empty());
    assert!(
        error.diagnostics[0].contains("stackc::syntax"),
        "{:?}",
        error.diagnostics
    );
    assert!(provider.object("container.worker").is_some());

    // The next good commit converges; a removed container is pruned.
    let good = repo.commit(&stack(&["web"]));
    eventually("the worker to be pruned", || {
        provider.object("container.worker").is_none()
    })
    .await;
    eventually("the good commit to be recorded", || {
        read_status(state.path()).revision_applied.as_deref() == Some(good.as_str())
    })
    .await;

    // Removed behind the watcher's back: healed within an interval.
    let web = provider.object("container.web").unwrap();
    provider.delete(&web).await.unwrap();
    eventually("the web container to be healed", || {
        provider.object("container.web").is_some()
    })
    .await;
    assert!(read_status(state.path()).metrics.drift_corrections >= 1);

    stop.send(true).unwrap();
    task.await.unwrap().unwrap();
}

#[tokio::test]
async fn the_status_endpoint_serves_status_metrics_and_triggers() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.stack.hcl"), stack(&["web"])).unwrap();
    let provider = Arc::new(MemoryProvider::new());
    let mut o = options(state.path());
    o.interval = Duration::from_secs(3600);
    // Bind first to learn a free port, then hand it over.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    o.status_addr = Some(SocketAddr::from(([127, 0, 0, 1], port)));
    let (stop, rx) = signal::channel(false);
    let task = tokio::spawn(run(
        Arc::clone(&provider),
        Source::Local(dir.path().to_path_buf()),
        o,
        rx,
    ));
    eventually("the first apply", || {
        provider.object("container.web").is_some()
    })
    .await;

    let get = move |path: &str, method: &str| {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    let status = tokio::task::spawn_blocking(move || get("/status", "GET"))
        .await
        .unwrap();
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    assert!(status.contains("\"stack\": \"shop\""), "{status}");
    let metrics = tokio::task::spawn_blocking(move || get("/metrics", "GET"))
        .await
        .unwrap();
    assert!(
        metrics.contains("stackc_reconciles_total{stack=\"shop\"}"),
        "{metrics}"
    );

    // A trigger reconciles at once, though the interval is an hour.
    let web = provider.object("container.web").unwrap();
    provider.delete(&web).await.unwrap();
    let accepted = tokio::task::spawn_blocking(move || get("/reconcile", "POST"))
        .await
        .unwrap();
    assert!(accepted.starts_with("HTTP/1.1 202"), "{accepted}");
    eventually("the trigger to heal", || {
        provider.object("container.web").is_some()
    })
    .await;

    stop.send(true).unwrap();
    task.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_local_edit_is_applied_within_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.stack.hcl"), stack(&["web"])).unwrap();
    let provider = Arc::new(MemoryProvider::new());
    let mut o = options(state.path());
    o.interval = Duration::from_secs(3600);
    let (stop, rx) = signal::channel(false);
    let task = tokio::spawn(run(
        Arc::clone(&provider),
        Source::Local(dir.path().to_path_buf()),
        o,
        rx,
    ));
    eventually("the first apply", || {
        provider.object("container.web").is_some()
    })
    .await;
    let edited = Instant::now();
    std::fs::write(dir.path().join("main.stack.hcl"), stack(&["web", "api"])).unwrap();
    eventually("the edit to apply", || {
        provider.object("container.api").is_some()
    })
    .await;
    assert!(
        edited.elapsed() < Duration::from_secs(1),
        "{:?}",
        edited.elapsed()
    );
    stop.send(true).unwrap();
    task.await.unwrap().unwrap();
}

#[tokio::test]
async fn ten_commits_in_a_row_all_converge() {
    let repo = Repo::new();
    let state = tempfile::tempdir().unwrap();
    repo.commit(&stack(&["c0"]));
    let provider = Arc::new(MemoryProvider::new());
    let source = Source::Git(GitSource {
        url: repo.url(),
        reference: GitRef::Branch(None),
        path: Some(PathBuf::from("stack")),
        checkout: state.path().join("sources/soak"),
        ssh_key: None,
    });
    let mut o = options(state.path());
    o.interval = Duration::from_millis(50);
    let (stop, rx) = signal::channel(false);
    let task = tokio::spawn(run(Arc::clone(&provider), source, o, rx));
    for i in 1..=10 {
        let names: Vec<String> = (0..=i).map(|n| format!("c{n}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let commit = repo.commit(&stack(&refs));
        eventually(&format!("commit {i} to converge"), || {
            read_status(state.path()).revision_applied.as_deref() == Some(commit.as_str())
                && provider.object(&format!("container.c{i}")).is_some()
        })
        .await;
    }
    let history = StateDir::new(state.path())
        .stack("shop")
        .unwrap()
        .history()
        .unwrap();
    // The first two commits may land before the first fetch.
    assert!(
        history.len() >= 10,
        "every commit applied and recorded: {}",
        history.len()
    );
    stop.send(true).unwrap();
    task.await.unwrap().unwrap();
}

#[tokio::test]
async fn webhooks_hear_of_applies() {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(s.try_clone().unwrap());
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
            .unwrap();
        String::from_utf8(body).unwrap()
    });
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.stack.hcl"), stack(&["web"])).unwrap();
    let mut o = options(state.path());
    o.once = true;
    o.notify = vec![format!("http://127.0.0.1:{port}/hook")];
    let (_tx, rx) = signal::channel(false);
    let provider = Arc::new(MemoryProvider::new());
    let outcome = run(provider, Source::Local(dir.path().to_path_buf()), o, rx)
        .await
        .unwrap();
    assert_eq!(outcome, TickOutcome::Applied);
    let body = tokio::task::spawn_blocking(move || received.join().unwrap())
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["event"], "applied");
    assert_eq!(v["stack"], "shop");
    assert!(v["text"]
        .as_str()
        .unwrap()
        .starts_with("stackc: shop applied"));
}

#[tokio::test]
async fn unhealthy_containers_are_restarted_up_to_the_flap_limit() {
    use crate::memory::{Op, Phase};
    use crate::provider::Health;
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.stack.hcl"),
        "stack \"shop\" {}\ncontainer \"web\" {\n  image    = \"busybox\"\n  networks = []\n  restart  = \"always\"\n  health {\n    tcp = 80\n  }\n}\n",
    )
    .unwrap();
    let provider = Arc::new(MemoryProvider::new());
    let mut o = options(state.path());
    o.interval = Duration::from_millis(20);
    let (stop, rx) = signal::channel(false);
    let task = tokio::spawn(run(
        Arc::clone(&provider),
        Source::Local(dir.path().to_path_buf()),
        o,
        rx,
    ));
    eventually("the first apply", || {
        provider.object("container.web").is_some()
    })
    .await;
    provider.set_health(
        "container.web",
        Health::Unhealthy {
            reason: "connection refused".into(),
        },
    );
    eventually("the flap limit to be reported", || {
        read_status(state.path())
            .last_error
            .is_some_and(|e| e.message.contains("after 5 restarts in 10 minutes"))
    })
    .await;
    let starts = provider
        .calls()
        .iter()
        .filter(|c| c.op == Op::Start && c.phase == Phase::End)
        .count();
    // One start when it was made, then five restarts, and no more.
    assert_eq!(starts, 1 + 5);
    stop.send(true).unwrap();
    task.await.unwrap().unwrap();
}

#[tokio::test]
async fn an_unreachable_remote_is_reported_and_caught_up_with() {
    let repo = Repo::new();
    let state = tempfile::tempdir().unwrap();
    repo.commit(&stack(&["web"]));
    let provider = Arc::new(MemoryProvider::new());
    let source = Source::Git(GitSource {
        url: repo.url(),
        reference: GitRef::Branch(Some("main".into())),
        path: Some(PathBuf::from("stack")),
        checkout: state.path().join("sources/away"),
        ssh_key: None,
    });
    let (stop, rx) = signal::channel(false);
    let task = tokio::spawn(run(
        Arc::clone(&provider),
        source,
        options(state.path()),
        rx,
    ));
    eventually("the first commit", || {
        provider.object("container.web").is_some()
    })
    .await;

    // The remote goes away: the watcher records it and keeps running what is deployed.
    let away = repo.bare.with_extension("away");
    std::fs::rename(&repo.bare, &away).unwrap();
    eventually("the unreachable remote to be reported", || {
        read_status(state.path())
            .last_error
            .is_some_and(|e| e.message.starts_with("cannot read the source"))
    })
    .await;
    assert!(provider.object("container.web").is_some());

    // It comes back with a new commit: caught up.
    std::fs::rename(&away, &repo.bare).unwrap();
    let commit = repo.commit(&stack(&["web", "api"]));
    eventually("the new commit to converge", || {
        read_status(state.path()).revision_applied.as_deref() == Some(commit.as_str())
    })
    .await;
    assert!(provider.object("container.api").is_some());
    stop.send(true).unwrap();
    task.await.unwrap().unwrap();
}

/// `git daemon` serving a bare repository's parent directory on loopback; killed on drop.
struct GitDaemon {
    child: std::process::Child,
    port: u16,
}

impl GitDaemon {
    fn serve(base: &Path) -> GitDaemon {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new("git")
            .arg("daemon")
            .arg("--reuseaddr")
            .arg("--export-all")
            .arg("--listen=127.0.0.1")
            .arg(format!("--port={port}"))
            .arg(format!("--base-path={}", base.display()))
            .arg(base)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("git daemon (part of git) starts");
        let daemon = GitDaemon { child, port };
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "git daemon never listened"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        daemon
    }
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn follows_a_repository_served_by_git_daemon() {
    let repo = Repo::new();
    let state = tempfile::tempdir().unwrap();
    repo.commit(&stack(&["web"]));
    let daemon = GitDaemon::serve(repo.bare.parent().unwrap());
    let provider = Arc::new(MemoryProvider::new());
    let source = Source::Git(GitSource {
        url: format!("git://127.0.0.1:{}/remote.git", daemon.port),
        reference: GitRef::Branch(None),
        path: Some(PathBuf::from("stack")),
        checkout: state.path().join("sources/daemon"),
        ssh_key: None,
    });
    let (stop, rx) = signal::channel(false);
    let task = tokio::spawn(run(
        Arc::clone(&provider),
        source,
        options(state.path()),
        rx,
    ));
    eventually("the first commit to converge", || {
        provider.object("container.web").is_some()
    })
    .await;
    let commit = repo.commit(&stack(&["web", "api"]));
    eventually("the second commit to converge", || {
        read_status(state.path()).revision_applied.as_deref() == Some(commit.as_str())
    })
    .await;
    assert!(provider.object("container.api").is_some());
    stop.send(true).unwrap();
    task.await.unwrap().unwrap();
}

fn service(version: &str) -> String {
    format!(
        "stack \"shop\" {{}}\n\nservice \"api\" {{\n  image    = \"busybox\"\n  networks = []\n  replicas = 2\n  env      = {{ VERSION = \"{version}\" }}\n  update {{\n    order   = \"start-first\"\n    monitor = \"0s\"\n  }}\n}}\n"
    )
}

#[tokio::test]
async fn a_failed_rollout_is_rolled_back_reported_and_not_retried() {
    let repo = Repo::new();
    let state = tempfile::tempdir().unwrap();
    let good = repo.commit(&service("1"));
    let provider = Arc::new(MemoryProvider::new());
    provider.set_health_when_applied_contains(
        "broken",
        crate::provider::Health::Unhealthy {
            reason: "exit 3".into(),
        },
    );
    let source = Source::Git(GitSource {
        url: repo.url(),
        reference: GitRef::Branch(None),
        path: Some(PathBuf::from("stack")),
        checkout: state.path().join("sources/rollout"),
        ssh_key: None,
    });
    let (stop, rx) = signal::channel(false);
    let task = tokio::spawn(run(
        Arc::clone(&provider),
        source,
        options(state.path()),
        rx,
    ));
    eventually("the first commit to converge", || {
        read_status(state.path()).revision_applied.as_deref() == Some(good.as_str())
    })
    .await;
    let before: Vec<(String, Option<String>)> = ["service.api#1", "service.api#2"]
        .iter()
        .map(|a| {
            let o = provider.object(a).unwrap();
            (o.runtime_name, o.spec_hash)
        })
        .collect();

    let bad = repo.commit(&service("broken"));
    eventually("the rollback to be reported", || {
        read_status(state.path())
            .last_error
            .is_some_and(|e| e.revision.as_deref() == Some(bad.as_str()))
    })
    .await;
    let status = read_status(state.path());
    let error = status.last_error.unwrap();
    assert!(error.message.contains("rolled back"), "{}", error.message);
    assert!(
        error.diagnostics[0].contains("rolled back to the previous template"),
        "{:?}",
        error.diagnostics
    );
    assert_eq!(status.metrics.rollbacks, 1);
    assert_eq!(status.revision_applied.as_deref(), Some(good.as_str()));
    let after: Vec<(String, Option<String>)> = ["service.api#1", "service.api#2"]
        .iter()
        .map(|a| {
            let o = provider.object(a).unwrap();
            (o.runtime_name, o.spec_hash)
        })
        .collect();
    assert_eq!(after, before, "the deployed replicas kept their template");

    // Not retried while the source stays at the bad commit.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(read_status(state.path()).metrics.rollbacks, 1);
    stop.send(true).unwrap();
    task.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_rebuilt_binary_outside_the_stack_rolls_what_is_made_from_it() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let build = tempfile::tempdir().unwrap();
    let binary = build.path().join("app");
    std::fs::write(&binary, "#!/bin/sh\necho v1\n").unwrap();
    std::fs::write(
        dir.path().join("main.stack.hcl"),
        format!(
            "stack \"shop\" {{}}\n\nimage \"app\" {{\n  from_host = [\"{}\"]\n}}\n\ncontainer \"app\" {{\n  image    = image.app\n  networks = []\n}}\n",
            binary.display()
        ),
    )
    .unwrap();
    let provider = Arc::new(MemoryProvider::new());
    let mut o = options(state.path());
    // Only the file watch can notice the rebuild.
    o.interval = Duration::from_secs(3600);
    let (stop, rx) = signal::channel(false);
    let task = tokio::spawn(run(
        Arc::clone(&provider),
        Source::Local(dir.path().to_path_buf()),
        o,
        rx,
    ));
    eventually("the first apply", || {
        provider.object("container.app").is_some()
    })
    .await;
    let image = provider.object("image.app").unwrap();
    let container = provider.object("container.app").unwrap();

    // Rebuilt the way compilers write: a new file renamed over the old one.
    let fresh = build.path().join("app.new");
    std::fs::write(&fresh, "#!/bin/sh\necho v2\n").unwrap();
    std::fs::rename(&fresh, &binary).unwrap();
    eventually("the image and its container to be made anew", || {
        provider
            .object("image.app")
            .is_some_and(|i| i.spec_hash != image.spec_hash)
            && provider
                .object("container.app")
                .is_some_and(|c| c.id != container.id)
    })
    .await;
    let status = read_status(state.path());
    assert_eq!(
        status.metrics.drift_corrections, 0,
        "a new revision, not a heal"
    );
    stop.send(true).unwrap();
    task.await.unwrap().unwrap();
}

#[test]
fn failing_ticks_back_off_up_to_eight_intervals() {
    let i = Duration::from_secs(30);
    let waits: Vec<u64> = (0..6).map(|n| backoff(i, n).as_secs()).collect();
    assert_eq!(waits, [30, 30, 60, 120, 240, 240]);
}

impl Repo {
    /// Points the tag `name` at `commit` on the remote (moving it if it exists).
    fn tag(&self, name: &str, commit: &str) {
        let target = self
            .work
            .find_object(git2::Oid::from_str(commit).unwrap(), None)
            .unwrap();
        self.work.tag_lightweight(name, &target, true).unwrap();
        let mut remote = self.work.find_remote("origin").unwrap();
        remote
            .push(&[format!("+refs/tags/{name}:refs/tags/{name}")], None)
            .unwrap();
    }

    /// Moves `main` back to `commit` and force-pushes it, as a rewritten history would.
    fn force_push(&self, commit: &str) {
        let c = self
            .work
            .find_commit(git2::Oid::from_str(commit).unwrap())
            .unwrap();
        self.work
            .reference("refs/heads/main", c.id(), true, "reset")
            .unwrap();
        let mut remote = self.work.find_remote("origin").unwrap();
        remote
            .push(&["+refs/heads/main:refs/heads/main"], None)
            .unwrap();
    }
}

/// Runs a watcher on `reference` of `repo`; returns its stop handle, task and state dir.
fn watch_ref(
    repo: &Repo,
    reference: GitRef,
    provider: &Arc<MemoryProvider>,
) -> (
    signal::Sender<bool>,
    tokio::task::JoinHandle<Result<TickOutcome, String>>,
    tempfile::TempDir,
) {
    let state = tempfile::tempdir().unwrap();
    let source = Source::Git(GitSource {
        url: repo.url(),
        reference,
        path: Some(PathBuf::from("stack")),
        checkout: state.path().join("sources/ref"),
        ssh_key: None,
    });
    let (stop, rx) = signal::channel(false);
    let task = tokio::spawn(run(Arc::clone(provider), source, options(state.path()), rx));
    (stop, task, state)
}

#[tokio::test]
async fn follows_a_moved_tag_a_pinned_rev_and_a_force_pushed_branch() {
    let repo = Repo::new();
    let first = repo.commit(&stack(&["web"]));
    repo.tag("release", &first);
    let second = repo.commit(&stack(&["web", "api"]));

    // A tag: the commit it names, not the branch's newer one; then wherever it is moved.
    let tagged = Arc::new(MemoryProvider::new());
    let (stop, task, state) = watch_ref(&repo, GitRef::Tag("release".into()), &tagged);
    eventually("the tagged commit", || {
        read_status(state.path()).revision_applied.as_deref() == Some(first.as_str())
    })
    .await;
    assert!(tagged.object("container.api").is_none());
    repo.tag("release", &second);
    eventually("the moved tag", || {
        read_status(state.path()).revision_applied.as_deref() == Some(second.as_str())
    })
    .await;
    assert!(tagged.object("container.api").is_some());
    stop.send(true).unwrap();
    task.await.unwrap().unwrap();

    // A pinned commit stays put while the branch moves on.
    let pinned = Arc::new(MemoryProvider::new());
    let (stop, task, state) = watch_ref(&repo, GitRef::Rev(first.clone()), &pinned);
    eventually("the pinned commit", || {
        read_status(state.path()).revision_applied.as_deref() == Some(first.as_str())
    })
    .await;
    repo.commit(&stack(&["web", "api", "worker"]));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        read_status(state.path()).revision_applied.as_deref(),
        Some(first.as_str())
    );
    assert!(pinned.object("container.worker").is_none());
    stop.send(true).unwrap();
    task.await.unwrap().unwrap();

    // A branch rewritten by a force-push is followed to its new (older) head.
    let branch = Arc::new(MemoryProvider::new());
    let (stop, task, state) = watch_ref(&repo, GitRef::Branch(Some("main".into())), &branch);
    eventually("the branch head", || {
        branch.object("container.worker").is_some()
    })
    .await;
    repo.force_push(&first);
    eventually("the force-pushed head", || {
        read_status(state.path()).revision_applied.as_deref() == Some(first.as_str())
    })
    .await;
    eventually("what the old head had to be pruned", || {
        branch.object("container.worker").is_none() && branch.object("container.api").is_none()
    })
    .await;
    stop.send(true).unwrap();
    task.await.unwrap().unwrap();
}
