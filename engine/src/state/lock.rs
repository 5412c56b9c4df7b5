//! The stack lock (ARCHITECTURE.md decision 6): `flock` on `<stack>/lock`, exclusive for
//! commands that change the stack, shared for `plan`. The kernel drops the lock when the
//! process ends, however it ends, so a crash never leaves a stale lock behind.

use super::{StackState, StateError};
use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockMode {
    /// `plan`: any number at once, but not beside a writer.
    Shared,
    /// `apply`, `destroy`, `watch`, `rollback`.
    Exclusive,
}

/// A held lock; dropping it releases it.
#[derive(Debug)]
pub struct StackLock {
    file: Flock<File>,
    mode: LockMode,
}

impl StackState {
    /// Takes the stack's lock without waiting. `command` (`stackc apply`) is what a second
    /// writer is told holds it.
    pub fn lock(&self, mode: LockMode, command: &str) -> Result<StackLock, StateError> {
        let path = self.dir.join("lock");
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(StateError::io("open", &path))?;
        let arg = match mode {
            LockMode::Shared => FlockArg::LockSharedNonblock,
            LockMode::Exclusive => FlockArg::LockExclusiveNonblock,
        };
        let mut file = match Flock::lock(file, arg) {
            Ok(f) => f,
            Err((mut file, Errno::EWOULDBLOCK)) => {
                return Err(StateError::Locked {
                    stack: self.name.clone(),
                    holder: holder(&mut file),
                })
            }
            Err((_, errno)) => {
                return Err(StateError::io("lock", &path)(std::io::Error::from(errno)));
            }
        };
        if mode == LockMode::Exclusive {
            // Only a writer records itself: readers are many and short.
            let since = local_clock();
            let info = format!("{} {} {}\n", std::process::id(), since, command);
            let _ = file.set_len(0);
            let _ = file.seek(SeekFrom::Start(0));
            let _ = file.write_all(info.as_bytes());
            let _ = file.sync_data();
        }
        Ok(StackLock { file, mode })
    }
}

impl Drop for StackLock {
    fn drop(&mut self) {
        if self.mode == LockMode::Exclusive {
            // The next reader of the file must not mistake us for a live holder.
            let _ = self.file.set_len(0);
        }
    }
}

/// "pid 4242 (stackc apply, since 10:02:11)", from what the holder wrote; a reader (which
/// writes nothing) or a holder that did not get to write yet is described as such.
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.read_to_string(&mut text);
    let mut parts = text.trim().splitn(3, ' ');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(pid), Some(since), Some(command)) if pid.parse::<i32>().is_ok_and(process_alive) => {
            format!("pid {pid} ({command}, since {since})")
        }
        _ => "another stackc process (a `stackc plan` holds it shared)".to_string(),
    }
}

fn process_alive(pid: i32) -> bool {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok()
}

/// The local wall-clock time as `HH:MM:SS`, which is what a user compares with their own
/// clock when told since when a lock is held.
fn local_clock() -> String {
    jiff::Zoned::now().strftime("%H:%M:%S").to_string()
}
