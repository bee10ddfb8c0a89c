#!/usr/bin/env bash
# The whole test suite on this machine: installs what the tests call when it is missing
# (openssl, ssh-keygen and sftp, OpenSSH's sshd, strace, the OpenSSL headers libssh2 builds
# against), then runs `cargo test` with any arguments given.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v ssh-keygen >/dev/null 2>&1 || missing+=(openssh-client)
command -v sftp >/dev/null 2>&1 || missing+=(openssh-client)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v strace >/dev/null 2>&1 || missing+=(strace)
pkg-config --exists openssl 2>/dev/null || missing+=(libssl-dev pkg-config)

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ((${#missing[@]})); then
    echo "installing what the tests need: ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
# sshd's privilege separation directory (shared with any other sshd; never removed).
[ -d /run/sshd ] || $sudo mkdir -p -m 0755 /run/sshd

exec cargo test "$@"
