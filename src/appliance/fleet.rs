//! How files are named when one Tanium Server serves many Zone Servers: each Zone Server
//! pushes `/incoming/<its hostname>.csr`, the hub writes `/outgoing/<common name>.crt`, and
//! the seed's single-pair names (`reporting.csr`, `reporting.crt`) keep working beside them.

/// The seed's name of a request, dropped by hand in /incoming.
pub const SEED_CSR: &str = "reporting.csr";
/// The seed's name of a certificate in /outgoing, written for a single request.
pub const SEED_CERT: &str = "reporting.crt";
/// The root public key beside the certificates in /outgoing.
pub const ROOT_PUB: &str = "tanium.pub";
/// The longest file stem made from a name.
const MAX_STEM: usize = 200;

/// `name` as names are compared: DNS names ignore case and a final dot, so `ZS01.EXAMPLE`
/// and `zs01.example.` are the same Zone Server as `zs01.example`.
pub fn name_key(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

/// `name` (compared as `name_key` does) as a file name's stem: letters, digits, `-`, `_` and `.` are kept, every other
/// character (`/`, controls, spaces, `*`, non-ASCII) becomes `_`, and a leading `.` becomes
/// `_`, so the result names a plain file in its directory, never a path or a hidden file.
pub fn file_stem(name: &str) -> String {
    let mut stem: String = name_key(name)
        .chars()
        .take(MAX_STEM)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if stem.starts_with('.') {
        stem.replace_range(..1, "_");
    }
    if stem.is_empty() {
        stem.push('_');
    }
    stem
}

/// The request a Zone Server named `hostname` pushes to the hub's /incoming.
pub fn csr_file(hostname: &str) -> String {
    format!("{}.csr", file_stem(hostname))
}

/// The request pushed instead when `csr_file(hostname)` holds another key's request:
/// the key's fingerprint tells them apart.
pub fn csr_file_for_key(hostname: &str, key_fingerprint: &str) -> String {
    let tag: String = key_fingerprint
        .trim_start_matches("SHA256:")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect();
    format!("{}-{tag}.csr", file_stem(hostname))
}

/// The certificate the hub writes to /outgoing for `common_name`.
pub fn cert_file(common_name: &str) -> String {
    format!("{}.crt", file_stem(common_name))
}

/// A certificate of another key that a new one for the same name would replace: in
/// `/outgoing`, or the newest of the name in the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occupant {
    /// `/outgoing/<name>.crt`, or the ledger.
    pub place: String,
    pub subject: String,
    pub key_fingerprint: String,
    pub serial: String,
}
