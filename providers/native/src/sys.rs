//! Every system call the runtime makes that nix does not wrap the way it is needed, and the
//! ones that are easy to get wrong, each behind one small named function. The `unsafe`
//! blocks of the crate are here (and in `seccomp.rs`), each with the reason it is sound.
//!
//! Several of these run in a child between `clone` and `execve`, where the parent may have had
//! other threads: they allocate nothing and take only borrowed, prepared arguments.

use nix::errno::Errno;
use nix::mount::{mount, umount2, MntFlags, MsFlags};
use nix::sched::CloneFlags;
use nix::unistd::Pid;
use std::ffi::CStr;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

/// `clone` with fork semantics (no new stack: the child continues from this call on a copy
/// of the caller's memory) and new namespaces. `None` in the child, the child's pid in the
/// parent. Used instead of `nix::sched::clone` so the child runs on an ordinary stack, as
/// after `fork`.
///
/// The caller must be single-threaded or the child must only make system calls (the usual
/// rule after `fork`).
pub fn clone_process(flags: CloneFlags) -> nix::Result<Option<Pid>> {
    let flags = flags.bits() as libc::c_ulong | libc::SIGCHLD as libc::c_ulong;
    // SAFETY: with a null stack the kernel gives the child a copy of the caller's stack, so
    // it returns here exactly like `fork`; no pointer argument is passed.
    let res = unsafe {
        libc::syscall(
            libc::SYS_clone,
            flags,
            std::ptr::null_mut::<libc::c_void>(),
            std::ptr::null_mut::<libc::c_int>(),
            std::ptr::null_mut::<libc::c_int>(),
            0 as libc::c_ulong,
        )
    };
    match Errno::result(res)? {
        0 => Ok(None),
        pid => Ok(Some(Pid::from_raw(pid as i32))),
    }
}

/// `clone3` with fork semantics, new namespaces, and the child born in the cgroup `cgroup`
/// (a v2 directory): no migration, hence no wait for the kernel's threadgroup lock.
/// `Err(ENOSYS)`/`Err(EINVAL)` on kernels without `CLONE_INTO_CGROUP` (before 5.7).
pub fn clone_into_cgroup(flags: CloneFlags, cgroup: BorrowedFd<'_>) -> nix::Result<Option<Pid>> {
    #[repr(C)]
    #[derive(Default)]
    struct CloneArgs {
        flags: u64,
        pidfd: u64,
        child_tid: u64,
        parent_tid: u64,
        exit_signal: u64,
        stack: u64,
        stack_size: u64,
        tls: u64,
        set_tid: u64,
        set_tid_size: u64,
        cgroup: u64,
    }
    const CLONE_INTO_CGROUP: u64 = 0x2_0000_0000;
    let args = CloneArgs {
        flags: flags.bits() as u64 | CLONE_INTO_CGROUP,
        exit_signal: libc::SIGCHLD as u64,
        cgroup: cgroup.as_raw_fd() as u64,
        ..CloneArgs::default()
    };
    // SAFETY: `args` is the kernel's `clone_args` layout (version 2, with `cgroup`) and lives
    // for the call; with no stack the child returns here like after `fork`.
    let res = unsafe {
        libc::syscall(
            libc::SYS_clone3,
            &args as *const CloneArgs,
            std::mem::size_of::<CloneArgs>(),
        )
    };
    match Errno::result(res)? {
        0 => Ok(None),
        pid => Ok(Some(Pid::from_raw(pid as i32))),
    }
}

/// Plain `fork`. The caller must be single-threaded or the child must only make system
/// calls before `execve` or `_exit`.
pub fn fork_process() -> nix::Result<Option<Pid>> {
    // SAFETY: callers follow the rule above (documented on every call site).
    match unsafe { nix::unistd::fork() }? {
        nix::unistd::ForkResult::Child => Ok(None),
        nix::unistd::ForkResult::Parent { child } => Ok(Some(child)),
    }
}

/// Ends the process at once, without running destructors or flushing Rust's buffers (which
/// belong to the parent after a fork).
pub fn exit_now(code: i32) -> ! {
    // SAFETY: `_exit` has no preconditions.
    unsafe { libc::_exit(code) }
}

