//! Helpers shared by the integration test crates, one submodule per concern: scratch
//! directories and appliance roots under target/ (`roots`, `sshd_base`), whole-tree
//! snapshots (`tree`), file reads that name the path (`fs`), outside tools (`tools`), the
//! console's effect loop (`console`), models built in memory and rendered (`ui`), the TLS
//! workflow (`tls`) and its check (`tls_check`), the console in a real pseudo-terminal
//! (`pty`), sshd per appliance (`e2e`), the fault harness (`faults`), syslog receivers
//! (`syslog`) and the voices the French tests compare (`voice`). Each test crate compiles only what it uses.
#![allow(dead_code, unused_imports)]

pub mod console;
pub mod e2e;
pub mod faults;
pub mod fleet;
pub mod fs;
pub mod pty;
pub mod roots;
pub mod sshd_base;
pub mod syslog;
pub mod tls;
pub mod tls_check;
pub mod tools;
pub mod tree;
pub mod ui;
pub mod voice;
