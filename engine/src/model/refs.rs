//! References to other resources: [`Ref<K>`] for an attribute that takes a reference of one kind
//! (`quota = quota.team`), and the attributes that take a reference or a string
//! ([`ImageUse`], [`MountSource`], [`NetworkMode`]).
//!
//! All of them ask the decoder for a reference through
//! [`REF_TOKEN`]: a resource value arrives as its address, a string as
//! a string. They serialise as the address or the string, so a spec reads like the file.

use super::domain::StackPath;
use super::ResourceKind;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use stackc_lang::de::{error_with_help, REF_TOKEN};
use stackc_lang::value::{is_identifier, quote};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

/// A resource kind that can be referred to: the marker types below.
pub trait RefKind {
    const KIND: ResourceKind;
}

macro_rules! ref_kinds {
    ($($marker:ident => $kind:ident,)*) => {
        $(
            #[doc = concat!("Marker for references to `", stringify!($kind), "` resources.")]
            #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
            pub struct $marker;
            impl RefKind for $marker {
                const KIND: ResourceKind = ResourceKind::$kind;
            }
        )*
    };
}

ref_kinds! {
    ImageKind => Image,
    ContainerKind => Container,
    NetworkKind => Network,
    VolumeKind => Volume,
    QuotaKind => Quota,
    ServiceKind => Service,
}

/// The parts of an instance address: `service.api["a"]` → (service, `api`, `["a"]`).
pub fn split_address(address: &str) -> Option<(ResourceKind, &str, &str)> {
    let (kind, rest) = address.split_once('.')?;
    let kind = ResourceKind::parse(kind)?;
    let name_end = rest.find('[').unwrap_or(rest.len());
    let (name, key) = rest.split_at(name_end);
    if !is_identifier(name) || !(key.is_empty() || key.ends_with(']')) {
        return None;
    }
    Some((kind, name, key))
}

/// A reference to a resource instance of kind `K`: `network.backend`, `container.db[0]`.
pub struct Ref<K> {
    address: String,
    kind: PhantomData<fn() -> K>,
}

impl<K: RefKind> Ref<K> {
    /// Checks that `address` is an address of kind `K`; the error is a message for the user.
    pub fn from_address(address: &str) -> Result<Ref<K>, (String, String)> {
        let kind = K::KIND;
        match split_address(address) {
            Some((k, _, _)) if k == kind => Ok(Ref {
                address: address.to_string(),
                kind: PhantomData,
            }),
            Some((other, _, _)) => Err((
                format!("expected {}, found {address}", kind.reference_like()),
                format!(
                    "`{address}` is {} {}; refer to {} `{kind}` block here",
                    article(other.as_str()),
                    other,
                    article(kind.as_str()),
                ),
            )),
            None => Err((
                format!(
                    "expected {}, found {}",
                    kind.reference_like(),
                    quote(address)
                ),
                format!(
                    "refer to {} `{kind}` block, like {}",
                    article(kind.as_str()),
                    kind.example()
                ),
            )),
        }
    }

    /// `network.backend`, `container.db[0]`.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The block's name: `backend`, `db`.
    pub fn name(&self) -> &str {
        split_address(&self.address)
            .map(|(_, n, _)| n)
            .unwrap_or_default()
    }

    /// The block's address, without an instance key: `container.db`.
    pub fn block_address(&self) -> &str {
        let end = self.address.find('[').unwrap_or(self.address.len());
        &self.address[..end]
    }
}

fn article(word: &str) -> &'static str {
    match word.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// The error for a plain string where only a reference of `kind` is accepted.
fn string_for_ref<E: de::Error>(kind: ResourceKind, s: &str) -> E {
    let help = if let Some((k, _, _)) = split_address(s) {
        format!(
            "remove the quotes: write {s}{}",
            if k == kind {
                ""
            } else {
                " (of the right kind)"
            }
        )
    } else if is_identifier(s) {
        format!(
            "write {kind}.{s} (without quotes) to refer to the `{kind} {}` block",
            quote(s)
        )
    } else {
        format!(
            "refer to {} `{kind}` block, like {}",
            article(kind.as_str()),
            kind.example()
        )
    };
    error_with_help(
        format!(
            "expected {}, found string {}",
            kind.reference_like(),
            quote(s)
        ),
        help,
    )
}

impl<K> Clone for Ref<K> {
    fn clone(&self) -> Self {
        Ref {
            address: self.address.clone(),
            kind: PhantomData,
        }
    }
}

