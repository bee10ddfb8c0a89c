#!/usr/bin/env bash
# Issue 5 and issue 10 benchmarks, in one command: builds the release binary and the bench targets, runs
# every measurement, and rewrites bench/RESULTS.md (date, machine, each command, figure and
# ratio; every ratio compares figures measured in this same run).
#
#   bash bench/run.sh
#
# Needs: cargo, python3, openssl, OpenSSH's sshd (/usr/sbin/sshd) and sftp client,
# /usr/bin/time (peak memory). hyperfine is used when installed, else a python3 loop.
# Knobs (environment): RUNS (whole-process runs, default 40), RSA_RUNS (default 30),
# SFTP_N (pulls of each client, default 40), CONSOLE_N (console start-ups, default 30),
# PKI_N (in-process iterations, default 300), FLEET_N (repetitions of the fleet flow,
# default 5), FLEET_ZONES (Zone Servers, default 20), LEDGER_N (views timed per ledger size,
# default 100), LEDGER_SIZES (ledger lines, default 1000,100000,1000000; the 1M ledger takes
# about 450 MB under target/bench while it is measured), TANOS_BENCH_NO_HYPERFINE=1 (python3
# loop), KEEP=1 (keep target/bench/run).
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$PWD
RUNS=${RUNS:-40}
RSA_RUNS=${RSA_RUNS:-30}
SFTP_N=${SFTP_N:-40}
CONSOLE_N=${CONSOLE_N:-30}
PKI_N=${PKI_N:-300}
FLEET_N=${FLEET_N:-5}
FLEET_ZONES=${FLEET_ZONES:-20}
LEDGER_N=${LEDGER_N:-100}
RECORDS_N=${RECORDS_N:-20}
TEXTS_N=${TEXTS_N:-50}
LEDGER_SIZES=${LEDGER_SIZES:-1000,100000,1000000}

