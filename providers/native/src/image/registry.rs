//! `ref`: pulling an image from an OCI / Docker registry over HTTP(S) (the distribution API
//! v2): anonymous, basic (credentials from Docker's `config.json`) or bearer-token auth; an
//! index (multi-arch) resolved to this host's platform; every blob checked against its
//! digest and every layer against its `diff_id`; layers already in the store not fetched
//! again. What a reference resolved to is remembered in `images/refs/`, for `pull = "never"`
//! and `"missing"`.
//!
//! Registries on a loopback address are spoken to over plain HTTP (a local test registry);
//! all others over HTTPS.

use super::archive::{
    defaults, host_arch, maybe_gzip, pick, record_error, strip_sha256, ImageConfigJson, Imported,
    Index, OciManifest,
};
use super::layer::{unpack_verified, Hashing};
use crate::error::{NativeError, Result};
use crate::store::{read_json, remove_file, write_json, Store};
use stackc_engine::model::image::PullPolicy;
use stackc_engine::provider::Progress;
use std::io::{BufReader, Read, Write};
use std::path::PathBuf;
use std::time::Duration;

const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
    application/vnd.docker.distribution.manifest.list.v2+json, \
    application/vnd.oci.image.manifest.v1+json, \
    application/vnd.docker.distribution.manifest.v2+json";

/// `registry/repository:tag` or `…@sha256:…`, with Docker Hub's defaults filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub registry: String,
    pub repository: String,
    /// A tag or a digest.
    pub reference: String,
}

impl Reference {
    pub fn parse(s: &str) -> Result<Reference> {
        let bad = || {
            NativeError::failed(
                format!("the image reference {s:?}"),
                "is not registry/name[:tag][@digest]",
            )
        };
        if s.is_empty() || s.chars().any(|c| c.is_whitespace()) {
            return Err(bad());
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => (r, Some(d.to_string())),
            None => (s, None),
        };
        // A first component with a dot, a colon or "localhost" names a registry.
        let (registry, path) = match rest.split_once('/') {
            Some((first, path))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_string(), path.to_string())
            }
            _ => ("registry-1.docker.io".to_string(), rest.to_string()),
        };
        let (repository, tag) = match path.rsplit_once(':') {
            Some((repo, tag)) if !tag.contains('/') => (repo.to_string(), tag.to_string()),
            _ => (path, "latest".to_string()),
        };
        let repository = if registry == "registry-1.docker.io" && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        if repository.is_empty()
            || repository
                .split('/')
                .any(|p| p.is_empty() || p == "." || p == "..")
        {
            return Err(bad());
        }
        Ok(Reference {
            registry,
            repository,
            reference: digest.unwrap_or(tag),
        })
    }

    fn is_loopback(&self) -> bool {
        let host = self
            .registry
            .rsplit_once(':')
            .map_or(self.registry.as_str(), |(h, _)| h);
        host == "localhost" || host.starts_with("127.") || host == "[::1]"
    }

    fn base(&self) -> String {
        let scheme = if self.is_loopback() { "http" } else { "https" };
        format!("{scheme}://{}/v2/{}", self.registry, self.repository)
    }
}

/// A registry session: the agent and the credentials it has earned.
struct Client {
    agent: ureq::Agent,
    reference: Reference,
    basic: Option<String>,
    token: Option<String>,
    what: String,
}