/// Marks every descriptor from `first` up close-on-exec, so `execve` closes all of them:
/// nothing of the runtime leaks into the container (runc CVE-2024-21626).
pub fn cloexec_from(first: u32) -> nix::Result<()> {
    // SAFETY: close_range takes only integers.
    let res = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            first,
            u32::MAX,
            libc::CLOSE_RANGE_CLOEXEC,
        )
    };
    Errno::result(res).map(drop)
}

/// Closes every descriptor from `first` up.
pub fn close_from(first: u32) -> nix::Result<()> {
    // SAFETY: close_range takes only integers.
    let res = unsafe { libc::syscall(libc::SYS_close_range, first, u32::MAX, 0) };
    Errno::result(res).map(drop)
}

/// Makes `fd` survive `execve` (clears `FD_CLOEXEC`).
pub fn keep_on_exec(fd: RawFd) -> nix::Result<()> {
    // SAFETY: fcntl on an integer descriptor; an invalid one gives EBADF.
    let res = unsafe { libc::fcntl(fd, libc::F_SETFD, 0) };
    Errno::result(res).map(drop)
}

/// `dup2`, for wiring a child's standard descriptors.
pub fn dup_onto(fd: RawFd, target: RawFd) -> nix::Result<()> {
    // SAFETY: dup2 on integer descriptors; errors are reported, not undefined.
    let res = unsafe { libc::dup2(fd, target) };
    Errno::result(res).map(drop)
}

/// Writes all of `bytes` to `fd`, ignoring errors: used to report a failure from a child
/// that is about to exit anyway.
pub fn write_all_raw(fd: RawFd, bytes: &[u8]) {
    let mut done = 0;
    while done < bytes.len() {
        // SAFETY: the pointer and length describe a live slice.
        let n = unsafe {
            libc::write(
                fd,
                bytes[done..].as_ptr() as *const libc::c_void,
                bytes.len() - done,
            )
        };
        if n <= 0 {
            if n < 0 && Errno::last() == Errno::EINTR {
                continue;
            }
            return;
        }
        done += n as usize;
    }
}

/// Reads into `buf`, retrying on EINTR; 0 at end of file.
pub fn read_raw(fd: RawFd, buf: &mut [u8]) -> nix::Result<usize> {
    loop {
        // SAFETY: the pointer and length describe a live, writable slice.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr() as *mut libc::c_void, buf.len()) };
        match Errno::result(n) {
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
            Ok(n) => return Ok(n as usize),
        }
    }
}

/// A pipe whose both ends are close-on-exec.
pub fn pipe_cloexec() -> nix::Result<(OwnedFd, OwnedFd)> {
    nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
}

// ---------------------------------------------------------------------------------------------
// Mounts

/// Stops mount events from propagating between the container's mount namespace and the
/// host's, both ways.
pub fn make_mounts_private() -> nix::Result<()> {
    mount(
        None::<&str>,
        "/",
        None::<&str>,
        MsFlags::MS_REC | MsFlags::MS_PRIVATE,
        None::<&str>,
    )
}

/// Mounts a filesystem of type `fstype` at `target` (a path or a `/proc/self/fd/N` link).
pub fn mount_fs(
    fstype: &str,
    target: &CStr,
    flags: MsFlags,
    data: Option<&CStr>,
) -> nix::Result<()> {
    mount(Some(fstype), target, Some(fstype), flags, data)
}

/// Bind-mounts `source` onto `target` (recursively, as Docker's bind mounts are).
pub fn bind(source: &CStr, target: &CStr) -> nix::Result<()> {
    mount(
        Some(source),
        target,
        None::<&str>,
        MsFlags::MS_BIND | MsFlags::MS_REC,
        None::<&str>,
    )
}

/// Remounts the mount at `target` with `flags` (read-only, nosuid…) added; a bind mount's
/// flags can only be changed by such a remount.
pub fn remount(target: &CStr, flags: MsFlags) -> nix::Result<()> {
    mount(
        None::<&str>,
        target,
        None::<&str>,
        MsFlags::MS_BIND | MsFlags::MS_REMOUNT | flags,
        None::<&str>,
    )
}

/// Makes the current directory (a mount point) the root: `pivot_root(".", ".")` stacks the
/// old root on top of the new one, and detaching it leaves only the new root. This needs no
/// directory for the old root inside the container (runc's approach).
pub fn pivot_to_cwd() -> nix::Result<()> {
    nix::unistd::pivot_root(".", ".")?;
    umount2(".", MntFlags::MNT_DETACH)?;
    nix::unistd::chdir("/")
}

