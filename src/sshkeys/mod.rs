//! OpenSSH keys of the TanOS users: their key pairs, authorized_keys and known_hosts.
//! No terminal code here.

pub mod authorized;
pub mod keypair;
pub mod known_hosts;

pub use keypair::{
    AUTHORIZED_KEYS, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, SshKeyError, UserKeys, user_keys,
    write_new_keypair,
};
