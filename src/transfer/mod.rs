//! File transfer between appliances: the SFTP client (ssh2, tanadmin's key against the
//! peer's tancopy account) and the launcher of OpenSSH's sshd for this appliance.

pub mod sftp;
pub mod sshd;
