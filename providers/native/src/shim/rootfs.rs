//! The container's filesystem, built in its own mount namespace (so every mount vanishes with
//! the container): the overlay root, `/proc`, a minimal `/dev`, read-only `/sys`, volumes and
//! binds, tmpfs, files and secrets, Docker's masked and read-only paths, then `pivot_root`.
//!
//! Every target inside the root is opened with `openat2(RESOLVE_IN_ROOT)`, so a symlink the
//! image (or an earlier run of the container) left cannot lead a mount out of the root, and
//! the mount is made on that exact object through its `/proc/self/fd` path (the fix for
//! runc's 2025 symlink CVEs).

use crate::container::record::RunConfig;
use crate::sys::{self, FdPath};
use nix::errno::Errno;
use nix::fcntl::{openat, openat2, OFlag, OpenHow, ResolveFlag};
use nix::mount::MsFlags;
use nix::sys::stat::Mode;
use std::ffi::CString;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::Path;

/// Docker's masked paths: hidden behind `/dev/null` (files) or an empty read-only tmpfs.
const MASKED: &[&str] = &[
    "/proc/asound",
    "/proc/acpi",
    "/proc/interrupts",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
];

/// Docker's read-only paths.
const READ_ONLY: &[&str] = &[
    "/proc/bus",
    "/proc/fs",
    "/proc/irq",
    "/proc/sys",
    "/proc/sysrq-trigger",
];

/// An error in the child, with what was being done.
pub type Failure = String;

fn fail(what: impl std::fmt::Display) -> impl FnOnce(Errno) -> Failure {
    move |e| format!("{what}: {}", e.desc())
}

fn c(s: &str) -> Result<CString, Failure> {
    CString::new(s).map_err(|_| format!("the path {s:?} holds a NUL byte"))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dir,
    File,
}

/// `path` inside the root as a relative path (`"/a/b"` → `"a/b"`, `"/"` → `"."`).
fn rel(path: &str) -> &str {
    let r = path.trim_start_matches('/');
    if r.is_empty() {
        "."
    } else {
        r
    }
}

/// Opens `path` inside `root`, resolving every symlink as if `root` were `/`.
fn open_in_root(root: BorrowedFd<'_>, path: &str) -> nix::Result<OwnedFd> {
    openat2(
        root,
        rel(path),
        OpenHow::new()
            .flags(OFlag::O_PATH | OFlag::O_CLOEXEC)
            .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS),
    )
}

/// Opens `path` inside `root`, creating it (and missing parents) as `kind` if missing.
fn ensure(root: BorrowedFd<'_>, path: &str, kind: Kind) -> Result<OwnedFd, Failure> {
    ensure_at(root, path, kind, 0)
}

/// [`ensure`], following (inside the root) a link whose target does not exist yet, at most
/// 40 times as the kernel does.
fn ensure_at(root: BorrowedFd<'_>, path: &str, kind: Kind, depth: u32) -> Result<OwnedFd, Failure> {
    if depth > 40 {
        return Err(format!(
            "too many levels of symbolic links at {path} in the container"
        ));
    }
    match open_in_root(root, path) {
        Ok(fd) => return Ok(fd),
        Err(Errno::ENOENT) => {}
        Err(e) => return Err(format!("opening {path} in the container: {}", e.desc())),
    }
    let trimmed = path.trim_end_matches('/');
    let (parent, name) = match trimmed.rsplit_once('/') {
        Some((p, n)) => (if p.is_empty() { "/" } else { p }, n),
        None => ("/", trimmed),
    };
    if name.is_empty() || name == "." || name == ".." {
        return Err(format!("cannot create {path} in the container"));
    }
    let parent_fd = ensure_at(root, parent, Kind::Dir, depth)?;
    // A dangling link: create what it points to, resolved inside the root like any path.
    if let Ok(target) = nix::fcntl::readlinkat(&parent_fd, name) {
        let target = target.to_string_lossy().into_owned();
        let next = if target.starts_with('/') {
            target
        } else {
            format!("{}/{target}", parent.trim_end_matches('/'))
        };
        return ensure_at(root, &next, kind, depth + 1);
    }
    match kind {
        Kind::Dir => {
            match nix::sys::stat::mkdirat(&parent_fd, name, Mode::from_bits_truncate(0o755)) {
                Ok(()) | Err(Errno::EEXIST) => {}
                Err(e) => return Err(format!("creating {path} in the container: {}", e.desc())),
            }
        }
        Kind::File => match openat(
            &parent_fd,
            name,
            OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_WRONLY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
            Mode::from_bits_truncate(0o644),
        ) {
            Ok(_) | Err(Errno::EEXIST) => {}
            Err(e) => return Err(format!("creating {path} in the container: {}", e.desc())),
        },
    }
    openat2(
        &parent_fd,
        name,
        OpenHow::new()
            .flags(OFlag::O_PATH | OFlag::O_CLOEXEC | OFlag::O_NOFOLLOW)
            .resolve(ResolveFlag::RESOLVE_BENEATH | ResolveFlag::RESOLVE_NO_SYMLINKS),
    )
    .map_err(fail(format!("opening {path} in the container")))
}

