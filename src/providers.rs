//! The providers the CLI can wire into the engine, behind one type. The engine's `Provider`
//! trait is used through generics (its methods return `impl Future`), so the choice made at
//! run time is an enum that delegates each call.
//!
//! No provider is built in yet: the Docker and native providers land next, each as a variant.

use stackc_engine::model::{DesiredStack, ResourceKind};
use stackc_engine::provider::{
    Capabilities, DesiredObject, ExecIo, ExecRequest, Health, LogLines, LogOptions, ObservedObject,
    Progress, Provider, ProviderError,
};
use std::collections::BTreeMap;

/// The provider a command runs against.
pub enum AnyProvider {}

/// Which provider a stack uses: `--provider` (or `STACKC_PROVIDER`), else the stack's
/// `provider` attribute, else `native`.
pub fn provider_name(cli: Option<&str>, stack: &DesiredStack) -> String {
    cli.map(str::to_string)
        .or_else(|| stack.provider.as_ref().map(|(p, _)| p.clone()))
        .unwrap_or_else(|| "native".to_string())
}

/// Connects to the provider `name` with the stack's `provider` block settings.
pub async fn connect(name: &str, _stack: &DesiredStack) -> Result<AnyProvider, ProviderError> {
    Err(ProviderError::Unsupported(format!(
        "the {name} provider is not available in this build yet"
    )))
}

macro_rules! delegate {
    ($self:ident, $p:ident => $call:expr) => {
        match *$self {}
    };
}

impl Provider for AnyProvider {
    fn name(&self) -> &str {
        delegate!(self, p => p.name())
    }

    fn capabilities(&self) -> Capabilities {
        delegate!(self, p => p.capabilities())
    }

    async fn observe(&self, _stack: &str) -> Result<Vec<ObservedObject>, ProviderError> {
        delegate!(self, p => p.observe(stack).await)
    }

    fn expected_live(&self, _desired: &DesiredObject) -> BTreeMap<String, serde_json::Value> {
        delegate!(self, p => p.expected_live(desired))
    }

    fn forces_replacement(&self, _kind: ResourceKind, _path: &str) -> bool {
        delegate!(self, p => p.forces_replacement(kind, path))
    }

    async fn create(
        &self,
        _desired: &DesiredObject,
        _progress: &Progress,
    ) -> Result<ObservedObject, ProviderError> {
        delegate!(self, p => p.create(desired, progress).await)
    }

    async fn update(
        &self,
        _current: &ObservedObject,
        _desired: &DesiredObject,
        _progress: &Progress,
    ) -> Result<ObservedObject, ProviderError> {
        delegate!(self, p => p.update(current, desired, progress).await)
    }

    async fn delete(&self, _object: &ObservedObject) -> Result<(), ProviderError> {
        delegate!(self, p => p.delete(object).await)
    }

    async fn start(&self, _object: &ObservedObject) -> Result<(), ProviderError> {
        delegate!(self, p => p.start(object).await)
    }

    async fn health(&self, _object: &ObservedObject) -> Result<Health, ProviderError> {
        delegate!(self, p => p.health(object).await)
    }

    async fn logs(
        &self,
        _object: &ObservedObject,
        _options: &LogOptions,
    ) -> Result<LogLines, ProviderError> {
        delegate!(self, p => p.logs(object, options).await)
    }

    async fn exec(
        &self,
        _object: &ObservedObject,
        _request: &ExecRequest,
        _io: ExecIo,
    ) -> Result<i32, ProviderError> {
        delegate!(self, p => p.exec(object, request, io).await)
    }
}