impl Client {
    fn new(reference: &Reference) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(15)))
            .timeout_recv_response(Some(Duration::from_secs(60)))
            .build()
            .new_agent();
        Client {
            agent,
            basic: docker_credentials(&reference.registry),
            reference: reference.clone(),
            token: None,
            what: format!(
                "pulling {}/{}:{}",
                reference.registry, reference.repository, reference.reference
            ),
        }
    }

    fn fail(&self, why: impl Into<String>) -> NativeError {
        NativeError::failed(&self.what, why)
    }

    /// GET `<base>/<path>`, authenticating once when the registry asks.
    fn get(&mut self, path: &str, accept: &str) -> Result<ureq::http::Response<ureq::Body>> {
        let url = format!("{}/{path}", self.reference.base());
        for attempt in 0..2 {
            let mut req = self.agent.get(&url).header("Accept", accept);
            if let Some(t) = &self.token {
                req = req.header("Authorization", format!("Bearer {t}"));
            } else if let Some(b) = &self.basic {
                req = req.header("Authorization", format!("Basic {b}"));
            }
            let resp = req.call().map_err(|e| self.fail(format!("{url}: {e}")))?;
            let status = resp.status().as_u16();
            if status == 401 && attempt == 0 {
                let challenge = resp
                    .headers()
                    .get("www-authenticate")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                self.authenticate(&challenge)?;
                continue;
            }
            if !(200..300).contains(&status) {
                let why = match status {
                    401 | 403 => "the registry refused access: log in (`docker login`, which writes ~/.docker/config.json)".to_string(),
                    404 => "not found in the registry".to_string(),
                    s => format!("the registry answered {s}"),
                };
                return Err(self.fail(format!("{url}: {why}")));
            }
            return Ok(resp);
        }
        Err(self.fail("the registry refused access after authenticating"))
    }

    /// Answers a `WWW-Authenticate` challenge: Basic uses the stored credentials, Bearer
    /// fetches a token from the realm (with them, when there are any).
    fn authenticate(&mut self, challenge: &str) -> Result<()> {
        let (scheme, params) = challenge.split_once(' ').unwrap_or((challenge, ""));
        if scheme.eq_ignore_ascii_case("basic") {
            if self.basic.is_none() {
                return Err(self.fail("the registry wants a login: run `docker login` (stackc reads ~/.docker/config.json)"));
            }
            return Ok(());
        }
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(self.fail(format!("unsupported authentication {scheme:?}")));
        }
        let mut realm = String::new();
        let mut query = Vec::new();
        for (k, v) in challenge_params(params) {
            match k.as_str() {
                "realm" => realm = v,
                "service" | "scope" => query.push(format!("{k}={}", encode(&v))),
                _ => {}
            }
        }
        if !query.iter().any(|q| q.starts_with("scope=")) {
            query.push(format!(
                "scope={}",
                encode(&format!("repository:{}:pull", self.reference.repository))
            ));
        }
        if !(realm.starts_with("https://") || realm.starts_with("http://")) {
            return Err(self.fail(format!("the token realm {realm:?} is not an HTTP URL")));
        }
        let url = format!("{realm}?{}", query.join("&"));
        let mut req = self.agent.get(&url);
        if let Some(b) = &self.basic {
            req = req.header("Authorization", format!("Basic {b}"));
        }
        let mut resp = req.call().map_err(|e| self.fail(format!("{url}: {e}")))?;
        if !resp.status().is_success() {
            return Err(self.fail(format!("the token service answered {}", resp.status())));
        }
        let body: serde_json::Value = resp
            .body_mut()
            .read_json()
            .map_err(|e| self.fail(format!("the token service's answer: {e}")))?;
        let token = body
            .get("token")
            .or_else(|| body.get("access_token"))
            .and_then(|t| t.as_str())
            .ok_or_else(|| self.fail("the token service gave no token"))?;
        self.token = Some(token.to_string());
        Ok(())
    }

    fn json<T: for<'de> serde::Deserialize<'de>>(
        &mut self,
        path: &str,
        accept: &str,
    ) -> Result<(Vec<u8>, T)> {
        let mut resp = self.get(path, accept)?;
        let bytes = resp
            .body_mut()
            .with_config()
            .limit(16 << 20)
            .read_to_vec()
            .map_err(|e| self.fail(e.to_string()))?;
        let value = serde_json::from_slice(&bytes).map_err(|e| record_error(&self.what, e))?;
        Ok((bytes, value))
    }
}

/// `key="value", key=value` pairs of a challenge.
fn challenge_params(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        let Some((k, after)) = rest.split_once('=') else {
            break;
        };
        let (v, next) = if let Some(quoted) = after.strip_prefix('"') {
            match quoted.find('"') {
                Some(end) => (&quoted[..end], &quoted[end + 1..]),
                None => (quoted, ""),
            }
        } else {
            match after.find(',') {
                Some(end) => (&after[..end], &after[end..]),
                None => (after, ""),
            }
        };
        out.push((k.trim().to_ascii_lowercase(), v.to_string()));
        rest = next.trim_start_matches([',', ' ']);
    }
    out
}

