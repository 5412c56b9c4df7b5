//! The schema of every resource kind: one table per kind of its attributes and nested blocks,
//! with type, whether required, default, change kind and a one-line doc (LANGUAGE.md §5).
//!
//! This is the single source for the documentation, the language server's hover and completion,
//! and the diff's "forces replacement" (ARCHITECTURE.md decision 3). A test keeps each table equal
//! to its model struct's serde fields.
//!
//! For a `service`, an attribute whose change is [`ChangeKind::Replace`] replaces the replicas
//! through a rolling update (per the `update` block); the service itself is not re-created.

use super::ResourceKind;
use serde::Serialize;

/// How a change to an attribute is carried out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// The object must be re-created.
    Replace,
    /// Changed in place.
    Update,
}

/// A nested block's shape.
#[derive(Debug, Serialize)]
pub struct Nested {
    /// `port { }` may appear many times; `resources { }` once.
    pub repeated: bool,
    pub fields: &'static [Field],
}

/// One attribute or nested block.
#[derive(Debug, Serialize)]
pub struct Field {
    pub name: &'static str,
    /// For humans: `list(string)`, `duration`, `"no" | "always"`, `block`.
    #[serde(rename = "type")]
    pub ty: &'static str,
    pub required: bool,
    /// The default, as text (`"bridge"`, `10s`, `image's`); `None` when unset means absent.
    pub default: Option<&'static str>,
    pub change: ChangeKind,
    /// The value is always sensitive (a secret's `value`).
    pub sensitive: bool,
    pub doc: &'static str,
    /// For nested blocks.
    pub block: Option<Nested>,
}

impl Field {
    pub fn is_block(&self) -> bool {
        self.block.is_some()
    }

    /// The fields of a nested block; empty for attributes.
    pub fn fields(&self) -> &'static [Field] {
        self.block.as_ref().map_or(&[], |b| b.fields)
    }

    const fn required(mut self) -> Field {
        self.required = true;
        self
    }

    const fn default(mut self, default: &'static str) -> Field {
        self.default = Some(default);
        self
    }

    const fn sensitive(mut self) -> Field {
        self.sensitive = true;
        self
    }
}

const fn attr(
    name: &'static str,
    ty: &'static str,
    change: ChangeKind,
    doc: &'static str,
) -> Field {
    Field {
        name,
        ty,
        required: false,
        default: None,
        change,
        sensitive: false,
        doc,
        block: None,
    }
}

const fn block(
    name: &'static str,
    repeated: bool,
    change: ChangeKind,
    doc: &'static str,
    fields: &'static [Field],
) -> Field {
    Field {
        name,
        ty: if repeated { "blocks" } else { "block" },
        required: false,
        default: None,
        change,
        sensitive: false,
        doc,
        block: Some(Nested { repeated, fields }),
    }
}

/// The schema of one resource kind.
#[derive(Debug, Serialize)]
pub struct KindSchema {
    pub kind: ResourceKind,
    pub doc: &'static str,
    pub fields: &'static [Field],
}

impl KindSchema {
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The field at a path like `resources.memory`, `port[0].host` or `port.0.host` (indices
    /// and map keys below an attribute are ignored).
    pub fn lookup(&self, path: &str) -> Option<&'static Field> {
        let mut fields = self.fields;
        let mut found = None;
        for seg in path_segments(path) {
            if seg.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            match fields.iter().find(|f| f.name == seg) {
                Some(f) => {
                    found = Some(f);
                    fields = f.fields();
                }
                // A map key (`env.PATH`) or an unknown name: the deepest field found decides.
                None => break,
            }
        }
        found
    }

    /// How a change at `path` is carried out: the change kind of the deepest field on the path;
    /// `Replace` for paths outside the schema (the safe answer).
    pub fn change_kind(&self, path: &str) -> ChangeKind {
        self.lookup(path).map_or(ChangeKind::Replace, |f| f.change)
    }

    /// The names of the top-level attributes and blocks.
    pub fn names(&self) -> impl Iterator<Item = &'static str> {
        self.fields.iter().map(|f| f.name)
    }
}

