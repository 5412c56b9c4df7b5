//! From the evaluator's [`Config`] to a [`DesiredStack`].

use super::check::Check;
use super::provider::{DockerSettings, NativeSettings, ProviderSettings};
use super::refs::split_address;
use super::{
    find, sensitive_paths, ContainerSpec, DesiredResource, DesiredStack, ImageSpec, ImageUse,
    NetworkSpec, QuotaSpec, ResourceKind, ResourceSpec, ServiceSpec, VolumeSpec,
};
use stackc_lang::de::from_value_named;
use stackc_lang::diag::{code, Diagnostic, Diagnostics};
use stackc_lang::eval::{Config, Dependency, DependencyKind, InstanceKey, Lifecycle};
use stackc_lang::source::Span;
use stackc_lang::value::{quote, MapKind, Value, ValueKind};
use std::collections::BTreeSet;
use std::sync::Arc;

/// The address of the network that containers without `networks` join.
pub const DEFAULT_NETWORK: &str = "network.default";

/// Decodes every resource of `config` into its typed spec and checks it, collecting the
/// problems of all resources. Resources that fail to decode are left out; resources that decode
/// but fail a check are kept (so later checks can still run), with the check's diagnostics.
/// Callers must not plan when the diagnostics hold errors.
///
/// Containers and services that use the default network get an edge to `network.default`, and
/// when the stack declares no `network "default"` an implicit one is added (first, flagged
/// `implicit`).
pub fn decode(config: &Config) -> (DesiredStack, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut resources = Vec::with_capacity(config.resources.len() + 1);
    for r in &config.resources {
        // The evaluator reports unknown block types.
        let Some(kind) = ResourceKind::parse(&r.kind) else {
            continue;
        };
        let what = format!("{kind} {}", quote(&r.name));
        let (spec, problems) = decode_resource(kind, &r.body, &what);
        diags.extend(problems);
        let Some(spec) = spec else {
            continue;
        };
        resources.push(DesiredResource {
            address: r.address.clone(),
            kind,
            name: r.name.clone(),
            key: r.key.clone(),
            runtime_name: r.runtime_name.clone(),
            spec,
            depends_on: r.depends_on.clone(),
            lifecycle: r.lifecycle.clone(),
            block_span: r.block_span,
            label_span: r.label_span,
            body: r.body.clone(),
            sensitive_paths: sensitive_paths(&r.body),
            implicit: false,
        });
    }

    quoted_image_addresses(config, &resources, &mut diags);
    let default_declared = config
        .resources
        .iter()
        .any(|r| r.kind == "network" && r.name == "default");
    add_default_network(&config.stack.name, default_declared, &mut resources);
    apply_quota_defaults(&mut resources);

    let mut providers = std::collections::BTreeMap::new();
    for (name, block) in &config.providers {
        let what = format!("provider {}", quote(name));
        let decoded =
            match name.as_str() {
                "native" => from_value_named::<NativeSettings>(&block.body, &what)
                    .map(ProviderSettings::Native),
                "docker" => from_value_named::<DockerSettings>(&block.body, &what)
                    .map(ProviderSettings::Docker),
                "swarm" => from_value_named::<DockerSettings>(&block.body, &what)
                    .map(ProviderSettings::Swarm),
                // The evaluator reports unknown providers.
                _ => continue,
            };
        match decoded {
            Ok(p) => {
                providers.insert(name.clone(), p);
            }
            Err(problems) => diags.extend(problems),
        }
    }

    let stack = DesiredStack {
        name: config.stack.name.clone(),
        provider: config.stack.provider.clone(),
        labels: config.stack.labels.clone(),
        providers,
        resources,
    };
    (stack, diags)
}

/// Decodes and checks one resource body of `kind`; `what` names it in messages
/// (`container "web"`). The spec is `None` when decoding failed; the diagnostics hold every
/// problem found (decoding errors, or the checks' errors and warnings).
pub fn decode_resource(
    kind: ResourceKind,
    body: &Value,
    what: &str,
) -> (Option<ResourceSpec>, Vec<Diagnostic>) {
    let decoded = match kind {
        ResourceKind::Image => from_value_named::<ImageSpec>(body, what).map(ResourceSpec::Image),
        ResourceKind::Container => {
            from_value_named::<ContainerSpec>(body, what).map(ResourceSpec::Container)
        }
        ResourceKind::Network => {
            from_value_named::<NetworkSpec>(body, what).map(ResourceSpec::Network)
        }
        ResourceKind::Volume => {
            from_value_named::<VolumeSpec>(body, what).map(ResourceSpec::Volume)
        }
        ResourceKind::Quota => from_value_named::<QuotaSpec>(body, what).map(ResourceSpec::Quota),
        ResourceKind::Service => {
            from_value_named::<ServiceSpec>(body, what).map(ResourceSpec::Service)
        }
    };
    let spec = match decoded {
        Ok(spec) => spec,
        Err(problems) => return (None, problems),
    };
    let mut cx = Check::new(body, what.to_string());
    match &spec {
        ResourceSpec::Image(s) => s.check(&mut cx),
        ResourceSpec::Container(s) => s.check(&mut cx, false),
        ResourceSpec::Network(s) => s.check(&mut cx),
        ResourceSpec::Volume(s) => s.check(&mut cx),
        ResourceSpec::Quota(_) => {}
        ResourceSpec::Service(s) => s.check(&mut cx),
    }
    if kind != ResourceKind::Image {
        if let Some(name) = spec.name_override() {
            if !valid_runtime_name(name) {
                cx.error(
                    code::TYPE,
                    "name",
                    format!("{} is not a valid name", quote(name)),
                    "names start with a letter or digit and hold letters, digits, `_`, `.` and `-`",
                );
            }
        }
    }
    (Some(spec), cx.into_diagnostics())
}

