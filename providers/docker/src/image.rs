//! Images. Every image object is a local image tagged `<runtime name>:<first 12 hex of the
//! spec hash>` and carrying the stack's labels, so a changed image is a new tag and an
//! unchanged one is never rebuilt.
//!
//! - `ref`: pulled as `pull` says, then wrapped in a `FROM <ref>` build that adds the labels
//!   (and `files`/`config`); Docker's classic builder needs no network for that once the
//!   base is present.
//! - `archive`: `docker load`, then wrapped the same way.
//! - `build`: a Docker build of the context directory (`.dockerignore` honoured) with the
//!   labels; wrapped only when `files` or `config` add to it.
//! - `dir` and `from_host`: `FROM scratch` and one `COPY` of a tree assembled in memory.

use crate::context::{Context, Ignore};
use crate::error::daemon_message;
use crate::{labels, observe, DockerError, DockerProvider};
use bollard::body_full;
use bollard::query_parameters::{
    BuildImageOptions, CreateImageOptions, ImportImageOptions, ListContainersOptions,
    RemoveImageOptions,
};
use futures::StreamExt;
use stackc_engine::model::image::{ImageSource, ImageSpec, PullPolicy};
use stackc_engine::model::{ResourceKind, ResourceSpec};
use stackc_engine::provider::{DesiredObject, ObservedObject, Progress, LABEL_STACK};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// The tag of an image object: its runtime name (lowercased: Docker repositories are) and
/// the start of its spec hash.
pub(crate) fn tag(runtime_name: &str, spec_hash: &str) -> String {
    let short: String = spec_hash.chars().take(12).collect();
    format!(
        "{}:{}",
        runtime_name.to_lowercase(),
        if short.is_empty() { "latest" } else { &short }
    )
}

/// A word for a Dockerfile instruction that substitutes variables (`COPY`, `ENV`, `WORKDIR`,
/// `USER`): `\` and `$` escaped, so that what the spec says is what the image gets.
fn literal(what: &str, s: &str) -> Result<String, DockerError> {
    if s.chars().any(char::is_control) {
        return Err(DockerError::failed(
            what,
            "a control character (a newline) cannot be written into a Dockerfile",
        ));
    }
    Ok(s.replace('\\', r"\\").replace('$', r"\$"))
}