/// Detaches the mount at `target` (and everything below it).
pub fn unmount(target: &std::path::Path) -> nix::Result<()> {
    umount2(target, MntFlags::MNT_DETACH)
}

/// The `/proc/self/fd/N` path of a descriptor, in a caller-provided buffer, so a mount can
/// target exactly the object an `openat2` resolved (runc's fix for the 2025 symlink CVEs).
pub struct FdPath {
    buf: [u8; 32],
}

impl FdPath {
    pub fn new(fd: BorrowedFd<'_>) -> FdPath {
        let mut buf = [0u8; 32];
        let prefix = b"/proc/self/fd/";
        buf[..prefix.len()].copy_from_slice(prefix);
        let mut n = fd.as_raw_fd().max(0) as u32;
        let mut digits = [0u8; 10];
        let mut len = 0;
        loop {
            digits[len] = b'0' + (n % 10) as u8;
            len += 1;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        for i in 0..len {
            buf[prefix.len() + i] = digits[len - 1 - i];
        }
        FdPath { buf }
    }

    pub fn as_cstr(&self) -> &CStr {
        // The buffer always holds a NUL after the digits (32 bytes > 14 + 10).
        CStr::from_bytes_until_nul(&self.buf).unwrap_or(c"/proc/self/fd/")
    }
}

/// `mknod` of a character device.
pub fn make_char_device(
    dir: BorrowedFd<'_>,
    name: &CStr,
    major: u64,
    minor: u64,
) -> nix::Result<()> {
    use nix::sys::stat::{makedev, mknodat, Mode, SFlag};
    mknodat(
        dir,
        name,
        SFlag::S_IFCHR,
        Mode::from_bits_truncate(0o666),
        makedev(major, minor),
    )
}

/// True when `fd` is the character device 1:3 (`/dev/null`): a path masked with anything
/// else could be a way out (runc CVE-2025-31133).
pub fn is_dev_null(fd: BorrowedFd<'_>) -> bool {
    match nix::sys::stat::fstat(fd) {
        Ok(st) => {
            (st.st_mode & libc::S_IFMT) == libc::S_IFCHR
                && nix::sys::stat::major(st.st_rdev) == 1
                && nix::sys::stat::minor(st.st_rdev) == 3
        }
        Err(_) => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Capabilities (without a crate: the calls happen between fork and exec)

const CAP_VERSION_3: u32 = 0x2008_0522;

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: i32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

/// The highest capability number this kernel knows.
pub fn last_capability() -> u32 {
    std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(40)
}

/// Removes from the bounding set every capability up to `last` not in `keep` (a bit mask), so
/// no later `execve` of a file with capabilities can regain them.
pub fn drop_bounding(keep: u64, last: u32) -> nix::Result<()> {
    for cap in 0..=last.min(63) {
        if keep & (1u64 << cap) == 0 {
            // SAFETY: prctl with integer arguments.
            let res = unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap as libc::c_ulong, 0, 0, 0) };
            // EINVAL: the kernel does not know this capability; nothing to drop.
            if let Err(e) = Errno::result(res) {
                if e != Errno::EINVAL {
                    return Err(e);
                }
            }
        }
    }
    Ok(())
}

/// Sets the effective, permitted and inheritable sets of the calling thread.
pub fn set_capabilities(effective: u64, permitted: u64, inheritable: u64) -> nix::Result<()> {
    let mut header = CapHeader {
        version: CAP_VERSION_3,
        pid: 0,
    };
    let data = [
        CapData {
            effective: effective as u32,
            permitted: permitted as u32,
            inheritable: inheritable as u32,
        },
        CapData {
            effective: (effective >> 32) as u32,
            permitted: (permitted >> 32) as u32,
            inheritable: (inheritable >> 32) as u32,
        },
    ];
    // SAFETY: the header and the two data structs are the kernel's v3 layout and live for the
    // duration of the call.
    let res = unsafe { libc::syscall(libc::SYS_capset, &mut header, data.as_ptr()) };
    Errno::result(res).map(drop)
}

/// Empties the ambient set, so nothing is inherited across `execve` but what the sets say.
pub fn clear_ambient() -> nix::Result<()> {
    // SAFETY: prctl with integer arguments.
    let res = unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
            0,
            0,
            0,
        )
    };
    Errno::result(res).map(drop)
}

