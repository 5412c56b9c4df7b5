//! The last steps before `execve`, shared by a container's first process, `exec` and health
//! checks: working directory (checked to be inside the root), user and groups, capabilities,
//! `no_new_privs`, seccomp, closing every inherited descriptor, and the exec itself.
//!
//! Everything is prepared first ([`Prepared::new`]), so that [`Prepared::apply_and_exec`]
//! allocates nothing: it may run in a child forked from a multi-threaded process.

use crate::container::record::RunConfig;
use nix::errno::Errno;
use seccompiler::BpfProgram;
use std::ffi::CString;
use std::path::Path;

/// A process's identity inside the container.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    pub uid: u32,
    pub gid: u32,
    pub groups: Vec<u32>,
}

/// What `apply_and_exec` needs, ready to use.
pub struct Prepared {
    candidates: Vec<CString>,
    argv: Vec<CString>,
    argv_ptrs: Vec<*const libc::c_char>,
    envp: Vec<CString>,
    env_ptrs: Vec<*const libc::c_char>,
    workdir: CString,
    identity: Identity,
    capabilities: u64,
    last_cap: u32,
    filters: Vec<BpfProgram>,
    privileged: bool,
}

// The raw pointers point into the `CString`s the struct owns; they are only read by `execve`.
unsafe impl Send for Prepared {}

/// Why preparing or exec'ing failed (a message, written back to the shim through a pipe).
pub type Failure = String;

fn cstring(s: &str, what: &str) -> Result<CString, Failure> {
    CString::new(s).map_err(|_| format!("{what} {s:?} holds a NUL byte"))
}