/// Percent-encoding of a query value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `auths.<registry>.auth` (base64 `user:password`) from Docker's `config.json`.
fn docker_credentials(registry: &str) -> Option<String> {
    let path = match std::env::var_os("DOCKER_CONFIG") {
        Some(d) => PathBuf::from(d).join("config.json"),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".docker/config.json"),
    };
    let config: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    let auths = config.get("auths")?.as_object()?;
    let keys = [
        registry.to_string(),
        format!("https://{registry}"),
        if registry == "registry-1.docker.io" {
            "https://index.docker.io/v1/".to_string()
        } else {
            String::new()
        },
    ];
    keys.iter()
        .filter(|k| !k.is_empty())
        .find_map(|k| auths.get(k)?.get("auth")?.as_str().map(str::to_string))
        .filter(|a| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.decode(a).is_ok()
        })
}

fn cache_path(store: &Store, reference: &str) -> PathBuf {
    use sha2::Digest;
    store.images().join("refs").join(format!(
        "{}.json",
        hex::encode(sha2::Sha256::digest(reference.as_bytes()))
    ))
}

/// Pulls `reference` as `policy` says. The caller holds the store lock.
pub fn pull(
    store: &Store,
    reference: &str,
    policy: PullPolicy,
    progress: &Progress,
) -> Result<Imported> {
    let cache = cache_path(store, reference);
    let cached: Option<Imported> = read_json(&cache)?;
    let complete = |i: &Imported| i.layers.iter().all(|l| store.layer(l).is_dir());
    match (policy, cached) {
        (PullPolicy::Missing | PullPolicy::Never, Some(c)) if complete(&c) => return Ok(c),
        (PullPolicy::Never, _) => {
            return Err(NativeError::failed(
                format!("the image {reference}"),
                "is not in the store and pull = \"never\"; allow pulling, or use `archive`",
            ))
        }
        _ => {}
    }
    let r = Reference::parse(reference)?;
    let mut client = Client::new(&r);
    progress.report(format!("pulling {reference}"), None, None);
    let mut digest_ref = r.reference.clone();
    let manifest: OciManifest = loop {
        let (bytes, value): (Vec<u8>, serde_json::Value) =
            client.json(&format!("manifests/{digest_ref}"), ACCEPT)?;
        if digest_ref.starts_with("sha256:") {
            use sha2::Digest;
            if hex::encode(sha2::Sha256::digest(&bytes)) != strip_sha256(&digest_ref, &client.what)?
            {
                return Err(client.fail(format!(
                    "the manifest {digest_ref} does not match its digest"
                )));
            }
        }
        if value.get("manifests").is_some() {
            let index: Index =
                serde_json::from_value(value).map_err(|e| record_error(&client.what, e))?;
            let Some(d) = pick(&index.manifests) else {
                return Err(client.fail(format!(
                    "the image has no variant for linux/{}",
                    host_arch()
                )));
            };
            if digest_ref == d.digest {
                return Err(client.fail("the index names itself"));
            }
            digest_ref = d.digest.clone();
            continue;
        }
        break serde_json::from_value(value).map_err(|e| record_error(&client.what, e))?;
    };
    let config_bytes = fetch_blob_bytes(&mut client, &manifest.config.digest)?;
    let config: ImageConfigJson =
        serde_json::from_slice(&config_bytes).map_err(|e| record_error(&client.what, e))?;
    let diff_ids = config
        .rootfs
        .as_ref()
        .map(|r| r.diff_ids.clone())
        .unwrap_or_default();
    if diff_ids.len() != manifest.layers.len() {
        return Err(client.fail("the image's config and manifest disagree on the layers"));
    }
    let mut layers = Vec::new();
    let count = manifest.layers.len();
    for (i, (layer, diff_id)) in manifest.layers.iter().zip(&diff_ids).enumerate() {
        let expect = strip_sha256(diff_id, &client.what)?.to_string();
        if store.layer(&expect).is_dir() {
            layers.push(expect);
            continue;
        }
        if layer.media_type.contains("zstd") {
            return Err(NativeError::Unsupported(format!(
                "{}: zstd-compressed layers are not supported yet",
                client.what
            )));
        }
        progress.report(
            format!("pulling {reference}: layer {} of {count}", i + 1),
            None,
            None,
        );
        let tmp = fetch_blob_file(store, &mut client, &layer.digest, progress)?;
        let unpacked = std::fs::File::open(&tmp)
            .map_err(NativeError::io(&tmp))
            .and_then(|f| maybe_gzip(BufReader::new(f)).map_err(NativeError::io(&tmp)))
            .and_then(|reader| unpack_verified(store, reader, Some(&expect)));
        let _ = remove_file(&tmp);
        layers.push(unpacked?);
    }
    let pulled = Imported {
        layers,
        config: defaults(config.config),
    };
    if let Some(dir) = cache.parent() {
        std::fs::create_dir_all(dir).map_err(NativeError::io(dir))?;
    }
    write_json(&cache, &pulled)?;
    Ok(pulled)
}

