//! Health checks. Docker runs them inside the container, so an `http` or `tcp` probe is a
//! command the image must be able to run:
//! - `exec = [...]` runs as given (`CMD`);
//! - for an image made `from_host` a busybox, the probe calls that busybox's applets
//!   directly: such an image has neither a shell nor applet links;
//! - otherwise it runs through `/bin/sh`, trying the usual tools in turn (`wget` or `curl`
//!   for `http`; `nc -z`, busybox's `nc -e`, or bash's `/dev/tcp` for `tcp`).

use crate::{DockerError, DockerProvider};
use bollard::models::{HealthConfig, HealthStatusEnum};
use stackc_engine::model::container::{ContainerSpec, Probe};
use stackc_engine::model::ResourceSpec;
use stackc_engine::provider::{DesiredObject, Health, ObservedObject};

fn nanos(d: &stackc_engine::model::Duration) -> i64 {
    i64::try_from(d.get().as_nanos()).unwrap_or(i64::MAX)
}

/// The container's health check, if it has one.
pub(crate) fn config(desired: &DesiredObject, c: &ContainerSpec) -> Option<HealthConfig> {
    let h = c.health.as_ref()?;
    Some(HealthConfig {
        test: Some(test(h.probe()?, busybox_of(desired, c).as_deref())),
        interval: h.interval.as_ref().map(nanos),
        timeout: h.timeout.as_ref().map(nanos),
        retries: h.retries.map(i64::from),
        start_period: h.start_period.as_ref().map(nanos),
        ..Default::default()
    })
}

/// `'…'` for `sh`: nothing inside is special.
fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The probe as a Docker health check command.
fn test(probe: Probe<'_>, busybox: Option<&str>) -> Vec<String> {
    let cmd = |args: &[&str]| -> Vec<String> {
        std::iter::once("CMD")
            .chain(args.iter().copied())
            .map(str::to_string)
            .collect()
    };
    match (probe, busybox) {
        (Probe::Exec(command), _) => std::iter::once("CMD".to_string())
            .chain(command.iter().cloned())
            .collect(),
        (Probe::Http(url), Some(bb)) => cmd(&[bb, "wget", "-q", "-O", "/dev/null", url]),
        // Debian's busybox `nc` has no `-z`: connecting and running `busybox true` in its
        // place says the same.
        (Probe::Tcp(port), Some(bb)) => {
            let port = port.to_string();
            cmd(&[bb, "nc", "-w", "2", "127.0.0.1", &port, "-e", bb, "true"])
        }
        (Probe::Http(url), None) => {
            let url = quoted(url);
            vec![
                "CMD-SHELL".into(),
                format!(
                    "wget -q -O /dev/null {url} 2>/dev/null || curl -fsS -o /dev/null {url} || exit 1"
                ),
            ]
        }
        (Probe::Tcp(port), None) => vec![
            "CMD-SHELL".into(),
            format!(
                "nc -z -w 2 127.0.0.1 {port} 2>/dev/null || nc -w 2 127.0.0.1 {port} -e true \
                 2>/dev/null || bash -c ': </dev/tcp/127.0.0.1/{port}' 2>/dev/null || exit 1"
            ),
        ],
    }
}

/// The busybox binary of an image made `from_host`, if the container's image is one.
fn busybox_of(desired: &DesiredObject, c: &ContainerSpec) -> Option<String> {
    let image = desired.reference(c.image.resource()?.address())?;
    let ResourceSpec::Image(spec) = &image.spec else {
        return None;
    };
    spec.from_host
        .iter()
        .flatten()
        .map(|p| p.as_str())
        .find(|p| p.rsplit('/').next() == Some("busybox"))
        .map(str::to_string)
}

/// The current result: `Health::None` for a running container without a check.
pub(crate) async fn health(
    p: &DockerProvider,
    object: &ObservedObject,
) -> Result<Health, DockerError> {
    let c = p.docker.inspect_container(&object.id, None).await?;
    let state = c.state.unwrap_or_default();
    if state.running != Some(true) {
        let why = match state.exit_code {
            Some(code) => format!("not running (exit {code})"),
            None => "not running".to_string(),
        };
        return Ok(Health::Unhealthy { reason: why });
    }
    let Some(h) = state.health else {
        return Ok(Health::None);
    };
    let last = h
        .log
        .and_then(|l| l.last().and_then(|r| r.output.clone()))
        .unwrap_or_default();
    Ok(match h.status {
        Some(HealthStatusEnum::HEALTHY) => Health::Healthy,
        Some(HealthStatusEnum::STARTING) => Health::Starting,
        Some(HealthStatusEnum::UNHEALTHY) => Health::Unhealthy {
            reason: format!("its health check fails: {}", last.trim()),
        },
        _ => Health::None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_become_commands() {
        assert_eq!(
            test(Probe::Tcp(80), Some("/bin/busybox")),
            [
                "CMD",
                "/bin/busybox",
                "nc",
                "-w",
                "2",
                "127.0.0.1",
                "80",
                "-e",
                "/bin/busybox",
                "true"
            ]
        );
        let http = test(Probe::Http("http://127.0.0.1/it's"), None);
        assert_eq!(http[0], "CMD-SHELL");
        assert!(
            http[1].starts_with(r"wget -q -O /dev/null 'http://127.0.0.1/it'\''s'"),
            "{}",
            http[1]
        );
        let exec = ["pg_isready".to_string()];
        assert_eq!(test(Probe::Exec(&exec), None), ["CMD", "pg_isready"]);
    }
}