/// Sets the ambient set of a non-root user to `caps` (each must be permitted and
/// inheritable).
pub fn raise_ambient(caps: u64, last: u32) -> nix::Result<()> {
    for cap in 0..=last.min(63) {
        if caps & (1u64 << cap) != 0 {
            // SAFETY: prctl with integer arguments.
            let res = unsafe {
                libc::prctl(
                    libc::PR_CAP_AMBIENT,
                    libc::PR_CAP_AMBIENT_RAISE as libc::c_ulong,
                    cap as libc::c_ulong,
                    0,
                    0,
                )
            };
            Errno::result(res)?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Processes

/// The start time of `pid` (field 22 of `/proc/<pid>/stat`, in clock ticks since boot), so a
/// recorded pid can be told from a later process that reused the number.
pub fn start_time(pid: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: fields after it are
    // counted from the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// True when `pid` is alive and is the process that started at `start` (a zombie counts as
/// gone).
pub fn is_same_process(pid: i32, start: u64) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let Some(close) = stat.rfind(')') else {
        return false;
    };
    let mut fields = stat[close + 1..].split_whitespace();
    let state = fields.next();
    if state == Some("Z") || state == Some("X") {
        return false;
    }
    fields.nth(18).and_then(|s| s.parse::<u64>().ok()) == Some(start)
}

/// A descriptor that becomes readable when `pid` exits, for waiting on a process that is not
/// our child.
pub fn pidfd_open(pid: i32) -> nix::Result<OwnedFd> {
    // SAFETY: pidfd_open takes integers and returns a new descriptor we own.
    let res = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    let fd = Errno::result(res)?;
    // SAFETY: the kernel returned a fresh descriptor.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// `execve`; returns only on failure.
pub fn exec(path: &CStr, argv: &[*const libc::c_char], envp: &[*const libc::c_char]) -> Errno {
    // SAFETY: `argv` and `envp` are null-terminated arrays of pointers to NUL-terminated
    // strings that the caller keeps alive (see `shim::child::Prepared`).
    unsafe { libc::execve(path.as_ptr(), argv.as_ptr(), envp.as_ptr()) };
    Errno::last()
}

/// True when `path` is an executable regular file for the current credentials.
pub fn is_executable(path: &CStr) -> bool {
    // SAFETY: a NUL-terminated path and an integer mode.
    unsafe { libc::access(path.as_ptr(), libc::X_OK) == 0 }
}

/// Sets supplementary groups from a prepared slice.
pub fn set_groups(groups: &[libc::gid_t]) -> nix::Result<()> {
    // SAFETY: the pointer and length describe a live slice.
    let res = unsafe { libc::setgroups(groups.len(), groups.as_ptr()) };
    Errno::result(res).map(drop)
}

/// `setrlimit` by resource number.
pub fn set_rlimit(resource: u32, soft: u64, hard: u64) -> nix::Result<()> {
    let limit = libc::rlimit {
        rlim_cur: soft,
        rlim_max: hard,
    };
    // SAFETY: a live rlimit struct; the resource number is validated by the kernel.
    let res = unsafe { libc::setrlimit(resource as _, &limit) };
    Errno::result(res).map(drop)
}

/// The resource number of a ulimit name as Docker writes them (`nofile`, `nproc`, …).
pub fn rlimit_resource(name: &str) -> Option<u32> {
    Some(match name {
        "core" => libc::RLIMIT_CORE,
        "cpu" => libc::RLIMIT_CPU,
        "data" => libc::RLIMIT_DATA,
        "fsize" => libc::RLIMIT_FSIZE,
        "locks" => libc::RLIMIT_LOCKS,
        "memlock" => libc::RLIMIT_MEMLOCK,
        "msgqueue" => libc::RLIMIT_MSGQUEUE,
        "nice" => libc::RLIMIT_NICE,
        "nofile" => libc::RLIMIT_NOFILE,
        "nproc" => libc::RLIMIT_NPROC,
        "rss" => libc::RLIMIT_RSS,
        "rtprio" => libc::RLIMIT_RTPRIO,
        "rttime" => libc::RLIMIT_RTTIME,
        "sigpending" => libc::RLIMIT_SIGPENDING,
        "stack" => libc::RLIMIT_STACK,
        "as" => libc::RLIMIT_AS,
        _ => return None,
    })
}

/// Brings the loopback interface of the current network namespace up (a new namespace
/// starts with it down). An ioctl on a datagram socket, without netlink.
pub fn loopback_up() -> nix::Result<()> {
    use nix::sys::socket::{socket, AddressFamily, SockFlag, SockType};
    let sock = socket(
        AddressFamily::Inet,
        SockType::Datagram,
        SockFlag::SOCK_CLOEXEC,
        None,
    )?;
    // SAFETY: ifreq is plain data; zeroed is a valid value.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (dst, src) in req.ifr_name.iter_mut().zip(b"lo\0") {
        *dst = *src as libc::c_char;
    }
    // SAFETY: SIOCGIFFLAGS/SIOCSIFFLAGS read and write the live `req`.
    let res = unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCGIFFLAGS, &mut req) };
    Errno::result(res)?;
    // SAFETY: the flags member of the union was just filled in by the kernel.
    unsafe {
        req.ifr_ifru.ifru_flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
    }
    // SAFETY: as above.
    let res = unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCSIFFLAGS, &req) };
    Errno::result(res).map(drop)
}

