#!/usr/bin/env python3
"""Turns bench/peers.sh's JSON lines into docs/PERFORMANCE.md: medians, ranges, ratios."""

import argparse
import json
import os
import platform
import statistics
import subprocess
from collections import defaultdict

SERVER_ORDER = ["oxftpd", "proftpd", "vsftpd", "pureftpd"]
NAMES = {"oxftpd": "oxftpd", "proftpd": "ProFTPD", "vsftpd": "vsftpd", "pureftpd": "Pure-FTPd"}

# (row label, workload, key to group by or None, metric, unit, higher is better)
ROWS = [
    ("RETR 1 GiB, page-cached", "retr", None, "mb_s", "MB/s", True),
    ("RETR 1 GiB, server CPU", "retr", None, "cpu_s_per_gib", "CPU s/GiB", False),
    ("STOR 1 GiB", "stor", None, "mb_s", "MB/s", True),
    ("STOR 1 GiB, server CPU", "stor", None, "cpu_s_per_gib", "CPU s/GiB", False),
    ("Sessions, 50 concurrent", "sessions", None, "per_s", "sessions/s", True),
    ("Session latency p50", "sessions", None, "p50_ms", "ms", False),
    ("Session latency p99", "sessions", None, "p99_ms", "ms", False),
    ("Session server CPU", "sessions", None, "server_cpu_ms_per_session", "CPU ms/session", False),
    ("Idle sessions: memory", "idle", "sessions", "kib_per_session", "KiB/session (PSS)", False),
    ("Idle sessions: time to open", "idle", "sessions", "open_secs", "s", False),
    ("LIST 10,000 entries", "list", None, "secs", "s", False),
    ("MLSD 10,000 entries", "mlsd", None, "secs", "s", False),
    ("LIST 1,000,000 entries", "hugelist", None, "secs", "s", False),
    ("LIST 1,000,000 entries: peak memory", "hugelist", None, "pss_peak_extra_kib", "KiB over idle (PSS)", False),
]

# The FTPS pass (`oxftpd-bench run --tls`: AUTH TLS, PBSZ 0, PROT P, data connections resuming
# the control connection's TLS session); ratios are against ProFTPD's mod_tls.
FTPS_ROWS = [
    ("FTPS RETR 1 GiB, page-cached", "ftps-retr", None, "mb_s", "MB/s", True),
    ("FTPS RETR 1 GiB, server CPU", "ftps-retr", None, "cpu_s_per_gib", "CPU s/GiB", False),
    ("FTPS STOR 1 GiB", "ftps-stor", None, "mb_s", "MB/s", True),
    ("FTPS STOR 1 GiB, server CPU", "ftps-stor", None, "cpu_s_per_gib", "CPU s/GiB", False),
    ("FTPS sessions, 50 concurrent", "ftps-sessions", None, "per_s", "sessions/s", True),
    ("FTPS session latency p50", "ftps-sessions", None, "p50_ms", "ms", False),
    ("FTPS session latency p99", "ftps-sessions", None, "p99_ms", "ms", False),
    ("FTPS session server CPU", "ftps-sessions", None, "server_cpu_ms_per_session", "CPU ms/session", False),
]


def fmt(v):
    if v is None:
        return "–"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.3g}"