impl<K> fmt::Debug for Ref<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.address)
    }
}

impl<K> fmt::Display for Ref<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.address)
    }
}

impl<K> PartialEq for Ref<K> {
    fn eq(&self, other: &Self) -> bool {
        self.address == other.address
    }
}

impl<K> Eq for Ref<K> {}

impl<K> Hash for Ref<K> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.address.hash(state)
    }
}

impl<K> PartialOrd for Ref<K> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<K> Ord for Ref<K> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.address.cmp(&other.address)
    }
}

impl<K> Serialize for Ref<K> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.address)
    }
}

impl<'de, K: RefKind> Deserialize<'de> for Ref<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<K>(PhantomData<fn() -> K>);
        impl<'de, K: RefKind> Visitor<'de> for V<K> {
            type Value = Ref<K>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&K::KIND.reference_like())
            }
            fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Ref<K>, D::Error> {
                let address = String::deserialize(d)?;
                Ref::from_address(&address).map_err(|(m, h)| error_with_help(m, h))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Ref<K>, E> {
                Err(string_for_ref(K::KIND, s))
            }
        }
        d.deserialize_newtype_struct(REF_TOKEN, V::<K>(PhantomData))
    }
}

/// Deserializes an attribute that takes a reference or a string: `on_ref` gets the address of a
/// resource, `on_str` a string.
fn ref_or_str<'de, D, T>(
    d: D,
    expecting: &'static str,
    on_ref: fn(&str) -> Result<T, (String, String)>,
    on_str: fn(&str) -> Result<T, (String, String)>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct V<T> {
        expecting: &'static str,
        on_ref: fn(&str) -> Result<T, (String, String)>,
        on_str: fn(&str) -> Result<T, (String, String)>,
    }
    impl<'de, T> Visitor<'de> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.expecting)
        }
        fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
            let address = String::deserialize(d)?;
            (self.on_ref)(&address).map_err(|(m, h)| error_with_help(m, h))
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<T, E> {
            (self.on_str)(s).map_err(|(m, h)| error_with_help(m, h))
        }
    }
    d.deserialize_newtype_struct(
        REF_TOKEN,
        V {
            expecting,
            on_ref,
            on_str,
        },
    )
}

/// `container.image`: an `image` resource, or a registry reference like `"redis:7"` (pulled
/// when missing).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ImageUse {
    Resource(Ref<ImageKind>),
    Registry(String),
}

impl ImageUse {
    fn registry(s: &str) -> Result<ImageUse, (String, String)> {
        if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err((
                format!("invalid image reference {}", quote(s)),
                "write a registry reference like \"redis:7-alpine\", or refer to an image block \
                 like image.web"
                    .to_string(),
            ));
        }
        Ok(ImageUse::Registry(s.to_string()))
    }

    /// From an address: the decoder only passes addresses of resources here; other formats
    /// (a saved plan's JSON) pass both forms, told apart by the shape of an `image.` address.
    fn from_address(s: &str) -> Result<ImageUse, (String, String)> {
        match split_address(s) {
            Some(_) => Ref::from_address(s).map(ImageUse::Resource),
            None => ImageUse::registry(s),
        }
    }

    /// The image resource, if this refers to one.
    pub fn resource(&self) -> Option<&Ref<ImageKind>> {
        match self {
            ImageUse::Resource(r) => Some(r),
            ImageUse::Registry(_) => None,
        }
    }
}

impl Serialize for ImageUse {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ImageUse::Resource(r) => r.serialize(s),
            ImageUse::Registry(r) => s.serialize_str(r),
        }
    }
}

impl<'de> Deserialize<'de> for ImageUse {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        ref_or_str(
            d,
            "an image reference",
            ImageUse::from_address,
            ImageUse::registry,
        )
    }
}

/// `mount.source`: a `volume` resource, or a path (absolute, or relative to the stack
/// directory and starting with `./`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MountSource {
    Volume(Ref<VolumeKind>),
    Path(StackPath),
}

impl MountSource {
    fn path(s: &str) -> Result<MountSource, (String, String)> {
        StackPath::parse(s).map(MountSource::Path).map_err(|e| {
            (
                e.message,
                format!(
                    "{}; a mount source can also be a volume, like volume.data",
                    e.help
                ),
            )
        })
    }

