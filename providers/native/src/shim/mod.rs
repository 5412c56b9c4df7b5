//! `stackc shim`: the supervisor of one container (like conmon for Podman). Started detached
//! by `start`, it launches the container, tells `start` whether the command exec'd, then
//! stays its parent: it writes its output to the log, runs health checks, records every exit
//! (code, time) atomically in `state.json`, applies the restart policy with exponential
//! back-off, and handles `stop` (SIGTERM to the shim: the container's stop signal, then
//! SIGKILL after its timeout). It is single-threaded, driven by `poll` over the container's
//! output pipes and a signalfd.

pub mod child;
mod health;
mod init;
mod launch;
mod rootfs;
pub mod seccomp;
pub mod security;

use crate::cgroup::Cgroups;
use crate::container::record::{
    self, ContainerRecord, ContainerState, HealthState, HealthStatus, Status,
};
use crate::logfile::LogWriter;
use crate::store::{now, Store};
use crate::sys;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use stackc_engine::model::container::RestartPolicy;
use stackc_engine::provider::LogStream;
use std::ffi::OsString;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// The environment variable naming the descriptor the shim reports its start result on.
pub const READY_FD_ENV: &str = "STACKC_SHIM_READY_FD";

/// Back-off between restarts: doubles from this…
const BACKOFF_START: Duration = Duration::from_millis(100);
/// …up to this, and starts again after a run at least this long.
const BACKOFF_MAX: Duration = Duration::from_secs(30);
const BACKOFF_RESET_AFTER: Duration = Duration::from_secs(10);
/// How long output is still read after the process exited.
const DRAIN_GRACE: Duration = Duration::from_millis(500);

/// `stackc shim --root <dir> <id>`: parses the arguments and runs the shim.
pub fn shim_main_args<I: IntoIterator<Item = OsString>>(args: I) -> ExitCode {
    let mut root: Option<PathBuf> = None;
    let mut id: Option<String> = None;
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        if a == "--root" {
            root = it.next().map(PathBuf::from);
        } else {
            id = Some(a.to_string_lossy().into_owned());
        }
    }
    match (root, id) {
        (Some(root), Some(id)) => shim_main(&root, &id),
        _ => {
            eprintln!("usage: stackc shim --root <dir> <container id>");
            ExitCode::from(2)
        }
    }
}

/// Runs the shim of container `id` in the store at `root`. Returns at once in the process
/// that called it (after forking the real shim, so that the caller can reap it and the shim
/// is nobody's zombie); the shim itself exits when the container is stopped for good.
pub fn shim_main(root: &Path, id: &str) -> ExitCode {
    let ready = std::env::var(READY_FD_ENV)
        .ok()
        .and_then(|v| v.parse::<i32>().ok())
        .filter(|fd| {
            *fd > 2 && nix::fcntl::fcntl(unsafe_borrow(*fd), nix::fcntl::FcntlArg::F_GETFD).is_ok()
        })
        // SAFETY: the descriptor is open (checked above) and was handed to this process to own.
        .map(|fd| unsafe { OwnedFd::from_raw_fd(fd) });
    match sys::fork_process() {
        Ok(Some(_)) => return ExitCode::SUCCESS,
        Ok(None) => {}
        Err(e) => {
            if let Some(r) = &ready {
                report(r, Err(&format!("forking the shim: {}", e.desc())));
            }
            return ExitCode::FAILURE;
        }
    }
    let _ = nix::unistd::setsid();
    let code = match Shim::new(root, id, ready) {
        Ok(mut shim) => shim.run(),
        Err((ready, message)) => {
            if let Some(r) = &ready {
                report(r, Err(&message));
            }
            1
        }
    };
    sys::exit_now(code)
}

fn unsafe_borrow(fd: i32) -> std::os::fd::BorrowedFd<'static> {
    // SAFETY: only used for an F_GETFD probe of whether the number is an open descriptor.
    unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) }
}

