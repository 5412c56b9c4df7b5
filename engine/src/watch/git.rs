//! The git source of `stackc watch --git URL`: a clone kept in the state directory, fetched
//! each tick, checked out at the followed branch, tag or pinned commit.
//!
//! Credentials come from `STACKC_GIT_TOKEN` (HTTPS), `--ssh-key` or the SSH agent, and never
//! reach a message: every error passes through [`redact`].

use git2::{Cred, CredentialType, FetchOptions, RemoteCallbacks, Repository};
use std::path::{Path, PathBuf};

/// What to follow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GitRef {
    /// A branch; `None`: the remote's default branch.
    Branch(Option<String>),
    Tag(String),
    /// A pinned commit (or anything `git rev-parse` understands).
    Rev(String),
}

#[derive(Clone, Debug)]
pub struct GitSource {
    pub url: String,
    pub reference: GitRef,
    /// `--path`: the stack's sub-directory in the repository.
    pub path: Option<PathBuf>,
    /// Where the clone lives.
    pub checkout: PathBuf,
    pub ssh_key: Option<PathBuf>,
}

/// A fetched and checked-out revision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitRevision {
    pub commit: String,
    /// The stack directory inside the checkout.
    pub dir: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("git {action} of {url} failed: {message}")]
    Git {
        action: &'static str,
        url: String,
        message: String,
    },
    #[error("{what} was not found in {url}")]
    NotFound { what: String, url: String },
    #[error("--path {0} is not a directory in the repository")]
    NoPath(String),
}

/// `https://user:token@host/x` → `https://***@host/x`, and the token itself wherever it
/// appears, so no credential reaches a log, the status or an error.
pub fn redact(text: &str) -> String {
    let mut out = text.to_string();
    if let Ok(token) = std::env::var("STACKC_GIT_TOKEN") {
        if !token.is_empty() {
            out = out.replace(&token, "***");
        }
    }
    // user:password@ in URLs.
    let mut result = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        result.push_str(head);
        let end = tail
            .find(|c: char| c == '/' || c.is_whitespace())
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => {
                result.push_str("***");
                result.push_str(&authority[at..]);
            }
            None => result.push_str(authority),
        }
        rest = &tail[end..];
    }
    result.push_str(rest);
    result
}

