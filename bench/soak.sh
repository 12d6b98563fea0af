#!/usr/bin/env bash
# A soak of oxftpd (issue 19): mixed sessions (plain and TLS logins, uploads verified by
# reading them back, listings, uploads cut by a client reset) for DURATION seconds (default one
# hour) with SIGHUP every 10 s and `oxftpctl restart` every 5 minutes; reports errors, the
# daemon's RSS and open files over time, and fails on any error, lost file, leftover temp file,
# or growth. Needs root (the session user's files), python3 and openssl; all on 127.0.0.1.
#
# Usage: bench/soak.sh [--duration SECONDS] [--workers N] [--debug] [--port P]
# (SOAK_RESTART_EVERY=SECONDS shortens the restart period for a short run.)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=3600 WORKERS=8 PROFILE=release PORT=2190
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) DURATION=$2; shift ;;
        --workers) WORKERS=$2; shift ;;
        --debug) PROFILE=debug ;;
        --port) PORT=$2; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
BIN=$ROOT/target/$PROFILE/oxftpd CTL=$ROOT/target/$PROFILE/oxftpctl
[ -x "$BIN" ] && [ -x "$CTL" ] || { echo "build first: cargo build ${PROFILE/debug/}${PROFILE/release/--release} -p oxftpd" >&2; exit 2; }
DIR=$(mktemp -d /var/tmp/oxftpd-soak.XXXXXX)
chmod 755 "$DIR"
mkdir -p "$DIR/etc" "$DIR/run" "$DIR/log" "$DIR/home/soak"
chown 60190:60190 "$DIR/home/soak"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
    -keyout "$DIR/etc/key.pem" -out "$DIR/etc/cert.pem" >/dev/null 2>&1
HASH=$(openssl passwd -6 soak-Pass-1)
echo "soak:$HASH:60190:60190::$DIR/home/soak:/bin/sh" > "$DIR/etc/passwd"
echo "soak:x:60190:" > "$DIR/etc/group"
chmod 600 "$DIR/etc/passwd" "$DIR/etc/group"
cat > "$DIR/etc/oxftpd.conf" <<CONF
ServerName "soak"
ServerType standalone
DefaultAddress 127.0.0.1
Port $PORT
User nobody
Group nogroup
PidFile $DIR/run/oxftpd.pid
ScoreboardFile $DIR/run/oxftpd.scoreboard
SystemLog $DIR/log/system.log
TransferLog $DIR/log/xferlog
UseReverseDNS off
WtmpLog off
AuthOrder mod_auth_file.c
AuthUserFile $DIR/etc/passwd
AuthGroupFile $DIR/etc/group
RequireValidShell off
DefaultRoot ~
AllowOverwrite on
HiddenStores on
MaxInstances 200
TLSEngine on
TLSECCertificateFile $DIR/etc/cert.pem
TLSECCertificateKeyFile $DIR/etc/key.pem
TLSOptions NoSessionReuseRequired
CONF
"$BIN" -c "$DIR/etc/oxftpd.conf"
for _ in $(seq 100); do [ -s "$DIR/run/oxftpd.pid" ] && break; sleep 0.1; done
set +e
python3 "$ROOT/bench/soak.py" 127.0.0.1 "$PORT" soak soak-Pass-1 "$DIR/run/oxftpd.pid" \
    "$DIR/etc/oxftpd.conf" "$CTL" "$DURATION" "$WORKERS" "$DIR/home/soak"
rc=$?
set -e
kill "$(cat "$DIR/run/oxftpd.pid")" 2>/dev/null || true
echo "daemon log: $DIR/log/system.log"
exit $rc
