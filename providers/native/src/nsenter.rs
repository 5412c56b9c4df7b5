//! Running a process inside a running container (`exec`, exec health checks): join its
//! cgroup and every namespace of its first process, fork once more so the process is inside
//! the PID namespace, and exec with the container's security settings.
//!
//! Everything is opened and prepared before the fork ([`Entry::new`]); after it, only system
//! calls are made, so this works from the multi-threaded provider process too.

use crate::container::record::ContainerRecord;
use crate::shim::security::{resolve_user_in, Prepared};
use crate::sys;
use nix::fcntl::{OFlag, OpenHow, ResolveFlag};
use nix::sched::CloneFlags;
use nix::sys::stat::Mode;
use nix::sys::wait::{waitpid, WaitStatus};
use std::ffi::CString;
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};

/// The namespaces joined, in order: the mount namespace last, since joining it changes what
/// paths mean.
const NAMESPACES: &[(&str, CloneFlags)] = &[
    ("ipc", CloneFlags::CLONE_NEWIPC),
    ("uts", CloneFlags::CLONE_NEWUTS),
    ("net", CloneFlags::CLONE_NEWNET),
    ("cgroup", CloneFlags::CLONE_NEWCGROUP),
    ("pid", CloneFlags::CLONE_NEWPID),
    ("mnt", CloneFlags::CLONE_NEWNS),
];

/// A prepared entry into a container.
pub struct Entry {
    namespaces: Vec<(OwnedFd, CloneFlags)>,
    cgroup_procs: Vec<CString>,
    prepared: Prepared,
}

/// Reads a file of the container through its root, never following a link out of it.
fn read_in_root(root: &OwnedFd, path: &str) -> String {
    let Ok(fd) = nix::fcntl::openat2(
        root,
        path,
        OpenHow::new()
            .flags(OFlag::O_RDONLY | OFlag::O_CLOEXEC)
            .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS),
    ) else {
        return String::new();
    };
    let mut f = std::fs::File::from(fd);
    let mut s = String::new();
    let _ = std::io::Read::read_to_string(&mut f, &mut s);
    s
}

impl Entry {
    /// Prepares running `args` (with the container's environment plus `env`) in the container
    /// whose first process is `pid`.
    pub fn new(
        record: &ContainerRecord,
        pid: i32,
        cgroup_procs: Vec<std::path::PathBuf>,
        args: &[String],
        env: &[String],
    ) -> Result<Entry, String> {
        let mut namespaces = Vec::new();
        for (name, flag) in NAMESPACES {
            let path = format!("/proc/{pid}/ns/{name}");
            let fd = nix::fcntl::open(
                path.as_str(),
                OFlag::O_RDONLY | OFlag::O_CLOEXEC,
                Mode::empty(),
            )
            .map_err(|e| format!("opening {path}: {}", e.desc()))?;
            namespaces.push((fd, *flag));
        }
        let root_path = format!("/proc/{pid}/root");
        let root = nix::fcntl::open(
            root_path.as_str(),
            OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| format!("opening {root_path}: {}", e.desc()))?;
        let identity = resolve_user_in(
            record.run.user.as_deref(),
            &read_in_root(&root, "/etc/passwd"),
            &read_in_root(&root, "/etc/group"),
        )?;
        let mut full_env = record.run.env.clone();
        full_env.extend(env.iter().cloned());
        let prepared = Prepared::new(&record.run, args, &full_env, &record.run.workdir, identity)?;
        let cgroup_procs = cgroup_procs
            .into_iter()
            .map(|p| {
                CString::new(p.display().to_string())
                    .map_err(|_| "a cgroup path holds a NUL byte".to_string())
            })
            .collect::<Result<_, _>>()?;
        Ok(Entry {
            namespaces,
            cgroup_procs,
            prepared,
        })
    }

    /// In a freshly forked child: enters the container and execs; never returns. The child
    /// stays outside as the parent of the exec'd process (so it lands in the PID namespace)
    /// and exits with its status. Failures go to `error` (close-on-exec, so it reads empty
    /// when the exec succeeded).
    pub fn enter(&self, error: RawFd) -> ! {
        self.enter_with(error, false)
    }

    /// [`Entry::enter`]; with `terminal`, the exec'd process starts a session whose
    /// controlling terminal is its standard input (a pty the caller wired to 0, 1, 2).
    pub fn enter_with(&self, error: RawFd, terminal: bool) -> ! {
        for file in &self.cgroup_procs {
            if let Ok(fd) = nix::fcntl::open(
                file.as_c_str(),
                OFlag::O_WRONLY | OFlag::O_CLOEXEC,
                Mode::empty(),
            ) {
                // "0" moves the writer itself.
                sys::write_all_raw(fd.as_raw_fd(), b"0");
            }
        }
        // Other processes in the container must not reach into this one while it still
        // runs the runtime's code.
        let _ = nix::sys::prctl::set_dumpable(false);
        for (fd, flag) in &self.namespaces {
            if let Err(e) = nix::sched::setns(fd.as_fd(), *flag) {
                sys::write_all_raw(error, b"joining the container's namespaces: ");
                sys::write_all_raw(error, e.desc().as_bytes());
                sys::exit_now(126);
            }
        }
        match sys::fork_process() {
            Ok(None) => {
                if terminal {
                    let _ = nix::unistd::setsid();
                    // SAFETY: TIOCSCTTY on descriptor 0 with an integer argument.
                    unsafe { libc::ioctl(0, libc::TIOCSCTTY, 0) };
                }
                let (what, errno) = self.prepared.apply_and_exec();
                sys::write_all_raw(error, what.as_bytes());
                sys::write_all_raw(error, b": ");
                sys::write_all_raw(error, errno.desc().as_bytes());
                sys::exit_now(127)
            }
            Ok(Some(child)) => {
                // Only the exec'd process may hold the error pipe now.
                let _ = nix::unistd::close(error);
                loop {
                    match waitpid(child, None) {
                        Ok(WaitStatus::Exited(_, code)) => sys::exit_now(code),
                        Ok(WaitStatus::Signaled(_, sig, _)) => sys::exit_now(128 + sig as i32),
                        Ok(_) => continue,
                        Err(nix::errno::Errno::EINTR) => continue,
                        Err(_) => sys::exit_now(125),
                    }
                }
            }
            Err(e) => {
                sys::write_all_raw(error, b"forking into the container: ");
                sys::write_all_raw(error, e.desc().as_bytes());
                sys::exit_now(126)
            }
        }
    }
}