fn path_segments(path: &str) -> impl Iterator<Item = &str> {
    path.split(['.', '[', ']'])
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_matches('"'))
}

use ChangeKind::{Replace, Update};

const NAME_DOC: &str = "The runtime name; `<stack>-<name>` plus the instance suffix by default.";

const BUILD: &[Field] = &[
    attr("context", "path", Replace, "The build context directory.").required(),
    attr(
        "dockerfile",
        "string",
        Replace,
        "The Dockerfile, relative to the context.",
    )
    .default("\"Dockerfile\""),
    attr("args", "map(string)", Replace, "Build arguments.").default("{}"),
    attr("target", "string", Replace, "The build stage to build.").default("\"\""),
];

const IMAGE_CONFIG: &[Field] = &[
    attr(
        "entrypoint",
        "list(string)",
        Replace,
        "The default entrypoint.",
    ),
    attr("cmd", "list(string)", Replace, "The default command."),
    attr(
        "env",
        "map(string)",
        Replace,
        "Default environment variables.",
    )
    .default("{}"),
    attr("workdir", "path", Replace, "The default working directory."),
    attr("user", "string", Replace, "The default user."),
];

const IMAGE: &[Field] = &[
    attr(
        "ref",
        "string",
        Replace,
        "A registry reference, like \"redis:7-alpine\".",
    ),
    attr(
        "pull",
        "\"missing\" | \"always\" | \"never\"",
        Update,
        "When to pull the `ref` image.",
    )
    .default("\"missing\""),
    block(
        "build",
        false,
        Replace,
        "Build the image with Docker (Docker and Swarm providers only).",
        BUILD,
    ),
    attr(
        "dir",
        "path",
        Replace,
        "A directory that becomes one layer.",
    ),
    attr("archive", "path", Replace, "A docker-save or OCI archive."),
    attr(
        "from_host",
        "list(path)",
        Replace,
        "Host executables, copied with the shared libraries they need, paths preserved.",
    ),
    attr(
        "files",
        "map(path)",
        Replace,
        "Extra files: image path = stack path.",
    )
    .default("{}"),
    block(
        "config",
        false,
        Replace,
        "The image's defaults: entrypoint, cmd, env, workdir, user.",
        IMAGE_CONFIG,
    ),
    attr("name", "string", Replace, NAME_DOC).default("<stack>-<name>"),
];

const NETWORK: &[Field] = &[
    attr(
        "driver",
        "\"bridge\" | \"overlay\"",
        Replace,
        "The network driver; \"overlay\" on swarm.",
    )
    .default("\"bridge\""),
    attr(
        "subnet",
        "cidr",
        Replace,
        "The subnet, like \"10.89.0.0/24\".",
    )
    .default("allocated"),
    attr("gateway", "ip", Replace, "The gateway address.").default("first host of subnet"),
    attr("internal", "bool", Replace, "No route outside the network.").default("false"),
    attr("labels", "map(string)", Replace, "Labels on the network.").default("{}"),
    attr("name", "string", Replace, NAME_DOC).default("<stack>-<name>"),
];

const VOLUME: &[Field] = &[
    attr("driver", "string", Replace, "The volume driver.").default("\"local\""),
    attr("labels", "map(string)", Replace, "Labels on the volume.").default("{}"),
    attr("name", "string", Replace, NAME_DOC).default("<stack>-<name>"),
];

const QUOTA_DEFAULT: &[Field] = &[
    attr("cpus", "cpu", Update, "CPU limit of members that set none."),
    attr(
        "memory",
        "size",
        Update,
        "Memory limit of members that set none.",
    ),
    attr(
        "pids",
        "number",
        Update,
        "Pid limit of members that set none.",
    ),
];

const QUOTA: &[Field] = &[
    attr(
        "cpus",
        "cpu",
        Update,
        "Ceiling on the sum of member CPU limits.",
    ),
    attr(
        "memory",
        "size",
        Update,
        "Ceiling on the sum of member memory limits.",
    ),
    attr(
        "pids",
        "number",
        Update,
        "Ceiling on the sum of member pid limits.",
    ),
    attr(
        "containers",
        "number",
        Update,
        "Ceiling on the number of member containers (each replica counts).",
    ),
    block(
        "default",
        false,
        Update,
        "Limits given to members that set none.",
        QUOTA_DEFAULT,
    ),
    attr("name", "string", Update, NAME_DOC).default("<stack>-<name>"),
];

