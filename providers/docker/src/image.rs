//! Images: every image object is a local image tagged `<runtime name>:<first 12 of the spec
//! hash>` and carrying the stack's labels. A registry or archive image is wrapped in a
//! one-line `FROM` build (which needs no network once the base is present), so it too
//! carries the labels; `dir` and `from_host` images are built `FROM scratch` from a context
//! assembled in memory; `build` images are Docker builds of the user's context.

use crate::{elf, DockerError, DockerProvider};
use bollard::body_full;
use bollard::query_parameters::{
    BuildImageOptions, CreateImageOptions, ImportImageOptions, RemoveImageOptions,
};
use futures::StreamExt;
use stackc_engine::model::image::{ImageSource, PullPolicy};
use stackc_engine::model::ResourceSpec;
use stackc_engine::provider::{DesiredObject, ObservedObject, Progress, LABEL_APPLIED};
use std::collections::HashMap;
use std::path::Path;

/// The tag of an image object: its runtime name (lowercased: Docker repositories are) and the
/// start of its spec hash, so a changed image is a new tag and unchanged inputs never
/// rebuild.
pub(crate) fn tag(runtime_name: &str, spec_hash: &str) -> String {
    let short: String = spec_hash.chars().take(12).collect();
    format!(
        "{}:{}",
        runtime_name.to_lowercase(),
        if short.is_empty() { "latest" } else { &short }
    )
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
    let mut context = Context::new();
    let mut dockerfile = String::new();
    let mut options = BuildImageOptions {
        t: Some(tag.clone()),
        rm: true,
        forcerm: true,
        ..Default::default()
    };
    match spec.source() {
        Some(ImageSource::Registry(reference)) => {
            ensure_present(p, reference, spec.pull_policy(), progress).await?;
            dockerfile.push_str(&format!("FROM {reference}\n"));
        }
        Some(ImageSource::Archive(archive)) => {
            let path = archive.resolve(&desired.stack_dir);
            let base = load(p, &path, progress).await?;
            dockerfile.push_str(&format!("FROM {base}\n"));
        }
        Some(ImageSource::Build(build)) => {
            // The user's build first, then the labelled wrapper below adds files and config.
            let base = format!("{tag}-build");
            let dir = build.context.resolve(&desired.stack_dir);
            let mut user = Context::new();
            user.add_dir("", &dir)?;
            let user_options = BuildImageOptions {
                t: Some(base.clone()),
                dockerfile: build.dockerfile().to_string(),
                target: build.target.clone().unwrap_or_default(),
                buildargs: build
                    .args
                    .as_ref()
                    .map(|a| a.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
                rm: true,
                forcerm: true,
                ..Default::default()
            };
            run_build(p, user_options, user.finish()?, progress).await?;
            dockerfile.push_str(&format!("FROM {base}\n"));
        }
        Some(ImageSource::Dir(dir)) => {
            context.add_dir("rootfs", &dir.resolve(&desired.stack_dir))?;
            dockerfile.push_str("FROM scratch\nCOPY rootfs/ /\n");
        }
        Some(ImageSource::FromHost(executables)) => {
            let paths: Vec<&Path> = executables.iter().map(|e| Path::new(e.as_str())).collect();
            for (path, bytes) in elf::closure(&paths)? {
                let mode = std::fs::metadata(&path)
                    .map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()))
                    .unwrap_or(0o755);
                context.add_file(&format!("rootfs{}", path.display()), &bytes, mode)?;
            }
            dockerfile.push_str("FROM scratch\nCOPY rootfs/ /\n");
        }
        None => return Err(DockerError::Unsupported("the image has no source".into())),
    }
    if let Some(files) = &spec.files {
        for (i, (target, source)) in files.iter().enumerate() {
            let path = source.resolve(&desired.stack_dir);
            let bytes = std::fs::read(&path).map_err(DockerError::io(&path))?;
            let mode = std::fs::metadata(&path)
                .map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()))
                .unwrap_or(0o644);
            let name = format!("files/{i}");
            context.add_file(&name, &bytes, mode)?;
            dockerfile.push_str(&format!("COPY {name} {}\n", json(target.as_str())));
        }
    }
    if let Some(c) = &spec.config {
        if let Some(e) = &c.entrypoint {
            dockerfile.push_str(&format!("ENTRYPOINT {}\n", json_list(e)));
        }
        if let Some(cmd) = &c.cmd {
            dockerfile.push_str(&format!("CMD {}\n", json_list(cmd)));
        }
        for (k, v) in c.env.iter().flatten() {
            dockerfile.push_str(&format!("ENV {k}={}\n", json(v)));
        }
        if let Some(w) = &c.workdir {
            dockerfile.push_str(&format!("WORKDIR {}\n", w.as_str()));
        }
        if let Some(u) = &c.user {
            dockerfile.push_str(&format!("USER {u}\n"));
        }
    }
    context.add_file("Dockerfile", dockerfile.as_bytes(), 0o644)?;
    let mut labels: HashMap<String, String> = desired
        .labels
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    labels.insert(LABEL_APPLIED.to_string(), desired.applied.clone());
    options.labels = Some(labels);
    options.dockerfile = "Dockerfile".to_string();
    run_build(p, options, context.finish()?, progress).await?;
    let inspected = p.docker.inspect_image(&tag).await?;
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

