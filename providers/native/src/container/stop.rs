//! `stop`: asks the shim to stop the container (SIGTERM to the shim, which sends the
//! container's stop signal and SIGKILL after its timeout) and waits for the shim to exit.
//! With no live shim, whatever is left in the cgroup is killed and the state recorded.

use super::record::{self, Status};
use crate::cgroup::Cgroups;
use crate::error::Result;
use crate::store::{now, Store};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::os::fd::AsFd;
use std::time::Duration;

pub fn stop(store: &Store, cgroups: &Cgroups, id: &str) -> Result<()> {
    let dir = store.container(id);
    let record = record::load(store, id)?;
    let state = record::load_state(&dir)?;
    if state.shim_alive() {
        let shim = Pid::from_raw(state.shim_pid);
        let exited = crate::sys::pidfd_open(state.shim_pid).ok();
        let _ = kill(shim, Signal::SIGTERM);
        let grace = Duration::from_millis(record.run.stop_timeout_ms) + Duration::from_secs(5);
        let done = match &exited {
            Some(fd) => {
                let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
                let ms = grace.as_millis().min(i32::MAX as u128) as i32;
                matches!(poll(&mut fds, PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX)), Ok(n) if n > 0)
            }
            None => false,
        };
        if !done && state.shim_alive() {
            let _ = kill(shim, Signal::SIGKILL);
        }
    }
    cgroups.kill_all(&record.run.cgroup);
    let _ = cgroups.remove(&record.run.cgroup);
    let mut state = record::load_state(&dir)?;
    if state.status != Status::Stopped || state.pid != 0 {
        state.status = Status::Stopped;
        state.pid = 0;
        state.finished_at = Some(now());
        state.stopped_by_user = true;
        record::save_state(&dir, &state)?;
    }
    Ok(())
}