const PORT: &[Field] = &[
    attr("host", "number", Replace, "The host port.").default("the container port"),
    attr("container", "number", Replace, "The container port.").required(),
    attr("protocol", "\"tcp\" | \"udp\"", Replace, "The protocol.").default("\"tcp\""),
    attr("host_ip", "ip", Replace, "The host address to listen on.")
        .default("\"0.0.0.0\" (every address)"),
];

const SERVICE_PORT: &[Field] = &[
    attr("host", "number", Update, "The host port.").default("the container port"),
    attr("container", "number", Update, "The container port.").required(),
    attr("protocol", "\"tcp\" | \"udp\"", Update, "The protocol.").default("\"tcp\""),
    attr("host_ip", "ip", Update, "The host address to listen on.")
        .default("\"0.0.0.0\" (every address)"),
];

const MOUNT: &[Field] = &[
    attr(
        "source",
        "volume reference or path",
        Replace,
        "A volume, an absolute path, or a path starting with ./ relative to the stack directory.",
    )
    .required(),
    attr(
        "target",
        "path",
        Replace,
        "Where to mount it in the container.",
    )
    .required(),
    attr("readonly", "bool", Replace, "Mount read-only.").default("false"),
];

const TMPFS: &[Field] = &[
    attr("target", "path", Replace, "Where to mount the tmpfs.").required(),
    attr("size", "size", Replace, "The tmpfs's size limit.").default("unlimited"),
];

const RESOURCES: &[Field] = &[
    attr(
        "cpus",
        "cpu",
        Update,
        "CPU limit: a number of CPUs or millicores like \"500m\".",
    ),
    attr("memory", "size", Update, "Memory limit."),
    attr(
        "memory_swap",
        "size",
        Update,
        "Memory plus swap limit; at least `memory`.",
    ),
    attr(
        "pids",
        "number",
        Update,
        "Limit on the number of processes.",
    ),
    attr("cpu_shares", "number", Update, "Relative CPU weight.").default("1024"),
    attr("cpuset", "string", Update, "CPUs to run on, like \"0-3\"."),
    attr(
        "io_weight",
        "number",
        Update,
        "Relative block IO weight (1 to 10000).",
    )
    .default("100"),
];

const HEALTH: &[Field] = &[
    attr(
        "exec",
        "list(string)",
        Replace,
        "Probe: a command run in the container.",
    ),
    attr(
        "http",
        "string",
        Replace,
        "Probe: a URL fetched from the container's network namespace.",
    ),
    attr(
        "tcp",
        "number",
        Replace,
        "Probe: a port connected to from the container's network namespace.",
    ),
    attr("interval", "duration", Replace, "Time between probes.").default("\"30s\""),
    attr("timeout", "duration", Replace, "Time a probe may take.").default("\"30s\""),
    attr(
        "retries",
        "number",
        Replace,
        "Failed probes before unhealthy.",
    )
    .default("3"),
    attr(
        "start_period",
        "duration",
        Replace,
        "Grace time after start when failures do not count.",
    )
    .default("\"0s\""),
    attr(
        "on_unhealthy",
        "\"restart\" | \"ignore\"",
        Replace,
        "What to do when the container becomes unhealthy.",
    )
    .default("\"restart\" unless restart is \"no\""),
];

const FILE: &[Field] = &[
    attr(
        "target",
        "path",
        Replace,
        "Where the file is placed in the container.",
    )
    .required(),
    attr("content", "string", Replace, "The file's content.").required(),
    attr("mode", "string", Replace, "Permission bits in octal.").default("\"0644\""),
];

const SECRET: &[Field] = &[
    attr(
        "target",
        "path",
        Replace,
        "Where the secret is placed in the container.",
    )
    .required(),
    attr(
        "value",
        "string",
        Replace,
        "The secret's value; always sensitive.",
    )
    .required()
    .sensitive(),
    attr("mode", "string", Replace, "Permission bits in octal.").default("\"0400\""),
];