impl GitSource {
    fn err(&self, action: &'static str) -> impl Fn(git2::Error) -> GitError + '_ {
        move |e| GitError::Git {
            action,
            url: redact(&self.url),
            message: redact(e.message()),
        }
    }

    /// Fetches and checks out the followed revision.
    pub fn sync(&self) -> Result<GitRevision, GitError> {
        std::fs::create_dir_all(&self.checkout).map_err(|e| GitError::Git {
            action: "clone",
            url: redact(&self.url),
            message: format!("cannot create {}: {e}", self.checkout.display()),
        })?;
        let repo = match Repository::open(&self.checkout) {
            Ok(r) => r,
            Err(_) => Repository::init(&self.checkout).map_err(self.err("init"))?,
        };
        let mut remote = match repo.find_remote("origin") {
            Ok(r) if r.url() == Some(self.url.as_str()) => r,
            _ => {
                let _ = repo.remote_delete("origin");
                repo.remote("origin", &self.url)
                    .map_err(self.err("remote"))?
            }
        };
        let mut options = FetchOptions::new();
        options.remote_callbacks(self.callbacks());
        options.download_tags(git2::AutotagOption::All);
        // `+`: a force-pushed branch is followed, not refused.
        remote
            .fetch(
                &[
                    "+refs/heads/*:refs/remotes/origin/*",
                    "+refs/tags/*:refs/tags/*",
                ],
                Some(&mut options),
                None,
            )
            .map_err(self.err("fetch"))?;
        let commit = self.resolve(&repo, &mut remote)?;
        let object = repo
            .find_object(commit, None)
            .map_err(self.err("checkout"))?;
        let mut checkout = git2::build::CheckoutBuilder::new();
        checkout.force().remove_untracked(true);
        repo.checkout_tree(&object, Some(&mut checkout))
            .map_err(self.err("checkout"))?;
        repo.set_head_detached(commit)
            .map_err(self.err("checkout"))?;
        let dir = match &self.path {
            Some(p) => self.checkout.join(p),
            None => self.checkout.clone(),
        };
        if !dir.is_dir() {
            return Err(GitError::NoPath(
                self.path
                    .as_deref()
                    .map(Path::display)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            ));
        }
        Ok(GitRevision {
            commit: commit.to_string(),
            dir,
        })
    }

    fn resolve(
        &self,
        repo: &Repository,
        remote: &mut git2::Remote<'_>,
    ) -> Result<git2::Oid, GitError> {
        let not_found = |what: String| GitError::NotFound {
            what,
            url: redact(&self.url),
        };
        let peel = |name: &str| -> Result<git2::Oid, GitError> {
            let r = repo
                .revparse_single(name)
                .map_err(|_| not_found(name.to_string()))?;
            r.peel_to_commit()
                .map(|c| c.id())
                .map_err(|_| not_found(format!("a commit for {name}")))
        };
        match &self.reference {
            GitRef::Branch(Some(b)) => peel(&format!("refs/remotes/origin/{b}"))
                .map_err(|_| not_found(format!("branch `{b}`"))),
            GitRef::Branch(None) => {
                let default = self.default_branch(remote);
                match default {
                    Some(b) => peel(&format!("refs/remotes/origin/{b}")),
                    None => peel("refs/remotes/origin/main")
                        .or_else(|_| peel("refs/remotes/origin/master"))
                        .map_err(|_| not_found("a default branch".into())),
                }
            }
            GitRef::Tag(t) => {
                peel(&format!("refs/tags/{t}")).map_err(|_| not_found(format!("tag `{t}`")))
            }
            GitRef::Rev(r) => peel(r).map_err(|_| not_found(format!("revision `{r}`"))),
        }
    }

    /// The remote's HEAD branch, asked over a connection (a fetch does not record it).
    fn default_branch(&self, remote: &mut git2::Remote<'_>) -> Option<String> {
        let connection = remote
            .connect_auth(git2::Direction::Fetch, Some(self.callbacks()), None)
            .ok()?;
        let head = connection.default_branch().ok()?;
        let name = head.as_str()?.strip_prefix("refs/heads/")?.to_string();
        Some(name)
    }

    fn callbacks(&self) -> RemoteCallbacks<'_> {
        let mut callbacks = RemoteCallbacks::new();
        let mut tried = 0u32;
        callbacks.credentials(move |_url, username, allowed| {
            // libgit2 asks again after a refusal; stop instead of looping forever.
            tried += 1;
            if tried > 3 {
                return Err(git2::Error::from_str("authentication failed"));
            }
            if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
                if let Ok(token) = std::env::var("STACKC_GIT_TOKEN") {
                    let user = username.unwrap_or("x-access-token");
                    return Cred::userpass_plaintext(user, &token);
                }
            }
            if allowed.contains(CredentialType::SSH_KEY) {
                let user = username.unwrap_or("git");
                return match &self.ssh_key {
                    Some(key) => Cred::ssh_key(user, None, key, None),
                    None => Cred::ssh_key_from_agent(user),
                };
            }
            if allowed.contains(CredentialType::DEFAULT) {
                return Cred::default();
            }
            Err(git2::Error::from_str(
                "the remote needs credentials: set STACKC_GIT_TOKEN, or --ssh-key",
            ))
        });
        callbacks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_show() {
        assert_eq!(
            redact("fetch of https://bob:s3cret@git.example/x.git failed"),
            "fetch of https://***@git.example/x.git failed"
        );
        assert_eq!(redact("file:///srv/repo.git"), "file:///srv/repo.git");
    }
}
