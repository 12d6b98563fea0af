#!/usr/bin/env bash
# Runs oxftpd-bench against oxftpd (when target/release/oxftpd exists) and its peers
# ProFTPD, vsftpd and Pure-FTPd, each on its own loopback port with the same user and data,
# in interleaved rounds, and writes medians, ranges and ratios to docs/PERFORMANCE.md.
#
# Usage: bench/peers.sh [--rounds N] [--quick] [--big] [--smoke] [--only a,b,...]
#                       [--out FILE] [--data DIR] [--no-build] [--debug] [--idle K,...]
#                       [--hash sha512|yescrypt] [--ftps-only] [--no-ftps] [--port-base P]
#   --quick   1 round (unless --rounds is given), 1,000 idle sessions, 500 short sessions
#   --debug   use target/debug binaries (CI's smoke run; --no-build implied)
#   --idle    the idle-session counts to run (default 1000,10000)
#   --big     adds the 100,000 idle-session run (needs pid_max and memory; see the doc)
#   --smoke   correctness only (tiny sizes), no doc written; non-zero exit on any failure
#   --only    servers among oxftpd,proftpd,vsftpd,pureftpd
#   --port-base  control ports P (oxftpd), P+2 (ProFTPD), P+3 (vsftpd), P+4 (Pure-FTPd); default 2120
#   --ftps-only  only the FTPS pass (ftps-retr, ftps-stor, ftps-sessions); --no-ftps: plain only
#   --hash    the bench user's password hash: sha512 (default: SHA-512-crypt, 5,000 rounds,
#             the default of RHEL and of Debian before 11) or yescrypt (Debian 12's default,
#             ~10-25 ms of CPU and 16 MiB per hash, which then dominates short sessions)
# Every server also gets the same self-signed EC certificate (made here with openssl) and an
# FTPS pass per round: explicit AUTH TLS + PROT P, data connections resuming the control session.
# Needs root (it creates the user `benchuser`, installs Debian packages and starts daemons).
# Every wait is bounded; all traffic is on 127.0.0.1.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PEERS=$ROOT/bench/.peers
DATA=/var/tmp/oxftpd-bench-data
OUT=$ROOT/docs/PERFORMANCE.md
ROUNDS=3
ROUNDS_GIVEN=0
PROFILE=release
IDLE_GIVEN=
QUICK=0
BIG=0
SMOKE=0
BUILD=1
ONLY=oxftpd,proftpd,vsftpd,pureftpd
USER_NAME=benchuser
USER_PASS=bench-Pass-8
IPERF_PORT=3999
PLAIN=1
FTPS=1
PORT_BASE=2120
# Servers whose FTPS works here (all four; drop one with a note in summarize.py if it stops).
FTPS_SERVERS=oxftpd,proftpd,vsftpd,pureftpd
HASH=sha512

while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) ROUNDS=$2; ROUNDS_GIVEN=1; shift ;;
        --debug) PROFILE=debug; BUILD=0 ;;
        --idle) IDLE_GIVEN=$2; shift ;;
        --quick) QUICK=1 ;;
        --big) BIG=1 ;;
        --smoke) SMOKE=1 ;;
        --only) ONLY=$2; shift ;;
        --hash) HASH=$2; shift ;;
        --out) OUT=$2; shift ;;
        --data) DATA=$2; shift ;;
        --no-build) BUILD=0 ;;
        --ftps-only) PLAIN=0 ;;
        --port-base) PORT_BASE=$2; shift ;;
        --no-ftps) FTPS=0 ;;
        -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
        *) echo "peers.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
if [ "$QUICK" = 1 ] && [ "$ROUNDS_GIVEN" = 0 ]; then ROUNDS=1; fi

IDLE=1000,10000
SESSIONS=2000
if [ "$QUICK" = 1 ]; then IDLE=1000; SESSIONS=500; fi
if [ "$BIG" = 1 ]; then IDLE=$IDLE,100000; fi
if [ -n "$IDLE_GIVEN" ]; then IDLE=$IDLE_GIVEN; fi