const UPDATE: &[Field] = &[
    attr(
        "parallelism",
        "number",
        Update,
        "Replicas replaced at a time.",
    )
    .default("1"),
    attr(
        "order",
        "\"stop-first\" | \"start-first\"",
        Update,
        "Stop an old replica before starting its replacement, or after it is healthy.",
    )
    .default("\"stop-first\""),
    attr("delay", "duration", Update, "Pause between batches.").default("\"0s\""),
    attr(
        "monitor",
        "duration",
        Update,
        "How long a new replica must stay healthy.",
    )
    .default("\"5s\""),
    attr(
        "failure_action",
        "\"rollback\" | \"pause\" | \"continue\"",
        Update,
        "What to do when an update fails.",
    )
    .default("\"rollback\""),
    attr(
        "max_failure_ratio",
        "number",
        Update,
        "Share of replicas allowed to fail during an update.",
    )
    .default("0"),
];

/// The container attributes; a service's table adds `replicas` and `update`, and its ports
/// change in place.
macro_rules! container_fields {
    ($ports:expr, $port_change:expr; $($extra:expr),*) => {
        &[
            attr("image", "image reference or string", Replace, "The image: an image block, or a registry reference (pulled when missing).").required(),
            attr("command", "list(string)", Replace, "The command, replacing the image's.").default("image's"),
            attr("entrypoint", "list(string)", Replace, "The entrypoint, replacing the image's.").default("image's"),
            attr("env", "map(string)", Replace, "Environment variables.").default("{}"),
            attr("workdir", "path", Replace, "The working directory.").default("image's"),
            attr("user", "string", Replace, "The user to run as.").default("image's"),
            attr("hostname", "string", Replace, "The hostname.").default("the name"),
            attr("networks", "list(network reference)", Replace, "Networks to join; [] means loopback only.").default("the stack's default network"),
            attr("network_mode", "\"bridge\" | \"host\" | \"none\" | container reference", Replace, "\"bridge\" uses `networks`; a container reference shares that container's network namespace.").default("\"bridge\""),
            attr("aliases", "list(string)", Replace, "Extra DNS names on every network.").default("[]"),
            block("port", true, $port_change, "A published port.", $ports),
            block("mount", true, Replace, "A volume or host path mounted into the container.", MOUNT),
            block("tmpfs", true, Replace, "A tmpfs mount.", TMPFS),
            block("resources", false, Update, "Resource limits, changed in place.", RESOURCES),
            attr("quota", "quota reference", Update, "The quota this container counts against."),
            attr("restart", "\"no\" | \"always\" | \"on-failure\" | \"unless-stopped\"", Update, "The restart policy.").default("\"no\""),
            attr("max_restarts", "number", Update, "Restarts allowed with restart = \"on-failure\".").default("unlimited"),
            block("health", false, Replace, "The health check: one probe of exec, http or tcp.", HEALTH),
            attr("read_only", "bool", Replace, "Mount the root filesystem read-only.").default("false"),
            attr("cap_add", "list(string)", Replace, "Capabilities to add, with or without CAP_.").default("[]"),
            attr("cap_drop", "list(string)", Replace, "Capabilities to drop, with or without CAP_.").default("[]"),
            attr("privileged", "bool", Replace, "Run with all capabilities and devices.").default("false"),
            attr("ulimits", "map(number)", Replace, "Resource limits, like { nofile = 4096 }.").default("{}"),
            attr("sysctls", "map(string)", Replace, "Namespaced kernel parameters.").default("{}"),
            attr("init", "bool", Replace, "Run a minimal init as PID 1 that reaps zombies.").default("false"),
            attr("stop_signal", "string", Update, "The signal that asks the container to stop.").default("\"SIGTERM\""),
            attr("stop_timeout", "duration", Update, "Time between the stop signal and SIGKILL.").default("\"10s\""),
            attr("labels", "map(string)", Replace, "Labels on the container.").default("{}"),
            block("file", true, Replace, "A read-only file placed in the container at start.", FILE),
            block("secret", true, Replace, "A secret on a tmpfs, never written to disk, labels, logs or plans.", SECRET),
            attr("oneshot", "bool", Replace, "Runs to completion; exit 0 is its converged state.").default("false"),
            attr("name", "string", Replace, NAME_DOC).default("<stack>-<name>"),
            $($extra),*
        ]
    };
}

