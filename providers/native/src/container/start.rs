//! `start`: spawns the container's shim, detached (`setsid`, and the shim forks once more so
//! it is nobody's child), and waits until the shim reports that the command exec'd — or why
//! it could not.

use super::record::{self, Status};
use crate::cgroup::Cgroups;
use crate::error::{NativeError, Result};
use crate::shim::READY_FD_ENV;
use crate::store::Store;
use crate::ShimCommand;
use nix::spawn::{posix_spawn, PosixSpawnAttr, PosixSpawnFileActions, PosixSpawnFlags};
use std::ffi::CString;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;

pub fn start(store: &Store, cgroups: &Cgroups, shim: &ShimCommand, id: &str) -> Result<()> {
    let dir = store.container(id);
    let record = record::load(store, id)?;
    let state = record::load_state(&dir)?;
    if matches!(state.status, Status::Running | Status::Restarting) && state.shim_alive() {
        return Ok(());
    }
    // What a killed shim may have left: processes of an earlier run in the cgroup.
    if cgroups.exists(&record.run.cgroup) {
        cgroups.kill_all(&record.run.cgroup);
    }
    let (ready_r, ready_w) =
        crate::sys::pipe_cloexec().map_err(NativeError::sys("making the start pipe"))?;
    let log_path = dir.join("shim.log");
    let log = std::fs::File::options()
        .create(true)
        .append(true)
        .open(&log_path)
        .map_err(NativeError::io(&log_path))?;
    let wfd = ready_w.as_raw_fd();
    let pid = spawn_shim(store, shim, id, wfd, log.as_raw_fd()).map_err(|e| {
        NativeError::failed(format!("starting the shim {}", shim.program.display()), e)
    })?;
    drop(ready_w);
    drop(log);
    // The first shim process forks the real shim and exits at once.
    let _ = nix::sys::wait::waitpid(pid, None);
    let mut text = String::new();
    let mut f = std::fs::File::from(ready_r);
    let _ = std::io::Read::read_to_string(&mut f, &mut text);
    let answer: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    if answer.get("ok").and_then(|v| v.as_bool()) == Some(true) {
        return Ok(());
    }
    let why = answer
        .get("error")
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| {
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            format!(
                "the shim exited without reporting ({}); its log says: {}",
                shim.program.display(),
                log.lines().last().unwrap_or("nothing")
            )
        });
    Err(NativeError::failed(
        format!("starting {}", record.meta.runtime_name),
        why,
    ))
}

/// Spawns `<shim> <args…> --root <root> <id>` with `posix_spawn` (a vfork: no copy of this
/// process's memory, which a fork of a large multi-threaded process pays for), with
/// `/dev/null` as input, the shim log as output, the start pipe kept open (a dup onto itself
/// clears close-on-exec) and a clean environment (a long `LD_LIBRARY_PATH`, as cargo sets,
/// alone costs milliseconds of loader searches).
fn spawn_shim(
    store: &Store,
    shim: &ShimCommand,
    id: &str,
    ready: i32,
    log: i32,
) -> Result<nix::unistd::Pid, String> {
    let c = |b: &[u8]| CString::new(b).map_err(|_| "an argument holds a NUL byte".to_string());
    let mut argv = vec![c(shim.program.as_os_str().as_bytes())?];
    for a in &shim.args {
        argv.push(c(a.as_bytes())?);
    }
    argv.push(c(b"--root")?);
    argv.push(c(store.root().as_os_str().as_bytes())?);
    argv.push(c(id.as_bytes())?);
    let env = [
        c(b"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")?,
        c(format!("{READY_FD_ENV}={ready}").as_bytes())?,
    ];
    let e = |e: nix::Error| e.desc().to_string();
    let mut actions = PosixSpawnFileActions::init().map_err(e)?;
    actions
        .add_open(
            0,
            c"/dev/null",
            nix::fcntl::OFlag::O_RDONLY,
            nix::sys::stat::Mode::empty(),
        )
        .map_err(e)?;
    actions.add_dup2(log, 1).map_err(e)?;
    actions.add_dup2(log, 2).map_err(e)?;
    actions.add_dup2(ready, ready).map_err(e)?;
    let mut attr = PosixSpawnAttr::init().map_err(e)?;
    // Signals this process ignores (Rust ignores SIGPIPE) or blocks are not the shim's.
    let mut defaults = nix::sys::signal::SigSet::empty();
    defaults.add(nix::sys::signal::Signal::SIGPIPE);
    attr.set_sigdefault(&defaults).map_err(e)?;
    attr.set_sigmask(&nix::sys::signal::SigSet::empty())
        .map_err(e)?;
    attr.set_flags(
        PosixSpawnFlags::POSIX_SPAWN_SETSIGDEF | PosixSpawnFlags::POSIX_SPAWN_SETSIGMASK,
    )
    .map_err(e)?;
    posix_spawn(argv[0].as_c_str(), &actions, &attr, &argv, &env).map_err(e)
}