fn json(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

fn json_list(items: &[String]) -> String {
    serde_json::Value::from(items.to_vec()).to_string()
}

fn mode_of(path: &Path, default: u32) -> u32 {
    std::fs::metadata(path)
        .map(|m| m.permissions().mode())
        .unwrap_or(default)
}

/// The Dockerfile lines for `files` and `config`, with the files added to `context`: in the
/// `rootfs` tree of a scratch image (one layer), else one `COPY` each, so that copying never
/// touches the base's directories (a `/tmp` keeps its mode).
fn additions(
    spec: &ImageSpec,
    desired: &DesiredObject,
    context: &mut Context,
    rootfs: bool,
) -> Result<String, DockerError> {
    let mut lines = String::new();
    for (i, (target, source)) in spec.files.iter().flatten().enumerate() {
        let path = source.resolve(&desired.stack_dir);
        let bytes = std::fs::read(&path).map_err(DockerError::io(&path))?;
        let mode = mode_of(&path, 0o644);
        if rootfs {
            context.add_file(&format!("rootfs{}", target.as_str()), &bytes, mode)?;
        } else {
            let name = format!("files/{i}");
            context.add_file(&name, &bytes, mode)?;
            let to = literal(target.as_str(), target.as_str())?;
            let _ = writeln!(lines, "COPY [{}, {}]", json(&name), json(&to));
        }
    }
    let Some(c) = &spec.config else {
        return Ok(lines);
    };
    // Exec forms: Docker substitutes nothing in them.
    if let Some(e) = &c.entrypoint {
        let _ = writeln!(lines, "ENTRYPOINT {}", json_list(e));
    }
    if let Some(cmd) = &c.cmd {
        let _ = writeln!(lines, "CMD {}", json_list(cmd));
    }
    for (k, v) in c.env.iter().flatten() {
        let value = literal(&format!("config.env.{k}"), v)?.replace('"', "\\\"");
        let _ = writeln!(lines, "ENV {k}=\"{value}\"");
    }
    if let Some(w) = &c.workdir {
        let _ = writeln!(lines, "WORKDIR {}", literal("config.workdir", w.as_str())?);
    }
    if let Some(u) = &c.user {
        let _ = writeln!(lines, "USER {}", literal("config.user", u)?);
    }
    Ok(lines)
}

pub(crate) async fn create(
    p: &DockerProvider,
    desired: &DesiredObject,
    progress: &Progress,
) -> Result<ObservedObject, DockerError> {
    let ResourceSpec::Image(spec) = &desired.spec else {
        return Err(DockerError::Unsupported("not an image".into()));
    };
    let tag = tag(&desired.runtime_name, &desired.spec_hash);
    let labels = labels::of(desired, None);
    let mut context = Context::new();
    let source = spec
        .source()
        .ok_or_else(|| DockerError::Unsupported("the image has no source".into()))?;
    let scratch = matches!(source, ImageSource::FromHost(_));
    let added = additions(spec, desired, &mut context, scratch)?;
    let mut dockerfile = String::new();
    match source {
        ImageSource::Registry(reference) => {
            ensure_present(p, reference, spec.pull_policy(), progress).await?;
            let _ = writeln!(dockerfile, "FROM {reference}");
        }
        ImageSource::Archive(archive) => {
            let base = load(p, &archive.resolve(&desired.stack_dir), progress).await?;
            let _ = writeln!(dockerfile, "FROM {base}");
        }
        ImageSource::Build(build) => {
            let dir = build.context.resolve(&desired.stack_dir);
            let ignore = Ignore::of(&dir);
            let mut user = Context::new();
            user.add_dir("", &dir, &ignore)?;
            // The Dockerfile is always sent, as the docker CLI does, whatever the ignore
            // file says.
            let dockerfile_path = dir.join(build.dockerfile());
            if ignore.excludes(build.dockerfile()) {
                let bytes =
                    std::fs::read(&dockerfile_path).map_err(DockerError::io(&dockerfile_path))?;
                user.add_file(build.dockerfile(), &bytes, 0o644)?;
            }
            let wrapped = !added.is_empty();
            let options = BuildImageOptions {
                // Untagged when wrapped: the wrapper's parent, removed with it.
                t: (!wrapped).then(|| tag.clone()),
                dockerfile: build.dockerfile().to_string(),
                target: build.target.clone().unwrap_or_default(),
                buildargs: build
                    .args
                    .as_ref()
                    .map(|a| a.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
                labels: Some(labels.clone()),
                rm: true,
                forcerm: true,
                ..Default::default()
            };
            let what = format!("building {tag} from {}", build.context.as_str());
            let id = run_build(p, &what, options, user.finish()?, progress).await?;
            if !wrapped {
                return made(p, desired, &tag).await;
            }
            let _ = writeln!(dockerfile, "FROM {id}");
        }
        ImageSource::Dir(dir) => {
            let dir = dir.resolve(&desired.stack_dir);
            context.add_dir("rootfs", &dir, &Ignore::default())?;
            dockerfile.push_str("FROM scratch\nCOPY rootfs/ /\n");
        }
        ImageSource::FromHost(executables) => {
            let paths: Vec<&Path> = executables.iter().map(|e| Path::new(e.as_str())).collect();
            let files = stackc_hostfiles::closure(&paths)
                .map_err(|e| DockerError::failed("from_host", e.to_string()))?;
            for (path, mode) in files {
                let bytes = std::fs::read(&path).map_err(DockerError::io(&path))?;
                context.add_file(&format!("rootfs{}", path.display()), &bytes, mode)?;
            }
            dockerfile.push_str("FROM scratch\nCOPY rootfs/ /\n");
        }
    }
    dockerfile.push_str(&added);
    context.add_file("Dockerfile", dockerfile.as_bytes(), 0o644)?;
    let options = BuildImageOptions {
        t: Some(tag.clone()),
        dockerfile: "Dockerfile".to_string(),
        labels: Some(labels),
        rm: true,
        forcerm: true,
        ..Default::default()
    };
    let what = format!("building {tag}");
    run_build(p, &what, options, context.finish()?, progress).await?;
    made(p, desired, &tag).await
}

async fn made(
    p: &DockerProvider,
    desired: &DesiredObject,
    tag: &str,
) -> Result<ObservedObject, DockerError> {
    let inspected = p.docker.inspect_image(tag).await?;
    Ok(ObservedObject {
        address: desired.address.clone(),
        kind: desired.kind,
        id: inspected.id.unwrap_or_default(),
        runtime_name: desired.runtime_name.to_lowercase(),
        spec_hash: Some(desired.spec_hash.clone()),
        labels: desired.labels.clone(),
        applied: Some(desired.applied.clone()),
        ..ObservedObject::default()
    })
}

/// Pulls `reference` as `pull` says, reporting the daemon's progress.
pub(crate) async fn ensure_present(
    p: &DockerProvider,
    reference: &str,
    pull: PullPolicy,
    progress: &Progress,
) -> Result<(), DockerError> {
    let present = p.docker.inspect_image(reference).await.is_ok();
    match (pull, present) {
        (PullPolicy::Missing | PullPolicy::Never, true) => return Ok(()),
        (PullPolicy::Never, false) => {
            return Err(DockerError::failed(
                format!("image {reference}"),
                "is not present locally and pull = \"never\"; load it with `docker load` or \
                 `docker pull`, or allow pulling",
            ))
        }
        _ => {}
    }
    let what = format!("pulling {reference}");
    let mut stream = p.docker.create_image(
        Some(CreateImageOptions {
            from_image: Some(reference.to_string()),
            ..Default::default()
        }),
        None,
        None,
    );
    while let Some(info) = stream.next().await {
        let info = info.map_err(|e| DockerError::failed(&what, daemon_message(&e)))?;
        if let Some(detail) = info.error_detail.and_then(|d| d.message) {
            return Err(DockerError::failed(&what, detail));
        }
        let (current, total) = info
            .progress_detail
            .map(|d| {
                (
                    d.current.and_then(|c| u64::try_from(c).ok()),
                    d.total.and_then(|t| u64::try_from(t).ok()),
                )
            })
            .unwrap_or((None, None));
        let status = info.status.unwrap_or_default().to_lowercase();
        progress.report(format!("{what}: {status}"), current, total);
    }
    Ok(())
}

/// `docker load` of an archive; the loaded image's name or ID.
async fn load(p: &DockerProvider, path: &Path, progress: &Progress) -> Result<String, DockerError> {
    let bytes = tokio::fs::read(path).await.map_err(DockerError::io(path))?;
    let what = format!("loading {}", path.display());
    progress.report(&what, None, Some(bytes.len() as u64));
    let mut stream = p.docker.import_image(
        ImportImageOptions {
            quiet: true,
            ..Default::default()
        },
        body_full(bytes.into()),
        None,
    );
    let mut loaded = None;
    while let Some(info) = stream.next().await {
        let info = info.map_err(|e| DockerError::failed(&what, daemon_message(&e)))?;
        if let Some(m) = info.error_detail.and_then(|d| d.message) {
            return Err(DockerError::failed(&what, m));
        }
        for line in info.stream.iter().flat_map(|t| t.lines()) {
            if let Some(name) = line
                .strip_prefix("Loaded image: ")
                .or_else(|| line.strip_prefix("Loaded image ID: "))
            {
                loaded = Some(name.trim().to_string());
            }
        }
    }
    loaded.ok_or_else(|| {
        DockerError::failed(
            &what,
            "the daemon loaded no image from it; is it a `docker save` archive?",
        )
    })
}

/// A classic-builder build; the built image's ID. A failed step is reported with the
/// daemon's message and the step it failed at.
async fn run_build(
    p: &DockerProvider,
    what: &str,
    options: BuildImageOptions,
    context: Vec<u8>,
    progress: &Progress,
) -> Result<String, DockerError> {
    let mut stream = p
        .docker
        .build_image(options, None, Some(body_full(context.into())));
    let mut step = String::new();
    let mut id = None;
    while let Some(info) = stream.next().await {
        let failed = |message: &str, step: &str| {
            let at = if step.is_empty() {
                String::new()
            } else {
                format!(" (at {step})")
            };
            DockerError::failed(what, format!("{}{at}", message.trim()))
        };
        let info = info.map_err(|e| failed(&daemon_message(&e), &step))?;
        if let Some(e) = info.error_detail.and_then(|d| d.message) {
            return Err(failed(&e, &step));
        }
        if let Some(aux) = info.aux.and_then(|a| a.id) {
            id = Some(aux);
        }
        for line in info.stream.iter().flat_map(|s| s.lines()).map(str::trim) {
            // Only the steps: the rest of a build's output is noise beside a progress line.
            if line.starts_with("Step ") {
                step = line.to_string();
                progress.report(format!("{what}: {line}"), None, None);
            } else if let Some(built) = line.strip_prefix("Successfully built ") {
                id.get_or_insert_with(|| built.trim().to_string());
            }
        }
    }
    id.ok_or_else(|| DockerError::failed(what, "the daemon did not say which image it built"))
}

/// Removes the image object's tags, and the image with them unless a container outside the
/// stack still uses it (then only a tag the image has besides is dropped, and the daemon's
/// refusal says which container holds it). A container of the stack that still uses it is
/// about to go: the image is then forced, and its layers stay until that container goes
/// (see [`remove_if_dangling`]).
pub(crate) async fn delete(p: &DockerProvider, object: &ObservedObject) -> Result<(), DockerError> {
    let image = p.docker.inspect_image(&object.id).await?;
    let stack = object.labels.get(LABEL_STACK).cloned().unwrap_or_default();
    let users = p
        .docker
        .list_containers(Some(ListContainersOptions {
            all: true,
            filters: Some(HashMap::from([(
                "ancestor".to_string(),
                vec![object.id.clone()],
            )])),
            ..Default::default()
        }))
        .await?;
    // A container of the stack carries the stack's label and a container's address; one
    // that only inherited the image's labels has the image's address.
    let foreign = users.iter().any(|c| {
        let labels = c.labels.clone().unwrap_or_default();
        c.image_id.as_deref() == Some(object.id.as_str())
            && !(labels.get(LABEL_STACK) == Some(&stack)
                && observe::is_address_of(&labels, ResourceKind::Container))
    });
    let tags = image.repo_tags.unwrap_or_default();
    let targets = if tags.is_empty() {
        vec![object.id.clone()]
    } else {
        tags
    };
    for t in targets {
        let removed = p
            .docker
            .remove_image(
                &t,
                Some(RemoveImageOptions {
                    force: !foreign,
                    ..Default::default()
                }),
                None,
            )
            .await;
        match removed.map_err(DockerError::from) {
            Ok(_) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) if e.status() == Some(409) => {
                return Err(DockerError::failed(
                    format!("removing image {t}"),
                    format!("{e} (a container outside the stack uses it; remove that first)"),
                ))
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// After a container goes: its image, if it is a stackc image no tag names any more.
pub(crate) async fn remove_if_dangling(p: &DockerProvider, image_id: &str) {
    let Ok(image) = p.docker.inspect_image(image_id).await else {
        return;
    };
    let ours = image
        .config
        .and_then(|c| c.labels)
        .is_some_and(|l| l.contains_key(LABEL_STACK));
    if ours && image.repo_tags.unwrap_or_default().is_empty() {
        // Another container may still use it; then the daemon refuses and it stays.
        let _ = p
            .docker
            .remove_image(image_id, None::<RemoveImageOptions>, None)
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_the_name_and_the_hash() {
        assert_eq!(tag("Shop-Web", "0123456789abcdef"), "shop-web:0123456789ab");
        assert_eq!(tag("x", ""), "x:latest");
    }

    #[test]
    fn dockerfile_words_are_taken_literally() {
        assert_eq!(literal("w", r"/srv/$HOME\x").unwrap(), r"/srv/\$HOME\\x");
        assert!(literal("w", "a\nb").is_err());
    }
}
