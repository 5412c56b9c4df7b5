//! `exec`: runs a command in a running container — its namespaces, cgroup, user,
//! capabilities and seccomp filter ([`crate::nsenter`]) — with its input and output pumped
//! from and to the caller's streams.

use super::record::{self, Status};
use crate::cgroup::Cgroups;
use crate::error::{NativeError, Result};
use crate::nsenter::Entry;
use crate::store::Store;
use crate::sys;
use stackc_engine::provider::{ExecIo, ExecRequest};
use std::os::fd::{AsRawFd, OwnedFd};
use tokio::io::AsyncWriteExt;

/// A started exec: the helper's pid and the parent's ends of its pipes.
struct Started {
    pid: nix::unistd::Pid,
    /// With a terminal: the pty's master, carrying input and output.
    pty: Option<OwnedFd>,
    stdin: Option<OwnedFd>,
    stdout: OwnedFd,
    stderr: OwnedFd,
}

fn spawn(store: &Store, cgroups: &Cgroups, id: &str, request: &ExecRequest) -> Result<Started> {
    let r = record::load(store, id)?;
    let state = record::load_state(&store.container(id))?;
    if state.status != Status::Running || !state.shim_alive() || state.pid <= 0 {
        return Err(NativeError::failed(&r.meta.runtime_name, "is not running"));
    }
    if request.command.is_empty() {
        return Err(NativeError::failed("exec", "the command is empty"));
    }
    let entry = Entry::new(
        &r,
        state.pid,
        cgroups.procs_files(&r.run.cgroup),
        &request.command,
        &[],
    )
    .map_err(|m| NativeError::failed(format!("exec in {}", r.meta.runtime_name), m))?;
    let pipe = || sys::pipe_cloexec().map_err(NativeError::sys("making exec pipes"));
    let (in_r, in_w) = pipe()?;
    let (out_r, out_w) = pipe()?;
    let (err_r, err_w) = pipe()?;
    let (fail_r, fail_w) = pipe()?;
    let interactive = request.interactive;
    let pty = if request.tty {
        Some(nix::pty::openpty(None, None).map_err(NativeError::sys("opening a pseudo-terminal"))?)
    } else {
        None
    };
    let slave = pty.as_ref().map(|p| p.slave.as_raw_fd());
    // After this fork the child only makes system calls (Entry::enter is prepared for it).
    let pid = match sys::fork_process().map_err(NativeError::sys("forking for exec"))? {
        Some(pid) => pid,
        None => {
            if let Some(tty) = slave {
                for target in 0..3 {
                    let _ = sys::dup_onto(tty, target);
                }
            } else {
                if interactive {
                    let _ = sys::dup_onto(in_r.as_raw_fd(), 0);
                } else if let Ok(null) = nix::fcntl::open(
                    c"/dev/null",
                    nix::fcntl::OFlag::O_RDONLY,
                    nix::sys::stat::Mode::empty(),
                ) {
                    let _ = sys::dup_onto(null.as_raw_fd(), 0);
                }
                let _ = sys::dup_onto(out_w.as_raw_fd(), 1);
                let _ = sys::dup_onto(err_w.as_raw_fd(), 2);
            }
            entry.enter_with(fail_w.as_raw_fd(), slave.is_some())
        }
    };
    let master = pty.map(|p| {
        drop(p.slave);
        p.master
    });
    drop((in_r, out_w, err_w, fail_w));
    let mut message = String::new();
    let mut f = std::fs::File::from(fail_r);
    let _ = std::io::Read::read_to_string(&mut f, &mut message);
    if !message.is_empty() {
        let _ = nix::sys::wait::waitpid(pid, None);
        return Err(NativeError::failed(
            format!("exec in {}", r.meta.runtime_name),
            message,
        ));
    }
    Ok(Started {
        pid,
        pty: master,
        stdin: interactive.then_some(in_w),
        stdout: out_r,
        stderr: err_r,
    })
}

pub async fn exec(
    store: Store,
    cgroups: Cgroups,
    id: String,
    request: ExecRequest,
    io: ExecIo,
) -> Result<i32> {
    let req = request.clone();
    let started = tokio::task::spawn_blocking(move || spawn(&store, &cgroups, &id, &req))
        .await
        .map_err(|e| NativeError::failed("exec", e.to_string()))??;
    let ExecIo {
        stdin,
        mut stdout,
        mut stderr,
    } = io;
    let pipe_err = |e: std::io::Error| NativeError::failed("exec", e.to_string());
    if let Some(master) = started.pty {
        // A terminal: one stream each way through the pty's master (blocking reads on
        // tokio's thread pool; a pty is not a pipe).
        let master = std::fs::File::from(master);
        let writer = master.try_clone().map_err(pipe_err)?;
        let mut reader = tokio::fs::File::from_std(master);
        let feeder = tokio::spawn(async move {
            if let Some(mut input) = stdin {
                let mut w = tokio::fs::File::from_std(writer);
                let _ = tokio::io::copy(&mut input, &mut w).await;
            }
        });
        // EIO on the master once the last holder of the slave is gone: the end of output.
        let _ = tokio::io::copy(&mut reader, &mut stdout).await;
        let _ = stdout.flush().await;
        feeder.abort();
        let pid = started.pid;
        return tokio::task::spawn_blocking(move || wait_exit(pid))
            .await
            .map_err(|e| NativeError::failed("exec", e.to_string()));
    }
    let mut out =
        tokio::net::unix::pipe::Receiver::from_owned_fd(started.stdout).map_err(pipe_err)?;
    let mut err =
        tokio::net::unix::pipe::Receiver::from_owned_fd(started.stderr).map_err(pipe_err)?;
    let stdin_fd = started.stdin;
    // Input is fed while the command runs; it does not keep the exec alive.
    let feeder = tokio::spawn(async move {
        if let (Some(mut input), Some(fd)) = (stdin, stdin_fd) {
            if let Ok(mut w) = tokio::net::unix::pipe::Sender::from_owned_fd(fd) {
                let _ = tokio::io::copy(&mut input, &mut w).await;
                let _ = w.shutdown().await;
            }
        }
    });
    let pump_out = async {
        let _ = tokio::io::copy(&mut out, &mut stdout).await;
        let _ = stdout.flush().await;
    };
    let pump_err = async {
        let _ = tokio::io::copy(&mut err, &mut stderr).await;
        let _ = stderr.flush().await;
    };
    let pid = started.pid;
    let wait = tokio::task::spawn_blocking(move || wait_exit(pid));
    tokio::join!(pump_out, pump_err);
    feeder.abort();
    wait.await
        .map_err(|e| NativeError::failed("exec", e.to_string()))
}

/// The exit status of the exec helper (the command's own: code, or 128 + signal).
fn wait_exit(pid: nix::unistd::Pid) -> i32 {
    loop {
        match nix::sys::wait::waitpid(pid, None) {
            Ok(nix::sys::wait::WaitStatus::Exited(_, code)) => return code,
            Ok(nix::sys::wait::WaitStatus::Signaled(_, sig, _)) => return 128 + sig as i32,
            Ok(_) | Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => return 125,
        }
    }
}