const CONTAINER: &[Field] = container_fields!(PORT, Replace;);

const SERVICE: &[Field] = container_fields!(SERVICE_PORT, Update;
    attr("replicas", "number", Update, "The number of replicas (0 or more).").default("1"),
    block("update", false, Update, "How a changed template rolls over the replicas.", UPDATE)
);

static KINDS: &[KindSchema] = &[
    KindSchema {
        kind: ResourceKind::Image,
        doc: "An image: from a registry, built by Docker, made from a directory or an archive, or assembled from host executables. Exactly one source.",
        fields: IMAGE,
    },
    KindSchema {
        kind: ResourceKind::Container,
        doc: "A container.",
        fields: CONTAINER,
    },
    KindSchema {
        kind: ResourceKind::Network,
        doc: "A network that containers and services join.",
        fields: NETWORK,
    },
    KindSchema {
        kind: ResourceKind::Volume,
        doc: "Named storage; its data is kept unless purged.",
        fields: VOLUME,
    },
    KindSchema {
        kind: ResourceKind::Quota,
        doc: "An aggregate ceiling over a group of containers and service replicas.",
        fields: QUOTA,
    },
    KindSchema {
        kind: ResourceKind::Service,
        doc: "A replicated container with a stable name, load balancing and rolling updates.",
        fields: SERVICE,
    },
];

/// The schema of a resource kind (`"container"`), for docs, hover, completion and the diff.
pub fn schema(kind: &str) -> Option<&'static KindSchema> {
    KINDS.iter().find(|k| k.kind.as_str() == kind)
}

/// Every kind's schema, in the order of LANGUAGE.md §4.
pub fn kinds() -> &'static [KindSchema] {
    KINDS
}

const DOCKER_PROVIDER: &[Field] = &[attr(
    "host",
    "string",
    Replace,
    "The Docker daemon's address, like \"unix:///var/run/docker.sock\".",
)
.default("DOCKER_HOST or the local socket")];

const NATIVE_PROVIDER: &[Field] = &[
    attr("root", "path", Replace, "The native store's directory.")
        .default("\"/var/lib/stackc/native\""),
];