say() { printf '\n== %s\n' "$*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || { echo "bench/run.sh: $1 is required${2:+ ($2)}" >&2; exit 1; }; }
need cargo
need python3
need openssl "apt-get install -y openssl"
need sftp "apt-get install -y openssh-client"
[ -x /usr/sbin/sshd ] || { echo "bench/run.sh: /usr/sbin/sshd is required (apt-get install -y openssh-server)" >&2; exit 1; }

# Scratch area: 0755 directories under target/ (sshd's StrictModes and ChrootDirectory
# refuse group/other-writable parents such as /tmp).
OUT=$REPO/target/bench/run
SSHD_PGID=""
SHM=""
cleanup() {
    if [ -n "$SHM" ]; then rm -rf "$SHM"; fi
    if [ -n "$SSHD_PGID" ]; then
        kill -TERM -- "-$SSHD_PGID" 2>/dev/null || true
        wait "$SSHD_PGID" 2>/dev/null || true
    fi
    if [ -z "${KEEP:-}" ]; then rm -rf "$OUT"; fi
}
trap cleanup EXIT
rm -rf "$OUT"
mkdir -p "$REPO/target/bench"
chmod 0755 "$REPO/target/bench"
mkdir -m 0755 "$OUT" "$OUT/work"
JSON=$OUT/results.jsonl

say "building (release binary, bench targets)"
cargo build --release
# The bench executables, built once: running them directly (not through `cargo bench`, which
# would rebuild whatever changed in src/ meanwhile) keeps one build for the whole run.
cargo bench --no-run --message-format=json-render-diagnostics >"$OUT/build.json"
benchexe() {
    python3 - "$OUT/build.json" "$1" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    t = m.get("target", {})
    if m.get("reason") == "compiler-artifact" and "bench" in t.get("kind", []) \
            and t.get("name") == sys.argv[2] and m.get("executable"):
        print(m["executable"])
        break
else:
    sys.exit(f"bench/run.sh: no executable for the bench {sys.argv[2]}")
EOF
}
PKI_EXE=$(benchexe pki)
SFTP_EXE=$(benchexe sftp_pull)
CONSOLE_EXE=$(benchexe console)
FLEET_EXE=$(benchexe fleet)
LEDGER_EXE=$(benchexe ledger_view)
RECORDS_EXE=$(benchexe records)
TEXTS_EXE=$(benchexe texts)
# The binary under test, copied so a rebuild elsewhere cannot swap it mid-run.
mkdir -m 0755 "$OUT/bin"
cp "$REPO/target/release/tanos-menu" "$OUT/bin/tanos-menu"
BIN=$OUT/bin/tanos-menu
: >"$JSON"
META=$OUT/meta.json

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD_START=$(loadavg)
START=$(date -u '+%Y-%m-%d %H:%M:%S UTC')

measure() { python3 "$REPO/bench/measure.py" --out "$JSON" "$@"; }
# One command line, quoted for measure.py (which splits it like a shell, runs it without one).
q() { local out; printf -v out '%q ' "$@"; printf '%s' "${out% }"; }
# Records the command that produced a group of figures from a Rust bench.
bench_cmd() { python3 -c 'import json,sys; print(json.dumps({"kind":"command","prefix":sys.argv[1],"command":sys.argv[2]}))' "$1" "$2" >>"$JSON"; }

TS=$OUT/ts
ZS=$OUT/zs
"$BIN" init --root "$TS" --role tanium-server --zone-hub --hostname ts.bench >/dev/null
"$BIN" init --root "$ZS" --role zone-server --hostname zs.bench >/dev/null

# 1. Key + CSR, whole process -------------------------------------------------------------
say "1. key + CSR: tanos-menu keyutility reporting-tls-request vs openssl req"
cd "$OUT/work"
measure --runs "$RUNS" --warmup 3 \
    --cmd proc.request.p256 "tanos-menu keyutility reporting-tls-request (P-256)" \
    "$(q "$BIN" keyutility reporting-tls-request --force --common-name x k.pvk r.csr)" \
    --cmd proc.openssl.req.ec "openssl req -newkey ec (P-256)" \
    "$(q openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=x -keyout k -out r)"
measure --runs "$RSA_RUNS" --warmup 1 \
    --cmd proc.request.rsa3072 "tanos-menu keyutility reporting-tls-request --key-type rsa3072" \
    "$(q "$BIN" keyutility reporting-tls-request --force --common-name x --key-type rsa3072 k3.pvk r3.csr)" \
    --cmd proc.openssl.req.rsa3072 "openssl req -newkey rsa:3072" \
    "$(q openssl req -new -newkey rsa:3072 -nodes -subj /CN=x -keyout k -out r)"
# RSA 4096: the key an operator waits longest for (goal: under a second, median).
measure --runs "$RSA_RUNS" --warmup 1 \
    --cmd proc.request.rsa4096 "tanos-menu keyutility reporting-tls-request --key-type rsa4096" \
    "$(q "$BIN" keyutility reporting-tls-request --force --common-name x --key-type rsa4096 k4.pvk r4.csr)" \
    --cmd proc.openssl.req.rsa4096 "openssl req -newkey rsa:4096" \
    "$(q openssl req -new -newkey rsa:4096 -nodes -subj /CN=x -keyout k -out r)"

# 2. Issuance, whole process ---------------------------------------------------------------
say "2. issuance: tanos-menu keyutility reporting-tls-issue vs openssl x509 -req"
"$BIN" keyutility reporting-tls-request --force --common-name x k.pvk r.csr >/dev/null
measure --runs "$RUNS" --warmup 3 \
    --cmd proc.issue "tanos-menu keyutility reporting-tls-issue" \
    "$(q "$BIN" keyutility reporting-tls-issue r.csr c.crt "$TS/tanium/tanium.pvk" --force)" \
    --cmd proc.openssl.x509 "openssl x509 -req -CA tanium-root.crt -CAkey tanium.pvk" \
    "$(q openssl x509 -req -in r.csr -CA "$TS/tanium/tanium-root.crt" -CAkey "$TS/tanium/tanium.pvk" -days 3650 -out c.crt)"
# Both certificates must be real: openssl verify accepts what each issued.
"$BIN" keyutility reporting-tls-issue r.csr c-product.crt "$TS/tanium/tanium.pvk" --force >/dev/null
openssl verify -CAfile "$TS/tanium/tanium-root.crt" c-product.crt c.crt >&2

# 2b. Where the whole-process time goes: file syncing -----------------------------------------
# The product writes every file atomically and durably (temporary file, fsync, rename, fsync
# of the directory); openssl writes without fsync. The same product commands with their files
# on tmpfs (fsync costs nothing there) against the scratch directory on disk, and openssl on
# tmpfs too, all alternating.
if [ -d /dev/shm ] && [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] && [ -w /dev/shm ]; then
    say "2b. the same product commands with their files on tmpfs (/dev/shm)"
    SHM=$(mktemp -d /dev/shm/tanos-bench.XXXXXX)
    cp r.csr "$SHM/r.csr"
    measure --runs "$RUNS" --warmup 3 \
        --cmd proc.request.p256.disk "reporting-tls-request, files in the scratch dir (disk)" \
        "$(q "$BIN" keyutility reporting-tls-request --force --common-name x "$OUT/work/k2.pvk" "$OUT/work/r2.csr")" \
        --cmd proc.request.p256.tmpfs "reporting-tls-request, files on tmpfs" \
        "$(q "$BIN" keyutility reporting-tls-request --force --common-name x "$SHM/k2.pvk" "$SHM/r2.csr")" \
        --cmd proc.issue.disk "reporting-tls-issue, certificate in the scratch dir (disk)" \
        "$(q "$BIN" keyutility reporting-tls-issue "$OUT/work/r.csr" "$OUT/work/c2.crt" "$TS/tanium/tanium.pvk" --force)" \
        --cmd proc.issue.tmpfs "reporting-tls-issue, certificate on tmpfs" \
        "$(q "$BIN" keyutility reporting-tls-issue "$SHM/r.csr" "$SHM/c2.crt" "$TS/tanium/tanium.pvk" --force)" \
        --cmd proc.openssl.req.ec.tmpfs "openssl req -newkey ec (P-256), files on tmpfs" \
        "$(q openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=x -keyout "$SHM/k" -out "$SHM/r")" \
        --cmd proc.openssl.x509.tmpfs "openssl x509 -req, certificate on tmpfs" \
        "$(q openssl x509 -req -in "$SHM/r.csr" -CA "$TS/tanium/tanium-root.crt" -CAkey "$TS/tanium/tanium.pvk" -days 3650 -out "$SHM/c.crt")"
    rm -rf "$SHM"
    SHM=""
fi

# 3. SFTP pull of a 2 KB file ---------------------------------------------------------------
say "3. SFTP pull: sftp::download vs sftp -b, same tanos-menu sshd"
cat "$ZS/home/tanadmin/.ssh/id_ed25519.pub" >>"$TS/home/tancopy/.ssh/authorized_keys"
python3 - "$TS/transfer/outgoing/reporting.crt" <<'EOF'
import sys
body = "".join(f"{i * 0x9E3779B97F4A7C15 % (1 << 256):064x}"[:64] + "\n" for i in range(40))
head, foot = "-----BEGIN CERTIFICATE-----\n", "-----END CERTIFICATE-----\n"
text = head + body[: 2048 - len(head) - len(foot) - 1] + "\n" + foot
assert len(text) == 2048, len(text)
open(sys.argv[1], "w").write(text)
EOF
cp "$TS/tanium/tanium.pub" "$TS/transfer/outgoing/tanium.pub"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The peer account (never root): tancopy where it exists, else nobody.
SSH_USER=$(if grep -q '^tancopy:' /etc/passwd; then echo tancopy; else echo nobody; fi)
# Own session and process group: the wrapper and the sshd it runs end together.
setsid "$BIN" --root "$TS" sshd --listen "127.0.0.1:$PORT" --user "$SSH_USER" >"$OUT/sshd.log" 2>&1 &
SSHD_PGID=$!
for _ in $(seq 1 300); do
    if python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.2)' "$PORT" 2>/dev/null; then break; fi
    sleep 0.05
