//! What every command that talks to a provider does first: load and check the stack, build
//! its graph, take the stack's lock, read its key and connect to the provider.

use super::load_stack_sources;
use crate::cli::Options;
use crate::output::{fail, print_diagnostics};
use crate::providers::{self, AnyProvider};
use stackc_engine::graph::ResourceGraph;
use stackc_engine::model::DesiredStack;
use stackc_engine::plan::{self, Plan, PlanInput, PlanOptions};
use stackc_engine::provider::Provider;
use stackc_engine::state::{LockMode, StackLock, StackState, StateDir};
use stackc_lang::eval::Config;
use std::sync::Arc;

/// Where the stack's files come from.
pub enum Files {
    /// The stack directory (or `-f`).
    Disk,
    /// Files of a recorded revision, evaluated as if they were in the stack directory.
    Revision(Vec<stackc_engine::state::RevisionFile>),
}

/// A loaded, checked stack with its lock held and its provider connected.
pub struct Session {
    pub config: Config,
    pub stack: DesiredStack,
    pub graph: ResourceGraph,
    pub state: StackState,
    pub provider: Arc<AnyProvider>,
    pub key: [u8; 32],
    pub runtime: tokio::runtime::Runtime,
    /// Held for the session's life; dropping it releases the lock.
    _lock: Option<StackLock>,
}

/// A tokio runtime for the provider calls.
pub fn runtime() -> Result<tokio::runtime::Runtime, u8> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(&format!("cannot start the async runtime: {e}"), None))
}

/// The state directory of the global options.
pub fn state_dir(options: &Options) -> StateDir {
    StateDir::new(
        options
            .global
            .state_dir
            .clone()
            .unwrap_or_else(StateDir::default_root),
    )
}

/// Opens a session, reporting any problem on stderr and returning the exit code instead.
/// `mode` is `None` for commands that only read (`status`, `logs`, `exec`), which must work
/// while an apply runs.
pub fn open(
    options: &Options,
    files: Files,
    mode: Option<LockMode>,
    command: &str,
) -> Result<Session, u8> {
    let (config, desired, diags) = load_stack_sources(options, files);
    let has_errors = diags.has_errors();
    print_diagnostics(&config.sources, &diags.into_sorted(), options.color);
    let stack = match desired {
        Some(s) if !has_errors => s,
        _ => return Err(1),
    };
    let graph = ResourceGraph::build(&stack).map_err(|e| fail(&e.to_string(), None))?;
    let state = state_dir(options)
        .stack(&stack.name)
        .map_err(|e| fail(&e.to_string(), e.help().as_deref()))?;
    let lock = match mode {
        Some(mode) => Some(
            state
                .lock(mode, command)
                .map_err(|e| fail(&e.to_string(), e.help().as_deref()))?,
        ),
        None => None,
    };
    let key = state
        .key()
        .map_err(|e| fail(&e.to_string(), e.help().as_deref()))?;
    let runtime = runtime()?;
    let provider_name = providers::provider_name(options.global.provider.as_deref(), &stack);
    let provider = runtime
        .block_on(providers::connect(&provider_name, &stack))
        .map_err(|e| fail(&e.to_string(), None))?;
    let unsupported =
        stackc_engine::admission::capabilities(&stack, &provider.capabilities(), &provider_name);
    if !unsupported.is_empty() {
        // Warnings (a quota checked at plan time only) are said and the command goes on.
        print_diagnostics(&config.sources, &unsupported, options.color);
        if unsupported
            .iter()
            .any(|d| d.severity == stackc_lang::diag::Severity::Error)
        {
            return Err(1);
        }
    }
    Ok(Session {
        config,
        stack,
        graph,
        state,
        provider: Arc::new(provider),
        key,
        runtime,
        _lock: lock,
    })
}

impl Session {
    /// Observes the runtime and plans.
    pub fn plan(&self, mut options: PlanOptions) -> Result<Plan, u8> {
        let observed = self
            .runtime
            .block_on(self.provider.observe(&self.stack.name))
            .map_err(|e| fail(&format!("cannot observe the runtime: {e}"), None))?;
        if let Ok(Some(last)) = self.state.last_revision() {
            options.previously_applied = last.resources.into_iter().collect();
        }
        Ok(plan::build(PlanInput {
            provider: &*self.provider,
            stack: &self.stack,
            graph: &self.graph,
            observed,
            key: &self.key,
            stack_dir: &self.config.dir,
            options: &options,
        }))
    }
}