/// The attributes of a `provider` block (`"docker"`, `"native"`, `"swarm"`).
pub fn provider_schema(name: &str) -> Option<&'static [Field]> {
    match name {
        "docker" | "swarm" => Some(DOCKER_PROVIDER),
        "native" => Some(NATIVE_PROVIDER),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::container::ContainerSpec;
    use crate::model::image::ImageSpec;
    use crate::model::network::NetworkSpec;
    use crate::model::provider::{DockerSettings, NativeSettings};
    use crate::model::quota::QuotaSpec;
    use crate::model::service::{ServiceSpec, SERVICE_FIELDS};
    use crate::model::volume::VolumeSpec;
    use serde::de::DeserializeOwned;
    use std::collections::{BTreeMap, BTreeSet};

    /// A deserializer that records the fields every `deserialize_struct` receives, by path.
    mod recorder {
        use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
        use std::cell::RefCell;
        use std::collections::{BTreeMap, HashSet};
        use std::fmt;

        #[derive(Default)]
        pub struct State {
            pub seen: BTreeMap<String, Vec<&'static str>>,
            skip: HashSet<String>,
        }

        /// Fails with the path of the value that failed (`None` until placed).
        #[derive(Debug)]
        pub struct Fail(Option<String>);

        impl fmt::Display for Fail {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "failed at {:?}", self.0)
            }
        }
        impl std::error::Error for Fail {}
        impl de::Error for Fail {
            fn custom<T: fmt::Display>(_: T) -> Self {
                Fail(None)
            }
        }

        fn place(e: Fail, path: &str) -> Fail {
            Fail(e.0.or_else(|| Some(path.to_string())))
        }

        fn join(path: &str, name: &str) -> String {
            if path.is_empty() {
                name.to_string()
            } else {
                format!("{path}.{name}")
            }
        }

        struct Rec<'s> {
            path: String,
            state: &'s RefCell<State>,
        }

        impl<'de> de::Deserializer<'de> for Rec<'_> {
            type Error = Fail;

            fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Fail> {
                Err(Fail(Some(self.path)))
            }

            fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Fail> {
                let path = self.path.clone();
                v.visit_some(self).map_err(|e| place(e, &path))
            }

            fn deserialize_newtype_struct<V: Visitor<'de>>(
                self,
                _: &'static str,
                v: V,
            ) -> Result<V::Value, Fail> {
                let path = self.path.clone();
                v.visit_newtype_struct(self).map_err(|e| place(e, &path))
            }

            fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Fail> {
                let path = self.path.clone();
                v.visit_seq(One { rec: Some(self) })
                    .map_err(|e| place(e, &path))
            }

            fn deserialize_struct<V: Visitor<'de>>(
                self,
                _: &'static str,
                fields: &'static [&'static str],
                v: V,
            ) -> Result<V::Value, Fail> {
                self.state
                    .borrow_mut()
                    .seen
                    .insert(self.path.clone(), fields.to_vec());
                let todo: Vec<&'static str> = {
                    let st = self.state.borrow();
                    fields
                        .iter()
                        .copied()
                        .filter(|f| !st.skip.contains(&join(&self.path, f)))
                        .collect()
                };
                v.visit_map(Fields {
                    todo: todo.into_iter(),
                    path: self.path.clone(),
                    current: None,
                    state: self.state,
                })
                .map_err(|e| place(e, &self.path))
            }

            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 u8 u16 u32 u64 f32 f64 char str string bytes byte_buf unit
                unit_struct tuple tuple_struct map enum identifier ignored_any
            }
        }

        /// A sequence of one element, so repeated blocks are explored.
        struct One<'s> {
            rec: Option<Rec<'s>>,
        }

        impl<'de> de::SeqAccess<'de> for One<'_> {
            type Error = Fail;
            fn next_element_seed<T: DeserializeSeed<'de>>(
                &mut self,
                seed: T,
            ) -> Result<Option<T::Value>, Fail> {
                match self.rec.take() {
                    Some(r) => seed.deserialize(r).map(Some),
                    None => Ok(None),
                }
            }
        }

        struct Fields<'s> {
            todo: std::vec::IntoIter<&'static str>,
            path: String,
            current: Option<String>,
            state: &'s RefCell<State>,
        }

        impl<'de> de::MapAccess<'de> for Fields<'_> {
            type Error = Fail;
            fn next_key_seed<K: DeserializeSeed<'de>>(
                &mut self,
                seed: K,
            ) -> Result<Option<K::Value>, Fail> {
                let Some(f) = self.todo.next() else {
                    return Ok(None);
                };
                self.current = Some(join(&self.path, f));
                seed.deserialize(IntoDeserializer::<Fail>::into_deserializer(f))
                    .map(Some)
            }
            fn next_value_seed<V: DeserializeSeed<'de>>(
                &mut self,
                seed: V,
            ) -> Result<V::Value, Fail> {
                let path = self.current.take().unwrap_or_default();
                seed.deserialize(Rec {
                    path: path.clone(),
                    state: self.state,
                })
                .map_err(|e| place(e, &path))
            }
        }

        /// Decodes `T` again and again, leaving out what failed, until every field was reached.
        pub fn record<T: de::DeserializeOwned>() -> BTreeMap<String, Vec<&'static str>> {
            let state = RefCell::new(State::default());
            for _ in 0..10_000 {
                match T::deserialize(Rec {
                    path: String::new(),
                    state: &state,
                }) {
                    Ok(_) => break,
                    Err(Fail(path)) => {
                        let path = path.unwrap_or_default();
                        if path.is_empty() || !state.borrow_mut().skip.insert(path) {
                            break;
                        }
                    }
                }
            }
            state.into_inner().seen
        }
    }

    fn names(fields: &[Field]) -> BTreeSet<&'static str> {
        fields.iter().map(|f| f.name).collect()
    }

    /// The table's blocks by path, with their field names.
    fn table_blocks(
        fields: &'static [Field],
        prefix: &str,
        out: &mut BTreeMap<String, BTreeSet<&'static str>>,
    ) {
        out.insert(prefix.to_string(), names(fields));
        for f in fields {
            if let Some(b) = &f.block {
                let path = if prefix.is_empty() {
                    f.name.to_string()
                } else {
                    format!("{prefix}.{}", f.name)
                };
                table_blocks(b.fields, &path, out);
            }
        }
    }

    fn assert_matches<T: DeserializeOwned>(what: &str, fields: &'static [Field]) {
        let recorded: BTreeMap<String, BTreeSet<&'static str>> = recorder::record::<T>()
            .into_iter()
            .map(|(k, v)| (k, v.into_iter().collect()))
            .collect();
        let mut table = BTreeMap::new();
        table_blocks(fields, "", &mut table);
        assert_eq!(
            table, recorded,
            "{what}: the schema table (left) differs from the struct's serde fields (right)"
        );
    }

    #[test]
    fn tables_match_the_structs() {
        for k in kinds() {
            match k.kind {
                ResourceKind::Image => assert_matches::<ImageSpec>("image", k.fields),
                ResourceKind::Container => assert_matches::<ContainerSpec>("container", k.fields),
                ResourceKind::Network => assert_matches::<NetworkSpec>("network", k.fields),
                ResourceKind::Volume => assert_matches::<VolumeSpec>("volume", k.fields),
                ResourceKind::Quota => assert_matches::<QuotaSpec>("quota", k.fields),
                ResourceKind::Service => assert_matches::<ServiceSpec>("service", k.fields),
            }
        }
        assert_matches::<DockerSettings>("provider docker", DOCKER_PROVIDER);
        assert_matches::<NativeSettings>("provider native", NATIVE_PROVIDER);
        assert_eq!(kinds().len(), ResourceKind::ALL.len());
    }

    #[test]
    fn service_fields_are_the_container_fields_plus_its_own() {
        let container = recorder::record::<ContainerSpec>();
        let mut expected: Vec<&str> = container[""].clone();
        expected.extend(["replicas", "update"]);
        assert_eq!(SERVICE_FIELDS, expected.as_slice());
    }

    #[test]
    fn change_kinds() {
        let c = schema("container").unwrap();
        assert_eq!(c.change_kind("image"), Replace);
        assert_eq!(c.change_kind("resources.memory"), Update);
        assert_eq!(c.change_kind("resources"), Update);
        assert_eq!(c.change_kind("port[0].host"), Replace);
        assert_eq!(c.change_kind("env.PATH"), Replace);
        assert_eq!(c.change_kind("stop_timeout"), Update);
        assert_eq!(c.change_kind("nonsense"), Replace);
        let s = schema("service").unwrap();
        assert_eq!(s.change_kind("port.0.host"), Update);
        assert_eq!(s.change_kind("replicas"), Update);
        assert_eq!(s.change_kind("update.order"), Update);
        assert_eq!(s.change_kind("image"), Replace);
        assert_eq!(schema("quota").unwrap().change_kind("default.cpus"), Update);
        assert_eq!(schema("image").unwrap().change_kind("pull"), Update);
        assert!(
            schema("container")
                .unwrap()
                .lookup("secret.0.value")
                .unwrap()
                .sensitive
        );
        assert!(schema("nothing").is_none());
        assert!(c
            .field("port")
            .is_some_and(|f| f.block.as_ref().is_some_and(|b| b.repeated)));
        assert!(c
            .field("resources")
            .is_some_and(|f| f.block.as_ref().is_some_and(|b| !b.repeated)));
    }

    #[test]
    fn every_field_is_documented() {
        fn walk(fields: &[Field]) {
            for f in fields {
                assert!(
                    !f.doc.is_empty() && f.doc.ends_with('.'),
                    "{}: {:?}",
                    f.name,
                    f.doc
                );
                assert!(!(f.required && f.default.is_some()), "{}", f.name);
                walk(f.fields());
            }
        }
        for k in kinds() {
            walk(k.fields);
        }
    }
}
