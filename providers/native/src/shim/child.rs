//! The container's first process, from `clone` to `execve`. It waits until the shim has put
//! it in its cgroup, builds its filesystem, sets hostname, loopback, rlimits and user, and
//! execs the command (or, with `init = true`, becomes a minimal init that runs it). A failure
//! is written to the error pipe, which the shim reads until it closes at `execve`.

use super::rootfs;
use super::security::{resolve_user, Prepared};
use crate::container::record::{NetMode, RunConfig};
use crate::sys;
use nix::sched::CloneFlags;
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::path::Path;

/// The child's ends of the shim's pipes.
pub struct ChildFds {
    pub sync: OwnedFd,
    /// v1 `tasks` files to write `0` to (the child moves itself into its cgroup).
    pub self_move: Option<Vec<std::ffi::CString>>,
    pub stdout: OwnedFd,
    pub stderr: OwnedFd,
    /// Another container's network namespace to join.
    pub netns: Option<OwnedFd>,
}

/// Runs in the cloned child; never returns.
pub fn run(
    run: &RunConfig,
    dir: &Path,
    layers: &Path,
    cgroup_v2: bool,
    error: OwnedFd,
    fds: ChildFds,
) -> ! {
    // The error pipe is kept out of `setup` (which consumes the other descriptors), so a
    // failure can still be written after it returns.
    let message = match setup(run, dir, layers, cgroup_v2, error.as_raw_fd(), fds) {
        Ok(never) => match never {},
        Err(m) => m,
    };
    sys::write_all_raw(error.as_raw_fd(), message.as_bytes());
    sys::exit_now(127)
}

fn setup(
    run: &RunConfig,
    dir: &Path,
    layers: &Path,
    cgroup_v2: bool,
    error: RawFd,
    fds: ChildFds,
) -> Result<std::convert::Infallible, String> {
    // The container dies with its shim: no orphan keeps running unsupervised.
    nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
        .map_err(|e| format!("setting the parent-death signal: {}", e.desc()))?;
    // First of all, into the container's cgroup (v1), so that everything below is
    // accounted there.
    for file in fds.self_move.iter().flatten() {
        let fd = nix::fcntl::open(
            file.as_c_str(),
            nix::fcntl::OFlag::O_WRONLY | nix::fcntl::OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        )
        .map_err(|e| {
            format!(
                "joining the cgroup ({}): {}",
                file.to_string_lossy(),
                e.desc()
            )
        })?;
        nix::unistd::write(&fd, b"0").map_err(|e| {
            format!(
                "joining the cgroup ({}): {}",
                file.to_string_lossy(),
                e.desc()
            )
        })?;
    }
    if let Some(ns) = &fds.netns {
        nix::sched::setns(ns.as_fd(), CloneFlags::CLONE_NEWNET)
            .map_err(|e| format!("joining the network namespace: {}", e.desc()))?;
    }
    let null = nix::fcntl::open(
        c"/dev/null",
        nix::fcntl::OFlag::O_RDONLY,
        nix::sys::stat::Mode::empty(),
    )
    .map_err(|e| format!("opening /dev/null: {}", e.desc()))?;
    wire(null.as_raw_fd(), 0)?;
    wire(fds.stdout.as_raw_fd(), 1)?;
    wire(fds.stderr.as_raw_fd(), 2)?;
    drop((null, fds.stdout, fds.stderr));

    rootfs::build(run, dir, layers)?;
    nix::unistd::sethostname(&run.hostname)
        .map_err(|e| format!("setting the hostname: {}", e.desc()))?;
    if run.network == NetMode::Loopback {
        sys::loopback_up().map_err(|e| format!("bringing up loopback: {}", e.desc()))?;
    }
    for (name, value) in &run.ulimits {
        let resource =
            sys::rlimit_resource(name).ok_or_else(|| format!("unknown ulimit {name}"))?;
        let v = if *value < 0 { u64::MAX } else { *value as u64 };
        sys::set_rlimit(resource, v, v)
            .map_err(|e| format!("setting the ulimit {name}: {}", e.desc()))?;
    }
    // The shim releases this process once it is in its cgroup: at once when it moved itself
    // (v1) or was born there (v2's clone3); after the shim's move otherwise (an old kernel),
    // which then overlaps with building the filesystem. Nothing of the command runs before.
    let mut byte = [0u8; 1];
    match sys::read_raw(fds.sync.as_raw_fd(), &mut byte) {
        Ok(1) => {}
        // The shim went away (or failed to place us in the cgroup) before releasing us.
        _ => sys::exit_now(1),
    }
    drop(fds.sync);
    // Now inside the container's cgroup, a new cgroup namespace roots there.
    nix::sched::unshare(CloneFlags::CLONE_NEWCGROUP)
        .map_err(|e| format!("creating the cgroup namespace: {}", e.desc()))?;
    if cgroup_v2 {
        rootfs::mount_cgroup2(run.privileged);
    }
    let identity = resolve_user(run.user.as_deref(), Path::new("/etc"))?;
    // Docker creates a missing working directory; inside the new root, symlinks resolve
    // within it.
    std::fs::create_dir_all(&run.workdir)
        .map_err(|e| format!("creating the working directory {}: {e}", run.workdir))?;
    let prepared = Prepared::new(run, &run.args, &run.env, &run.workdir, identity)?;
    if run.init {
        super::init::run(&prepared, error);
    }
    let (what, errno) = prepared.apply_and_exec();
    Err(format!("{what} ({}): {}", prepared.program(), errno.desc()))
}

fn wire(fd: RawFd, target: RawFd) -> Result<(), String> {
    sys::dup_onto(fd, target).map_err(|e| format!("wiring descriptor {target}: {}", e.desc()))
}