fn json(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

/// Pulls `reference` as `pull` says.
async fn ensure_present(
    p: &DockerProvider,
    reference: &str,
    pull: PullPolicy,
    progress: &Progress,
) -> Result<(), DockerError> {
    let present = p.docker.inspect_image(reference).await.is_ok();
    match (pull, present) {
        (PullPolicy::Missing, true) => return Ok(()),
        (PullPolicy::Never, true) => return Ok(()),
        (PullPolicy::Never, false) => {
            return Err(DockerError::failed(
                format!("image {reference}"),
                "is not present locally and pull = \"never\"; load it with `docker load` or \
                 `docker pull`, or allow pulling",
            ))
        }
        _ => {}
    }
    let mut stream = p.docker.create_image(
        Some(CreateImageOptions {
            from_image: Some(reference.to_string()),
            ..Default::default()
        }),
        None,
        None,
    );
    while let Some(info) = stream.next().await {
        let info =
            info.map_err(|e| DockerError::failed(format!("pulling {reference}"), e.to_string()))?;
        if let Some(detail) = info.error_detail.and_then(|d| d.message) {
            return Err(DockerError::failed(format!("pulling {reference}"), detail));
        }
        let (current, total) = info
            .progress_detail
            .map(|d| (d.current.map(|c| c as u64), d.total.map(|t| t as u64)))
            .unwrap_or((None, None));
        progress.report(
            format!(
                "pulling {reference}: {}",
                info.status.unwrap_or_default().to_lowercase()
            ),
            current,
            total,
        );
    }
    Ok(())
}

/// `docker load` of an archive; the loaded image's name or ID.
async fn load(p: &DockerProvider, path: &Path, progress: &Progress) -> Result<String, DockerError> {
    let bytes = tokio::fs::read(path).await.map_err(DockerError::io(path))?;
    progress.report(
        format!("loading {}", path.display()),
        None,
        Some(bytes.len() as u64),
    );
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
        let info = info.map_err(|e| {
            DockerError::failed(format!("loading {}", path.display()), e.to_string())
        })?;
        if let Some(text) = info.stream {
            for line in text.lines() {
                if let Some(name) = line
                    .strip_prefix("Loaded image: ")
                    .or_else(|| line.strip_prefix("Loaded image ID: "))
                {
                    loaded = Some(name.trim().to_string());
                }
            }
        }
    }
    loaded.ok_or_else(|| {
        DockerError::failed(
            format!("loading {}", path.display()),
            "the daemon loaded no image from it; is it a `docker save` or OCI archive?",
        )
    })
}

async fn run_build(
    p: &DockerProvider,
    options: BuildImageOptions,
    context: Vec<u8>,
    progress: &Progress,
) -> Result<(), DockerError> {
    let what = format!("building {}", options.t.clone().unwrap_or_default());
    let mut stream = p
        .docker
        .build_image(options, None, Some(body_full(context.into())));
    let mut last = String::new();
    while let Some(info) = stream.next().await {
        let info = info.map_err(|e| DockerError::failed(&what, e.to_string()))?;
        if let Some(e) = info.error_detail.and_then(|d| d.message) {
            return Err(DockerError::failed(
                &what,
                format!("{e} (last step: {last})"),
            ));
        }
        // Only the steps: the rest of a build's output is noise beside a progress line.
        if let Some(line) = info
            .stream
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            last = line.to_string();
        }
        if let Some(line) = info
            .stream
            .as_deref()
            .map(str::trim)
            .filter(|l| l.starts_with("Step "))
        {
            progress.report(format!("{what}: {line}"), None, None);
        }
    }
    Ok(())
}

/// A build context assembled in memory.
struct Context {
    builder: tar::Builder<Vec<u8>>,
}

impl Context {
    fn new() -> Context {
        let mut builder = tar::Builder::new(Vec::new());
        // Symbolic links stay links, as in the directory.
        builder.follow_symlinks(false);
        Context { builder }
    }

    fn add_file(&mut self, name: &str, bytes: &[u8], mode: u32) -> Result<(), DockerError> {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(mode & 0o7777);
        header.set_mtime(0);
        header.set_cksum();
        self.builder
            .append_data(&mut header, name.trim_start_matches('/'), bytes)
            .map_err(DockerError::io(Path::new(name)))
    }

    fn add_dir(&mut self, prefix: &str, dir: &Path) -> Result<(), DockerError> {
        if !dir.is_dir() {
            return Err(DockerError::Io {
                path: dir.display().to_string(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"),
            });
        }
        let name = if prefix.is_empty() { "." } else { prefix };
        self.builder
            .append_dir_all(name, dir)
            .map_err(DockerError::io(dir))
    }

    fn finish(self) -> Result<Vec<u8>, DockerError> {
        self.builder
            .into_inner()
            .map_err(DockerError::io(Path::new("build context")))
    }
}

/// Removes the image object's tags; an image still used by a container keeps its layers
/// until that container goes (see `container::delete`).
pub(crate) async fn delete(p: &DockerProvider, object: &ObservedObject) -> Result<(), DockerError> {
    let image = p.docker.inspect_image(&object.id).await?;
    let tags = image.repo_tags.unwrap_or_default();
    let targets: Vec<String> = if tags.is_empty() {
        vec![object.id.clone()]
    } else {
        tags
    };
    for t in targets {
        match p
            .docker
            .remove_image(
                &t,
                Some(RemoveImageOptions {
                    force: true,
                    ..Default::default()
                }),
                None,
            )
            .await
        {
            Ok(_) => {}
            Err(e) => {
                let e = DockerError::from(e);
                if e.status() != Some(404) {
                    return Err(e);
                }
            }
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
        .is_some_and(|l| l.contains_key(stackc_engine::provider::LABEL_STACK));
    if ours && image.repo_tags.unwrap_or_default().is_empty() {
        let _ = p
            .docker
            .remove_image(image_id, None::<RemoveImageOptions>, None)
            .await;
    }
}