done
head -1 "$OUT/sshd.log" >&2
SFTP_CMD="TANOS_BENCH_N=$SFTP_N cargo bench --bench sftp_pull"
bench_cmd sftp. "$SFTP_CMD   (sshd: $BIN --root <ts> sshd --listen 127.0.0.1:$PORT; user $SSH_USER)"
TANOS_BIN=$BIN TANOS_BENCH_JSON=$JSON TANOS_BENCH_N=$SFTP_N \
    TANOS_BENCH_PORT=$PORT TANOS_BENCH_TS=$TS TANOS_BENCH_ZS=$ZS TANOS_BENCH_USER=$SSH_USER \
    TANOS_BENCH_WORK=$OUT/work bash -c 'cd "$1" && exec "$2" --bench' _ "$REPO" "$SFTP_EXE"
# Cross-check of sftp -b with this script's timer, and with the product's key exchange
# (curve25519-sha256) instead of OpenSSH 9's default sntrup761x25519-sha512.
KEY=$ZS/home/tanadmin/.ssh/id_ed25519
KH=$ZS/home/tanadmin/.ssh/known_hosts
echo "get outgoing/reporting.crt $OUT/work/got.crt" >"$OUT/work/batch"
measure --runs "$SFTP_N" --warmup 1 \
    --cmd proc.sftp.default "sftp -b (whole process, default kex)" \
    "$(q sftp -b "$OUT/work/batch" -i "$KEY" -o "UserKnownHostsFile=$KH" -P "$PORT" "$SSH_USER@127.0.0.1")" \
    --cmd proc.sftp.curve25519 "sftp -b -o KexAlgorithms=curve25519-sha256" \
    "$(q sftp -b "$OUT/work/batch" -i "$KEY" -o "UserKnownHostsFile=$KH" -o KexAlgorithms=curve25519-sha256 -P "$PORT" "$SSH_USER@127.0.0.1")"
