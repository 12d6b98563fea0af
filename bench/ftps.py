#!/usr/bin/env python3
"""FTPS throughput: oxftpd (target/release/oxftpd) against ProFTPD's mod_tls on this machine,
in the same run, over loopback with curl (explicit TLS, PROT P, passive). A cross-check with a
real client of the FTPS pass of bench/peers.sh (which uses oxftpd-bench --tls).

Usage (as root): bench/ftps.py [--runs N] [--mib SIZE] [--out docs/PERFORMANCE-FTPS.md]

Both daemons get the same proftpd.conf body (EC P-256 certificate made here with openssl,
TLSRequired on, DefaultRoot ~, TransferLog NONE); runs alternate between the daemons
(oxftpd, ProFTPD, oxftpd, ...) and medians are reported with their ranges. Every wait is
bounded; all traffic is on 127.0.0.1.
"""

import argparse
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = "/var/tmp/oxftpd-ftps-bench"
USER, PASSWORD = "ftpsbench", "bench-Pass-8"
PORTS = {"oxftpd": 2130, "proftpd": 2131}
PASV = {"oxftpd": (32000, 32199), "proftpd": (32200, 32399)}


def sh(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def prepare(size_mib):
    if os.path.isdir(WORK):
        shutil.rmtree(WORK)
    home = os.path.join(WORK, "home")
    os.makedirs(home)
    os.chown(home, 65534, 65534)
    sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
       "-nodes", "-keyout", f"{WORK}/key.pem", "-out", f"{WORK}/cert.pem", "-subj",
       "/CN=127.0.0.1", "-days", "2")
    os.chmod(f"{WORK}/key.pem", 0o600)
    digest = sh("openssl", "passwd", "-6", PASSWORD).stdout.strip()
    with open(f"{WORK}/passwd", "w") as f:
        f.write(f"{USER}:{digest}:65534:65534::{home}:/bin/sh\n")
    with open(f"{WORK}/group", "w") as f:
        f.write("nogroup:x:65534:\n")
    for p in ("passwd", "group"):
        os.chmod(f"{WORK}/{p}", 0o600)
    src = os.path.join(WORK, "payload.bin")
    with open(src, "wb") as f:
        block = os.urandom(1 << 20)
        for _ in range(size_mib):
            f.write(block)
    shutil.copy(src, os.path.join(home, "payload.bin"))
    os.chown(os.path.join(home, "payload.bin"), 65534, 65534)
    return src


def config(name):
    d = f"{WORK}/{name}"
    os.makedirs(d, exist_ok=True)
    lo, hi = PASV[name]
    body = f"""ServerName "ftps bench"
ServerType standalone
Port {PORTS[name]}
DefaultAddress 127.0.0.1
SocketBindTight on
UseIPv6 off
User nobody
Group nogroup
ScoreboardFile {d}/scoreboard
PidFile {d}/pid
DelayEngine off
WtmpLog off
TransferLog NONE
UseReverseDNS off
AuthOrder mod_auth_file.c
AuthUserFile {WORK}/passwd
AuthGroupFile {WORK}/group
RequireValidShell off
UseFtpUsers off
DefaultRoot ~
AllowOverwrite on
PassivePorts {lo} {hi}
<IfModule !mod_tls.c>
LoadModule mod_tls.c
</IfModule>
TLSEngine on
TLSECCertificateFile {WORK}/cert.pem
TLSECCertificateKeyFile {WORK}/key.pem
TLSRequired on
TLSLog {d}/tls.log
"""
    path = f"{d}/proftpd.conf"
    with open(path, "w") as f:
        f.write(body)
    return path


def start(name, binary):
    conf = config(name)
    proc = subprocess.Popen([binary, "-n", "-c", conf], stdout=subprocess.DEVNULL,
                            stderr=open(f"{WORK}/{name}/daemon.log", "w"))
    deadline = time.time() + 10
    while time.time() < deadline:
        r = subprocess.run(["curl", "-sS", "--max-time", "3", "--ssl-reqd", "-k", "--list-only",
                            f"ftp://{USER}:{PASSWORD}@127.0.0.1:{PORTS[name]}/"],
                           capture_output=True, text=True)
        if r.returncode == 0 and "payload.bin" in r.stdout:
            return proc
        time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"{name} did not come up; see {WORK}/{name}/daemon.log")


def curl(name, args, metric):
    out = sh("curl", "-sS", "--max-time", "300", "--ssl-reqd", "-k", "-w", f"%{{{metric}}}",
             *args).stdout
    return float(out.strip()) / 1e6


