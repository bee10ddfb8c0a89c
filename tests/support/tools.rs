//! Outside tools as judges: OpenSSL, ssh-keygen, the shell.

use std::io;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The Debian package that provides a tool the tests call.
fn package_of(program: &str) -> &'static str {
    match program.rsplit('/').next().unwrap_or(program) {
        "openssl" => "openssl",
        "ssh-keygen" | "sftp" | "ssh" => "openssh-client",
        "sshd" => "openssh-server",
        "strace" => "strace",
        _ => "the one that provides it",
    }
}

fn missing(program: &str) -> String {
    format!(
        "{program} is not installed: `bash scripts/test.sh` installs it (Debian package {})",
        package_of(program)
    )
}

/// Fails the test with one line when `program` could not be started.
#[track_caller]
pub fn cannot_run(program: &str, e: &io::Error) -> ! {
    if e.kind() == io::ErrorKind::NotFound {
        panic!("{}", missing(program));
    }
    panic!("cannot run {program}: {e}")
}

/// Fails the test with one line unless `program` (a path, or a name on PATH) is installed.
#[track_caller]
pub fn need(program: &str) {
    let found = if program.contains('/') {
        Path::new(program).is_file()
    } else {
        std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
    };
    assert!(found, "{}", missing(program));
}

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
        .unwrap_or_else(|e| cannot_run(program, &e));
    (out.status.success(), combined(&out))
}

/// `run` in `cwd`.
pub fn run_in(program: &str, args: &[&str], cwd: &Path) -> (bool, String) {
    let out = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| cannot_run(program, &e));
    (out.status.success(), combined(&out))
}

/// Runs a tool in `cwd`; panics with its output unless it succeeds. Returns stdout.
#[track_caller]
pub fn run_ok(program: &str, args: &[&str], cwd: &Path) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| cannot_run(program, &e));
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

/// A new passphrase-less ed25519 key pair from ssh-keygen at `path` (and `path.pub`);
/// returns the public key line.
pub fn ssh_keygen_ed25519(path: &Path, comment: &str) -> String {
    let file = path.to_str().expect("utf-8 path");
    let (ok, text) = run(
        "ssh-keygen",
        &["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file],
    );
    assert!(ok, "ssh-keygen -f {file}: {text}");
    let public = path.with_extension("pub");
    std::fs::read_to_string(&public).unwrap_or_else(|e| panic!("{}: {e}", public.display()))
}
