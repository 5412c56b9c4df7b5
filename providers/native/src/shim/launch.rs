//! Starting one run of the container: its cgroup, the pipes, `clone` into new namespaces,
//! placing the child in the cgroup, releasing it, and waiting until it has exec'd.

use super::child::{self, ChildFds};
use crate::cgroup::Cgroups;
use crate::container::record::{self, ContainerRecord, NetMode};
use crate::store::Store;
use crate::sys;
use nix::sched::CloneFlags;
use nix::unistd::Pid;
use std::os::fd::{AsRawFd, OwnedFd};

/// A container process that has exec'd its command.
pub struct Launched {
    pub pid: Pid,
    pub stdout: OwnedFd,
    pub stderr: OwnedFd,
}

/// `spawned` runs once the child is released, while it builds its filesystem: work the
/// shim overlaps with the child's (recording its pid).
pub fn launch(
    store: &Store,
    record: &ContainerRecord,
    cgroups: &Cgroups,
    spawned: impl FnOnce(Pid),
) -> Result<Launched, String> {
    let run = &record.run;
    cgroups
        .create(&run.cgroup)
        .and_then(|()| cgroups.apply(&run.cgroup, &run.limits))
        .and_then(|()| cgroups.restrict_devices(&run.cgroup, run.privileged))
        .map_err(|e| format!("setting up the cgroup: {e}"))?;
    let pipe = |what: &str| {
        sys::pipe_cloexec().map_err(|e| format!("making the {what} pipe: {}", e.desc()))
    };
    let (sync_r, sync_w) = pipe("sync")?;
    let (err_r, err_w) = pipe("error")?;
    let (out_r, out_w) = pipe("stdout")?;
    let (errout_r, errout_w) = pipe("stderr")?;
    let mut flags = CloneFlags::CLONE_NEWNS
        | CloneFlags::CLONE_NEWUTS
        | CloneFlags::CLONE_NEWIPC
        | CloneFlags::CLONE_NEWPID;
    let mut netns = None;
    match &run.network {
        NetMode::Loopback => flags |= CloneFlags::CLONE_NEWNET,
        NetMode::Host => {}
        NetMode::Bridge(b) => {
            let fd = nix::fcntl::open(
                &b.netns,
                nix::fcntl::OFlag::O_RDONLY | nix::fcntl::OFlag::O_CLOEXEC,
                nix::sys::stat::Mode::empty(),
            )
            .map_err(|e| format!("opening {}: {}", b.netns.display(), e.desc()))?;
            netns = Some(fd);
        }
        NetMode::Container(other) => {
            let state = record::load_state(&store.container(other)).map_err(|e| e.to_string())?;
            if state.pid <= 0 || !state.shim_alive() {
                return Err(format!(
                    "the container {other}, whose network it shares, is not running"
                ));
            }
            let path = format!("/proc/{}/ns/net", state.pid);
            let fd = nix::fcntl::open(
                path.as_str(),
                nix::fcntl::OFlag::O_RDONLY | nix::fcntl::OFlag::O_CLOEXEC,
                nix::sys::stat::Mode::empty(),
            )
            .map_err(|e| format!("opening {path}: {}", e.desc()))?;
            netns = Some(fd);
        }
    }
    let self_move = match cgroups.self_move_files(&run.cgroup) {
        Some(files) => Some(
            files
                .into_iter()
                .map(|f| {
                    std::ffi::CString::new(f.display().to_string())
                        .map_err(|_| "a cgroup path holds a NUL byte".to_string())
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        None => None,
    };
    let parent_moves = self_move.is_none();
    let dir = store.container(&record.id);
    let layers = store.layers();
    let v2 = cgroups.is_v2();
    // The shim is single-threaded, so the child may allocate freely.
    // On v2 the child is born in its cgroup (clone3's CLONE_INTO_CGROUP); elsewhere, or on
    // a kernel without it, it is moved after the clone.
    let cgroup_dir = cgroups.v2_root().and_then(|root| {
        nix::fcntl::open(
            &root.join(&run.cgroup),
            nix::fcntl::OFlag::O_RDONLY
                | nix::fcntl::OFlag::O_DIRECTORY
                | nix::fcntl::OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        )
        .ok()
    });
    let mut born_inside = false;
    let cloned = match &cgroup_dir {
        Some(dir) => match sys::clone_into_cgroup(flags, std::os::fd::AsFd::as_fd(dir)) {
            Err(
                nix::errno::Errno::ENOSYS | nix::errno::Errno::EINVAL | nix::errno::Errno::E2BIG,
            ) => sys::clone_process(flags),
            other => {
                born_inside = matches!(other, Ok(Some(_)));
                other
            }
        },
        None => sys::clone_process(flags),
    };
    let pid = match cloned {
        Ok(Some(pid)) => pid,
        Ok(None) => {
            drop((sync_w, err_r, out_r, errout_r));
            child::run(
                run,
                &dir,
                &layers,
                v2,
                err_w,
                ChildFds {
                    sync: sync_r,
                    self_move,
                    stdout: out_w,
                    stderr: errout_w,
                    netns,
                },
            )
        }
        Err(e) => {
            return Err(format!(
                "creating the container's namespaces (clone): {}",
                e.desc()
            ))
        }
    };
    drop((sync_r, err_w, out_w, errout_w, netns, cgroup_dir));
    if !parent_moves || born_inside {
        // The child moved itself (v1).
    } else if let Err(e) = cgroups.add(&run.cgroup, pid.as_raw()) {
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
        let _ = nix::sys::wait::waitpid(pid, None);
        return Err(format!("placing the container in its cgroup: {e}"));
    }
    sys::write_all_raw(sync_w.as_raw_fd(), b"1");
    drop(sync_w);
    spawned(pid);
    let mut message = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match sys::read_raw(err_r.as_raw_fd(), &mut buf) {
            Ok(0) => break,
            Ok(n) => message.extend_from_slice(&buf[..n]),
            Err(e) => {
                return Err(format!(
                    "reading the container's start result: {}",
                    e.desc()
                ))
            }
        }
    }
    if !message.is_empty() {
        let _ = nix::sys::wait::waitpid(pid, None);
        return Err(String::from_utf8_lossy(&message).into_owned());
    }
    Ok(Launched {
        pid,
        stdout: out_r,
        stderr: errout_r,
    })
}
