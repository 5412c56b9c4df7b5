//! `stackc exec ADDR [-it] -- CMD…`: a command inside a running container; the exit code is
//! the command's.

use super::session::{self, Files};
use crate::cli::Options;
use crate::output::fail;
use stackc_engine::provider::{ExecIo, ExecRequest, ObjectState, Provider};

pub fn run(
    options: &Options,
    address: &str,
    interactive: bool,
    tty: bool,
    command: &[String],
) -> u8 {
    let session = match session::open(options, Files::Disk, None, "stackc exec") {
        Ok(s) => s,
        Err(code) => return code,
    };
    let runtime = &session.runtime;
    let observed = match runtime.block_on(session.provider.observe(&session.stack.name)) {
        Ok(o) => o,
        Err(e) => return fail(&format!("cannot observe the runtime: {e}"), None),
    };
    // A service address picks its first replica (CLI.md).
    let mut matching: Vec<_> = observed
        .into_iter()
        .filter(|o| super::names(address, &o.address))
        .collect();
    matching.sort_by_key(|o| {
        let replica = stackc_engine::service::parse_replica(&o.address).map(|(_, n)| n);
        (replica, o.address.clone())
    });
    let Some(target) = matching.into_iter().next() else {
        return fail(
            &format!("`{address}` was not found in the runtime"),
            Some("`stackc status` lists the stack's resources and their addresses"),
        );
    };
    if target.state != ObjectState::Running {
        return fail(
            &format!("`{address}` is not running"),
            Some("start it with `stackc apply`"),
        );
    }
    let request = ExecRequest {
        command: command.to_vec(),
        tty,
        interactive,
    };
    let raw = if tty { RawTerminal::enter() } else { None };
    let result = runtime.block_on(async {
        let io = ExecIo {
            stdin: if interactive {
                Some(Box::new(tokio::io::stdin()))
            } else {
                None
            },
            stdout: Box::new(tokio::io::stdout()),
            stderr: Box::new(tokio::io::stderr()),
        };
        session.provider.exec(&target, &request, io).await
    });
    drop(raw);
    match result {
        Ok(code) => u8::try_from(code.clamp(0, 255)).unwrap_or(1),
        Err(e) => fail(&format!("cannot run the command in `{address}`: {e}"), None),
    }
}

/// The terminal in raw mode while a `-t` command runs, restored on drop, so keys reach the
/// command unprocessed.
struct RawTerminal {
    saved: nix::sys::termios::Termios,
}

impl RawTerminal {
    fn enter() -> Option<RawTerminal> {
        use nix::sys::termios::{cfmakeraw, tcgetattr, tcsetattr, SetArg};
        let stdin = std::io::stdin();
        let saved = tcgetattr(&stdin).ok()?;
        let mut raw = saved.clone();
        cfmakeraw(&mut raw);
        tcsetattr(&stdin, SetArg::TCSANOW, &raw).ok()?;
        Some(RawTerminal { saved })
    }
}

impl Drop for RawTerminal {
    fn drop(&mut self) {
        use nix::sys::termios::{tcsetattr, SetArg};
        let _ = tcsetattr(std::io::stdin(), SetArg::TCSANOW, &self.saved);
    }
}
