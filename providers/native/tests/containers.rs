//! Real containers, as root: isolation seen from inside, limits, supervision, volumes,
//! update in place, exec, health, and that delete leaves nothing behind. Each test uses its
//! own store and stack and checks the cleanup itself. They need root and fail without it.

mod common;
use common::*;
use serde_json::json;
use stackc_engine::model::live;
use stackc_engine::model::ResourceKind;
use stackc_engine::provider::{ExecIo, ExecRequest, Health, ObjectState, Provider};
use std::time::Duration;

fn stopped(o: &stackc_engine::provider::ObservedObject) -> bool {
    matches!(o.state, ObjectState::Stopped { .. })
}

#[tokio::test(flavor = "multi_thread")]
async fn isolation_seen_from_inside() {
    let env = env("iso");
    let img = env.busybox_image().await;
    let script = r#"
        echo "hostname=$(hostname)"
        echo "pid=$$"
        grep CapEff /proc/self/status
        for p in /proc/kcore /proc/keys /proc/timer_list; do [ -e $p ] && echo "$p=$(wc -c < $p)"; done
        echo "firmware=$(ls /sys/firmware | wc -l)"
        echo "fds=$(ls /proc/self/fd | tr '\n' ' ')"
        mount -t tmpfs none /mnt 2>/dev/null && echo mount=allowed || echo mount=denied
        unshare -n true 2>/dev/null && echo unshare=allowed || echo unshare=denied
        echo 1 > /proc/sys/kernel/shm_rmid_forced 2>/dev/null && echo procsys=writable || echo procsys=readonly
        touch /sys/x 2>/dev/null && echo sys=writable || echo sys=readonly
        echo "lo=$(cat /sys/class/net/lo/operstate)"
        echo "devs=$(ls /dev | tr '\n' ' ')"
        echo "cwd=$(pwd)"
        mknod /tmp/disk b DISK && { head -c 1 /tmp/disk >/dev/null 2>&1 && echo disk=readable || echo disk=denied; }
        head -c 1 /dev/urandom >/dev/null && echo urandom=ok
    "#;
    // The host's root disk, as major and minor numbers: what a container must not open.
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let disk = mountinfo
        .lines()
        .find(|l| l.split(' ').nth(4) == Some("/"))
        .and_then(|l| l.split(' ').nth(2))
        .unwrap_or("8:0")
        .replace(':', " ");
    let script = script.replace("DISK", &disk);
    let c = env.container(
        "c",
        &img,
        json!({ "command": ["sh", "-c", script], "hostname": "inside", "workdir": "/tmp" }),
        &[],
    );
    let o = env.run(&c).await;
    let o = env.wait_for(&o.address, "exit", stopped).await;
    assert_eq!(o.state, ObjectState::Stopped { exit_code: Some(0) });
    let logs = env.logs(&o).await;
    let has = |l: &str| logs.iter().any(|x| x == l);
    assert!(has("hostname=inside"), "{logs:#?}");
    assert!(has("pid=1"), "{logs:#?}");
    // Docker's 14 default capabilities.
    assert!(has("CapEff:\t00000000a80425fb"), "{logs:#?}");
    for masked in ["/proc/kcore", "/proc/keys", "/proc/timer_list"] {
        if std::path::Path::new(masked).exists() {
            assert!(
                has(&format!("{masked}=0")),
                "{masked} not masked: {logs:#?}"
            );
        }
    }
    assert!(has("firmware=0"), "{logs:#?}");
    // 0, 1, 2 and the directory `ls` opened: nothing of the runtime leaked.
    assert!(has("fds=0 1 2 3 "), "{logs:#?}");
    assert!(has("mount=denied") && has("unshare=denied"), "{logs:#?}");
    assert!(has("procsys=readonly") && has("sys=readonly"), "{logs:#?}");
    assert!(has("lo=unknown") || has("lo=up"), "{logs:#?}");
    assert!(has("cwd=/tmp"), "{logs:#?}");
    // MKNOD is a default capability; the devices cgroup keeps a made node from opening.
    if !stackc_provider_native::cgroup::Cgroups::detect()
        .unwrap()
        .is_v2()
    {
        assert!(has("disk=denied"), "{logs:#?}");
    }
    assert!(has("urandom=ok"), "{logs:#?}");
    assert!(
        has("devs=fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero "),
        "{logs:#?}"
    );
    env.clean().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn user_files_secrets_and_read_only_root() {
    let env = env("user");
    let img = env.busybox_image().await;
    let script = r#"
        id -u; id -g
        grep CapEff /proc/self/status
        cat /etc/app.conf; echo; cat /run/secrets/token; echo
        echo x > /etc/app.conf 2>/dev/null && echo file=writable || echo file=readonly
        touch /newfile 2>/dev/null && echo root=writable || echo root=readonly
        touch /scratch/ok && echo tmpfs=writable
        sleep 30
    "#;
    let c = env.container(
        "c",
        &img,
        json!({
            "command": ["sh", "-c", script],
            "user": "app",
            "stop_timeout": "200ms",
            "read_only": true,
            "tmpfs": [{ "target": "/scratch", "size": "1MiB" }],
            "file": [{ "target": "/etc/app.conf", "content": "setting=1" }],
            "secret": [{ "target": "/run/secrets/token", "value": "s3cret", "mode": "0444" }],
        }),
        &[],
    );
    let o = env.run(&c).await;
    // The secret lives on a tmpfs, never on the store's disk.
    let secrets = env
        .root
        .path()
        .join("containers")
        .join(&o.id)
        .join("secrets");
    let fs = nix::sys::statfs::statfs(&secrets).unwrap();
    assert_eq!(fs.filesystem_type(), nix::sys::statfs::TMPFS_MAGIC);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let logs = env.logs(&o).await;
    for want in [
        "1000",
        "CapEff:\t0000000000000000",
        "setting=1",
        "s3cret",
        "file=readonly",
        "root=readonly",
        "tmpfs=writable",
    ] {
        assert!(logs.iter().any(|l| l == want), "{want}: {logs:#?}");
    }
    env.clean().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn memory_limit_kills_and_restart_brings_it_back() {
    let env = env("mem");
    let img = env.busybox_image().await;
    // The shell keeps 64 MiB in a variable: it cannot fit in 16.
    let c = env.container(
        "c",
        &img,
        json!({
            "command": ["sh", "-c", "echo started; x=$(head -c 67108864 /dev/zero | tr '\\0' a); echo survived"],
            "resources": { "memory": "16MiB", "memory_swap": "16MiB" },
            "restart": "on-failure",
            "max_restarts": 2,
        }),
        &[],
    );
    let o = env.run(&c).await;
    let o = env
        .wait_for(&o.address, "two restarts and the end", |o| {
            o.restarts == 2 && stopped(o)
        })
        .await;
    let ObjectState::Stopped {
        exit_code: Some(code),
    } = o.state
    else {
        panic!("{o:?}")
    };
    assert_ne!(code, 0, "the allocation must fail");
    let logs = env.logs(&o).await;
    assert_eq!(
        logs.iter().filter(|l| *l == "started").count(),
        3,
        "{logs:#?}"
    );
    assert!(!logs.iter().any(|l| l == "survived"), "{logs:#?}");
    assert_eq!(o.live[live::MEMORY], json!(16u64 << 20));
    env.clean().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pids_limit_stops_a_fork_bomb() {
    let env = env("pids");
    let img = env.busybox_image().await;
    let c = env.container(
        "c",
        &img,
        json!({
            // The shell exits when a fork fails: the bomb runs in a subshell, and the
            // container stays up with `exec`, which needs no new process.
            "command": ["sh", "-c", "(i=0; while [ $i -lt 60 ]; do sleep 30 & i=$((i+1)); done); exec sleep 30"],
            "resources": { "pids": 20 },
            "stop_timeout": "200ms",
        }),
        &[],
    );
    let o = env.run(&c).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let record: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            env.root
                .path()
                .join("containers")
                .join(&o.id)
                .join("record.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let cgroup = record["run"]["cgroup"].as_str().unwrap().to_string();
    let cg = stackc_provider_native::cgroup::Cgroups::detect().unwrap();
    let procs = cg.procs(&cgroup);
    assert!(
        !procs.is_empty() && procs.len() <= 20,
        "{} processes",
        procs.len()
    );
    let logs = env.logs(&o).await;
    assert!(logs.iter().any(|l| l.contains("fork")), "{logs:#?}");
    env.clean().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_process_is_restarted_by_its_shim() {
    let env = env("restart");
    let img = env.busybox_image().await;
    let c = env.container(
        "c",
        &img,
        json!({ "command": ["sleep", "1000"], "restart": "always", "init": true }),
        &[],
    );
    let o = env.run(&c).await;
    let o = env
        .wait_for(&o.address, "running", |o| o.state == ObjectState::Running)
        .await;
    let state: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            env.root
                .path()
                .join("containers")
                .join(&o.id)
                .join("state.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let pid = state["pid"].as_i64().unwrap() as i32;
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    let o = env
        .wait_for(&o.address, "a restart", |o| {
            o.restarts == 1 && o.state == ObjectState::Running
        })
        .await;
    // Killing the shim ends the container with it: the next observe says stopped.
    let state: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            env.root
                .path()
                .join("containers")
                .join(&o.id)
                .join("state.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let shim = state["shim_pid"].as_i64().unwrap() as i32;
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(shim),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    let o = env
        .wait_for(&o.address, "stopped after its shim died", stopped)
        .await;
    // And start heals it.
    env.provider.start(&o).await.unwrap();
    env.wait_for(&o.address, "running again", |o| {
        o.state == ObjectState::Running
    })
    .await;
    env.clean().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn stop_signal_then_kill_after_the_timeout() {
    let env = env("stop");
    let img = env.busybox_image().await;
    // PID 1 without a handler ignores SIGTERM: the timeout's SIGKILL ends it.
    let c = env.container(
        "c",
        &img,
        json!({ "command": ["sleep", "1000"], "stop_timeout": "300ms" }),
        &[],
    );
    let o = env.run(&c).await;
    let t = std::time::Instant::now();
    env.provider.stop(&o).await.unwrap();
    assert!(t.elapsed() >= Duration::from_millis(300) && t.elapsed() < Duration::from_secs(5));
    let o = env.observe(&o.address).await.unwrap();
    assert_eq!(
        o.state,
        ObjectState::Stopped {
            exit_code: Some(137)
        }
    );
    // A trap makes SIGTERM work at once.
    let c2 = env.container("c2", &img, json!({ "command": ["sh", "-c", "trap 'exit 3' TERM; while true; do sleep 0.05; done"], "stop_timeout": "10s" }), &[]);
    let o2 = env.run(&c2).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let t = std::time::Instant::now();
    env.provider.stop(&o2).await.unwrap();
    assert!(t.elapsed() < Duration::from_secs(3));
    let o2 = env.observe(&o2.address).await.unwrap();
    assert_eq!(o2.state, ObjectState::Stopped { exit_code: Some(3) });
    env.clean().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn volume_data_survives_replacement() {
    let env = env("vol");
    let img = env.busybox_image().await;
    let vol = env.desired(ResourceKind::Volume, "data", json!({}), &[]);
    env.provider
        .create(&vol, &Default::default())
        .await
        .unwrap();
    let mount = json!([{ "source": "volume.data", "target": "/data" }]);
    let w = env.container(
        "w",
        &img,
        json!({ "command": ["sh", "-c", "echo kept > /data/file"], "mount": mount }),
        &[&vol],
    );
    let o = env.run(&w).await;
    let o = env.wait_for(&o.address, "exit", stopped).await;
    env.provider.delete(&o).await.unwrap();
    let r = env.container(
        "r",
        &img,
        json!({ "command": ["cat", "/data/file"], "mount": mount }),
        &[&vol],
    );
    let o = env.run(&r).await;
    let o = env.wait_for(&o.address, "exit", stopped).await;
    assert_eq!(env.logs(&o).await, ["kept"]);
    env.clean().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn limits_change_in_place_and_read_back() {
    let env = env("upd");
    let img = env.busybox_image().await;
    let spec = json!({ "command": ["sleep", "1000"], "stop_timeout": "200ms", "resources": { "memory": "64MiB", "pids": 50, "cpus": 0.5, "cpu_shares": 512 } });
    let c = env.container("c", &img, spec, &[]);
    let o = env.run(&c).await;
    let seen = env.observe(&o.address).await.unwrap();
    let expected = env.provider.expected_live(&c);
    assert_eq!(
        seen.live, expected,
        "live attributes read back equal the spec's"
    );
    let spec2 = json!({ "command": ["sleep", "1000"], "stop_timeout": "200ms", "resources": { "memory": "128MiB", "pids": 80, "cpus": 1 }, "restart": "always" });
    let c2 = env.container("c", &img, spec2, &[]);
    env.provider
        .update(&seen, &c2, &Default::default())
        .await
        .unwrap();
    let seen = env.observe(&o.address).await.unwrap();
    assert_eq!(seen.live, env.provider.expected_live(&c2));
    assert_eq!(seen.spec_hash.as_deref(), Some(c2.spec_hash.as_str()));
    assert_eq!(seen.applied.as_deref(), Some(c2.applied.as_str()));
    assert_eq!(seen.state, ObjectState::Running);
    env.clean().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn exec_and_health_checks() {
    let env = env("exec");
    let img = env.busybox_image().await;
    let c = env.container(
        "c",
        &img,
        json!({
            "command": ["httpd", "-f", "-p", "8080", "-h", "/etc"],
            "stop_timeout": "200ms",
            "health": { "http": "http://127.0.0.1:8080/passwd", "interval": "200ms", "timeout": "1s" },
        }),
        &[],
    );
    let o = env.run(&c).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match env.provider.health(&o).await.unwrap() {
            Health::Healthy => break,
            h if std::time::Instant::now() > deadline => panic!("never healthy: {h:?}"),
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    let (mut out_r, out_w) = tokio::io::duplex(4096);
    let (_err_r, err_w) = tokio::io::duplex(4096);
    let code = env
        .provider
        .exec(
            &o,
            &ExecRequest {
                command: vec![
                    "sh".into(),
                    "-c".into(),
                    "echo in-$(hostname); grep CapEff /proc/self/status; exit 7".into(),
                ],
                tty: false,
                interactive: false,
            },
            ExecIo {
                stdin: None,
                stdout: Box::new(out_w),
                stderr: Box::new(err_w),
            },
        )
        .await
        .unwrap();
    assert_eq!(code, 7);
    let mut out = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut out_r, &mut out)
        .await
        .unwrap();
    assert!(out.contains(&format!("in-{}-c", env.stack)), "{out}");
    assert!(out.contains("CapEff:\t00000000a80425fb"), "{out}");
    // With a terminal (-t) and input (-i).
    let (mut out_r, out_w) = tokio::io::duplex(4096);
    let (_err_r, err_w) = tokio::io::duplex(4096);
    let code = env
        .provider
        .exec(
            &o,
            &ExecRequest {
                command: vec![
                    "sh".into(),
                    "-c".into(),
                    "test -t 0 && echo terminal; read x; echo got-$x".into(),
                ],
                tty: true,
                interactive: true,
            },
            ExecIo {
                stdin: Some(Box::new(&b"hello\n"[..])),
                stdout: Box::new(out_w),
                stderr: Box::new(err_w),
            },
        )
        .await
        .unwrap();
    assert_eq!(code, 0);
    let mut out = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut out_r, &mut out)
        .await
        .unwrap();
    assert!(
        out.contains("terminal") && out.contains("got-hello"),
        "{out:?}"
    );
    env.clean().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn symlinks_in_the_image_cannot_lead_a_mount_out() {
    let env = env("escape");
    let outside = tempfile::tempdir().unwrap();
    let rootfs = env.stack_dir.path().join("rootfs");
    make_busybox_rootfs(&rootfs);
    // An absolute link to a host directory: followed naively, the tmpfs would land there.
    std::os::unix::fs::symlink(outside.path(), rootfs.join("escape")).unwrap();
    let img = env.desired(ResourceKind::Image, "bb", json!({ "dir": "./rootfs" }), &[]);
    env.provider
        .create(&img, &Default::default())
        .await
        .unwrap();
    let c = env.container(
        "c",
        &img,
        json!({ "command": ["sh", "-c", "touch /escape/marker; ls -d /escape/"], "tmpfs": [{ "target": "/escape" }] }),
        &[],
    );
    let o = env.run(&c).await;
    env.wait_for(&o.address, "exit", stopped).await;
    assert!(
        !outside.path().join("marker").exists(),
        "the mount escaped the root"
    );
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap();
    assert!(!mounts.contains(&outside.path().display().to_string()));
    env.clean().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn init_reaps_and_hides_its_executable() {
    let env = env("init");
    let img = env.busybox_image().await;
    let script = "sh -c 'sleep 0 &' ; sleep 0.3; cat /proc/1/exe > /dev/null 2>&1 && echo exe=readable || echo exe=hidden; ps -o stat | grep -c Z || true";
    let c = env.container(
        "c",
        &img,
        json!({ "command": ["sh", "-c", script], "init": true }),
        &[],
    );
    let o = env.run(&c).await;
    let o = env.wait_for(&o.address, "exit", stopped).await;
    let logs = env.logs(&o).await;
    assert!(logs.iter().any(|l| l == "exe=hidden"), "{logs:#?}");
    assert!(logs.iter().any(|l| l == "0"), "zombies left: {logs:#?}");
    env.clean().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_command_fails_start_with_the_reason() {
    let env = env("fail");
    let img = env.busybox_image().await;
    let c = env.container("c", &img, json!({ "command": ["/no/such/program"] }), &[]);
    let o = env.provider.create(&c, &Default::default()).await.unwrap();
    let err = env.provider.start(&o).await.unwrap_err().to_string();
    assert!(
        err.contains("No such file") || err.contains("not found"),
        "{err}"
    );
    let o = env.observe(&o.address).await.unwrap();
    assert!(stopped(&o), "{o:?}");
    env.clean().await;
}