    fn from_address(s: &str) -> Result<MountSource, (String, String)> {
        if s.starts_with('/') || s.starts_with('.') {
            return MountSource::path(s);
        }
        Ref::from_address(s).map(MountSource::Volume)
    }
}

impl Serialize for MountSource {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            MountSource::Volume(r) => r.serialize(s),
            MountSource::Path(p) => p.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for MountSource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        ref_or_str(
            d,
            "a volume reference or a path",
            MountSource::from_address,
            MountSource::path,
        )
    }
}

/// `network_mode`: `"bridge"` (join `networks`), `"host"`, `"none"`, or a container whose
/// network namespace to share.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub enum NetworkMode {
    #[default]
    Bridge,
    Host,
    None,
    Container(Ref<ContainerKind>),
}

impl NetworkMode {
    const NAMES: &'static [&'static str] = &["bridge", "host", "none"];

    fn name(s: &str) -> Result<NetworkMode, (String, String)> {
        match s {
            "bridge" => Ok(NetworkMode::Bridge),
            "host" => Ok(NetworkMode::Host),
            "none" => Ok(NetworkMode::None),
            _ => {
                let mut help =
                    "use \"bridge\", \"host\" or \"none\", or a container reference like \
                                container.db to share its network namespace"
                        .to_string();
                if split_address(s).is_some() {
                    help = format!("remove the quotes: write {s}");
                } else if let Some(best) =
                    stackc_lang::diag::suggest(s, Self::NAMES.iter().copied())
                {
                    help = format!("did you mean \"{best}\"? {help}");
                }
                Err((format!("invalid network mode {}", quote(s)), help))
            }
        }
    }

    fn from_address(s: &str) -> Result<NetworkMode, (String, String)> {
        if Self::NAMES.contains(&s) {
            return NetworkMode::name(s);
        }
        Ref::from_address(s)
            .map(NetworkMode::Container)
            .map_err(|(m, _)| {
                (
                    m.replace(
                        "expected a container reference like container.db",
                        "expected \"bridge\", \"host\", \"none\" or a container reference like container.db",
                    ),
                    "network_mode can share the network namespace of a container only".to_string(),
                )
            })
    }

    pub fn as_str(&self) -> &str {
        match self {
            NetworkMode::Bridge => "bridge",
            NetworkMode::Host => "host",
            NetworkMode::None => "none",
            NetworkMode::Container(r) => r.address(),
        }
    }
}

impl fmt::Display for NetworkMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for NetworkMode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for NetworkMode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        ref_or_str(
            d,
            "a network mode",
            NetworkMode::from_address,
            NetworkMode::name,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(
            split_address("service.api[\"a\"]"),
            Some((ResourceKind::Service, "api", "[\"a\"]"))
        );
        assert_eq!(
            split_address("container.web"),
            Some((ResourceKind::Container, "web", ""))
        );
        assert_eq!(split_address("redis:7"), None);
        assert_eq!(split_address("thing.x"), None);
        let r = Ref::<ContainerKind>::from_address("container.db[0]").unwrap();
        assert_eq!((r.name(), r.block_address()), ("db", "container.db"));
        let (m, h) = Ref::<ImageKind>::from_address("network.x").unwrap_err();
        assert_eq!(
            m,
            "expected an image reference like image.web, found network.x"
        );
        assert_eq!(
            h,
            "`network.x` is a network; refer to an `image` block here"
        );
    }

    #[test]
    fn json_round_trips() {
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct T {
            a: ImageUse,
            b: ImageUse,
            c: MountSource,
            d: MountSource,
            e: NetworkMode,
            f: NetworkMode,
            g: Ref<QuotaKind>,
        }
        let t = T {
            a: ImageUse::Resource(Ref::from_address("image.web").unwrap()),
            b: ImageUse::Registry("redis:7".into()),
            c: MountSource::Volume(Ref::from_address("volume.data").unwrap()),
            d: MountSource::Path(StackPath::parse("./conf").unwrap()),
            e: NetworkMode::Host,
            f: NetworkMode::Container(Ref::from_address("container.db").unwrap()),
            g: Ref::from_address("quota.team").unwrap(),
        };
        let j = serde_json::to_string(&t).unwrap();
        assert_eq!(
            j,
            r#"{"a":"image.web","b":"redis:7","c":"volume.data","d":"./conf","e":"host","f":"container.db","g":"quota.team"}"#
        );
        let back: T = serde_json::from_str(&j).unwrap();
        assert_eq!(back, t);
    }
}
