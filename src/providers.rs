//! The providers the CLI can wire into the engine, behind one type. The engine's `Provider`
//! trait is used through generics (its methods return `impl Future`), so the choice made at
//! run time is an enum that delegates each call.

use stackc_engine::model::provider::{DockerSettings, NativeSettings};
use stackc_engine::model::{DesiredStack, ProviderSettings, ResourceKind};
use stackc_engine::provider::{
    Capabilities, DesiredObject, ExecIo, ExecRequest, Health, LogLines, LogOptions, ObservedObject,
    Progress, Provider, ProviderError,
};
use stackc_provider_docker::DockerProvider;
use stackc_provider_native::NativeProvider;
use std::collections::BTreeMap;

/// The provider a command runs against.
pub enum AnyProvider {
    Docker(DockerProvider),
    Native(NativeProvider),
}

/// Which provider a stack uses: `--provider` (or `STACKC_PROVIDER`), else the stack's
/// `provider` attribute, else `native`.
pub fn provider_name(cli: Option<&str>, stack: &DesiredStack) -> String {
    cli.map(str::to_string)
        .or_else(|| stack.provider.as_ref().map(|(p, _)| p.clone()))
        .unwrap_or_else(|| "native".to_string())
}

/// Connects to the provider `name` with the stack's `provider` block settings.
pub async fn connect(name: &str, stack: &DesiredStack) -> Result<AnyProvider, ProviderError> {
    match name {
        "docker" => {
            let settings = match stack.providers.get("docker") {
                Some(ProviderSettings::Docker(s)) => s.clone(),
                _ => DockerSettings::default(),
            };
            Ok(AnyProvider::Docker(
                DockerProvider::connect(&settings)
                    .await
                    .map_err(ProviderError::from)?,
            ))
        }
        "native" => {
            let settings = match stack.providers.get("native") {
                Some(ProviderSettings::Native(s)) => s.clone(),
                _ => NativeSettings::default(),
            };
            Ok(AnyProvider::Native(NativeProvider::from_settings(
                &settings,
            )?))
        }
        other => Err(ProviderError::Unsupported(format!(
            "the {other} provider is not available in this build; use --provider native \
             or --provider docker"
        ))),
    }
}

macro_rules! delegate {
    ($self:ident, $p:ident => $call:expr) => {
        match $self {
            AnyProvider::Docker($p) => $call,
            AnyProvider::Native($p) => $call,
        }
    };
}

impl Provider for AnyProvider {
    fn name(&self) -> &str {
        delegate!(self, p => p.name())
    }

    fn capabilities(&self) -> Capabilities {
        delegate!(self, p => p.capabilities())
    }

    async fn observe(&self, stack: &str) -> Result<Vec<ObservedObject>, ProviderError> {
        delegate!(self, p => p.observe(stack).await)
    }

    fn expected_live(&self, desired: &DesiredObject) -> BTreeMap<String, serde_json::Value> {
        delegate!(self, p => p.expected_live(desired))
    }

    fn forces_replacement(&self, kind: ResourceKind, path: &str) -> bool {
        delegate!(self, p => p.forces_replacement(kind, path))
    }

    async fn create(
        &self,
        desired: &DesiredObject,
        progress: &Progress,
    ) -> Result<ObservedObject, ProviderError> {
        delegate!(self, p => p.create(desired, progress).await)
    }

    async fn update(
        &self,
        current: &ObservedObject,
        desired: &DesiredObject,
        progress: &Progress,
    ) -> Result<ObservedObject, ProviderError> {
        delegate!(self, p => p.update(current, desired, progress).await)
    }

    async fn delete(&self, object: &ObservedObject) -> Result<(), ProviderError> {
        delegate!(self, p => p.delete(object).await)
    }

    async fn start(&self, object: &ObservedObject) -> Result<(), ProviderError> {
        delegate!(self, p => p.start(object).await)
    }

    async fn restart(&self, object: &ObservedObject) -> Result<(), ProviderError> {
        delegate!(self, p => p.restart(object).await)
    }

    async fn balance(
        &self,
        service: &DesiredObject,
        backends: &[ObservedObject],
    ) -> Result<(), ProviderError> {
        delegate!(self, p => p.balance(service, backends).await)
    }

    async fn rename(
        &self,
        object: &ObservedObject,
        new_name: &str,
    ) -> Result<ObservedObject, ProviderError> {
        delegate!(self, p => p.rename(object, new_name).await)
    }

    async fn health(&self, object: &ObservedObject) -> Result<Health, ProviderError> {
        delegate!(self, p => p.health(object).await)
    }

    async fn logs(
        &self,
        object: &ObservedObject,
        options: &LogOptions,
    ) -> Result<LogLines, ProviderError> {
        delegate!(self, p => p.logs(object, options).await)
    }

    async fn exec(
        &self,
        object: &ObservedObject,
        request: &ExecRequest,
        io: ExecIo,
    ) -> Result<i32, ProviderError> {
        delegate!(self, p => p.exec(object, request, io).await)
    }
}
