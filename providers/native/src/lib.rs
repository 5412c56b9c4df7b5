//! The native provider: a daemonless container runtime (ARCHITECTURE.md, "The native
//! runtime"). Images are layers in a content-addressed store; a container is an overlay root,
//! new namespaces, a cgroup and a seccomp-filtered, capability-reduced process, supervised by
//! its own detached shim (`stackc shim`). Records are files under the root; `observe` reads
//! them, so nothing but the store knows what exists.
//!
//! Modules: [`store`] (layout, atomic records), [`image`] (layers, `dir`, `from_host`,
//! `archive`), [`container`] (one file per operation), [`volume`], [`quota`], [`cgroup`]
//! (v1 and v2), [`shim`] (supervision; the container's child side in `shim::child`,
//! `shim::rootfs`, `shim::security`, `shim::seccomp`), [`nsenter`] (exec into a container),
//! [`logfile`], [`sys`] (every raw system call).

pub mod cgroup;
pub mod container;
pub mod error;
pub mod image;
pub mod logfile;
pub mod netcmd;
pub mod network;
pub mod nsenter;
pub mod quota;
pub mod shim;
pub mod store;
pub mod sys;
pub mod volume;

pub use error::NativeError;
pub use shim::{shim_main, shim_main_args};

use cgroup::Cgroups;
use stackc_engine::model::provider::NativeSettings;
use stackc_engine::model::{ResourceKind, ResourceSpec};
use stackc_engine::provider::{
    Capabilities, DesiredObject, ExecIo, ExecRequest, Feature, Health, LogLines, LogOptions,
    ObservedObject, Progress, Provider, ProviderError,
};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use store::Store;

/// How to start a container's shim: `<program> <args…> --root <root> <id>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShimCommand {
    pub program: PathBuf,
    pub args: Vec<OsString>,
}

impl ShimCommand {
    /// The running executable's hidden subcommand: `stackc shim`.
    pub fn current_exe() -> Result<ShimCommand, ProviderError> {
        let program = std::env::current_exe().map_err(|e| {
            ProviderError::Unavailable(format!("cannot find the stackc executable: {e}"))
        })?;
        Ok(ShimCommand {
            program,
            args: vec![OsString::from("shim")],
        })
    }
}

/// The provider's settings.
#[derive(Clone, Debug)]
pub struct NativeConfig {
    /// The store (`/var/lib/stackc/native` by default).
    pub root: PathBuf,
    pub shim: ShimCommand,
    /// The cgroup hierarchies to use; `None`: the machine's, detected (v1 controllers when
    /// any are mounted, else the unified hierarchy).
    pub cgroups: Option<Cgroups>,
}

/// The native runtime.
pub struct NativeProvider {
    store: Store,
    cgroups: Cgroups,
    shim: ShimCommand,
}

/// Runs blocking work (file and process operations) off the async executor.
async fn blocking<T: Send + 'static>(
    what: &str,
    f: impl FnOnce() -> Result<T, NativeError> + Send + 'static,
) -> Result<T, ProviderError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(|e| e.into_provider(what)),
        Err(e) => Err(ProviderError::Runtime(format!("{what}: {e}"))),
    }
}

impl NativeProvider {
    /// Opens the store; fails with what is needed when not running as root.
    pub fn new(config: NativeConfig) -> Result<NativeProvider, ProviderError> {
        let uid = sys::effective_uid();
        if uid != 0 {
            return Err(NativeError::NotRoot { uid }.into_provider("the native provider"));
        }
        let store = Store::open(&config.root).map_err(|e| e.into_provider("the native store"))?;
        let cgroups = match config.cgroups {
            Some(c) => c,
            None => Cgroups::detect().map_err(|e| e.into_provider("cgroups"))?,
        };
        Ok(NativeProvider {
            store,
            cgroups,
            shim: config.shim,
        })
    }

    /// From a stack's `provider "native"` block, with the shim as `stackc shim`.
    pub fn from_settings(settings: &NativeSettings) -> Result<NativeProvider, ProviderError> {
        NativeProvider::new(NativeConfig {
            root: PathBuf::from(settings.root()),
            shim: ShimCommand::current_exe()?,
            cgroups: None,
        })
    }

    pub fn root(&self) -> &Path {
        self.store.root()
    }
}

