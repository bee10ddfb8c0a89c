//! Helpers shared by the integration test crates: scratch directories and appliance roots
//! under target/, whole-tree snapshots and their comparison, file reads that name the path
//! when they fail, outside tools (OpenSSL, ssh-keygen) and the console's effect loop.
//! Each test crate compiles only what it uses of these.
#![allow(dead_code)]

pub mod console;
pub mod fs;
pub mod roots;
pub mod tools;
pub mod tree;