/// The effective user id.
pub fn effective_uid() -> u32 {
    nix::unistd::geteuid().as_raw()
}

// ---------------------------------------------------------------------------------------------
// Files

/// Sets an extended attribute (overlayfs' `trusted.overlay.opaque`).
pub fn set_xattr(path: &std::path::Path, name: &str, value: &[u8]) -> crate::error::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let fail = |e: Errno| crate::error::NativeError::Sys {
        what: format!("setting {name} on {}", path.display()),
        source: e,
    };
    let p = std::ffi::CString::new(path.as_os_str().as_bytes()).map_err(|_| fail(Errno::EINVAL))?;
    let n = std::ffi::CString::new(name).map_err(|_| fail(Errno::EINVAL))?;
    // SAFETY: NUL-terminated strings and a live value slice.
    let res = unsafe {
        libc::lsetxattr(
            p.as_ptr(),
            n.as_ptr(),
            value.as_ptr() as *const libc::c_void,
            value.len(),
            0,
        )
    };
    Errno::result(res).map(drop).map_err(fail)
}

/// An overlayfs whiteout (a 0:0 character device) at `path`: hides the lower layers' entry.
pub fn make_whiteout(path: &std::path::Path) -> crate::error::Result<()> {
    use nix::sys::stat::{makedev, mknod, Mode, SFlag};
    mknod(path, SFlag::S_IFCHR, Mode::empty(), makedev(0, 0)).map_err(|e| {
        crate::error::NativeError::Sys {
            what: format!("making the whiteout {}", path.display()),
            source: e,
        }
    })
}

/// Default dispositions for every signal and an empty mask: a new program must not inherit
/// the runtime's (Rust ignores SIGPIPE; the shim blocks the signals it reads from a signalfd).
pub fn reset_signals() {
    for sig in 1..=64 {
        if sig == libc::SIGKILL || sig == libc::SIGSTOP {
            continue;
        }
        // SAFETY: setting SIG_DFL for a valid signal number; errors (for numbers the C
        // library reserves) are harmless.
        unsafe { libc::signal(sig, libc::SIG_DFL) };
    }
    // SAFETY: an empty, initialised set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigprocmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;

    /// The mask source check of runc CVE-2025-31133: only the real /dev/null passes.
    #[test]
    fn only_the_real_dev_null_is_taken_for_it() {
        let null = std::fs::File::open("/dev/null").unwrap();
        assert!(is_dev_null(null.as_fd()));
        let zero = std::fs::File::open("/dev/zero").unwrap();
        assert!(!is_dev_null(zero.as_fd()));
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("null");
        std::fs::write(&fake, "").unwrap();
        let fake = std::fs::File::open(&fake).unwrap();
        assert!(!is_dev_null(fake.as_fd()));
        // A symbolic link named like it is followed to what it really is.
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let link = std::fs::File::open(&link).unwrap();
        assert!(!is_dev_null(link.as_fd()));
    }
}