cmp "$OUT/work/got.crt" "$TS/transfer/outgoing/reporting.crt"
kill -TERM -- "-$SSHD_PGID" 2>/dev/null || true
wait "$SSHD_PGID" 2>/dev/null || true
SSHD_PGID=""

# 4. Console --------------------------------------------------------------------------------
say "4. console: first frame, bytes per keystroke, peak memory"
CONSOLE_CMD="TANOS_BENCH_N=$CONSOLE_N cargo bench --bench console"
bench_cmd console. "$CONSOLE_CMD   (TANOS_BENCH_ROOT=<ts>: a Tanium Server + hub root)"
TANOS_BIN=$BIN TANOS_BENCH_JSON=$JSON TANOS_BENCH_N=$CONSOLE_N TANOS_BENCH_ROOT=$TS \
    bash -c 'cd "$1" && exec "$2" --bench' _ "$REPO" "$CONSOLE_EXE"

# In-process key + CSR and issuance ---------------------------------------------------------
say "in process: cargo bench --bench pki"
PKI_CMD="TANOS_BENCH_N=$PKI_N cargo bench --bench pki"
bench_cmd inproc. "$PKI_CMD"
TANOS_BIN=$BIN TANOS_BENCH_JSON=$JSON TANOS_BENCH_N=$PKI_N \
    bash -c 'cd "$1" && exec "$2" --bench' _ "$REPO" "$PKI_EXE"