# Port, passive range of each server. Passive ranges sit below the ephemeral range
# (32768-60999 here) so that client ports never collide with them; Pure-FTPd gets a wide
# one because it admits at most half as many clients as it has passive ports.
declare -A PORT=([oxftpd]=$PORT_BASE [proftpd]=$((PORT_BASE + 2)) [vsftpd]=$((PORT_BASE + 3))
    [pureftpd]=$((PORT_BASE + 4)))
declare -A PASV_LO=([oxftpd]=30000 [proftpd]=30900 [vsftpd]=31800 [pureftpd]=4000)
declare -A PASV_HI=([oxftpd]=30899 [proftpd]=31799 [vsftpd]=32699 [pureftpd]=29999)
declare -A PID=()
MAX_INSTANCES=30000

log() { echo "peers.sh: $*" >&2; }
wanted() { [[ ",$ONLY," == *",$1,"* ]]; }
ftps_wanted() { [ "$FTPS" = 1 ] && [[ ",$FTPS_SERVERS," == *",$1,"* ]]; }

[ "$(id -u)" = 0 ] || { log "run as root"; exit 2; }
mkdir -p "$PEERS"
ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# --- the user and the data -------------------------------------------------------------
if ! id "$USER_NAME" >/dev/null 2>&1; then
    useradd -M -d "$DATA" -s /usr/sbin/nologin "$USER_NAME"
fi
usermod -d "$DATA" "$USER_NAME"
case $HASH in
    sha512) echo "$USER_NAME:$USER_PASS" | chpasswd -c SHA512 ;;
    yescrypt) echo "$USER_NAME:$USER_PASS" | chpasswd -c YESCRYPT ;;
    *) log "--hash: sha512 or yescrypt, not $HASH"; exit 2 ;;
esac
UID_GID="$(id -u "$USER_NAME"):$(id -g "$USER_NAME")"

# --- binaries ----------------------------------------------------------------------------
BENCH=$ROOT/target/$PROFILE/oxftpd-bench
if [ "$BUILD" = 1 ]; then
    (cd "$ROOT" && nice -n 10 cargo build --release -j1 -p oxftpd-bench)
    if wanted oxftpd && [ -d "$ROOT/crates/oxftpd" ]; then
        (cd "$ROOT" && nice -n 10 cargo build --release -j1 -p oxftpd) || log "oxftpd did not build; leaving it out"
    fi
fi
if [ ! -x "$ROOT/target/$PROFILE/oxftpd" ]; then
    ONLY=$(echo ",$ONLY," | sed 's/,oxftpd,/,/; s/^,//; s/,$//')
fi

