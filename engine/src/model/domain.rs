//! Domain strings of LANGUAGE.md §3 and other checked scalars: durations, sizes, CPUs, CIDRs,
//! IP addresses, file modes, paths, signals, capabilities and secrets.
//!
//! Each type keeps the value as the user wrote it ([`Written`], shown by `config` and plans) and
//! the parsed value; equality compares parsed values, so `"1GiB"` equals `"1024MiB"`. A bad
//! string is a serde custom error whose message names the value and whose help lists the valid
//! forms; the decoder turns it into a `stackc::type` diagnostic at the value.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use stackc_lang::de::error_with_help;
use stackc_lang::value::{format_number, quote};
use std::cell::Cell;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;
use std::path::{Component, Path, PathBuf};

/// A value as written in the configuration: a number or a string.
#[derive(Clone, Debug, PartialEq)]
pub enum Written {
    Number(f64),
    Text(String),
}

impl fmt::Display for Written {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Written::Number(n) => f.write_str(&format_number(*n)),
            Written::Text(s) => f.write_str(s),
        }
    }
}

impl Serialize for Written {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Written::Number(n) if n.fract() == 0.0 && (0.0..9.0e15).contains(n) => {
                s.serialize_u64(*n as u64)
            }
            Written::Number(n) => s.serialize_f64(*n),
            Written::Text(t) => s.serialize_str(t),
        }
    }
}

/// Why a domain string is invalid: the message names the value, the help lists the valid forms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainError {
    pub message: String,
    pub help: String,
}

impl DomainError {
    fn new(message: impl Into<String>, help: impl Into<String>) -> DomainError {
        DomainError {
            message: message.into(),
            help: help.into(),
        }
    }

    fn into_de<E: de::Error>(self) -> E {
        error_with_help(self.message, self.help)
    }
}

impl fmt::Display for DomainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.help)
    }
}

impl std::error::Error for DomainError {}

/// A domain type parsed from a string, and (for some) from a number.
trait Domain: Sized {
    /// For serde's "expected …" messages.
    const EXPECTING: &'static str;
    fn parse_text(s: &str) -> Result<Self, DomainError>;
    fn parse_number(n: f64) -> Result<Self, DomainError>;
}