fn fetch_blob_bytes(client: &mut Client, digest: &str) -> Result<Vec<u8>> {
    let hex = strip_sha256(digest, &client.what)?.to_string();
    let mut resp = client.get(&format!("blobs/{digest}"), "*/*")?;
    let bytes = resp
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_vec()
        .map_err(|e| client.fail(e.to_string()))?;
    use sha2::Digest;
    if hex::encode(sha2::Sha256::digest(&bytes)) != hex {
        return Err(client.fail(format!("the blob {digest} does not match its digest")));
    }
    Ok(bytes)
}

/// Downloads a blob to a temporary file, checking its digest.
fn fetch_blob_file(
    store: &Store,
    client: &mut Client,
    digest: &str,
    progress: &Progress,
) -> Result<PathBuf> {
    let hex = strip_sha256(digest, &client.what)?.to_string();
    let mut resp = client.get(&format!("blobs/{digest}"), "*/*")?;
    let total = resp
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let tmp = store
        .tmp()
        .join(format!("blob-{}", crate::store::new_id()?));
    let file = std::fs::File::create(&tmp).map_err(NativeError::io(&tmp))?;
    let mut out = Hashing::new(std::io::BufWriter::new(file));
    let mut reader = resp.body_mut().as_reader();
    let mut buf = vec![0u8; 1 << 16];
    let mut done: u64 = 0;
    let mut last_report = 0u64;
    let result = loop {
        match reader.read(&mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => {
                if let Err(e) = out.write_all(&buf[..n]) {
                    break Err(NativeError::io(&tmp)(e));
                }
                done += n as u64;
                if done - last_report >= 4 << 20 {
                    last_report = done;
                    progress.report(format!("{}: {digest}", client.what), Some(done), total);
                }
            }
            Err(e) => break Err(client.fail(format!("downloading {digest}: {e}"))),
        }
    };
    let ok = result.and_then(|()| out.flush().map_err(NativeError::io(&tmp)));
    if let Err(e) = ok {
        let _ = remove_file(&tmp);
        return Err(e);
    }
    if out.hex() != hex {
        let _ = remove_file(&tmp);
        return Err(client.fail(format!("the blob {digest} does not match its digest")));
    }
    Ok(tmp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_get_docker_hubs_defaults() {
        let r = Reference::parse("redis:7-alpine").unwrap();
        assert_eq!(
            (
                r.registry.as_str(),
                r.repository.as_str(),
                r.reference.as_str()
            ),
            ("registry-1.docker.io", "library/redis", "7-alpine")
        );
        let r = Reference::parse("127.0.0.1:5000/team/app").unwrap();
        assert_eq!(
            (
                r.registry.as_str(),
                r.repository.as_str(),
                r.reference.as_str()
            ),
            ("127.0.0.1:5000", "team/app", "latest")
        );
        assert!(r.is_loopback());
        let r = Reference::parse("ghcr.io/o/p@sha256:abc").unwrap();
        assert_eq!(r.reference, "sha256:abc");
        assert!(Reference::parse("a/../b").is_err());
    }

    #[test]
    fn challenges_parse() {
        let p = challenge_params(
            r#"realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/redis:pull""#,
        );
        assert_eq!(
            p[0],
            ("realm".into(), "https://auth.docker.io/token".into())
        );
        assert_eq!(p[2].1, "repository:library/redis:pull");
    }
}