impl Prepared {
    /// Prepares an exec of `args` with `env`, as `identity`, for a container configured by
    /// `run`. `root` is where the container's files are seen from here (`/` after
    /// `pivot_root`, `/proc/<pid>/root` from outside), for the `PATH` search.
    pub fn new(
        run: &RunConfig,
        args: &[String],
        env: &[String],
        workdir: &str,
        identity: Identity,
    ) -> Result<Prepared, Failure> {
        let Some(program) = args.first() else {
            return Err("the command is empty".into());
        };
        let argv: Vec<CString> = args
            .iter()
            .map(|a| cstring(a, "the argument"))
            .collect::<Result<_, _>>()?;
        let envp: Vec<CString> = env
            .iter()
            .map(|e| cstring(e, "the environment entry"))
            .collect::<Result<_, _>>()?;
        let mut candidates = Vec::new();
        if program.contains('/') {
            candidates.push(cstring(program, "the program")?);
        } else {
            let path = env
                .iter()
                .find_map(|e| e.strip_prefix("PATH="))
                .unwrap_or("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
            for dir in path.split(':').filter(|d| !d.is_empty()) {
                candidates.push(cstring(&format!("{dir}/{program}"), "the program")?);
            }
        }
        let filters = if run.privileged {
            Vec::new()
        } else {
            super::seccomp::default_filters(run.capabilities)?
        };
        let mut p = Prepared {
            candidates,
            argv,
            argv_ptrs: Vec::new(),
            envp,
            env_ptrs: Vec::new(),
            workdir: cstring(workdir, "the working directory")?,
            identity,
            capabilities: run.capabilities,
            last_cap: crate::sys::last_capability(),
            filters,
            privileged: run.privileged,
        };
        p.argv_ptrs = p
            .argv
            .iter()
            .map(|a| a.as_ptr())
            .chain([std::ptr::null()])
            .collect();
        p.env_ptrs = p
            .envp
            .iter()
            .map(|e| e.as_ptr())
            .chain([std::ptr::null()])
            .collect();
        Ok(p)
    }

    /// Applies everything and execs; returns only on failure, with a static description and
    /// the error.
    pub fn apply_and_exec(&self) -> (&'static str, Errno) {
        crate::sys::reset_signals();
        if let Err(e) = nix::unistd::chdir(self.workdir.as_c_str()) {
            return ("entering the working directory", e);
        }
        // After chdir, the directory must be under the container's root: a descriptor leaked
        // from outside (runc CVE-2024-21626) would leave the cwd out of reach of "/".
        let mut buf = [0u8; 4096];
        // SAFETY: a live buffer and its length.
        let cwd = unsafe { libc::getcwd(buf.as_mut_ptr() as *mut libc::c_char, buf.len()) };
        if cwd.is_null() || buf[0] != b'/' {
            return (
                "checking the working directory is inside the container",
                Errno::EPERM,
            );
        }
        if let Err(e) = crate::sys::drop_bounding(self.capabilities, self.last_cap) {
            return ("dropping capabilities from the bounding set", e);
        }
        if let Err(e) = crate::sys::set_groups(&self.identity.groups) {
            return ("setting supplementary groups", e);
        }
        let gid = nix::unistd::Gid::from_raw(self.identity.gid);
        if let Err(e) = nix::unistd::setresgid(gid, gid, gid) {
            return ("setting the group", e);
        }
        let uid = nix::unistd::Uid::from_raw(self.identity.uid);
        if let Err(e) = nix::unistd::setresuid(uid, uid, uid) {
            return ("setting the user", e);
        }
        // A non-root user ends with no capabilities, as in Docker: setresuid cleared them.
        if self.identity.uid == 0 {
            if let Err(e) = crate::sys::set_capabilities(self.capabilities, self.capabilities, 0) {
                return ("setting capabilities", e);
            }
        }
        if let Err(e) = crate::sys::clear_ambient() {
            return ("clearing ambient capabilities", e);
        }
        if !self.privileged {
            if let Err(e) = nix::sys::prctl::set_no_new_privs() {
                return ("setting no_new_privs", e);
            }
        }
        for f in &self.filters {
            if seccompiler::apply_filter(f).is_err() {
                return ("loading the seccomp filter", Errno::last());
            }
        }
        // SAFETY: umask takes an integer.
        unsafe { libc::umask(0o022) };
        if let Err(e) = crate::sys::cloexec_from(3) {
            return ("closing inherited descriptors", e);
        }
        let mut last = Errno::ENOENT;
        for path in &self.candidates {
            let e = crate::sys::exec(path, &self.argv_ptrs, &self.env_ptrs);
            match e {
                // As execvp: try the next directory; report EACCES over ENOENT.
                Errno::ENOENT | Errno::ENOTDIR | Errno::EACCES => {
                    if last != Errno::EACCES {
                        last = e;
                    }
                }
                other => return ("starting the program", other),
            }
        }
        (
            "starting the program (not found in PATH, or not executable)",
            last,
        )
    }

    /// The program as given, for messages.
    pub fn program(&self) -> &str {
        self.argv
            .first()
            .and_then(|a| a.to_str().ok())
            .unwrap_or("")
    }
}

/// Resolves `user` (`name`, `uid`, `name:group`, `uid:gid`) against the `passwd` and `group`
/// files under `etc` (the container's `/etc`). A numeric user missing from `passwd` is
/// allowed (gid = uid's primary group 0, as Docker does); a missing name is an error.
pub fn resolve_user(user: Option<&str>, etc: &Path) -> Result<Identity, Failure> {
    let passwd = std::fs::read_to_string(etc.join("passwd")).unwrap_or_default();
    let group = std::fs::read_to_string(etc.join("group")).unwrap_or_default();
    resolve_user_in(user, &passwd, &group)
}

/// [`resolve_user`] over the files' contents.
pub fn resolve_user_in(user: Option<&str>, passwd: &str, group: &str) -> Result<Identity, Failure> {
    let Some(user) = user.filter(|u| !u.is_empty()) else {
        return Ok(Identity::default());
    };
    let (u, g) = match user.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (user, None),
    };
    // passwd: name:x:uid:gid:gecos:home:shell
    let entry = passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() >= 4 && (f[0] == u || (u.parse::<u32>().is_ok() && f[2] == u)));
    let (uid, mut gid, name) = match (&entry, u.parse::<u32>()) {
        (Some(f), _) => (
            f[2].parse::<u32>()
                .map_err(|_| format!("/etc/passwd has a bad uid for {u}"))?,
            f[3].parse::<u32>()
                .map_err(|_| format!("/etc/passwd has a bad gid for {u}"))?,
            Some(f[0].to_string()),
        ),
        (None, Ok(n)) => (n, 0, None),
        (None, Err(_)) => return Err(format!("the user {u:?} is not in the image's /etc/passwd")),
    };
    // group: name:x:gid:member,member
    let groups: Vec<Vec<&str>> = group
        .lines()
        .map(|l| l.split(':').collect())
        .filter(|f: &Vec<&str>| f.len() >= 3)
        .collect();
    if let Some(g) = g {
        gid = match g.parse::<u32>() {
            Ok(n) => n,
            Err(_) => groups
                .iter()
                .find(|f| f[0] == g)
                .and_then(|f| f[2].parse().ok())
                .ok_or_else(|| format!("the group {g:?} is not in the image's /etc/group"))?,
        };
    }
    let mut supplementary = vec![gid];
    if let Some(name) = name {
        for f in &groups {
            if f.len() >= 4 && f[3].split(',').any(|m| m == name) {
                if let Ok(n) = f[2].parse::<u32>() {
                    if !supplementary.contains(&n) {
                        supplementary.push(n);
                    }
                }
            }
        }
    }
    Ok(Identity {
        uid,
        gid,
        groups: supplementary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_resolve_from_the_images_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("passwd"),
            "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("group"),
            "root:x:0:\napp:x:1000:\nextra:x:2000:app\n",
        )
        .unwrap();
        let id = resolve_user(Some("app"), dir.path()).unwrap();
        assert_eq!(
            (id.uid, id.gid, id.groups.clone()),
            (1000, 1000, vec![1000, 2000])
        );
        let id = resolve_user(Some("1000:extra"), dir.path()).unwrap();
        assert_eq!((id.uid, id.gid), (1000, 2000));
        let id = resolve_user(Some("4242"), dir.path()).unwrap();
        assert_eq!((id.uid, id.gid), (4242, 0));
        assert!(resolve_user(Some("nobody-here"), dir.path()).is_err());
        assert_eq!(resolve_user(None, dir.path()).unwrap(), Identity::default());
    }
}