/// Writes the start result for `start` and closes the pipe.
fn report(fd: &OwnedFd, result: Result<(), &str>) {
    let json = match result {
        Ok(()) => serde_json::json!({ "ok": true }),
        Err(m) => serde_json::json!({ "error": m }),
    };
    sys::write_all_raw(fd.as_raw_fd(), json.to_string().as_bytes());
}

/// How a run ended.
struct Outcome {
    code: Option<i32>,
    stopped: bool,
    unhealthy: bool,
    ran_for: Duration,
}

struct Shim {
    store: Store,
    id: String,
    dir: PathBuf,
    cgroups: Cgroups,
    record: ContainerRecord,
    state: ContainerState,
    log: LogWriter,
    signals: SignalFd,
    ready: Option<OwnedFd>,
}

type NewError = (Option<OwnedFd>, String);

impl Shim {
    fn new(root: &Path, id: &str, ready: Option<OwnedFd>) -> Result<Shim, NewError> {
        // The provider opened (made) the store before starting this shim.
        let store = Store::at(root);
        let dir = store.container(id);
        let record = match record::load(&store, id) {
            Ok(r) => r,
            Err(e) => return Err((ready, e.to_string())),
        };
        let mut state = record::load_state(&dir).unwrap_or_default();
        let detected = match &record.run.cgroup_v2_root {
            Some(root) => Ok(Cgroups::v2_at(root)),
            None => Cgroups::detect(),
        };
        let cgroups = match detected {
            Ok(c) => c,
            Err(e) => return Err((ready, e.to_string())),
        };
        let log = match LogWriter::open(&dir, record.run.log_max_bytes) {
            Ok(l) => l,
            Err(e) => return Err((ready, e.to_string())),
        };
        let mut mask = SigSet::empty();
        for s in [
            Signal::SIGCHLD,
            Signal::SIGTERM,
            Signal::SIGINT,
            Signal::SIGHUP,
            Signal::SIGUSR1,
        ] {
            mask.add(s);
        }
        if let Err(e) = nix::sys::signal::sigprocmask(SigmaskHow::SIG_BLOCK, Some(&mask), None) {
            return Err((ready, format!("blocking signals: {}", e.desc())));
        }
        let signals =
            match SignalFd::with_flags(&mask, SfdFlags::SFD_CLOEXEC | SfdFlags::SFD_NONBLOCK) {
                Ok(s) => s,
                Err(e) => return Err((ready, format!("making a signalfd: {}", e.desc()))),
            };
        let me = nix::unistd::getpid().as_raw();
        state.shim_pid = me;
        state.shim_start = sys::start_time(me).unwrap_or(0);
        state.stopped_by_user = false;
        Ok(Shim {
            store,
            id: id.to_string(),
            dir,
            cgroups,
            record,
            state,
            log,
            signals,
            ready,
        })
    }

    fn save(&mut self) {
        // A state that cannot be written is still the truth of the running process; the next
        // write will catch up.
        let _ = record::save_state(&self.dir, &self.state);
    }

    /// The fresh record (`update` may have changed the restart policy or stop settings).
    fn reload(&mut self) -> bool {
        match record::load(&self.store, &self.id) {
            Ok(r) => {
                self.record = r;
                true
            }
            Err(_) => false,
        }
    }

    fn finish(&mut self, code: i32) -> i32 {
        self.log.flush();
        self.cgroups.kill_all(&self.record.run.cgroup);
        let _ = self.cgroups.remove(&self.record.run.cgroup);
        self.state.pid = 0;
        self.state.status = Status::Stopped;
        self.save();
        code
    }