def load(path):
    records = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
    return records


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def targets(values, ceilings):
    """Issue 8's targets against this run's medians: (target, figures, met) rows."""
    def med(w, metric, server, group=None):
        v = values.get((w, group, metric, server))
        return statistics.median(v) if v else None

    peers = ["proftpd", "vsftpd", "pureftpd"]
    rows = []

    def best(w, metric, higher):
        got = [(med(w, metric, s), s) for s in peers if med(w, metric, s) is not None]
        if not got:
            return None, None
        return (max if higher else min)(got)

    ox = med("retr", "mb_s", "oxftpd")
    ceil = statistics.median(ceilings["ceiling-iperf3"]) if ceilings.get("ceiling-iperf3") else None
    bp, bs = best("retr", "mb_s", True)
    if ox and ceil and bp:
        rows.append(("RETR ≥ 0.9× loopback ceiling (iperf3) and ≥ best peer",
                     f"{fmt(ox)} MB/s = {ox / ceil:.2f}× ceiling {fmt(ceil)}; {ox / bp:.2f}× {NAMES[bs]} {fmt(bp)}",
                     ox >= 0.9 * ceil and ox >= bp))
    ox = med("stor", "mb_s", "oxftpd")
    bp, bs = best("stor", "mb_s", True)
    if ox and bp:
        rows.append(("STOR ≥ 1.2× best peer", f"{fmt(ox)} MB/s = {ox / bp:.2f}× {NAMES[bs]} {fmt(bp)}",
                     ox >= 1.2 * bp))
    ox = med("sessions", "per_s", "oxftpd")
    pro = med("sessions", "per_s", "proftpd")
    pure = med("sessions", "per_s", "pureftpd")
    if ox and pro and pure:
        rows.append(("Sessions/s ≥ 3× ProFTPD and ≥ 1.5× Pure-FTPd",
                     f"{fmt(ox)}/s = {ox / pro:.2f}× ProFTPD, {ox / pure:.2f}× Pure-FTPd",
                     ox >= 3 * pro and ox >= 1.5 * pure))
    ox = med("sessions", "server_cpu_ms_per_session", "oxftpd")
    pure = med("sessions", "server_cpu_ms_per_session", "pureftpd")
    if ox and pure:
        rows.append(("Server CPU per session ≤ 0.5× Pure-FTPd's",
                     f"{fmt(ox)} ms = {ox / pure:.2f}× Pure-FTPd's {fmt(pure)} ms", ox <= 0.5 * pure))
    for k in sorted({key[1] for key in values if key[0] == "idle" and key[3] == "oxftpd"}):
        ox = med("idle", "kib_per_session", "oxftpd", k)
        if ox is not None:
            rows.append((f"Idle logged-in sessions ≤ 32 KiB each (K={k:,})", f"{fmt(ox)} KiB", ox <= 32))
    for w, label in (("list", "LIST"), ("mlsd", "MLSD")):
        ox = med(w, "secs", "oxftpd")
        bp, bs = best(w, "secs", False)
        if ox and bp:
            rows.append((f"{label} 10,000 ≤ 0.5× fastest peer's time",
                         f"{fmt(ox)} s = {ox / bp:.2f}× {NAMES[bs]} {fmt(bp)} s", ox <= 0.5 * bp))
    ox = med("hugelist", "pss_peak_extra_kib", "oxftpd")
    if ox is not None:
        rows.append(("LIST 1,000,000 with flat memory (peak over idle < 1 MiB)", f"{fmt(ox)} KiB", ox < 1024))
    ox = med("ftps-retr", "mb_s", "oxftpd")
    pro = med("ftps-retr", "mb_s", "proftpd")
    if ox and pro:
        rows.append(("FTPS RETR ≥ 1.5× ProFTPD's mod_tls", f"{fmt(ox)} MB/s = {ox / pro:.2f}× ProFTPD {fmt(pro)}",
                     ox >= 1.5 * pro))
    return rows


def table(p, values, rows, servers, ref):
    """One Markdown table: a row per metric (and group), a column per server, ratios vs `ref`."""
    p("| Workload | Unit | " + " | ".join(NAMES[s] for s in servers) + " |")
    p("|" + "---|" * (2 + len(servers)))
    for label, w, group, metric, unit, _ in rows:
        groups = sorted({k[1] for k in values if k[0] == w and k[2] == metric}, key=lambda g: (g is None, g))
        for g in groups or [None]:
            cells = []
            refv = values.get((w, g, metric, ref))
            refm = statistics.median(refv) if refv else None
            for s in servers:
                v = values.get((w, g, metric, s))
                if not v:
                    cells.append("–")
                    continue
                m = statistics.median(v)
                cell = fmt(m)
                if len(v) > 1:
                    cell += f" [{fmt(min(v))}–{fmt(max(v))}]"
                if refm and s != ref:
                    cell += f" (×{m / refm:.2f})"
                cells.append(cell)
            name = label + (f", K={g:,}" if g is not None else "")
            p(f"| {name} | {unit} | " + " | ".join(cells) + " |")
    p("")


