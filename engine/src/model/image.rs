//! `image`: an image from a registry, built by Docker, made from a directory or an archive, or
//! assembled from host executables (LANGUAGE.md §5 image).

use super::check::Check;
use super::domain::{AbsolutePath, StackPath};
use serde::{Deserialize, Serialize};
use stackc_lang::diag::code;
use std::collections::BTreeMap;

/// `pull`: when to pull a registry image.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PullPolicy {
    /// Pull when the image is not present locally.
    #[default]
    Missing,
    Always,
    Never,
}

/// An `image` block.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename = "image")]
pub struct ImageSpec {
    /// A registry reference, `"redis:7-alpine"`.
    #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull: Option<PullPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<BuildSpec>,
    /// A directory that becomes one layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<StackPath>,
    /// A `docker save` or OCI archive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive: Option<StackPath>,
    /// Host executables, copied with their shared libraries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_host: Option<Vec<AbsolutePath>>,
    /// Extra files: image path = stack path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<BTreeMap<AbsolutePath, StackPath>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<ImageConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The `build` block: an image built by Docker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "build")]
pub struct BuildSpec {
    pub context: StackPath,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dockerfile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

impl BuildSpec {
    pub fn dockerfile(&self) -> &str {
        self.dockerfile.as_deref().unwrap_or("Dockerfile")
    }
}

/// The `config` block: the image's defaults for containers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename = "config")]
pub struct ImageConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workdir: Option<AbsolutePath>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

/// Where an image comes from: exactly one per image.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ImageSource<'a> {
    Registry(&'a str),
    Build(&'a BuildSpec),
    Dir(&'a StackPath),
    Archive(&'a StackPath),
    FromHost(&'a [AbsolutePath]),
}

impl ImageSource<'_> {
    /// The attribute or block that sets this source.
    pub fn attribute(&self) -> &'static str {
        match self {
            ImageSource::Registry(_) => "ref",
            ImageSource::Build(_) => "build",
            ImageSource::Dir(_) => "dir",
            ImageSource::Archive(_) => "archive",
            ImageSource::FromHost(_) => "from_host",
        }
    }
}

/// The attributes that each give an image its source.
pub const SOURCES: &[&str] = &["ref", "build", "dir", "archive", "from_host"];

impl ImageSpec {
    /// Every source that is set, in [`SOURCES`] order.
    pub fn sources(&self) -> Vec<ImageSource<'_>> {
        let mut out = Vec::with_capacity(1);
        if let Some(r) = &self.reference {
            out.push(ImageSource::Registry(r));
        }
        if let Some(b) = &self.build {
            out.push(ImageSource::Build(b));
        }
        if let Some(d) = &self.dir {
            out.push(ImageSource::Dir(d));
        }
        if let Some(a) = &self.archive {
            out.push(ImageSource::Archive(a));
        }
        if let Some(h) = &self.from_host {
            out.push(ImageSource::FromHost(h));
        }
        out
    }

    /// The image's source (after a successful decode there is exactly one).
    pub fn source(&self) -> Option<ImageSource<'_>> {
        self.sources().into_iter().next()
    }

    pub fn pull_policy(&self) -> PullPolicy {
        self.pull.unwrap_or_default()
    }

    pub(crate) fn check(&self, cx: &mut Check<'_>) {
        let sources = self.sources();
        match sources.as_slice() {
            [] => cx.error(
                code::MISSING_ATTRIBUTE,
                "",
                format!("{} has no source", cx.what),
                "an image has exactly one source: set one of ref, build, dir, archive or from_host",
            ),
            [_] => {}
            [first, rest @ ..] => {
                for s in rest {
                    let first_span = cx.key_span(first.attribute());
                    let d = cx.diagnostic(
                        code::TYPE,
                        s.attribute(),
                        format!(
                            "{} has both `{}` and `{}`",
                            cx.what,
                            first.attribute(),
                            s.attribute()
                        ),
                        "an image has exactly one source: ref, build, dir, archive or from_host",
                    );
                    cx.push(d.and_label(first_span, "first source"));
                }
            }
        }
        if let Some(h) = &self.from_host {
            if h.is_empty() {
                cx.error(
                    code::TYPE,
                    "from_host",
                    "`from_host` lists no executables",
                    "list the host executables to copy, like [\"/usr/bin/python3\"]",
                );
            }
        }
        if let Some(r) = &self.reference {
            if r.is_empty() || r.chars().any(char::is_whitespace) {
                cx.error(
                    code::TYPE,
                    "ref",
                    format!("invalid image reference {}", stackc_lang::value::quote(r)),
                    "write a registry reference like \"redis:7-alpine\"",
                );
            }
        }
    }
}