# 5. Fleet ----------------------------------------------------------------------------------
say "5. fleet: $FLEET_ZONES Zone Servers, one hub, cargo bench --bench fleet"
FLEET_CMD="TANOS_BENCH_N=$FLEET_N TANOS_BENCH_ZONES=$FLEET_ZONES cargo bench --bench fleet"
bench_cmd fleet. "$FLEET_CMD   (sshd: $BIN --root <hub> sshd --listen 127.0.0.1:<port>; user $SSH_USER)"
TANOS_BIN=$BIN TANOS_BENCH_JSON=$JSON TANOS_BENCH_N=$FLEET_N TANOS_BENCH_ZONES=$FLEET_ZONES \
    TANOS_BENCH_USER=$SSH_USER bash -c 'cd "$1" && exec "$2" --bench' _ "$REPO" "$FLEET_EXE"

# 6. Ledger view -----------------------------------------------------------------------------
say "6. ledger view against ledger size ($LEDGER_SIZES lines): cargo bench --bench ledger_view"
LEDGER_CMD="TANOS_BENCH_N=$LEDGER_N TANOS_BENCH_SIZES=$LEDGER_SIZES cargo bench --bench ledger_view"
bench_cmd ledger. "$LEDGER_CMD"
TANOS_BIN=$BIN TANOS_BENCH_JSON=$JSON TANOS_BENCH_N=$LEDGER_N TANOS_BENCH_SIZES=$LEDGER_SIZES \
    bash -c 'cd "$1" && exec "$2" --bench' _ "$REPO" "$LEDGER_EXE"

# 7. Audit view ------------------------------------------------------------------------------
say "7. audit view against log size: cargo bench --bench records"
RECORDS_CMD="TANOS_BENCH_N=$RECORDS_N cargo bench --bench records"
bench_cmd records. "$RECORDS_CMD"
TANOS_BIN=$BIN TANOS_BENCH_JSON=$JSON TANOS_BENCH_N=$RECORDS_N \
    bash -c 'cd "$1" && exec "$2" --bench' _ "$REPO" "$RECORDS_EXE"

# 8. Texts ----------------------------------------------------------------------------------
say "8. the operator's texts at start: cargo bench --bench texts"
TEXTS_CMD="TANOS_BENCH_N=$TEXTS_N cargo bench --bench texts"
bench_cmd texts. "$TEXTS_CMD"
TANOS_BIN=$BIN TANOS_BENCH_JSON=$JSON TANOS_BENCH_N=$TEXTS_N \
    bash -c 'cd "$1" && exec "$2" --bench' _ "$REPO" "$TEXTS_EXE"

# Report -------------------------------------------------------------------------------------
cd "$REPO"
python3 - "$META" <<EOF
import json, platform, subprocess, sys
def out(*cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True)
        return (p.stdout or p.stderr).strip().splitlines()[0]
    except (OSError, IndexError):
        return "not installed"
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
osname = next((l.split("=", 1)[1].strip().strip('"') for l in open("/etc/os-release") if l.startswith("PRETTY_NAME=")), "unknown")
mem = next((l.split(":", 1)[1].strip() for l in open("/proc/meminfo") if l.startswith("MemTotal")), "unknown")
json.dump({
    "start": "$START",
    "end": subprocess.run(["date", "-u", "+%Y-%m-%d %H:%M:%S UTC"], capture_output=True, text=True).stdout.strip(),
    "nproc": out("nproc"),
    "cpu": cpu,
    "mem": mem,
    "os": osname,
    "kernel": platform.release(),
    "rustc": out("rustc", "-V"),
    "openssl": out("openssl", "version"),
    "openssh": out("ssh", "-V"),
    "hyperfine": "not used (TANOS_BENCH_NO_HYPERFINE=1)" if "${TANOS_BENCH_NO_HYPERFINE:-}" == "1" else out("hyperfine", "--version"),
    "load_start": "$LOAD_START",
    "load_end": open("/proc/loadavg").read().split()[:3],
    "binary": "$BIN",
    "repo": "$REPO",
    "binary_size": __import__("os").path.getsize("$BIN"),
    "git": out("git", "-C", "$REPO", "describe", "--always", "--dirty"),
}, open(sys.argv[1], "w"), indent=1)
EOF
python3 bench/report.py --results "$JSON" --meta "$META" --out bench/RESULTS.md
say "wrote bench/RESULTS.md"