impl Provider for NativeProvider {
    fn name(&self) -> &str {
        "native"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            kinds: [
                ResourceKind::Image,
                ResourceKind::Container,
                ResourceKind::Network,
                ResourceKind::Volume,
                ResourceKind::Quota,
            ]
            .into_iter()
            .collect(),
            features: [
                Feature::Quotas,
                Feature::QuotaEnforcement,
                Feature::HealthChecks,
                Feature::ServiceLoadBalancing,
            ]
            .into_iter()
            .collect(),
        }
    }

    async fn observe(&self, stack: &str) -> Result<Vec<ObservedObject>, ProviderError> {
        let (store, cgroups, stack) = (self.store.clone(), self.cgroups.clone(), stack.to_string());
        blocking("observe", move || {
            let mut out = image::observe(&store, &stack)?;
            out.extend(volume::observe(&store, &stack)?);
            out.extend(network::observe(&store, &stack)?);
            out.extend(quota::observe(&store, &stack)?);
            out.extend(container::observe::observe(&store, &cgroups, &stack)?);
            Ok(out)
        })
        .await
    }

    async fn create(
        &self,
        desired: &DesiredObject,
        progress: &Progress,
    ) -> Result<ObservedObject, ProviderError> {
        let (store, cgroups, d, progress) = (
            self.store.clone(),
            self.cgroups.clone(),
            desired.clone(),
            progress.clone(),
        );
        let address = desired.address.clone();
        blocking(&address, move || match &d.spec {
            ResourceSpec::Image(_) => image::create(&store, &d, &progress),
            ResourceSpec::Container(_) => {
                container::create::create(&store, &cgroups, &d, &progress)
            }
            ResourceSpec::Volume(_) => volume::create(&store, &d),
            ResourceSpec::Network(_) => network::create(&store, &d),
            ResourceSpec::Quota(_) => quota::create(&store, &cgroups, &d),
            other => Err(NativeError::Unsupported(format!(
                "the native provider cannot make {} objects yet",
                other.kind()
            ))),
        })
        .await
    }

    async fn update(
        &self,
        current: &ObservedObject,
        desired: &DesiredObject,
        _progress: &Progress,
    ) -> Result<ObservedObject, ProviderError> {
        let (store, cgroups, d, id) = (
            self.store.clone(),
            self.cgroups.clone(),
            desired.clone(),
            current.id.clone(),
        );
        let current = current.clone();
        blocking(&desired.address, move || match &d.spec {
            ResourceSpec::Container(_) => container::update::update(&store, &cgroups, &id, &d),
            ResourceSpec::Quota(_) => quota::update(&store, &cgroups, &d),
            // Every other attribute of these kinds replaces; nothing changes in place.
            _ => Ok(current),
        })
        .await
    }

    async fn delete(&self, object: &ObservedObject) -> Result<(), ProviderError> {
        let (store, cgroups, o) = (self.store.clone(), self.cgroups.clone(), object.clone());
        blocking(&object.address, move || match o.kind {
            ResourceKind::Container => container::delete::delete(&store, &cgroups, &o.id),
            ResourceKind::Image => image::delete(&store, &o),
            ResourceKind::Volume => volume::delete(&store, &o),
            ResourceKind::Network => network::delete(&store, &o),
            ResourceKind::Quota => quota::delete(&store, &cgroups, &o),
            other => Err(NativeError::Unsupported(format!(
                "the native provider has no {other} objects"
            ))),
        })
        .await
    }

    async fn start(&self, object: &ObservedObject) -> Result<(), ProviderError> {
        if object.kind != ResourceKind::Container {
            return Err(ProviderError::Unsupported(format!(
                "a {} cannot be started",
                object.kind
            )));
        }
        let (store, cgroups, shim, id) = (
            self.store.clone(),
            self.cgroups.clone(),
            self.shim.clone(),
            object.id.clone(),
        );
        blocking(&object.address, move || {
            container::start::start(&store, &cgroups, &shim, &id)
        })
        .await
    }

    async fn rename(
        &self,
        object: &ObservedObject,
        new_name: &str,
    ) -> Result<ObservedObject, ProviderError> {
        let (store, id, name) = (self.store.clone(), object.id.clone(), new_name.to_string());
        blocking(&object.address, move || {
            container::rename::rename(&store, &id, &name)
        })
        .await?;
        Ok(ObservedObject {
            runtime_name: new_name.to_string(),
            ..object.clone()
        })
    }

    async fn balance(
        &self,
        service: &DesiredObject,
        backends: &[ObservedObject],
    ) -> Result<(), ProviderError> {
        let (store, service, ids) = (
            self.store.clone(),
            service.clone(),
            backends.iter().map(|b| b.id.clone()).collect::<Vec<_>>(),
        );
        let address = service.address.clone();
        blocking(&address, move || {
            container::netns::balance(&store, &service, &ids)
        })
        .await
    }

    async fn health(&self, object: &ObservedObject) -> Result<Health, ProviderError> {
        if object.kind != ResourceKind::Container {
            return Ok(Health::None);
        }
        let (store, id) = (self.store.clone(), object.id.clone());
        blocking(&object.address, move || {
            container::observe::health(&store, &id)
        })
        .await
    }

    async fn logs(
        &self,
        object: &ObservedObject,
        options: &LogOptions,
    ) -> Result<LogLines, ProviderError> {
        let dir = self.store.container(&object.id);
        if !dir.is_dir() {
            return Err(ProviderError::NotFound(object.address.clone()));
        }
        Ok(logfile::read(&dir, options))
    }

    async fn exec(
        &self,
        object: &ObservedObject,
        request: &ExecRequest,
        io: ExecIo,
    ) -> Result<i32, ProviderError> {
        container::exec::exec(
            self.store.clone(),
            self.cgroups.clone(),
            object.id.clone(),
            request.clone(),
            io,
        )
        .await
        .map_err(|e| e.into_provider(&object.address))
    }
}

impl NativeProvider {
    /// Stops a running container (the engine has no stop operation; tests and `destroy`
    /// reach it through `delete`).
    pub async fn stop(&self, object: &ObservedObject) -> Result<(), ProviderError> {
        let (store, cgroups, id) = (self.store.clone(), self.cgroups.clone(), object.id.clone());
        blocking(&object.address, move || {
            container::stop::stop(&store, &cgroups, &id)
        })
        .await
    }
}