    fn run(&mut self) -> i32 {
        let mut first = true;
        let mut backoff = BACKOFF_START;
        loop {
            if !self.reload() {
                // Deleted under us.
                return self.finish(0);
            }
            let oom_before = self.cgroups.oom_kills(&self.record.run.cgroup);
            let (dir, state) = (&self.dir, &mut self.state);
            let launched = launch::launch(&self.store, &self.record, &self.cgroups, |pid| {
                // The shim's pid reaches the state before `start` returns, so observe finds
                // a live shim however soon it looks.
                state.pid = pid.as_raw();
                let _ = record::save_state_volatile(dir, state);
            });
            let outcome = match launched {
                Ok(l) => {
                    self.state.status = Status::Running;
                    self.state.pid = l.pid.as_raw();
                    self.state.started_at = Some(now());
                    self.state.error = None;
                    self.state.health = self.record.run.health.as_ref().map(|_| HealthState {
                        status: HealthStatus::Starting,
                        failing_streak: 0,
                        last: String::new(),
                    });
                    // `start` returns as soon as it hears of the exec; the state is written
                    // right after (observe counts a live shim as running meanwhile).
                    if first {
                        if let Some(r) = self.ready.take() {
                            report(&r, Ok(()));
                        }
                    }
                    self.save();
                    self.supervise(l)
                }
                Err(message) => {
                    self.log
                        .note(&format!("stackc: cannot start the container: {message}"));
                    self.state.error = Some(message.clone());
                    self.state.exit_code = Some(127);
                    self.state.finished_at = Some(now());
                    if first {
                        self.state.stopped_by_user = false;
                        let code = self.finish(1);
                        if let Some(r) = self.ready.take() {
                            report(&r, Err(&message));
                        }
                        return code;
                    }
                    Outcome {
                        code: Some(127),
                        stopped: false,
                        unhealthy: false,
                        ran_for: Duration::ZERO,
                    }
                }
            };
            first = false;
            self.log.flush();
            self.state.pid = 0;
            self.state.finished_at = Some(now());
            self.state.exit_code = outcome.code;
            self.state.oom_killed = self.cgroups.oom_kills(&self.record.run.cgroup) > oom_before;
            self.cgroups.kill_all(&self.record.run.cgroup);
            if outcome.stopped {
                self.state.stopped_by_user = true;
                return self.finish(0);
            }
            if !self.reload() {
                return self.finish(0);
            }
            if !self.should_restart(&outcome) {
                return self.finish(0);
            }
            if outcome.ran_for >= BACKOFF_RESET_AFTER {
                backoff = BACKOFF_START;
            }
            self.state.status = Status::Restarting;
            self.state.restarts += 1;
            self.save();
            if self.wait(backoff) {
                self.state.stopped_by_user = true;
                return self.finish(0);
            }
            backoff = (backoff * 2).min(BACKOFF_MAX);
        }
    }

    fn should_restart(&self, o: &Outcome) -> bool {
        let run = &self.record.run;
        if o.unhealthy {
            return true;
        }
        match run.restart {
            RestartPolicy::No => false,
            RestartPolicy::Always | RestartPolicy::UnlessStopped => true,
            RestartPolicy::OnFailure => {
                o.code != Some(0) && run.max_restarts.is_none_or(|max| self.state.restarts < max)
            }
        }
    }

