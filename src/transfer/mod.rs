//! File transfer between appliances: the SFTP client (ssh2, tanadmin's key against the
//! peer's tancopy account). The sshd that serves this appliance is `appliance::sshd`.

pub mod sftp;
