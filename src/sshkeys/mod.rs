//! OpenSSH keys of the TanOS users: their key pairs, authorized_keys and known_hosts.
//! No terminal code here.

pub mod authorized;
pub mod keypair;
pub mod known_hosts;

pub use keypair::{
    AUTHORIZED_KEYS, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, SshKeyError, UserKeys, user_keys,
    write_new_keypair,
};

/// The lines of an OpenSSH key file as they are on disk, for edits that keep every line they
/// do not target byte for byte (comments, blank lines, CRLF ends, trailing blanks).
pub(crate) mod lines {
    use std::io;
    use std::path::Path;

    use crate::fsutil;

    /// A key file's lines, each with its own end of line (the last one may have none).
    #[derive(Debug, Default)]
    pub struct RawLines(Vec<Vec<u8>>);

    impl RawLines {
        /// The file at `path`; empty when it does not exist. Bounded like every read.
        pub fn read(path: &Path) -> io::Result<RawLines> {
            let bytes = fsutil::read_bytes_opt(path, fsutil::LIMIT_KEYS)?.unwrap_or_default();
            Ok(RawLines(
                bytes
                    .split_inclusive(|b| *b == b'\n')
                    .map(<[u8]>::to_vec)
                    .collect(),
            ))
        }

        /// Every line as text without its end of line, with its index.
        pub fn texts(&self) -> impl Iterator<Item = (usize, String)> + '_ {
            self.0.iter().enumerate().map(|(i, raw)| {
                let text = String::from_utf8_lossy(raw);
                (i, text.trim_end_matches(['\n', '\r']).to_string())
            })
        }

        /// Removes line `index`, keeping every other byte.
        pub fn remove(&mut self, index: usize) {
            self.0.remove(index);
        }

        /// Appends `line` (an end of line is added to an unterminated last line first).
        pub fn push(&mut self, line: &str) {
            if let Some(last) = self.0.last_mut()
                && !last.ends_with(b"\n")
            {
                last.push(b'\n');
            }
            let mut raw = line.as_bytes().to_vec();
            raw.push(b'\n');
            self.0.push(raw);
        }

        pub fn bytes(&self) -> Vec<u8> {
            self.0.concat()
        }
    }

    /// Whether a line (without its end of line) holds an entry.
    pub fn is_entry(text: &str) -> bool {
        let t = text.trim();
        !t.is_empty() && !t.starts_with('#')
    }
}