def cpu_seconds(pid):
    """User+system CPU of the daemon and its reaped children (ProFTPD's session processes)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))
    return ticks / os.sysconf("SC_CLK_TCK")


def measure(name, pid, src, size_mib):
    base = f"ftp://{USER}:{PASSWORD}@127.0.0.1:{PORTS[name]}/"
    gib = size_mib / 1024
    before = cpu_seconds(pid)
    retr = curl(name, ["-o", "/dev/null", base + "payload.bin"], "speed_download")
    time.sleep(0.5)  # let ProFTPD's master reap the session process
    middle = cpu_seconds(pid)
    stor = curl(name, ["-T", src, base + "upload.bin"], "speed_upload")
    time.sleep(0.5)
    after = cpu_seconds(pid)
    os.remove(os.path.join(WORK, "home", "upload.bin"))
    return retr, stor, (middle - before) / gib, (after - middle) / gib


def cipher(name):
    try:
        with open(f"{WORK}/{name}/tls.log") as f:
            for line in f:
                if "connection accepted" in line:
                    return line.split("using cipher", 1)[1].strip()
    except OSError:
        pass
    return "?"


def fmt(values, digits=0):
    m, lo, hi = statistics.median(values), min(values), max(values)
    return f"{m:,.{digits}f} ({lo:,.{digits}f}–{hi:,.{digits}f})"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--mib", type=int, default=512)
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "PERFORMANCE-FTPS.md"))
    ap.add_argument("--oxftpd", default=os.path.join(ROOT, "target", "release", "oxftpd"))
    a = ap.parse_args()
    src = prepare(a.mib)
    daemons = {}
    results = {n: {"retr": [], "stor": [], "retr_cpu": [], "stor_cpu": []} for n in PORTS}
    try:
        daemons["oxftpd"] = start("oxftpd", a.oxftpd)
        daemons["proftpd"] = start("proftpd", "/usr/sbin/proftpd")
        for run in range(a.runs):
            for name in daemons:
                r, s, rc, sc = measure(name, daemons[name].pid, src, a.mib)
                for k, v in (("retr", r), ("stor", s), ("retr_cpu", rc), ("stor_cpu", sc)):
                    results[name][k].append(v)
                print(f"run {run + 1} {name}: RETR {r:,.0f} MB/s {rc:.2f} CPU s/GiB, "
                      f"STOR {s:,.0f} MB/s {sc:.2f} CPU s/GiB", flush=True)
    finally:
        for p in daemons.values():
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
    curl_version = sh("curl", "--version").stdout.splitlines()[0]
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ratio = {k: statistics.median(results["oxftpd"][k]) / statistics.median(results["proftpd"][k])
             for k in ("retr", "stor", "retr_cpu", "stor_cpu")}
    lines = [
        "# FTPS performance",
        "",
        "Generated by `bench/ftps.py` (kept apart from `docs/PERFORMANCE.md`, which",
        "`bench/summarize.py` rewrites whole). Rerun the script rather than editing the table.",
        "",
        "The main FTPS figures (all four servers, the bench's rustls client, RETR/STOR 1 GiB and",
        "short sessions, interleaved with the plain workloads) are in `docs/PERFORMANCE.md`, section",
        "FTPS, from `bench/peers.sh`. This page is the cross-check with a real client: curl",
        "(OpenSSL) against oxftpd and ProFTPD's mod_tls only.",
        "",
        "## Setup",
        "",
        f"- {os.cpu_count()} CPUs ({cpu}), kernel {platform.release()}, shared with other work;",
        "  client (curl) and server share the cores, all traffic on 127.0.0.1.",
        f"- Client: {curl_version}; explicit FTPS (`--ssl-reqd`, PROT P), passive,"
        " one transfer at a time.",
        f"- File: {a.mib} MiB of random bytes, page-cached; uploads go to the same filesystem"
        " and are removed after each run.",
        f"- Cipher negotiated: oxftpd `{cipher('oxftpd')}`, ProFTPD `{cipher('proftpd')}`"
        " (EC P-256 certificate for both).",
        "- ProFTPD: Debian's 1.3.8 with mod_tls (OpenSSL); oxftpd: release build, rustls (ring).",
        f"- {a.runs} runs per daemon, interleaved (oxftpd, ProFTPD, oxftpd, …).",
        "",
        "## Results",
        "",
        "Median (range min–max). Ratio = oxftpd median / ProFTPD median: above 1 is better for",
        "MB/s, below 1 is better for server CPU seconds per GiB moved (the daemon and its",
        "session processes, from /proc).",
        "",
        "| Transfer | Unit | oxftpd | ProFTPD mod_tls | Ratio |",
        "|---|---|---|---|---|",
    ]
    rows = (("retr", f"RETR {a.mib} MiB", "MB/s", 0), ("retr_cpu", "RETR, server CPU", "CPU s/GiB", 2),
            ("stor", f"STOR {a.mib} MiB", "MB/s", 0), ("stor_cpu", "STOR, server CPU", "CPU s/GiB", 2))
    for key, label, unit, digits in rows:
        lines.append(f"| {label} | {unit} | {fmt(results['oxftpd'][key], digits)} | "
                     f"{fmt(results['proftpd'][key], digits)} | ×{ratio[key]:.2f} |")
    lines += [
        "",
        "Throughput on this machine is bounded by the client as much as by the server: curl",
        "decrypts (or encrypts) on one of the two cores the server also uses, so the CPU rows",
        "say more about the server's own cost than the MB/s rows do.",
        "",
    ]
    with open(a.out, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