    /// Waits out a back-off; true when a stop was asked meanwhile.
    fn wait(&mut self, d: Duration) -> bool {
        let until = Instant::now() + d;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            let mut fds = [PollFd::new(self.signals.as_fd(), PollFlags::POLLIN)];
            let _ = poll(&mut fds, timeout(left));
            while let Ok(Some(info)) = self.signals.read_signal() {
                match info.ssi_signo as i32 {
                    libc::SIGCHLD => {
                        while let Ok(WaitStatus::Exited(..) | WaitStatus::Signaled(..)) =
                            waitpid(None, Some(WaitPidFlag::WNOHANG))
                        {}
                    }
                    libc::SIGTERM | libc::SIGINT | libc::SIGHUP => return true,
                    _ => {}
                }
            }
        }
    }

    /// Supervises one run until the container's first process exits.
    fn supervise(&mut self, l: launch::Launched) -> Outcome {
        let started = Instant::now();
        for fd in [&l.stdout, &l.stderr] {
            let _ = nix::fcntl::fcntl(
                fd,
                nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
            );
        }
        let mut pipes: [Option<OwnedFd>; 2] = [Some(l.stdout), Some(l.stderr)];
        let mut exited: Option<(i32, Instant)> = None;
        let mut stopping = false;
        let mut kill_at: Option<Instant> = None;
        let mut unhealthy = false;
        let health = self.record.run.health.clone();
        let mut next_probe = health
            .as_ref()
            .map(|h| started + Duration::from_millis(h.interval_ms));
        let mut probe: Option<(health::Running, bool)> = None;
        loop {
            if let Some((_, at)) = exited {
                if (pipes[0].is_none() && pipes[1].is_none()) || at.elapsed() >= DRAIN_GRACE {
                    break;
                }
            }
            let mut deadline: Option<Instant> = None;
            let mut soonest = |t: Option<Instant>| {
                if let Some(t) = t {
                    deadline = Some(deadline.map_or(t, |d: Instant| d.min(t)));
                }
            };
            soonest(kill_at);
            soonest(probe.as_ref().map(|(p, _)| p.deadline));
            if exited.is_none() && probe.is_none() && !stopping {
                soonest(next_probe);
            }
            soonest(exited.map(|(_, at)| at + DRAIN_GRACE));
            let wait = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            let (out_ready, err_ready, sig_ready) = {
                let mut fds: Vec<PollFd> =
                    vec![PollFd::new(self.signals.as_fd(), PollFlags::POLLIN)];
                for p in pipes.iter().flatten() {
                    fds.push(PollFd::new(p.as_fd(), PollFlags::POLLIN));
                }
                let _ = poll(&mut fds, wait.map_or(PollTimeout::NONE, timeout));
                let ready = |i: usize| {
                    fds.get(i)
                        .and_then(|f| f.revents())
                        .is_some_and(|r| !r.is_empty())
                };
                let sig = ready(0);
                let mut i = 1;
                let mut out = false;
                let mut err = false;
                if pipes[0].is_some() {
                    out = ready(i);
                    i += 1;
                }
                if pipes[1].is_some() {
                    err = ready(i);
                }
                (out, err, sig)
            };
            for (idx, ready, stream) in [
                (0, out_ready, LogStream::Stdout),
                (1, err_ready, LogStream::Stderr),
            ] {
                if ready && !self.drain(&mut pipes[idx], stream) {
                    pipes[idx] = None;
                }
            }
            if sig_ready {
                while let Ok(Some(info)) = self.signals.read_signal() {
                    match info.ssi_signo as i32 {
                        libc::SIGCHLD => self.reap(l.pid, &mut exited, &mut probe, &mut unhealthy),
                        libc::SIGTERM | libc::SIGINT | libc::SIGHUP if !stopping => {
                            stopping = true;
                            self.reload();
                            let sig = Signal::try_from(self.record.run.stop_signal)
                                .unwrap_or(Signal::SIGTERM);
                            let _ = nix::sys::signal::kill(l.pid, sig);
                            kill_at = Some(
                                Instant::now()
                                    + Duration::from_millis(self.record.run.stop_timeout_ms),
                            );
                        }
                        _ => {}
                    }
                }
            }
            let now_i = Instant::now();
            if kill_at.is_some_and(|k| now_i >= k) && exited.is_none() {
                // Killing the namespace's PID 1 kills everything in it.
                let _ = nix::sys::signal::kill(l.pid, Signal::SIGKILL);
                kill_at = None;
            }
            if let Some((p, timed_out)) = probe.as_mut() {
                if !*timed_out && now_i >= p.deadline {
                    let _ = nix::sys::signal::kill(p.pid, Signal::SIGKILL);
                    *timed_out = true;
                }
            }
            if let (Some(h), None, None, false) = (&health, &probe, exited, stopping) {
                if next_probe.is_some_and(|t| now_i >= t) {
                    match health::start(h, &self.record, l.pid.as_raw(), &self.cgroups) {
                        Ok(p) => probe = Some((p, false)),
                        Err(m) => self.probe_result(false, m, started, &mut unhealthy, l.pid),
                    }
                    next_probe = Some(now_i + Duration::from_millis(h.interval_ms));
                }
            }
            if unhealthy && exited.is_none() && kill_at.is_none() && !stopping {
                let _ = nix::sys::signal::kill(l.pid, Signal::SIGKILL);
                kill_at = Some(Instant::now() + Duration::from_secs(3600));
            }
        }
        Outcome {
            code: exited.map(|(c, _)| c),
            stopped: stopping,
            unhealthy,
            ran_for: started.elapsed(),
        }
    }

    /// Reads what is available; false at end of file.
    fn drain(&mut self, pipe: &mut Option<OwnedFd>, stream: LogStream) -> bool {
        let Some(fd) = pipe else { return false };
        let mut buf = [0u8; 16384];
        for _ in 0..16 {
            match sys::read_raw(fd.as_raw_fd(), &mut buf) {
                Ok(0) => return false,
                Ok(n) => self.log.write(stream, &buf[..n]),
                Err(nix::errno::Errno::EAGAIN) => return true,
                Err(_) => return false,
            }
        }
        true
    }

    fn reap(
        &mut self,
        container: nix::unistd::Pid,
        exited: &mut Option<(i32, Instant)>,
        probe: &mut Option<(health::Running, bool)>,
        unhealthy: &mut bool,
    ) {
        loop {
            let (pid, code) = match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::Exited(pid, code)) => (pid, code),
                Ok(WaitStatus::Signaled(pid, sig, _)) => (pid, 128 + sig as i32),
                Ok(WaitStatus::StillAlive) | Err(_) => return,
                Ok(_) => continue,
            };
            if pid == container {
                *exited = Some((code, Instant::now()));
            } else if let Some((p, timed_out)) = probe.take_if(|(p, _)| p.pid == pid) {
                let output = health::output(&p.output);
                let ok = code == 0 && !timed_out;
                let message = if timed_out {
                    "the health check timed out".to_string()
                } else {
                    output
                };
                self.probe_result(ok, message, self.run_started(), unhealthy, container);
            }
        }
    }

    /// When the current run started, from the recorded time (for `start_period`).
    fn run_started(&self) -> Instant {
        let elapsed = self
            .state
            .started_at
            .as_deref()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
            .and_then(|t| jiff::Timestamp::now().duration_since(t).try_into().ok())
            .unwrap_or(Duration::ZERO);
        Instant::now()
            .checked_sub(elapsed)
            .unwrap_or_else(Instant::now)
    }

    /// Docker's semantics: a success makes the container healthy; failures during the start
    /// period do not count; `retries` failures in a row make it unhealthy.
    fn probe_result(
        &mut self,
        ok: bool,
        message: String,
        started: Instant,
        unhealthy: &mut bool,
        _container: nix::unistd::Pid,
    ) {
        let Some(h) = self.record.run.health.clone() else {
            return;
        };
        let mut st = self.state.health.clone().unwrap_or(HealthState {
            status: HealthStatus::Starting,
            failing_streak: 0,
            last: String::new(),
        });
        st.last = message;
        if ok {
            st.status = HealthStatus::Healthy;
            st.failing_streak = 0;
        } else if started.elapsed() >= Duration::from_millis(h.start_period_ms)
            || st.status == HealthStatus::Healthy
        {
            st.failing_streak += 1;
            if st.failing_streak >= h.retries.max(1) {
                st.status = HealthStatus::Unhealthy;
                if h.restart_on_unhealthy {
                    *unhealthy = true;
                }
            }
        }
        self.state.health = Some(st);
        self.save();
    }
}

fn timeout(d: Duration) -> PollTimeout {
    let ms = d.as_millis().min(i32::MAX as u128) as i32;
    // Round up so a wake-up never comes just before the deadline.
    PollTimeout::try_from(ms.saturating_add(1)).unwrap_or(PollTimeout::MAX)
}