HASHES = {
    "sha512": "SHA-512-crypt, 5,000 rounds (`chpasswd -c SHA512`; RHEL's default, and Debian's before 11)",
    "yescrypt": "yescrypt (`$y$j9T$`, Debian 12's default: 16 MiB and 10–25 ms of CPU per hash here)",
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--conf", required=True)
    ap.add_argument("--versions", required=True)
    ap.add_argument("--rounds", type=int, required=True)
    ap.add_argument("--quick", type=int, default=0)
    ap.add_argument("--out", required=True)
    ap.add_argument("--hash", default="yescrypt", help="the bench user's password hash (peers.sh --hash)")
    a = ap.parse_args()

    records = load(a.results)
    servers = [s for s in SERVER_ORDER if any(r.get("server") == s for r in records)]
    ref = "oxftpd" if "oxftpd" in servers else (servers[0] if servers else None)
    values = defaultdict(list)  # (workload, group, metric, server) -> [values]
    errors = []
    for r in records:
        s = r.get("server")
        if "error" in r:
            msg = " ".join(str(r["error"]).split())[:240]
            errors.append(f"round {r.get('round')}, {NAMES.get(s, s or 'machine')}, {r['workload']}: {msg}")
            continue
        for label, w, group, metric, unit, _ in ROWS + FTPS_ROWS:
            if r["workload"] == w and metric in r and r[metric] is not None:
                values[(w, r.get(group) if group else None, metric, s)].append(r[metric])
    ceilings = defaultdict(list)
    for r in records:
        if r["workload"].startswith("ceiling-") and "mb_s" in r:
            ceilings[r["workload"]].append(r["mb_s"])

    versions = {}
    with open(a.versions) as f:
        for line in f:
            if "\t" in line:
                k, v = line.rstrip("\n").split("\t", 1)
                versions[k] = v

    out = []
    p = out.append
    p("# Performance\n")
    p("Generated by `bench/peers.sh` (load generator: `crates/oxftpd-bench`); raw JSON lines go to `bench/.peers/results-*.jsonl` (the last side-by-side run is kept as `bench/peers-results-3rounds.jsonl`, the first peers-only quick run as `bench/quick-peers-results.jsonl`). Do not edit the tables by hand;")
    p("rerun the script. Notes below the tables are kept in the script's generator (`bench/summarize.py`).\n")
    if "oxftpd" not in servers:
        p("> **Peers only — oxftpd pending.** These figures were taken before the oxftpd daemon ran; the")
        p("> script includes oxftpd automatically once `target/release/oxftpd` exists. Ratios below are")
        p(f"> relative to {NAMES.get(ref, ref)}.\n")
    if a.quick:
        p(f"> **Quick run** (`--quick`): {a.rounds} round(s), 1,000 idle sessions, 500 short sessions.")
        if a.rounds == 1:
            p("> With one round there is no range to speak of; treat differences under ~10–20% as noise.")
        p("")

    p("## Machine\n")
    cpu_model = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
    mem_gib = sh("free -g | awk '/Mem:/ {print $2}'")
    p(f"- {sh('nproc')} CPUs ({cpu_model}), {mem_gib} GiB RAM, kernel {platform.release()}, ext4, "
      "shared with other work")
    p("- All traffic on 127.0.0.1; client and server share the two cores (the client is one thread).")
    for w, label in (("ceiling-iperf3", "iperf3, one TCP stream"), ("ceiling-sendfile", "sendfile→recv pair (`oxftpd-bench ceiling`)")):
        v = ceilings.get(w)
        if v:
            p(f"- Loopback ceiling, {label}: median {fmt(statistics.median(v))} MB/s (range {fmt(min(v))}–{fmt(max(v))}, n={len(v)})")
    p("")

    p("## Results\n")
    p(f"Median of {a.rounds} round(s) (range min–max in brackets). Ratio = server median / {NAMES.get(ref, ref)} median; "
      "for rates above 1 is better, for times, CPU and memory below 1 is better. Rounds interleave the servers "
      "(A, B, C, A, B, C, …).\n")
    if any(not k[0].startswith("ftps-") for k in values):
        table(p, values, ROWS, servers, ref)
    else:
        p("(No plain figures in this run: `peers.sh --ftps-only`.)\n")
    ftps_servers = [s for s in servers if any(k[0].startswith("ftps-") and k[3] == s for k in values)]
    if ftps_servers:
        fref = "proftpd" if "proftpd" in ftps_servers else ftps_servers[0]
        p("### FTPS\n")
        p("The same transfers and short sessions over explicit FTPS (`oxftpd-bench run --tls`): `AUTH TLS` on")
        p("the control connection, `PBSZ 0` + `PROT P` after login, every data connection a TLS connection that")
        p("resumes the control connection's TLS session (oxftpd, ProFTPD and vsftpd require that reuse, as")
        p("configured below). Client: rustls (ring), TLS 1.3 offered first; certificate: one self-signed EC P-256")
        p("certificate for all servers, checked by the client (`--tls-ca`). Ratio = server median /")
        p(f"{NAMES[fref]} median{' (mod_tls)' if fref == 'proftpd' else ''}.\n")
        table(p, values, FTPS_ROWS, ftps_servers, fref)
        missing = [NAMES[s] for s in servers if s not in ftps_servers]
        if missing:
            p(f"No FTPS figures for: {', '.join(missing)} (its FTPS runs failed or were not run; see failures).\n")
    rows = targets(values, ceilings) if "oxftpd" in servers else []
    if rows:
        p("### Issue 8's targets against these medians\n")
        p("| Target | This run | Met |")
        p("|---|---|---|")
        for t, fig, ok in rows:
            p(f"| {t} | {fig} | {'yes' if ok else '**no**'} |")
        p("")
    if errors:
        p("### Failures during the run\n")
        for e in errors:
            p(f"- {e}")
        p("")

    p("## What each workload does\n")
    p("- **RETR / STOR 1 GiB**: one session, `TYPE I`, `PASV`, one 1 GiB transfer (the file is read once with")
    p("  `cat` before each round so it is page-cached; the upload is a stream of one byte value, deleted after).")
    p("  Server CPU is utime+stime+cutime+cstime summed over the server's process tree from")
    p("  `/proc/PID/stat`, taken just before and just after the transfer while the session is alive.")
    p("- **Sessions**: 50 clients at once, each session: connect, greeting, `USER`/`PASS`, `PWD`, `TYPE I`,")
    p("  `PASV`+`LIST` of a 100-entry directory, `PASV`+`RETR` of a 4 KiB file, `QUIT`. One untimed session")
    p("  first. Latency is one whole session, connect to `221`.")
    p("- **Idle sessions**: K sessions logged in and left idle; memory is PSS summed over all server")
    p("  processes (`/proc/*/smaps_rollup`), minus the same sum before the sessions, divided by K.")
    p("- **LIST / MLSD 10,000**: one listing of a directory of 10,000 empty files, time from the command to")
    p("  the end of the data.")
    p("- **FTPS** (`ftps-retr`, `ftps-stor`, `ftps-sessions`): the same three workloads with `--tls`; the")
    p("  1 GiB transfers move through TLS on both ends (no sendfile), so the client's decryption shares the")
    p("  two cores with the server's encryption. `bench/ftps.py` (`docs/PERFORMANCE-FTPS.md`) is a")
    p("  cross-check of oxftpd against ProFTPD's mod_tls with curl (OpenSSL) as the client.")
    p("- **LIST 1,000,000**: as above with a million entries; the server's PSS is sampled every 20 ms during")
    p("  the listing and the peak over the idle baseline is reported (it includes the session's own process")
    p("  for forking servers).\n")

    p("## Configurations\n")
    p("All servers run as root-started daemons on 127.0.0.1, each on its own port and passive range, with the")
    p("same system user `benchuser` (password login through the system's passwd/shadow or PAM-unix), home =")
    p("the prepared data directory, chrooted to it. The user's password hash in `/etc/shadow`: "
      + HASHES.get(a.hash, a.hash) + ". Versions:\n")
    for s in servers:
        p(f"- {NAMES[s]}: {versions.get(s, '?')}")
    p("")
    for s, fname, lang in (("oxftpd", "oxftpd.conf", "apache"), ("proftpd", "proftpd.conf", "apache"),
                           ("vsftpd", "vsftpd.conf", "ini"), ("pureftpd", "pureftpd.args", "sh")):
        path = os.path.join(a.conf, fname)
        if s in servers and os.path.exists(path):
            p(f"### {NAMES[s]} (`{fname}`)\n")
            p(f"```{lang}")
            with open(path) as f:
                p(f.read().rstrip())
            p("```\n")
    p("FTPS: every server uses the same certificate (`ftps-cert.pem`, made by `peers.sh` with")
    p("`openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -addext basicConstraints=critical,CA:FALSE`);")
    p("TLS is optional on the same port (plain workloads run on it too) and data connections must resume")
    p("the control connection's session: ProFTPD and oxftpd by default (no `NoSessionReuseRequired`),")
    p("vsftpd with `require_ssl_reuse=YES`; Pure-FTPd takes `-Y 1 -2 cert,key`.\n")
    p("vsftpd's PAM service (`/etc/pam.d/vsftpd-oxftpd-bench`): `pam_unix` for auth and account, `pam_permit`")
    p("for session.\n")

    p("## oxftpd: what changed and by how much\n")
    p("Before/after figures from this machine, same day, oxftpd alone (`oxftpd-bench run`, release build);")
    p("single runs unless said otherwise, with the machine shared (load average 8–25 during the work).\n")
    p("| Change | Before | After |")
    p("|---|---|---|")
    p("| `<Directory>` globs compiled once per thread (`Scope::for_path`, run for every command with a path"
      " and, before the next change, for every listed entry) | 37.6 µs per lookup | 0.30 µs (criterion) |")
    p("| Listings: next 1,024-entry batch read and stat'ed on the pool while the current one is formatted"
      " (`FsPool::start`, was 256 and sequential); per-entry hide check skipped when no `Hide*` directive"
      " exists anywhere; no per-entry owner/group/path allocations | LIST 10k 0.028 s, MLSD 10k 0.024 s"
      " | LIST 10k 0.012 s, MLSD 10k 0.012 s (3 runs, quiet moment) |")
    p("| Passive listeners set `SO_REUSEADDR` (a closed data connection left its port in TIME_WAIT for a"
      " minute: 900 ports ran out after ~450 sessions) | 53 of 500 sessions failed (`425 no passive port"
      " free`), then every listing | 0 failures |")
    p("| Sessions in one jail share its `O_PATH` root fd (1 fd per idle session instead of 2); the daemon"
      " raises its soft `RLIMIT_NOFILE` to the hard limit and logs it | 10,000 idle: 9,993 opened, then"
      " `530` (no fd left to read /etc/shadow) | 10,000 open, 4.6 KiB PSS each |")
    p("| Bench client: 512 KiB transfer reads (was 64 KiB: a read and a timer per 64 KiB made the client"
      " the limit) | RETR 1,220 MB/s | RETR 1,578–1,929 MB/s (3 runs) |")
    p("| Bench client: RETR/STOR sinks count bytes only (counting newlines over 1 GiB was 24% of the"
      " client's CPU samples; applies to every server) | RETR 1,086–1,168 MB/s (ceiling 2,900) |"
      " RETR 1,651–2,299 MB/s (3 runs) |")
    p("| (no STOR change in this work; main's upload path changed twice meanwhile) | STOR 844 MB/s,"
      " 1.29 CPU s/GiB (first run) | STOR 465–2,983 MB/s over the day, A/B of builds shows no"
      " difference beyond that spread |")
    p("| Uploads overlap network and disk: the pool writes batch N while the connection fills batch"
      " N+1 (two 1 MiB buffers per running upload, was one, alternating) | STOR 2,164 MB/s"
      " (1,667–2,244; ProFTPD 2,396 in the same run) | STOR 2,352 MB/s (2,220–2,474); medians of 9"
      " interleaved runs each, oxftpd before/after and ProFTPD; an A/B inside one build gave 2,000 →"
      " 2,281 (10 runs each) |")
    p("| Listings: `getdents64` into one reused buffer, names in one arena per batch, each batch job"
      " starts the next one on another pool thread once it has its names (up to 3 ahead), a small first"
      " batch queued when the directory is opened (while the data connection is set up); no allocation"
      " per entry | LIST 10k 0.0113 s, MLSD 10k 0.0115 s; 1M entries 2.22 s (busy machine) | LIST 0.0087 s,"
      " MLSD 0.0092 s; 1M 1.47 s (medians of 9 interleaved runs; with a core free: 0.0077 → 0.0055 and"
      " 0.0082 → 0.0062) |")
    p("| RETR: the data socket is corked while `sendfile(2)` runs, uncorked at the end (as ProFTPD) |"
      " 21,300 TCP segments per 1 GiB download (nstat) | 18,900 |")
    p("| Uploads in 256 KiB batches (was 1 MiB): the pool's `write` copies from a buffer still in"
      " cache | STOR 814 MB/s (1 MiB batches) | 1,021 MB/s (128 KiB: 900); medians of 5 interleaved"
      " runs, busy machine |")
    p("| A plain binary upload is read and written on one blocking thread (the runtime's blocking"
      " pool), each 512 KiB chunk written from the buffer it was just read into, as a forking"
      " server's session process does; ASCII, TLS and MODE Z uploads keep the two-batch path |"
      " STOR 1,745 MB/s, 0.66 CPU s/GiB (ProFTPD 2,228, 0.47 in the same runs) | 2,950 MB/s,"
      " 0.39 CPU s/GiB (5 interleaved runs each, quiet machine) |")
    p("| Buffered downloads (FTPS, ASCII, MODE Z) read what the page cache holds inline with"
      " `preadv2(RWF_NOWAIT)`, the pool only for the rest (a quarter of the samples were pool wake-ups,"
      " and the bytes changed cores before encryption) | FTPS RETR 1,280 MB/s, 0.77 CPU s/GiB |"
      " 1,720 MB/s, 0.61 CPU s/GiB (4 interleaved runs each) |")
    p("")
    p("### What the profiles show (`perf record -e cpu-clock -g` on the daemon)\n")
    p("- **Short sessions**: with the bench user's SHA-512-crypt hash (`--hash sha512`, the default now),")
    p("  libcrypt is 63% of oxftpd's samples (~1.1 ms per login); the kernel 25% (pool thread wake-ups 9%,")
    p("  socket setup, and ~50 `openat` per login from `libnss_systemd` probing `/run/systemd/userdb`")
    p("  through `nsswitch.conf`, which every server pays); oxftpd's own code 5.6%. The hash alone is half")
    p("  of Pure-FTPd's whole per-session CPU, so \"at most half of Pure-FTPd's CPU\" cannot be met while")
    p("  both verify the same hash: oxftpd's non-hash cost (~0.7 ms) is about half of Pure-FTPd's (~1.3 ms,")
    p("  a fork per session). With Debian 12's default yescrypt hash (`--hash yescrypt`: 16 MiB of scratch")
    p("  memory mapped, faulted and unmapped per login, 10-25 ms) every server was held near 80 logins/s")
    p("  on two cores (earlier run: oxftpd 103/s, 15.0 ms CPU; ProFTPD 79/s; Pure-FTPd 73/s, 16.2 ms).")
    p("- **LIST/MLSD 10,000**: the pool threads spend ~90% of their listing time in the kernel")
    p("  (`__d_lookup_rcu`, `ext4_getattr`, `filldir64`): one thread reads and stats the 10,000 entries in")
    p("  ~6.2 ms, what a C loop of `readdir`+`fstatat` takes (5.7 ms warm). Half of Pure-FTPd's time needs")
    p("  that work spread over both cores, which the client and the server share here; the async side")
    p("  (formatting, socket writes) is ~20%, mostly small copies in the line formatters. The 1,000,000-")
    p("  entry listing's peak is one-time: the first big listing after start starts pool threads (stacks,")
    p("  malloc arenas) for the parallel stats; a second 1M listing in the same daemon peaked at 140–190 KiB")
    p("  over its baseline (1.2–2.2 MiB for the first), and the peak does not grow with the directory.")
    p("- **RETR**: `sendfile(2)` from the page cache on the async worker; in a system-wide profile of one")
    p("  1 GiB RETR the server's worker was 22% of the samples, the bench client 40% (before the sink fix")
    p("  above, a quarter of those in newline counting), idle 36%. The rest of the gap to the ceiling is")
    p("  the client (async, one thread, a timer per read) and the two cores shared by both ends. An explicit")
    p("  4 MiB `SO_SNDBUF` on data connections changed nothing measurable (A/B, 3 runs each: 1,436–2,387")
    p("  vs 2,019–2,260 MB/s) and was left out. Sending the whole download as one blocking `sendfile(2)`")
    p("  loop on a transfer thread (ProFTPD's way; socket blocking with `SO_SNDTIMEO`, shut down on `ABOR`)")
    p("  changed nothing either (A/B inside one build, 10 interleaved runs each: median 2,199 MB/s async vs")
    p("  2,200 blocking) and was left out: the wake-up through the reactor is not where the time goes.")
    p("  ProFTPD has been 2–10% ahead on RETR in every side-by-side run with the same client (vsftpd ±5%);")
    p("  its data connection is one blocking `sendfile(2)` of the whole file in the session's own process,")
    p("  corked, without `TCP_NODELAY` (strace). oxftpd now corks too (fewer, fuller segments), and the")
    p("  blocking variant measured the same, so what remains is likely scheduling: the session's task can")
    p("  move between the two runtime workers while the client holds one of the two cores. Not closed; the")
    p("  next step is a system-wide `perf sched` of both servers under the same client. The ceilings")
    p("  themselves move between runs (the sendfile→recv pair: 2,192, 3,645, 2,326 and 2,327 MB/s in our last")
    p("  four runs; iperf3 2,887–2,987).")
    p("- **FTPS**: kernel TLS (`sendfile` through a kTLS socket, no user-space copy) would be the next")
    p("  step for FTPS downloads; this machine's kernel offers no `tls` ULP (`tcp_available_ulp`: mptcp).")
    p("- **STOR**: with batches moved from the async worker to a pool thread, 60% of the server's")
    p("  upload samples were `copy_folio_from_iter_atomic` (the `write` into the page cache) and 6% the")
    p("  socket read: each batch changed cores between the read and the write. Pure-FTPd reads 512 KiB")
    p("  and writes it from the same thread (strace: ~2,100 `read` and `write` per GiB, `poll` between);")
    p("  oxftpd now does the same on one blocking thread per running plain upload (row above).")
    p("  `pwritev2(RWF_NOWAIT)`, which would have let the async side write inline, returns EOPNOTSUPP for")
    p("  buffered writes on this kernel's ext4. `splice(2)` socket → pipe → file was tried and left out:")
    p("  2× the server CPU (1.14–2.52 vs 0.48–0.52 s/GiB, 300–690 vs 1,040–1,680 MB/s in an A/B):")
    p("  loopback skbs carry their data in linear buffers, which the kernel copies into fresh pages to")
    p("  put them in a pipe, then copies again into the page cache. Pure-FTPd's STOR reaches the iperf3")
    p("  ceiling (1.8–3.3 GB/s across our runs), so 1.2× of it is above what the loopback carries.")
    p("- **Idle sessions, measuring**: in an earlier run the servers were started once for all rounds;")
    p("  oxftpd's idle figure in rounds 2–3 came out near 0 KiB because its allocator reused the memory")
    p("  freed by round 1's sessions. `peers.sh` now restarts every server before each round. At")
    p("  K=10,000 (oxftpd alone, `oxftpd-bench run --workloads idle --idle 10000` against the daemon with")
    p("  the configuration below, soft fd limit raised by the daemon to the hard limit 20,000) all 10,000")
    p("  sessions stayed alive at 6.9 KiB each; opening them took 7.9 s (yescrypt: 99 s).")
    p("- **100,000 idle sessions cannot run on this machine**: the open-file hard limit is 20,000 and")
    p("  cannot be raised here (no CAP_SYS_RESOURCE), so one process holds at most ~19,990 sessions;")
    p("  `kernel.pid_max` is 32,768 (irrelevant to oxftpd, fatal to the forking peers). At 6.9 KiB a session")
    p("  100,000 would need ~690 MiB of PSS, which the 23 GiB machine has. Reaching it here would take")
    p("  several daemon processes sharing the listening socket, with the per-user and per-host limits")
    p("  counted across them; not built.")
    p("- **The run above** was taken with no other builds running (load from the bench itself: up to")
    p("  2,000 peer processes during the idle workload); earlier runs under other engineers' builds had")
    p("  the iperf3 ceiling moving between 1.7 and 2.5 GB/s.")
    p("- **Idle sessions**: a logged-in idle session is the tokio task (the boxed session future), its")
    p("  `Ctx`/`LoggedIn` and the kernel socket; the line buffer frees its heap while idle. 5–7 KiB PSS")
    p("  each, against 440–1,870 KiB for the forking peers.")
    p("")

    p("## Notes on the peers\n")
    p("- **Pure-FTPd** admits at most half as many clients as it has passive ports (`-p`), whatever `-c`")
    p("  says: the 10,000-idle run needs a passive range of 20,000+ ports. Its range here is 4000–29999.")
    p("  It resolves client names unless `-H`. It cuts every listing at 10,000 entries unless `-L` says")
    p("  otherwise (`-L 2000000:5` here, or the 1M-entry listing returns 10,000 lines and fails the check).")
    p("  Even so, its `LIST` of the 1,000,000-entry directory stopped after ~71,000 lines in our runs")
    p("  (some further internal bound; not investigated), so the bench reports it as a failure and its")
    p("  1M row stays empty.")
    p("  With privilege separation it runs two processes per logged-in session.")
    p("  Its session rate varied most between our runs (27/s in one quick run, 62/s in the next, CPU per")
    p("  session unchanged): the machine is shared, so compare medians of several rounds.")
    p("- **vsftpd** needs `seccomp_sandbox=NO` on recent kernels (its seccomp filter kills the session on")
    p("  syscalls it did not expect). It defaults to `max_clients=2000` and `max_per_ip=50`: both raised")
    p("  (`max_per_ip=0` is unlimited). It runs two processes per logged-in session (a privileged helper and")
    p("  the session), so K idle sessions are 2K processes; it has no `MLSD`. It authenticates only through")
    p("  PAM, hence a PAM service of its own.")
    p("- **ProFTPD** needs `MaxInstances` raised for the 10k/100k idle runs (default 30 in Debian's")
    p("  example config); it forks one process per session. Its first session after start is slow")
    p("  (hundreds of ms loading modules/NSS), which is why every server gets one untimed session first.")
    p("- **Loopback source addresses**: past ~28,000 connections from one address the ephemeral port range")
    p("  runs out; the bench binds each client socket to 127.0.0.N (N round-robin, with")
    p("  `IP_BIND_ADDRESS_NO_PORT`) when `--sources` or a large K asks for it.")
    p("- **Limits on this machine**: the open-file hard limit is 20,000 and cannot be raised here (no")
    p("  CAP_SYS_RESOURCE), and `kernel.pid_max` is 32,768: the 100,000-idle run (`--big`) is not possible on")
    p("  it, and forking servers (one or two processes per session) cannot reach 100k sessions without")
    p("  raising `pid_max` anyway.")
    p("- Session CPU (short sessions) is the tree's CPU after all sessions ended, so it counts a")
    p("  session's processes only if the server's own tree reaped them (their time then lands in the")
    p("  parent's cutime/cstime). A process reaped outside the tree is missed: treat vsftpd's figure")
    p("  (two processes per session) as a lower bound.")
    p("- The machine is shared with other engineers' builds: the loopback ceilings themselves moved between")
    p("  1.4 and 2.8 GB/s across our runs, and single-round figures can move by a factor of 2 (Pure-FTPd's")
    p("  RETR: 1,216 then 468 MB/s). Only multi-round medians should be quoted.")
    p("- CPU figures come in clock ticks (10 ms): per-GiB figures are good to ±0.01 s, per-session figures")
    p("  are averages over all sessions of the run.")
    p("")

    with open(a.out, "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