# Debian's vsftpd and pure-ftpd conflict with proftpd-core (all provide ftp-server):
# fetch them with apt-get download and unpack them under bench/.peers/root.
peer_bin() {  # peer_bin NAME -> path of the daemon, installed or unpacked
    local name=$1
    if [ -x "/usr/sbin/$name" ]; then echo "/usr/sbin/$name"; return; fi
    if [ ! -x "$PEERS/root/usr/sbin/$name" ]; then
        local pkgs=$name
        [ "$name" = pure-ftpd ] && pkgs="pure-ftpd pure-ftpd-common"
        mkdir -p "$PEERS/debs" "$PEERS/root"
        (cd "$PEERS/debs" && timeout 300 apt-get download $pkgs >&2) || {
            timeout 300 apt-get update -qq >&2
            (cd "$PEERS/debs" && timeout 300 apt-get download $pkgs >&2)
        }
        for d in "$PEERS"/debs/*.deb; do dpkg -x "$d" "$PEERS/root"; done
    fi
    echo "$PEERS/root/usr/sbin/$name"
}
if wanted vsftpd && ! ldconfig -p | grep -q libwrap.so.0; then
    timeout 600 apt-get install -y -qq libwrap0 >&2 || { timeout 300 apt-get update -qq; timeout 600 apt-get install -y -qq libwrap0; }
fi
VSFTPD=; PUREFTPD=
if wanted vsftpd; then VSFTPD=$(peer_bin vsftpd); fi
if wanted pureftpd; then PUREFTPD=$(peer_bin pure-ftpd); fi
if wanted proftpd && [ ! -x /usr/sbin/proftpd ]; then
    timeout 600 apt-get install -y -qq proftpd-core >&2
fi

# --- configurations ----------------------------------------------------------------------
CONF=$PEERS/conf
RUN=$PEERS/run
mkdir -p "$CONF" "$RUN"

# One self-signed EC P-256 certificate for every server's FTPS (not a CA, so that it can be
# its own trust anchor for the bench's --tls-ca check).
TLS_CERT=$CONF/ftps-cert.pem
TLS_KEY=$CONF/ftps-key.pem
if [ "$FTPS" = 1 ] && { [ ! -s "$TLS_CERT" ] || [ ! -s "$TLS_KEY" ]; }; then
    if command -v openssl >/dev/null; then
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
            -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
            -addext basicConstraints=critical,CA:FALSE -keyout "$TLS_KEY" -out "$TLS_CERT" 2>/dev/null
    elif [ -x "$ROOT/target/$PROFILE/oxftpctl" ]; then
        "$ROOT/target/$PROFILE/oxftpctl" cert --cert "$TLS_CERT" --key "$TLS_KEY" --name 127.0.0.1 --force
    fi
    chmod 600 "$TLS_KEY" 2>/dev/null || true
fi
if [ "$FTPS" = 1 ] && { [ ! -s "$TLS_CERT" ] || [ ! -s "$TLS_KEY" ]; }; then
    log "no openssl and no oxftpctl to make a certificate: no FTPS pass"; FTPS=0
fi

proftpd_style_conf() {  # NAME: the proftpd.conf subset oxftpd reads, for oxftpd and ProFTPD
    local n=$1
    cat <<EOF
ServerType standalone
Port ${PORT[$n]}
DefaultAddress 127.0.0.1
UseIPv6 off
User nobody
Group nogroup
PidFile $RUN/$n.pid
ScoreboardFile $RUN/$n.scoreboard
AuthOrder mod_auth_unix.c
RequireValidShell off
DefaultRoot ~
AllowOverwrite on
MaxInstances $MAX_INSTANCES
WtmpLog off
DelayEngine off
TimeoutIdle 600
PassivePorts ${PASV_LO[$n]} ${PASV_HI[$n]}
EOF
    # FTPS on the same port, optional (TLSRequired off), session reuse required (the default).
    [ "$FTPS" = 1 ] || return 0
    if [ "$n" = proftpd ]; then echo "LoadModule mod_tls.c"; fi
    cat <<EOF
TLSEngine on
TLSECCertificateFile $TLS_CERT
TLSECCertificateKeyFile $TLS_KEY
EOF
}

vsftpd_conf() {
    cat <<EOF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=${PORT[vsftpd]}
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=YES
chroot_local_user=YES
allow_writeable_chroot=YES
pam_service_name=vsftpd-oxftpd-bench
secure_chroot_dir=$RUN/vsftpd-empty
seccomp_sandbox=NO
max_clients=$MAX_INSTANCES
max_per_ip=0
pasv_min_port=${PASV_LO[vsftpd]}
pasv_max_port=${PASV_HI[vsftpd]}
idle_session_timeout=600
xferlog_enable=NO
dirmessage_enable=NO
tcp_wrappers=NO
EOF
    [ "$FTPS" = 1 ] || return 0
    cat <<EOF
ssl_enable=YES
rsa_cert_file=$TLS_CERT
rsa_private_key_file=$TLS_KEY
force_local_logins_ssl=NO
force_local_data_ssl=NO
require_ssl_reuse=YES
ssl_ciphers=HIGH
EOF
}

PURE_ARGS=(-S "127.0.0.1,${PORT[pureftpd]}" -4 -l unix -A -E -H -u 1 -I 10
    -L 2000000:5 -c "$MAX_INSTANCES" -p "${PASV_LO[pureftpd]}:${PASV_HI[pureftpd]}" -g "$RUN/pureftpd.pid")
if [ "$FTPS" = 1 ]; then PURE_ARGS+=(-Y 1 -2 "$TLS_CERT,$TLS_KEY"); fi

write_configs() {
    proftpd_style_conf oxftpd >"$CONF/oxftpd.conf"
    proftpd_style_conf proftpd >"$CONF/proftpd.conf"
    vsftpd_conf >"$CONF/vsftpd.conf"
    echo "pure-ftpd ${PURE_ARGS[*]}" >"$CONF/pureftpd.args"
    # vsftpd authenticates through PAM only: a service file of its own, plain pam_unix.
    printf 'auth required pam_unix.so\naccount required pam_unix.so\nsession required pam_permit.so\n' \
        >/etc/pam.d/vsftpd-oxftpd-bench
    mkdir -p "$RUN/vsftpd-empty"
    chmod 555 "$RUN/vsftpd-empty"
}

# --- starting and stopping ---------------------------------------------------------------
wait_greeting() {  # PORT: bounded wait for a listener
    timeout 15 bash -c "until (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null; do sleep 0.1; done"
}

start() {
    local n=$1 log=$RUN/$n.log
    if (exec 3<>"/dev/tcp/127.0.0.1/${PORT[$n]}") 2>/dev/null; then
        log "port ${PORT[$n]} is already in use (another run?): try --port-base"; return 1
    fi
    case $n in
        oxftpd) "$ROOT/target/$PROFILE/oxftpd" -n -c "$CONF/oxftpd.conf" >"$log" 2>&1 & ;;
        proftpd) /usr/sbin/proftpd -n -c "$CONF/proftpd.conf" >"$log" 2>&1 & ;;
        vsftpd) "$VSFTPD" "$CONF/vsftpd.conf" >"$log" 2>&1 & ;;
        pureftpd) "$PUREFTPD" "${PURE_ARGS[@]}" >"$log" 2>&1 & ;;
    esac
    PID[$n]=$!
    if ! wait_greeting "${PORT[$n]}"; then
        log "$n did not listen on ${PORT[$n]}; its log:"; cat "$log" >&2; return 1
    fi
}

stop_all() {
    for n in "${!PID[@]}"; do kill "${PID[$n]}" 2>/dev/null || true; done
    for n in "${!PID[@]}"; do
        timeout 10 tail --pid="${PID[$n]}" -f /dev/null 2>/dev/null || kill -9 "${PID[$n]}" 2>/dev/null || true
    done
}
trap stop_all EXIT

restart() {  # NAME: a fresh daemon, so that memory freed in an earlier round is not reused
    local n=$1
    kill "${PID[$n]}" 2>/dev/null || true
    timeout 10 tail --pid="${PID[$n]}" -f /dev/null 2>/dev/null || kill -9 "${PID[$n]}" 2>/dev/null || true
    start "$n"
}

version_of() {
    case $1 in
        oxftpd) "$ROOT/target/$PROFILE/oxftpd" -v 2>&1 | head -1 || true ;;
        proftpd) /usr/sbin/proftpd -v 2>&1 | head -1 ;;
        vsftpd) dpkg-deb -f "$(ls "$PEERS"/debs/vsftpd_*.deb 2>/dev/null | head -1)" Version 2>/dev/null \
            || dpkg-query -W -f '${Version}' vsftpd ;;
        pureftpd) dpkg-deb -f "$(ls "$PEERS"/debs/pure-ftpd_*.deb 2>/dev/null | head -1)" Version 2>/dev/null \
            || dpkg-query -W -f '${Version}' pure-ftpd ;;
    esac
}

# --- the run -----------------------------------------------------------------------------
if [ "$SMOKE" = 1 ]; then
    "$BENCH" prepare --dir "$DATA" --small --owner "$UID_GID"
else
    log "preparing $DATA (1 GiB file, 100/10k/1M-entry directories; kept between runs)"
    "$BENCH" prepare --dir "$DATA" --owner "$UID_GID"
fi
write_configs
IFS=, read -r -a SERVERS <<<"$ONLY"
for n in "${SERVERS[@]}"; do start "$n"; done
log "started: $(for n in "${SERVERS[@]}"; do printf '%s(pid %s, port %s) ' "$n" "${PID[$n]}" "${PORT[$n]}"; done)"

bench() {  # NAME EXTRA...: one workload run against one server, JSON lines on stdout
    local n=$1; shift
    timeout 3600 "$BENCH" run --host 127.0.0.1 --port "${PORT[$n]}" --user "$USER_NAME" \
        --password "$USER_PASS" --server-pid "${PID[$n]}" --label "$n" "$@"
}

if [ "$SMOKE" = 1 ]; then
    failed=0
    for n in "${SERVERS[@]}"; do
        w=retr,stor,sessions,idle,list,mlsd,hugelist
        [ "$n" = vsftpd ] && w=retr,stor,sessions,idle,list,hugelist   # vsftpd has no MLSD
        if [ "$PLAIN" = 1 ]; then bench "$n" --smoke --workloads "$w" || failed=1; fi
        if ftps_wanted "$n"; then
            bench "$n" --smoke --tls --tls-ca "$TLS_CERT" --workloads retr,stor,sessions || failed=1
        fi
    done
    exit $failed
fi

RESULTS=$PEERS/results-$(date +%Y%m%d-%H%M%S).jsonl
: >"$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
    log "round $round/$ROUNDS: ceilings"
    "$BENCH" ceiling --json --bytes $((4 << 30)) --iperf3-secs 5 --iperf3-port "$IPERF_PORT" \
        | sed "s/^{/{\"round\":$round,/" >>"$RESULTS" || true
    for n in "${SERVERS[@]}"; do
        cat "$DATA/big-1g.bin" >/dev/null   # page-cache the RETR file
        log "round $round/$ROUNDS: $n"
        if [ "$round" -gt 1 ]; then restart "$n"; fi
        w=retr,stor,sessions,idle,list,mlsd,hugelist
        [ "$n" = vsftpd ] && w=retr,stor,sessions,idle,list,hugelist
        if [ "$PLAIN" = 1 ]; then
            bench "$n" --json --workloads "$w" --sessions "$SESSIONS" --concurrency 50 --idle "$IDLE" \
                | sed -u "s/^{/{\"round\":$round,/" | tee -a "$RESULTS" >&2 || true
        fi
        if ftps_wanted "$n"; then
            log "round $round/$ROUNDS: $n, FTPS"
            cat "$DATA/big-1g.bin" >/dev/null
            bench "$n" --json --tls --tls-ca "$TLS_CERT" --workloads retr,stor,sessions \
                --sessions "$SESSIONS" --concurrency 50 \
                | sed -u "s/^{/{\"round\":$round,/" | tee -a "$RESULTS" >&2 || true
        fi
    done
done

VERSIONS=$PEERS/versions.txt
: >"$VERSIONS"
for n in "${SERVERS[@]}"; do echo "$n	$(version_of "$n")" >>"$VERSIONS"; done
python3 "$ROOT/bench/summarize.py" --results "$RESULTS" --conf "$CONF" --versions "$VERSIONS" \
    --rounds "$ROUNDS" --quick "$QUICK" --hash "$HASH" --out "$OUT"
log "wrote $OUT (raw results: $RESULTS)"