/// Builds the filesystem under `dir/rootfs` and makes it the root. Runs in the container's
/// first process, in its new mount namespace, before `pivot_root`.
pub fn build(run: &RunConfig, dir: &Path, layers: &Path) -> Result<(), Failure> {
    sys::make_mounts_private().map_err(fail("making mounts private"))?;
    // SAFETY: umask takes an integer; device nodes and directories get exact modes.
    unsafe { libc::umask(0) };
    let rootfs = dir.join("rootfs");
    let lower: Vec<String> = run
        .layers
        .iter()
        .rev()
        .map(|l| layers.join(l).display().to_string())
        .collect();
    let data = format!(
        "lowerdir={},upperdir={},workdir={}",
        lower.join(":"),
        dir.join("upper").display(),
        dir.join("work").display()
    );
    let root_path = c(&rootfs.display().to_string())?;
    sys::mount_fs("overlay", &root_path, MsFlags::empty(), Some(&c(&data)?))
        .map_err(fail("mounting the overlay root"))?;
    let root = nix::fcntl::open(
        root_path.as_c_str(),
        OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(fail("opening the root"))?;
    let root = root.as_fd();

    let nosuid_nodev_noexec = MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC;
    let proc_fd = ensure(root, "/proc", Kind::Dir)?;
    sys::mount_fs(
        "proc",
        FdPath::new(proc_fd.as_fd()).as_cstr(),
        nosuid_nodev_noexec,
        None,
    )
    .map_err(fail("mounting /proc"))?;
    dev(root)?;
    let sys_fd = ensure(root, "/sys", Kind::Dir)?;
    let sys_flags = if run.privileged {
        nosuid_nodev_noexec
    } else {
        nosuid_nodev_noexec | MsFlags::MS_RDONLY
    };
    sys::mount_fs(
        "sysfs",
        FdPath::new(sys_fd.as_fd()).as_cstr(),
        sys_flags,
        None,
    )
    .map_err(fail("mounting /sys"))?;

    for m in &run.mounts {
        let kind = if m.source.is_dir() {
            Kind::Dir
        } else {
            Kind::File
        };
        bind(root, &m.source, &m.target, kind, m.readonly)?;
    }
    for t in &run.tmpfs {
        let fd = ensure(root, &t.target, Kind::Dir)?;
        let data = match t.size {
            Some(s) => format!("mode=1777,size={s}"),
            None => "mode=1777".to_string(),
        };
        sys::mount_fs(
            "tmpfs",
            FdPath::new(fd.as_fd()).as_cstr(),
            MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
            Some(&c(&data)?),
        )
        .map_err(fail(format!("mounting a tmpfs on {}", t.target)))?;
    }
    for f in run.files.iter().chain(&run.secrets) {
        bind(root, &f.source, &f.target, Kind::File, true)?;
    }
    for (key, value) in &run.sysctls {
        sysctl(root, key, value)?;
    }
    if !run.privileged {
        mask(root)?;
        for p in READ_ONLY {
            if let Ok(fd) = open_in_root(root, p) {
                let at = FdPath::new(fd.as_fd());
                sys::bind(at.as_cstr(), at.as_cstr()).map_err(fail(format!("binding {p}")))?;
                read_only(root, p, nosuid_nodev_noexec)?;
            }
        }
    }
    nix::unistd::fchdir(root).map_err(fail("entering the root"))?;
    sys::pivot_to_cwd().map_err(fail("pivot_root"))?;
    if run.read_only {
        sys::remount(c"/", MsFlags::MS_RDONLY).map_err(fail("making the root read-only"))?;
    }
    Ok(())
}

/// Bind-mounts a host path onto `target` inside the root (read-only if asked).
fn bind(
    root: BorrowedFd<'_>,
    source: &Path,
    target: &str,
    kind: Kind,
    readonly: bool,
) -> Result<(), Failure> {
    let src = c(&source.display().to_string())?;
    let fd = ensure(root, target, kind)?;
    sys::bind(&src, FdPath::new(fd.as_fd()).as_cstr())
        .map_err(fail(format!("mounting {} on {target}", source.display())))?;
    if readonly {
        read_only(root, target, MsFlags::MS_NOSUID | MsFlags::MS_NODEV)?;
    }
    Ok(())
}

/// Remounts the (freshly made) mount at `target` read-only. The target is opened again so the
/// descriptor names the new mount, not the directory under it.
fn read_only(root: BorrowedFd<'_>, target: &str, flags: MsFlags) -> Result<(), Failure> {
    let fd = open_in_root(root, target).map_err(fail(format!("opening {target}")))?;
    sys::remount(
        FdPath::new(fd.as_fd()).as_cstr(),
        MsFlags::MS_RDONLY | flags,
    )
    .map_err(fail(format!("making {target} read-only")))
}

/// A minimal `/dev`: a tmpfs with null, zero, full, random, urandom, tty, a private devpts,
/// shm, mqueue and the usual links.
fn dev(root: BorrowedFd<'_>) -> Result<(), Failure> {
    let fd = ensure(root, "/dev", Kind::Dir)?;
    sys::mount_fs(
        "tmpfs",
        FdPath::new(fd.as_fd()).as_cstr(),
        MsFlags::MS_NOSUID | MsFlags::MS_STRICTATIME,
        Some(c"mode=755,size=65536k"),
    )
    .map_err(fail("mounting /dev"))?;
    let dev = open_in_root(root, "/dev").map_err(fail("opening /dev"))?;
    let dev = nix::fcntl::openat(
        &dev,
        ".",
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(fail("opening /dev"))?;
    for (name, major, minor) in [
        (c"null", 1, 3),
        (c"zero", 1, 5),
        (c"full", 1, 7),
        (c"random", 1, 8),
        (c"urandom", 1, 9),
        (c"tty", 5, 0),
    ] {
        sys::make_char_device(dev.as_fd(), name, major, minor)
            .map_err(fail(format!("making /dev/{}", name.to_string_lossy())))?;
    }
    for (link, target) in [
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
        ("ptmx", "pts/ptmx"),
    ] {
        nix::unistd::symlinkat(target, &dev, link).map_err(fail(format!("linking /dev/{link}")))?;
    }
    for (name, fstype, flags, data) in [
        (
            "pts",
            "devpts",
            MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC,
            c"newinstance,ptmxmode=0666,mode=0620,gid=5",
        ),
        (
            "shm",
            "tmpfs",
            MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
            c"mode=1777,size=65536k",
        ),
        (
            "mqueue",
            "mqueue",
            MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
            c"",
        ),
    ] {
        nix::sys::stat::mkdirat(&dev, name, Mode::from_bits_truncate(0o755))
            .map_err(fail(format!("making /dev/{name}")))?;
        let sub = ensure(root, &format!("/dev/{name}"), Kind::Dir)?;
        let data = if data.is_empty() { None } else { Some(data) };
        sys::mount_fs(fstype, FdPath::new(sub.as_fd()).as_cstr(), flags, data)
            .map_err(fail(format!("mounting /dev/{name}")))?;
    }
    Ok(())
}

/// Hides Docker's masked paths. Files are covered with the host's `/dev/null`, checked to
/// really be the null device (a container could have replaced its own `/dev/null`).
fn mask(root: BorrowedFd<'_>) -> Result<(), Failure> {
    let null = nix::fcntl::open(
        c"/dev/null",
        OFlag::O_PATH | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(fail("opening /dev/null"))?;
    if !sys::is_dev_null(null.as_fd()) {
        return Err("the host's /dev/null is not the null device; refusing to mask with it".into());
    }
    let null_path = FdPath::new(null.as_fd());
    for p in MASKED {
        let Ok(fd) = open_in_root(root, p) else {
            continue;
        };
        let target = FdPath::new(fd.as_fd());
        let is_dir = nix::sys::stat::fstat(&fd)
            .map(|st| st.st_mode & libc::S_IFMT == libc::S_IFDIR)
            .unwrap_or(false);
        if is_dir {
            sys::mount_fs(
                "tmpfs",
                target.as_cstr(),
                MsFlags::MS_RDONLY,
                Some(c"size=0"),
            )
            .map_err(fail(format!("masking {p}")))?;
        } else {
            sys::bind(null_path.as_cstr(), target.as_cstr())
                .map_err(fail(format!("masking {p}")))?;
        }
    }
    Ok(())
}

/// Writes a namespaced sysctl through the container's `/proc/sys`.
fn sysctl(root: BorrowedFd<'_>, key: &str, value: &str) -> Result<(), Failure> {
    if key.contains('/') || key.contains("..") {
        return Err(format!("the sysctl {key:?} is not a sysctl name"));
    }
    let path = format!("proc/sys/{}", key.replace('.', "/"));
    let fd = openat2(
        root,
        path.as_str(),
        OpenHow::new()
            .flags(OFlag::O_WRONLY | OFlag::O_CLOEXEC)
            .resolve(ResolveFlag::RESOLVE_BENEATH | ResolveFlag::RESOLVE_NO_SYMLINKS),
    )
    .map_err(fail(format!("opening the sysctl {key}")))?;
    nix::unistd::write(&fd, value.as_bytes()).map_err(fail(format!("setting the sysctl {key}")))?;
    Ok(())
}

/// Mounts the container's own cgroup (its cgroup namespace's root) on `/sys/fs/cgroup`,
/// read-only unless privileged. Runs after `pivot_root`, inside the new cgroup namespace;
/// without it the container simply sees no cgroup filesystem.
pub fn mount_cgroup2(privileged: bool) {
    let mut flags = MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC;
    if !privileged {
        flags |= MsFlags::MS_RDONLY;
    }
    let _ = sys::mount_fs("cgroup2", c"/sys/fs/cgroup", flags, None);
}
