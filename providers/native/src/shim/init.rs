//! `init = true`: the container's PID 1 is a minimal init that forks the command, forwards
//! signals to it, reaps every zombie, and exits with the command's status.
//!
//! It is the cloned shim process itself, never a host binary exec'd inside the container
//! (CVE-2019-5736); it makes itself non-dumpable, so container processes cannot open its
//! `/proc/1/exe`, and drops every capability once the command is started.

use super::security::Prepared;
use crate::sys;
use nix::sys::signal::{SigSet, SigmaskHow, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use std::os::fd::RawFd;

pub fn run(prepared: &Prepared, error: RawFd) -> ! {
    // Every signal is blocked before the fork, so none arrives before init waits for it; the
    // command unblocks them in `apply_and_exec`.
    let all = SigSet::all();
    let _ = nix::sys::signal::sigprocmask(SigmaskHow::SIG_SETMASK, Some(&all), None);
    let child = match sys::fork_process() {
        Ok(Some(child)) => child,
        Ok(None) => {
            let (what, errno) = prepared.apply_and_exec();
            sys::write_all_raw(error, what.as_bytes());
            sys::write_all_raw(error, b": ");
            sys::write_all_raw(error, errno.desc().as_bytes());
            sys::exit_now(127)
        }
        Err(e) => {
            sys::write_all_raw(error, b"starting init's child: ");
            sys::write_all_raw(error, e.desc().as_bytes());
            sys::exit_now(127)
        }
    };
    // Init keeps nothing of the shim's: not the error pipe (the command's exec closes its
    // own copy, which is how the shim learns it started), not a capability.
    let _ = sys::close_from(3);
    let _ = nix::sys::prctl::set_dumpable(false);
    let _ = sys::drop_bounding(0, sys::last_capability());
    let _ = sys::set_capabilities(0, 0, 0);
    let _ = nix::sys::prctl::set_no_new_privs();
    loop {
        let Ok(sig) = all.wait() else { continue };
        if sig == Signal::SIGCHLD {
            reap(child);
        } else {
            let _ = nix::sys::signal::kill(child, sig);
        }
    }
}

/// Reaps every exited child; exits with the command's status once it has exited.
fn reap(child: Pid) {
    loop {
        match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::Exited(pid, code)) if pid == child => sys::exit_now(code),
            Ok(WaitStatus::Signaled(pid, sig, _)) if pid == child => {
                sys::exit_now(128 + sig as i32)
            }
            Ok(WaitStatus::StillAlive) | Err(_) => return,
            Ok(_) => {}
        }
    }
}
