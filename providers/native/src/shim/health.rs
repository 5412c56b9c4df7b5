//! Health probes, each run in a forked child so the shim never blocks: `exec` enters the
//! container like `stackc exec`; `tcp` and `http` connect from the container's network
//! namespace (so they need no tool in the image). The child's exit status is the result and
//! its output the reason.

use crate::cgroup::Cgroups;
use crate::container::record::{ContainerRecord, HealthConfig, Probe};
use crate::nsenter::Entry;
use crate::sys;
use nix::sched::CloneFlags;
use nix::unistd::Pid;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::{Duration, Instant};

/// A probe in progress.
pub struct Running {
    pub pid: Pid,
    pub deadline: Instant,
    pub output: OwnedFd,
}

pub fn start(
    cfg: &HealthConfig,
    record: &ContainerRecord,
    container_pid: i32,
    cgroups: &Cgroups,
) -> Result<Running, String> {
    let (out_r, out_w) = sys::pipe_cloexec().map_err(|e| format!("making a pipe: {}", e.desc()))?;
    let timeout = Duration::from_millis(cfg.timeout_ms.max(1));
    let entry = match &cfg.probe {
        Probe::Exec(args) => Some(Entry::new(
            record,
            container_pid,
            cgroups.procs_files(&record.run.cgroup),
            args,
            &[],
        )?),
        _ => None,
    };
    // The shim is single-threaded: the child may allocate.
    match sys::fork_process() {
        Ok(Some(pid)) => {
            drop(out_w);
            let _ = nix::fcntl::fcntl(
                &out_r,
                nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
            );
            Ok(Running {
                pid,
                deadline: Instant::now() + timeout,
                output: out_r,
            })
        }
        Ok(None) => {
            drop(out_r);
            sys::reset_signals();
            let fd = out_w.as_raw_fd();
            match (&cfg.probe, entry) {
                (Probe::Exec(_), Some(entry)) => {
                    let _ = sys::dup_onto(fd, 1);
                    let _ = sys::dup_onto(fd, 2);
                    if let Ok(null) = nix::fcntl::open(
                        c"/dev/null",
                        nix::fcntl::OFlag::O_RDONLY,
                        nix::sys::stat::Mode::empty(),
                    ) {
                        let _ = sys::dup_onto(null.as_raw_fd(), 0);
                    }
                    entry.enter(fd)
                }
                (probe, _) => {
                    let result = network_probe(probe, container_pid, timeout);
                    let mut out = std::fs::File::from(out_w);
                    match result {
                        Ok(m) => {
                            let _ = out.write_all(m.as_bytes());
                            sys::exit_now(0)
                        }
                        Err(m) => {
                            let _ = out.write_all(m.as_bytes());
                            sys::exit_now(1)
                        }
                    }
                }
            }
        }
        Err(e) => Err(format!("forking a probe: {}", e.desc())),
    }
}

/// Reads what the probe wrote (at most 4 KiB).
pub fn output(fd: &OwnedFd) -> String {
    let mut buf = vec![0u8; 4096];
    let mut n = 0;
    while n < buf.len() {
        match sys::read_raw(fd.as_raw_fd(), &mut buf[n..]) {
            Ok(0) | Err(_) => break,
            Ok(k) => n += k,
        }
    }
    String::from_utf8_lossy(&buf[..n]).trim().to_string()
}

fn network_probe(probe: &Probe, container_pid: i32, timeout: Duration) -> Result<String, String> {
    let ns = std::fs::File::open(format!("/proc/{container_pid}/ns/net"))
        .map_err(|e| format!("opening the network namespace: {e}"))?;
    nix::sched::setns(&ns, CloneFlags::CLONE_NEWNET)
        .map_err(|e| format!("joining the network namespace: {}", e.desc()))?;
    match probe {
        Probe::Tcp(port) => {
            let addr = std::net::SocketAddr::from(([127, 0, 0, 1], *port));
            TcpStream::connect_timeout(&addr, timeout)
                .map_err(|e| format!("connecting to port {port}: {e}"))?;
            Ok(format!("port {port} accepts connections"))
        }
        Probe::Http(url) => http_get(url, timeout),
        Probe::Exec(_) => Err("not a network probe".into()),
    }
}

/// A plain HTTP/1.0 GET; 2xx and 3xx are healthy, as in Docker's and Kubernetes' probes.
fn http_get(url: &str, timeout: Duration) -> Result<String, String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("only http:// probes are supported, not {url}"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let with_port = if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let addr = with_port
        .to_socket_addrs()
        .map_err(|e| format!("resolving {authority}: {e}"))?
        .next()
        .ok_or_else(|| format!("{authority} has no address"))?;
    let mut s = TcpStream::connect_timeout(&addr, timeout)
        .map_err(|e| format!("connecting to {authority}: {e}"))?;
    let _ = s.set_read_timeout(Some(timeout));
    let _ = s.set_write_timeout(Some(timeout));
    write!(
        s,
        "GET {path} HTTP/1.0\r\nHost: {authority}\r\nUser-Agent: stackc-health\r\n\r\n"
    )
    .map_err(|e| format!("sending the request: {e}"))?;
    let mut head = [0u8; 512];
    let n = s
        .read(&mut head)
        .map_err(|e| format!("reading the response: {e}"))?;
    let line = String::from_utf8_lossy(&head[..n]);
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| "the answer is not HTTP".to_string())?;
    if (200..400).contains(&status) {
        Ok(format!("HTTP {status}"))
    } else {
        Err(format!("HTTP {status}"))
    }
}
