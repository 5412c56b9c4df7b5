//! `--notify URL`: a JSON event POSTed to webhooks on every applied revision, failure,
//! rollback and healed drift. The body carries `text` (Slack's incoming webhooks) and `title`/`body`/`type`
//! (Apprise's API) besides stackc's own fields, so either can take it unchanged.

use serde::Serialize;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    /// A new revision was applied.
    Applied,
    /// Drift made outside stackc was healed.
    Healed,
    /// A revision did not validate.
    Invalid,
    /// An apply failed.
    Failed,
    /// A service rollout failed and was rolled back.
    #[serde(rename = "rolled-back")]
    RolledBack,
}

/// One webhook event.
#[derive(Clone, Debug, Serialize)]
pub struct Notification {
    pub stack: String,
    pub event: EventKind,
    pub revision: Option<String>,
    pub message: String,
    /// RFC 3339.
    pub at: String,
    /// Slack.
    pub text: String,
    /// Apprise.
    pub title: String,
    pub body: String,
    #[serde(rename = "type")]
    pub severity: &'static str,
}

impl Notification {
    pub fn new(stack: &str, event: EventKind, revision: Option<&str>, message: &str) -> Self {
        let title = match event {
            EventKind::Applied => format!("stackc: {stack} applied"),
            EventKind::Healed => format!("stackc: {stack} healed"),
            EventKind::Invalid => format!("stackc: {stack} revision is invalid"),
            EventKind::Failed => format!("stackc: {stack} apply failed"),
            EventKind::RolledBack => format!("stackc: {stack} rollout rolled back"),
        };
        let body = match revision {
            Some(r) => format!("{message} (revision {r})"),
            None => message.to_string(),
        };
        Notification {
            stack: stack.to_string(),
            event,
            revision: revision.map(str::to_string),
            message: message.to_string(),
            at: jiff::Timestamp::now().to_string(),
            text: format!("{title}: {body}"),
            title,
            body,
            severity: match event {
                EventKind::Applied | EventKind::Healed => "success",
                EventKind::Invalid | EventKind::Failed | EventKind::RolledBack => "failure",
            },
        }
    }
}

/// Posts `n` to every URL, in the background; a webhook that fails is logged (without its
/// URL's credentials), never fatal.
pub fn send(urls: &[String], n: Notification) {
    if urls.is_empty() {
        return;
    }
    let urls = urls.to_vec();
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into();
        for url in urls {
            if let Err(e) = agent.post(&url).send_json(&n) {
                tracing::warn!(
                    "the webhook {} failed: {}",
                    super::git::redact(&url),
                    super::git::redact(&e.to_string())
                );
            }
        }
    });
}