/// Docker's rule for object names: `[a-zA-Z0-9][a-zA-Z0-9_.-]*`.
fn valid_runtime_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// `image = "image.web"` pulls an image named `image.web` from a registry; when the stack has
/// an image block of that name, the quotes are most likely a mistake.
fn quoted_image_addresses(config: &Config, resources: &[DesiredResource], diags: &mut Diagnostics) {
    let images: BTreeSet<String> = config
        .resources
        .iter()
        .filter(|r| r.kind == "image")
        .map(|r| format!("image.{}", r.name))
        .collect();
    for r in resources {
        let Some(ImageUse::Registry(s)) = r.spec.container().map(|c| &c.image) else {
            continue;
        };
        let block = s.find('[').map_or(s.as_str(), |i| &s[..i]);
        if split_address(s).is_some() && images.contains(block) {
            let span = find(&r.body, "image").map_or(r.block_span, |v| v.span);
            diags.push(
                Diagnostic::warning(
                    code::TYPE,
                    format!(
                        "{} is a registry reference, not the image block {block}",
                        quote(s)
                    ),
                )
                .at(span)
                .with_help(format!(
                    "to use the image block, remove the quotes: image = {s}"
                )),
            );
        }
    }
}

fn add_default_network(stack: &str, declared: bool, resources: &mut Vec<DesiredResource>) {
    let mut used = false;
    for r in resources.iter_mut() {
        if !r
            .spec
            .container()
            .is_some_and(ContainerSpec::uses_default_network)
        {
            continue;
        }
        used = true;
        if !r.depends_on.iter().any(|d| d.address == DEFAULT_NETWORK) {
            r.depends_on.push(Dependency {
                address: DEFAULT_NETWORK.to_string(),
                span: r.block_span,
                kind: DependencyKind::Reference,
            });
        }
    }
    if !used || declared {
        return;
    }
    let body = Value::new(
        ValueKind::Map(MapKind::Block, Arc::new(Default::default())),
        Span::default(),
    );
    resources.insert(
        0,
        DesiredResource {
            address: DEFAULT_NETWORK.to_string(),
            kind: ResourceKind::Network,
            name: "default".to_string(),
            key: InstanceKey::None,
            runtime_name: format!("{stack}-default"),
            spec: ResourceSpec::Network(NetworkSpec::default()),
            depends_on: Vec::new(),
            lifecycle: Lifecycle::default(),
            block_span: Span::default(),
            label_span: Span::default(),
            body,
            sensitive_paths: Vec::new(),
            implicit: true,
        },
    );
}

#[cfg(test)]
mod tests;

/// A quota member that sets no limit in a dimension its quota's `default` block covers gets
/// the default as its own limit (LANGUAGE.md §5 quota: "limits given to members that set
/// none"), so the runtime holds each member to it, not only admission; plans show it like
/// any limit.
fn apply_quota_defaults(resources: &mut [DesiredResource]) {
    let defaults: std::collections::BTreeMap<String, crate::model::quota::QuotaDefaults> =
        resources
            .iter()
            .filter_map(|r| match &r.spec {
                ResourceSpec::Quota(q) => q.default.clone().map(|d| (r.address.clone(), d)),
                _ => None,
            })
            .collect();
    if defaults.is_empty() {
        return;
    }
    for r in resources.iter_mut() {
        let template = match &mut r.spec {
            ResourceSpec::Container(c) => c,
            ResourceSpec::Service(s) => &mut s.template,
            _ => continue,
        };
        let Some(d) = template
            .quota
            .as_ref()
            .and_then(|q| defaults.get(q.address()))
        else {
            continue;
        };
        if d.cpus.is_none() && d.memory.is_none() && d.pids.is_none() {
            continue;
        }
        let limits = template.resources.get_or_insert_with(Default::default);
        if limits.cpus.is_none() {
            limits.cpus = d.cpus.clone();
        }
        if limits.memory.is_none() {
            limits.memory = d.memory.clone();
        }
        if limits.pids.is_none() {
            limits.pids = d.pids;
        }
    }
}
