//! Outside tools as judges: OpenSSL, ssh-keygen, the shell.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn combined(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs a tool with no input; returns whether it succeeded, and stdout with stderr.
pub fn run(program: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    (out.status.success(), combined(&out))
}

/// `run` in `cwd`.
pub fn run_in(program: &str, args: &[&str], cwd: &Path) -> (bool, String) {
    let out = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    (out.status.success(), combined(&out))
}

/// Runs a tool in `cwd`; panics with its output unless it succeeds. Returns stdout.
#[track_caller]
pub fn run_ok(program: &str, args: &[&str], cwd: &Path) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{program} {args:?} in {} failed ({}):\n{stdout}\n{}",
        cwd.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Runs OpenSSL (from PATH); returns whether it succeeded, and stdout with stderr.
pub fn openssl(args: &[&str]) -> (bool, String) {
    run("openssl", args)
}

/// `openssl` in `dir`.
pub fn openssl_in(dir: &Path, args: &[&str]) -> (bool, String) {
    run_in("openssl", args, dir)
}