struct DomainVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Domain> Visitor<'de> for DomainVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<T, E> {
        T::parse_text(s).map_err(DomainError::into_de)
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<T, E> {
        T::parse_number(n).map_err(DomainError::into_de)
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<T, E> {
        self.visit_f64(n as f64)
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<T, E> {
        self.visit_f64(n as f64)
    }
}

fn deserialize_domain<'de, D: Deserializer<'de>, T: Domain>(d: D) -> Result<T, D::Error> {
    d.deserialize_any(DomainVisitor::<T>(std::marker::PhantomData))
}

fn not_a_number<T>(n: f64, what: &str, help: &str) -> Result<T, DomainError> {
    Err(DomainError::new(
        format!("{} is not a valid {what}", format_number(n)),
        help,
    ))
}

/// Splits `"1.5GiB"` into integer digits, fraction digits and the rest: `("1", "5", "GiB")`.
fn split_number(s: &str) -> Option<(&str, &str, &str)> {
    let int_end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (int, rest) = s.split_at(int_end);
    let (frac, rest) = match rest.strip_prefix('.') {
        Some(r) => r.split_at(r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len())),
        None => ("", rest),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    Some((int, frac, rest))
}

/// `int.frac × unit`, rounded down; `None` on overflow. Exact: no floating point.
fn scale(int: &str, frac: &str, unit: u128) -> Option<u128> {
    let whole: u128 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut total = whole.checked_mul(unit)?;
    // More fraction digits than this cannot matter for units up to 10^12 and would overflow.
    let frac = &frac[..frac.len().min(18)];
    if !frac.is_empty() {
        let digits: u128 = frac.parse().ok()?;
        let denominator = 10u128.checked_pow(frac.len() as u32)?;
        total = total.checked_add(digits.checked_mul(unit)? / denominator)?;
    }
    Some(total)
}

// ---------------------------------------------------------------------------------------------
// Duration

const DURATION_HELP: &str =
    "write a number of seconds, or numbers with the units ns, us, ms, s, m \
                             and h, like \"250ms\", \"5s\", \"1m30s\" or \"2h\"";

/// A duration: `"250ms"`, `"5s"`, `"1m30s"`, `"2h"`; units `ns us ms s m h`; a bare number is
/// seconds.
#[derive(Clone, Debug)]
pub struct Duration {
    written: Written,
    value: std::time::Duration,
}

impl Duration {
    pub fn parse(s: &str) -> Result<Duration, DomainError> {
        let bad = || DomainError::new(format!("invalid duration {}", quote(s)), DURATION_HELP);
        if s.is_empty() {
            return Err(bad());
        }
        if s.starts_with('-') {
            return Err(DomainError::new(
                format!(
                    "invalid duration {}: durations cannot be negative",
                    quote(s)
                ),
                DURATION_HELP,
            ));
        }
        let mut nanos: u128 = 0;
        let mut rest = s;
        // A bare number: seconds.
        if let Some((int, frac, "")) = split_number(s) {
            nanos = scale(int, frac, 1_000_000_000).ok_or_else(bad)?;
            rest = "";
        }
        while !rest.is_empty() {
            let (int, frac, after) = split_number(rest).ok_or_else(bad)?;
            let (unit, after) = [
                ("ns", 1u128),
                ("us", 1_000),
                ("ms", 1_000_000),
                ("s", 1_000_000_000),
                ("m", 60_000_000_000),
                ("h", 3_600_000_000_000),
            ]
            .iter()
            .find_map(|(u, n)| after.strip_prefix(u).map(|a| (*n, a)))
            .ok_or_else(bad)?;
            nanos = nanos
                .checked_add(scale(int, frac, unit).ok_or_else(bad)?)
                .ok_or_else(bad)?;
            rest = after;
        }
        let nanos = u64::try_from(nanos).map_err(|_| {
            DomainError::new(
                format!("duration {} is too long", quote(s)),
                "durations can be at most a few hundred years",
            )
        })?;
        Ok(Duration {
            written: Written::Text(s.to_string()),
            value: std::time::Duration::from_nanos(nanos),
        })
    }

    /// A duration of whole seconds, written `"{n}s"` (for defaults).
    pub fn from_secs(secs: u64) -> Duration {
        Duration {
            written: Written::Text(format!("{secs}s")),
            value: std::time::Duration::from_secs(secs),
        }
    }

    pub fn get(&self) -> std::time::Duration {
        self.value
    }

    pub fn written(&self) -> &Written {
        &self.written
    }
}

impl Domain for Duration {
    const EXPECTING: &'static str = "a duration like \"5s\"";
    fn parse_text(s: &str) -> Result<Self, DomainError> {
        Duration::parse(s)
    }
    fn parse_number(n: f64) -> Result<Self, DomainError> {
        match std::time::Duration::try_from_secs_f64(n) {
            Ok(value) => Ok(Duration {
                written: Written::Number(n),
                value,
            }),
            Err(_) => not_a_number(n, "duration", DURATION_HELP),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Size

const SIZE_HELP: &str = "write a number of bytes, or a number with a unit: Ki, Mi, Gi, Ti or KiB, \
                         MiB, GiB, TiB (powers of 1024); K, M, G, T or KB, MB, GB, TB (powers of \
                         1000); like \"512MiB\" or \"1.5G\"";

/// A size in bytes: a bare number is bytes; `Ki Mi Gi Ti`/`KiB MiB GiB TiB` are powers of 1024,
/// `K M G T`/`KB MB GB TB` powers of 1000. Fractions round down to whole bytes.
#[derive(Clone, Debug)]
pub struct Size {
    written: Written,
    bytes: u64,
}

impl Size {
    pub fn parse(s: &str) -> Result<Size, DomainError> {
        let bad = |help: String| DomainError::new(format!("invalid size {}", quote(s)), help);
        if s.starts_with('-') {
            return Err(DomainError::new(
                format!("invalid size {}: sizes cannot be negative", quote(s)),
                SIZE_HELP,
            ));
        }
        let Some((int, frac, unit)) = split_number(s) else {
            return Err(bad(SIZE_HELP.to_string()));
        };
        const KI: u128 = 1024;
        let multiplier = match unit {
            "" | "B" => 1,
            "K" | "KB" => 1_000,
            "M" | "MB" => 1_000_000,
            "G" | "GB" => 1_000_000_000,
            "T" | "TB" => 1_000_000_000_000,
            "Ki" | "KiB" => KI,
            "Mi" | "MiB" => KI * KI,
            "Gi" | "GiB" => KI * KI * KI,
            "Ti" | "TiB" => KI * KI * KI * KI,
            other => {
                let number = &s[..s.len() - other.len()];
                let upper: String = other
                    .chars()
                    .take(1)
                    .flat_map(char::to_uppercase)
                    .chain(other.chars().skip(1))
                    .collect();
                let stem = upper.trim_end_matches(['b', 'B']).trim_end_matches('i');
                let help = if matches!(stem, "K" | "M" | "G" | "T") {
                    // `512m`, `1gb`, `1Gb`: the case of the prefix or of the B is wrong.
                    format!(
                        "units are case-sensitive (and a lower-case b would mean bits): did you \
                         mean \"{number}{stem}i\" (powers of 1024) or \"{number}{stem}\" (powers \
                         of 1000)?"
                    )
                } else {
                    SIZE_HELP.to_string()
                };
                return Err(bad(help));
            }
        };
        let bytes = scale(int, frac, multiplier)
            .and_then(|b| u64::try_from(b).ok())
            .ok_or_else(|| {
                DomainError::new(format!("size {} is too large", quote(s)), SIZE_HELP)
            })?;
        Ok(Size {
            written: Written::Text(s.to_string()),
            bytes,
        })
    }

    /// A size written as a number of bytes (for defaults).
    pub fn from_bytes(bytes: u64) -> Size {
        Size {
            written: Written::Number(bytes as f64),
            bytes,
        }
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    pub fn written(&self) -> &Written {
        &self.written
    }
}

impl Domain for Size {
    const EXPECTING: &'static str = "a size like \"512MiB\"";
    fn parse_text(s: &str) -> Result<Self, DomainError> {
        Size::parse(s)
    }
    fn parse_number(n: f64) -> Result<Self, DomainError> {
        if !n.is_finite() || !(0.0..1.8e19).contains(&n) {
            return not_a_number(n, "size", SIZE_HELP);
        }
        Ok(Size {
            written: Written::Number(n),
            bytes: n.floor() as u64,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// CPU

const CPU_HELP: &str =
    "write a number of CPUs like 0.5 or 2, or millicores like \"500m\" (1000m = one CPU)";

/// Nano-CPUs per CPU.
pub const NANO_CPUS: u64 = 1_000_000_000;

/// A CPU amount: a number of CPUs (`0.5`, `2`) or millicores (`"500m"`). Kept in nano-CPUs
/// (Docker's `NanoCpus`), so sums over quota members are exact.
#[derive(Clone, Debug)]
pub struct Cpu {
    written: Written,
    nanos: u64,
}

impl Cpu {
    /// At most this many CPUs, so sums of many members cannot overflow.
    const MAX_NANOS: u128 = 1_000_000 * NANO_CPUS as u128;

    pub fn parse(s: &str) -> Result<Cpu, DomainError> {
        let bad = || DomainError::new(format!("invalid CPU amount {}", quote(s)), CPU_HELP);
        let (int, frac, unit) = split_number(s).ok_or_else(bad)?;
        let per_unit = match unit {
            "" => NANO_CPUS as u128,
            "m" => NANO_CPUS as u128 / 1000,
            _ => return Err(bad()),
        };
        let nanos = scale(int, frac, per_unit).ok_or_else(bad)?;
        Cpu::checked(Written::Text(s.to_string()), nanos)
    }

    fn checked(written: Written, nanos: u128) -> Result<Cpu, DomainError> {
        if nanos == 0 {
            return Err(DomainError::new(
                format!(
                    "CPU amount {} must be more than 0",
                    quote(&written.to_string())
                ),
                CPU_HELP,
            ));
        }
        if nanos > Cpu::MAX_NANOS {
            return Err(DomainError::new(
                format!("CPU amount {} is too large", quote(&written.to_string())),
                CPU_HELP,
            ));
        }
        Ok(Cpu {
            written,
            nanos: nanos as u64,
        })
    }

    /// A CPU amount in nano-CPUs, written as millicores (for defaults and sums).
    pub fn from_nanos(nanos: u64) -> Cpu {
        let per_milli = NANO_CPUS / 1000;
        let (millis, rest) = (nanos / per_milli, nanos % per_milli);
        let written = if rest == 0 {
            Written::Text(format!("{millis}m"))
        } else {
            Written::Number(nanos as f64 / NANO_CPUS as f64)
        };
        Cpu { written, nanos }
    }

    /// Nano-CPUs: 1e9 is one CPU.
    pub fn nanos(&self) -> u64 {
        self.nanos
    }

    /// Millicores, rounded up.
    pub fn millis(&self) -> u64 {
        self.nanos.div_ceil(NANO_CPUS / 1000)
    }

    pub fn cpus(&self) -> f64 {
        self.nanos as f64 / NANO_CPUS as f64
    }

    pub fn written(&self) -> &Written {
        &self.written
    }
}

impl Domain for Cpu {
    const EXPECTING: &'static str = "a number of CPUs";
    fn parse_text(s: &str) -> Result<Self, DomainError> {
        Cpu::parse(s)
    }
    fn parse_number(n: f64) -> Result<Self, DomainError> {
        if !n.is_finite() || !(0.0..=1e7).contains(&n) {
            return not_a_number(n, "CPU amount", CPU_HELP);
        }
        Cpu::checked(Written::Number(n), (n * NANO_CPUS as f64).round() as u128)
    }
}

// ---------------------------------------------------------------------------------------------
// CIDR and IP

/// A subnet in CIDR notation, `"10.89.0.0/24"` or `"fd00:1::/64"`, with no host bits set.
#[derive(Clone, Debug)]
pub struct Cidr {
    text: String,
    net: ipnet::IpNet,
}

impl Cidr {
    pub fn parse(s: &str) -> Result<Cidr, DomainError> {
        let net: ipnet::IpNet = s.parse().map_err(|_| {
            DomainError::new(
                format!("invalid CIDR {}", quote(s)),
                "write an address and a prefix length, like \"10.89.0.0/24\" or \"fd00:1::/64\"",
            )
        })?;
        if net.trunc() != net {
            return Err(DomainError::new(
                format!("{} has host bits set", quote(s)),
                format!("did you mean \"{}\"?", net.trunc()),
            ));
        }
        Ok(Cidr {
            text: s.to_string(),
            net,
        })
    }

    pub fn net(&self) -> ipnet::IpNet {
        self.net
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl Domain for Cidr {
    const EXPECTING: &'static str = "a CIDR string like \"10.89.0.0/24\"";
    fn parse_text(s: &str) -> Result<Self, DomainError> {
        Cidr::parse(s)
    }
    fn parse_number(n: f64) -> Result<Self, DomainError> {
        not_a_number(n, "CIDR", "write a string like \"10.89.0.0/24\"")
    }
}

/// An IP address, `"10.89.0.1"` or `"fd00::1"`.
#[derive(Clone, Debug)]
pub struct Ip {
    text: String,
    addr: IpAddr,
}

impl Ip {
    pub fn parse(s: &str) -> Result<Ip, DomainError> {
        let addr = s.parse().map_err(|_| {
            DomainError::new(
                format!("invalid IP address {}", quote(s)),
                "write an IPv4 address like \"127.0.0.1\" or an IPv6 address like \"::1\"",
            )
        })?;
        Ok(Ip {
            text: s.to_string(),
            addr,
        })
    }

    pub fn addr(&self) -> IpAddr {
        self.addr
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl Domain for Ip {
    const EXPECTING: &'static str = "an IP address";
    fn parse_text(s: &str) -> Result<Self, DomainError> {
        Ip::parse(s)
    }
    fn parse_number(n: f64) -> Result<Self, DomainError> {
        not_a_number(n, "IP address", "write a string like \"127.0.0.1\"")
    }
}

// ---------------------------------------------------------------------------------------------
// File modes and paths

/// Permission bits written in octal, `"0644"`.
#[derive(Clone, Debug)]
pub struct FileMode {
    text: String,
    mode: u32,
}

impl FileMode {
    pub fn parse(s: &str) -> Result<FileMode, DomainError> {
        let help = "write the mode as a string of octal digits, like \"0644\" or \"0400\"";
        let digits = s.strip_prefix("0o").unwrap_or(s);
        if digits.is_empty()
            || digits.len() > 4
            || !digits.chars().all(|c| ('0'..='7').contains(&c))
        {
            return Err(DomainError::new(
                format!("invalid file mode {}", quote(s)),
                help,
            ));
        }
        let mode = u32::from_str_radix(digits, 8)
            .map_err(|_| DomainError::new(format!("invalid file mode {}", quote(s)), help))?;
        Ok(FileMode {
            text: s.to_string(),
            mode,
        })
    }

    /// A mode written in the canonical four-digit form (for defaults).
    pub fn from_bits(mode: u32) -> FileMode {
        FileMode {
            text: format!("{:04o}", mode & 0o7777),
            mode: mode & 0o7777,
        }
    }

    pub fn bits(&self) -> u32 {
        self.mode
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl Domain for FileMode {
    const EXPECTING: &'static str = "a file mode like \"0644\"";
    fn parse_text(s: &str) -> Result<Self, DomainError> {
        FileMode::parse(s)
    }
    fn parse_number(n: f64) -> Result<Self, DomainError> {
        Err(DomainError::new(
            format!("file mode {} must be a string", format_number(n)),
            format!(
                "write the mode as a string of octal digits, like \"0{}\"",
                format_number(n)
            ),
        ))
    }
}

/// A path in the stack's files: absolute, or relative to the stack directory and starting with
/// `./` (or `.` alone). A relative path may not climb out of the stack directory; the check that
/// symlinks do not lead out is made when the file is read.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StackPath(String);

impl StackPath {
    pub fn parse(s: &str) -> Result<StackPath, DomainError> {
        let help = "paths are absolute, or relative to the stack directory and start with ./";
        if s.is_empty() {
            return Err(DomainError::new("the path is empty", help));
        }
        if s.starts_with('/') {
            return Ok(StackPath(s.to_string()));
        }
        if s != "." && !s.starts_with("./") {
            let help = if s.starts_with("../") {
                "paths relative to the stack directory cannot leave it; use an absolute path"
                    .to_string()
            } else {
                format!("did you mean \"./{s}\"? {help}")
            };
            return Err(DomainError::new(
                format!("relative path {} must start with ./", quote(s)),
                help,
            ));
        }
        let mut depth: i64 = 0;
        for c in Path::new(s).components() {
            match c {
                Component::ParentDir => depth -= 1,
                Component::Normal(_) => depth += 1,
                _ => {}
            }
            if depth < 0 {
                return Err(DomainError::new(
                    format!("path {} leaves the stack directory", quote(s)),
                    "paths relative to the stack directory must stay inside it; use an absolute path",
                ));
            }
        }
        Ok(StackPath(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_absolute(&self) -> bool {
        self.0.starts_with('/')
    }

    /// The path on this machine: relative paths are joined to the stack directory.
    pub fn resolve(&self, stack_dir: &Path) -> PathBuf {
        if self.is_absolute() {
            PathBuf::from(&self.0)
        } else {
            stack_dir.join(&self.0)
        }
    }
}

impl Domain for StackPath {
    const EXPECTING: &'static str = "a path";
    fn parse_text(s: &str) -> Result<Self, DomainError> {
        StackPath::parse(s)
    }
    fn parse_number(n: f64) -> Result<Self, DomainError> {
        not_a_number(n, "path", "write a path like \"./data\"")
    }
}

/// An absolute path: inside a container (`target`, `workdir`), or of a host executable.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AbsolutePath(String);

impl AbsolutePath {
    pub fn parse(s: &str) -> Result<AbsolutePath, DomainError> {
        if s.starts_with('/') {
            Ok(AbsolutePath(s.to_string()))
        } else {
            Err(DomainError::new(
                format!("path {} is not absolute", quote(s)),
                format!(
                    "write an absolute path, starting with /, like \"/{}\"",
                    s.trim_start_matches("./")
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Domain for AbsolutePath {
    const EXPECTING: &'static str = "an absolute path";
    fn parse_text(s: &str) -> Result<Self, DomainError> {
        AbsolutePath::parse(s)
    }
    fn parse_number(n: f64) -> Result<Self, DomainError> {
        not_a_number(n, "path", "write an absolute path like \"/data\"")
    }
}

// ---------------------------------------------------------------------------------------------
// Signals and capabilities

/// Linux signal names and numbers (x86-64 / aarch64 numbering).
const SIGNALS: &[(&str, i32)] = &[
    ("HUP", 1),
    ("INT", 2),
    ("QUIT", 3),
    ("ILL", 4),
    ("TRAP", 5),
    ("ABRT", 6),
    ("IOT", 6),
    ("BUS", 7),
    ("FPE", 8),
    ("KILL", 9),
    ("USR1", 10),
    ("SEGV", 11),
    ("USR2", 12),
    ("PIPE", 13),
    ("ALRM", 14),
    ("TERM", 15),
    ("STKFLT", 16),
    ("CHLD", 17),
    ("CONT", 18),
    ("STOP", 19),
    ("TSTP", 20),
    ("TTIN", 21),
    ("TTOU", 22),
    ("URG", 23),
    ("XCPU", 24),
    ("XFSZ", 25),
    ("VTALRM", 26),
    ("PROF", 27),
    ("WINCH", 28),
    ("IO", 29),
    ("POLL", 29),
    ("PWR", 30),
    ("SYS", 31),
];

const SIGRTMIN: i32 = 34;
const SIGRTMAX: i32 = 64;

/// A signal: `"SIGTERM"`, `"TERM"`, `"SIGRTMIN+3"` or a number.
#[derive(Clone, Debug)]
pub struct Signal {
    written: Written,
    number: i32,
}

impl Signal {
    pub fn parse(s: &str) -> Result<Signal, DomainError> {
        let bad = || {
            let upper = s.to_ascii_uppercase();
            let name = upper.strip_prefix("SIG").unwrap_or(&upper);
            let mut help =
                "write a signal name like \"SIGTERM\", \"SIGINT\" or \"SIGQUIT\", or its \
                            number"
                    .to_string();
            if let Some(best) = stackc_lang::diag::suggest(name, SIGNALS.iter().map(|(n, _)| *n)) {
                help = format!("did you mean \"SIG{best}\"? {help}");
            }
            DomainError::new(format!("unknown signal {}", quote(s)), help)
        };
        if let Ok(n) = s.parse::<i32>() {
            return Signal::from_number(Written::Text(s.to_string()), n).ok_or_else(bad);
        }
        let upper = s.to_ascii_uppercase();
        let name = upper.strip_prefix("SIG").unwrap_or(&upper);
        let number = if let Some((_, n)) = SIGNALS.iter().find(|(n, _)| *n == name) {
            *n
        } else if let Some(rest) = name.strip_prefix("RTMIN") {
            let off = if rest.is_empty() {
                Some(0)
            } else {
                rest.strip_prefix('+').and_then(|r| r.parse::<i32>().ok())
            };
            off.map(|o| SIGRTMIN + o)
                .filter(|n| *n <= SIGRTMAX)
                .ok_or_else(bad)?
        } else if let Some(rest) = name.strip_prefix("RTMAX") {
            let off = if rest.is_empty() {
                Some(0)
            } else {
                rest.strip_prefix('-').and_then(|r| r.parse::<i32>().ok())
            };
            off.map(|o| SIGRTMAX - o)
                .filter(|n| *n >= SIGRTMIN)
                .ok_or_else(bad)?
        } else {
            return Err(bad());
        };
        Ok(Signal {
            written: Written::Text(s.to_string()),
            number,
        })
    }

    fn from_number(written: Written, n: i32) -> Option<Signal> {
        (1..=SIGRTMAX)
            .contains(&n)
            .then_some(Signal { written, number: n })
    }

    /// The signal's number.
    pub fn number(&self) -> i32 {
        self.number
    }

    /// The canonical name, `SIGTERM`, `SIGRTMIN+3`, or the number for unnamed ones.
    pub fn name(&self) -> String {
        match SIGNALS.iter().find(|(_, n)| *n == self.number) {
            Some((name, _)) => format!("SIG{name}"),
            None if self.number >= SIGRTMIN => format!("SIGRTMIN+{}", self.number - SIGRTMIN),
            None => self.number.to_string(),
        }
    }

    pub fn written(&self) -> &Written {
        &self.written
    }

    /// `SIGTERM`, the default stop signal.
    pub fn term() -> Signal {
        Signal {
            written: Written::Text("SIGTERM".into()),
            number: 15,
        }
    }
}

impl Domain for Signal {
    const EXPECTING: &'static str = "a signal name like \"SIGTERM\"";
    fn parse_text(s: &str) -> Result<Self, DomainError> {
        Signal::parse(s)
    }
    fn parse_number(n: f64) -> Result<Self, DomainError> {
        let help = "signal numbers go from 1 to 64; or write a name like \"SIGTERM\"";
        if n.fract() != 0.0 {
            return not_a_number(n, "signal", help);
        }
        Signal::from_number(Written::Number(n), n as i32)
            .ok_or_else(|| DomainError::new(format!("{} is not a signal", format_number(n)), help))
    }
}

/// Linux capability names, without the `CAP_` prefix.
pub const CAPABILITIES: &[&str] = &[
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
];

/// A Linux capability, with or without `CAP_`, in any case; or `"ALL"`. Equality compares the
/// canonical name (`NET_RAW`), so `"CAP_NET_RAW"` equals `"net_raw"`.
#[derive(Clone, Debug)]
pub struct Capability {
    text: String,
    name: &'static str,
}

impl Capability {
    pub fn parse(s: &str) -> Result<Capability, DomainError> {
        let upper = s.to_ascii_uppercase();
        let bare = upper.strip_prefix("CAP_").unwrap_or(&upper);
        let name = if bare == "ALL" {
            Some("ALL")
        } else {
            CAPABILITIES.iter().copied().find(|c| *c == bare)
        };
        match name {
            Some(name) => Ok(Capability {
                text: s.to_string(),
                name,
            }),
            None => {
                let mut help = "capabilities are names like \"NET_ADMIN\" or \"CAP_SYS_PTRACE\", \
                                or \"ALL\""
                    .to_string();
                if let Some(best) = stackc_lang::diag::suggest(bare, CAPABILITIES.iter().copied()) {
                    help = format!("did you mean \"{best}\"? {help}");
                }
                Err(DomainError::new(
                    format!("unknown capability {}", quote(s)),
                    help,
                ))
            }
        }
    }

    /// The canonical name without `CAP_`: `NET_RAW`, or `ALL`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl Domain for Capability {
    const EXPECTING: &'static str = "a capability name";
    fn parse_text(s: &str) -> Result<Self, DomainError> {
        Capability::parse(s)
    }
    fn parse_number(n: f64) -> Result<Self, DomainError> {
        not_a_number(n, "capability", "write a name like \"NET_ADMIN\"")
    }
}

// ---------------------------------------------------------------------------------------------
// Shared impls: equality on the parsed value, serialisation as written.

macro_rules! domain_impls {
    ($($ty:ident => |$v:ident| $key:expr, $ser:expr, $canon:expr;)*) => {
        $(
            impl PartialEq for $ty {
                fn eq(&self, other: &Self) -> bool {
                    let $v = self;
                    let mine = $key;
                    let $v = other;
                    mine == $key
                }
            }
            impl Eq for $ty {}
            impl Hash for $ty {
                fn hash<H: Hasher>(&self, state: &mut H) {
                    let $v = self;
                    $key.hash(state)
                }
            }
            impl Serialize for $ty {
                fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    let $v = self;
                    if CANONICAL.with(Cell::get) {
                        $canon.serialize(s)
                    } else {
                        $ser.serialize(s)
                    }
                }
            }
            impl<'de> Deserialize<'de> for $ty {
                fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    deserialize_domain::<D, $ty>(d)
                }
            }
            impl fmt::Display for $ty {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    let $v = self;
                    fmt::Display::fmt(&$ser, f)
                }
            }
        )*
    };
}

// The third expression is the canonical form (see [`canonical`]): the parsed value, so that
// two spellings of one value serialise alike.
domain_impls! {
    Duration => |v| v.value, &v.written, v.value.as_nanos();
    Size => |v| v.bytes, &v.written, v.bytes;
    Cpu => |v| v.nanos, &v.written, v.nanos;
    Cidr => |v| v.net, v.text.as_str(), v.net.to_string();
    Ip => |v| v.addr, v.text.as_str(), v.addr.to_string();
    FileMode => |v| v.mode, v.text.as_str(), v.mode;
    Signal => |v| v.number, &v.written, v.number;
    Capability => |v| v.name, v.text.as_str(), v.name;
}

macro_rules! string_domain_impls {
    ($($ty:ident,)*) => {
        $(
            impl Serialize for $ty {
                fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    s.serialize_str(&self.0)
                }
            }
            impl<'de> Deserialize<'de> for $ty {
                fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    deserialize_domain::<D, $ty>(d)
                }
            }
            impl fmt::Display for $ty {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str(&self.0)
                }
            }
        )*
    };
}

string_domain_impls! {
    StackPath,
    AbsolutePath,
}

// ---------------------------------------------------------------------------------------------
// Secrets

/// How [`Secret`]s serialise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretForm {
    /// `"(sensitive)"`: everywhere by default.
    Masked,
    /// The value itself: for handing the spec to a provider and for saved plans.
    Revealed,
    /// `"hmac-sha256:<hex>"` under the stack's key (decision 2): for the record a provider
    /// stores with an object, from which the value cannot be recovered, yet a changed secret
    /// still shows as changed.
    Keyed([u8; 32]),
}

thread_local! {
    static SECRETS: Cell<SecretForm> = const { Cell::new(SecretForm::Masked) };
    static CANONICAL: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with secrets serialising in `form`.
pub fn with_secret_form<R>(form: SecretForm, f: impl FnOnce() -> R) -> R {
    struct Restore(SecretForm);
    impl Drop for Restore {
        fn drop(&mut self) {
            SECRETS.with(|r| r.set(self.0));
        }
    }
    let _restore = Restore(SECRETS.with(|r| r.replace(form)));
    f()
}

/// Runs `f` with [`Secret`]s serialising their real value (for handing the spec to a
/// provider); everywhere else they serialise as `"(sensitive)"`.
pub fn with_secrets_revealed<R>(f: impl FnOnce() -> R) -> R {
    with_secret_form(SecretForm::Revealed, f)
}

/// Runs `f` with domain values serialising in their canonical form: the parsed value rather
/// than the text as written (`"1GiB"` and `"1024MiB"` both become `1073741824`), so that
/// specs compare and hash by meaning.
pub fn canonical<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            CANONICAL.with(|r| r.set(self.0));
        }
    }
    let _restore = Restore(CANONICAL.with(|r| r.replace(true)));
    f()
}

/// The keyed hash of a secret value, as [`SecretForm::Keyed`] writes it.
pub fn keyed_secret(key: &[u8; 32], value: &str) -> String {
    use hmac::{Hmac, Mac};
    // A key of any length is valid for HMAC, so this cannot fail.
    let mut mac = match Hmac::<sha2::Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return String::from("hmac-sha256:"),
    };
    mac.update(value.as_bytes());
    format!("hmac-sha256:{}", hex::encode(mac.finalize().into_bytes()))
}

/// A secret value: never shown by `Debug`, `Display` or serialisation (which write
/// `(sensitive)`) unless inside [`with_secrets_revealed`].
#[derive(Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(sensitive)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(sensitive)")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match SECRETS.with(Cell::get) {
            SecretForm::Masked => s.serialize_str("(sensitive)"),
            SecretForm::Revealed => s.serialize_str(&self.0),
            SecretForm::Keyed(key) => s.serialize_str(&keyed_secret(&key, &self.0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration as Std;

    fn err<T: fmt::Debug>(r: Result<T, DomainError>) -> DomainError {
        match r {
            Ok(v) => panic!("expected an error, got {v:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn durations() {
        let ok = |s: &str| Duration::parse(s).map(|d| d.get()).unwrap();
        assert_eq!(ok("250ms"), Std::from_millis(250));
        assert_eq!(ok("5s"), Std::from_secs(5));
        assert_eq!(ok("1m30s"), Std::from_secs(90));
        assert_eq!(ok("2h"), Std::from_secs(7200));
        assert_eq!(ok("1h2m3s4ms5us6ns"), Std::new(3723, 4_005_006));
        assert_eq!(ok("1.5s"), Std::from_millis(1500));
        assert_eq!(ok("30"), Std::from_secs(30));
        assert_eq!(ok("0.25"), Std::from_millis(250));
        assert_eq!(ok("0s"), Std::ZERO);
        assert_eq!(ok(".5m"), Std::from_secs(30));
        for bad in [
            "", "5x", "s", "1m30", "-5s", "5 s", "1.2.3s", "5S", "1d", "ms",
        ] {
            let e = err(Duration::parse(bad));
            assert!(e.message.contains("duration"), "{bad}: {e}");
            assert!(e.help.contains("\"1m30s\""), "{bad}: {e}");
        }
        assert!(Duration::parse("999999999999h").is_err());
        let d = Duration::parse_number(1.5).unwrap();
        assert_eq!(d.get(), Std::from_millis(1500));
        assert_eq!(d.to_string(), "1.5");
        assert!(Duration::parse_number(-1.0).is_err());
        assert_eq!(
            Duration::parse("90s").unwrap(),
            Duration::parse("1m30s").unwrap()
        );
        assert_eq!(Duration::from_secs(10).to_string(), "10s");
    }

    #[test]
    fn sizes() {
        let ok = |s: &str| Size::parse(s).map(|v| v.bytes()).unwrap();
        assert_eq!(ok("0"), 0);
        assert_eq!(ok("512"), 512);
        assert_eq!(ok("512B"), 512);
        assert_eq!(ok("1K"), 1000);
        assert_eq!(ok("1KB"), 1000);
        assert_eq!(ok("1Ki"), 1024);
        assert_eq!(ok("1KiB"), 1024);
        assert_eq!(ok("64MiB"), 64 << 20);
        assert_eq!(ok("2GiB"), 2 << 30);
        assert_eq!(ok("1.5GiB"), 1_610_612_736);
        assert_eq!(ok("1.5G"), 1_500_000_000);
        assert_eq!(ok("3T"), 3_000_000_000_000);
        assert_eq!(ok("1TiB"), 1 << 40);
        assert_eq!(ok("0.3333333333333333333333Ki"), 341);
        assert_eq!(ok("1.9"), 1);
        for bad in [
            "", "x", "1Gb", "1gib", "512m", "1kb", "1 GiB", "1PiB", "-1K", "1.2.3K",
        ] {
            let e = err(Size::parse(bad));
            assert!(e.message.contains(&quote(bad)), "{bad}: {e}");
        }
        assert!(err(Size::parse("512m")).help.contains("\"512Mi\""));
        assert!(err(Size::parse("1Gb")).help.contains("\"1G\""));
        assert!(err(Size::parse("1x")).help.contains("KiB"));
        assert!(Size::parse("99999999999TiB").is_err());
        assert_eq!(Size::parse_number(1024.7).unwrap().bytes(), 1024);
        assert!(Size::parse_number(-1.0).is_err());
        assert_eq!(
            Size::parse("1GiB").unwrap(),
            Size::parse("1024MiB").unwrap()
        );
        assert_eq!(Size::parse("1GiB").unwrap().to_string(), "1GiB");
    }

    #[test]
    fn cpus() {
        let ok = |s: &str| Cpu::parse(s).map(|c| c.nanos()).unwrap();
        assert_eq!(ok("500m"), 500_000_000);
        assert_eq!(ok("2"), 2_000_000_000);
        assert_eq!(ok("0.5"), 500_000_000);
        assert_eq!(ok("1.5m"), 1_500_000);
        assert_eq!(Cpu::parse_number(0.25).unwrap().millis(), 250);
        assert_eq!(Cpu::parse_number(2.0).unwrap().cpus(), 2.0);
        for bad in [
            "",
            "m",
            "0",
            "0m",
            "1 cpu",
            "500M",
            "-1",
            "1e3",
            "2000000000",
        ] {
            let e = err(Cpu::parse(bad));
            assert!(e.help.contains("\"500m\""), "{bad}: {e}");
        }
        assert!(Cpu::parse_number(0.0).is_err());
        assert!(Cpu::parse_number(-0.5).is_err());
        assert_eq!(Cpu::parse("500m").unwrap(), Cpu::parse_number(0.5).unwrap());
        assert_eq!(Cpu::from_nanos(250_000_000).to_string(), "250m");
    }

    #[test]
    fn cidrs_and_ips() {
        assert_eq!(Cidr::parse("10.89.0.0/24").unwrap().net().prefix_len(), 24);
        assert!(Cidr::parse("fd00:1::/64").is_ok());
        let e = err(Cidr::parse("10.89.0.1/24"));
        assert_eq!(e.help, "did you mean \"10.89.0.0/24\"?");
        assert!(Cidr::parse("10.89.0.0").is_err());
        assert!(Cidr::parse("10.89.0.0/33").is_err());
        assert!(Ip::parse("127.0.0.1").is_ok());
        assert!(Ip::parse("::1").is_ok());
        assert!(err(Ip::parse("localhost"))
            .message
            .contains("\"localhost\""));
    }

    #[test]
    fn modes_and_paths() {
        assert_eq!(FileMode::parse("0644").unwrap().bits(), 0o644);
        assert_eq!(FileMode::parse("400").unwrap().bits(), 0o400);
        for bad in ["", "0899", "12345", "rw-r--r--"] {
            assert!(FileMode::parse(bad).is_err(), "{bad}");
        }
        assert!(FileMode::parse_number(644.0)
            .unwrap_err()
            .help
            .contains("\"0644\""));

        for good in ["/abs", ".", "./data", "./a/../b", "/x/../../y"] {
            assert!(StackPath::parse(good).is_ok(), "{good}");
        }
        assert!(err(StackPath::parse("data")).help.contains("\"./data\""));
        assert!(err(StackPath::parse("../x"))
            .message
            .contains("must start with ./"));
        assert!(err(StackPath::parse("./a/../../x"))
            .message
            .contains("leaves the stack"));
        assert_eq!(
            StackPath::parse("./d").unwrap().resolve(Path::new("/s")),
            PathBuf::from("/s/./d")
        );
        assert!(AbsolutePath::parse("/data").is_ok());
        assert!(err(AbsolutePath::parse("data")).help.contains("\"/data\""));
    }

    #[test]
    fn signals_and_capabilities() {
        assert_eq!(Signal::parse("SIGTERM").unwrap().number(), 15);
        assert_eq!(Signal::parse("term").unwrap().number(), 15);
        assert_eq!(Signal::parse("9").unwrap().name(), "SIGKILL");
        assert_eq!(Signal::parse("SIGRTMIN+3").unwrap().number(), 37);
        assert_eq!(Signal::parse("SIGRTMIN+3").unwrap().name(), "SIGRTMIN+3");
        assert!(Signal::parse("SIGRTMIN+40").is_err());
        assert!(err(Signal::parse("SIGTREM")).help.contains("SIGTERM"));
        assert!(Signal::parse_number(0.0).is_err());
        assert_eq!(Signal::parse_number(2.0).unwrap().name(), "SIGINT");

        assert_eq!(
            Capability::parse("CAP_NET_RAW").unwrap(),
            Capability::parse("net_raw").unwrap()
        );
        assert_eq!(Capability::parse("all").unwrap().name(), "ALL");
        assert!(err(Capability::parse("NET_ADMN"))
            .help
            .starts_with("did you mean \"NET_ADMIN\"?"));
    }

    #[test]
    fn secrets_are_hidden_unless_revealed() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?} {s}"), "(sensitive) (sensitive)");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"(sensitive)\"");
        let revealed = with_secrets_revealed(|| serde_json::to_string(&s).unwrap());
        assert_eq!(revealed, "\"hunter2\"");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"(sensitive)\"");
    }

    #[test]
    fn written_forms_serialise_as_written() {
        let j = serde_json::to_string(&(
            Size::parse("1.5GiB").unwrap(),
            Cpu::parse_number(2.0).unwrap(),
            Duration::parse_number(0.5).unwrap(),
        ))
        .unwrap();
        assert_eq!(j, "[\"1.5GiB\",2,0.5]");
    }
}
