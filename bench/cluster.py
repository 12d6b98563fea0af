#!/usr/bin/env python3
"""bench/cluster.py: oxftpd nodes behind HAProxy sharing one Redis, and the figures of issue 18.

Starts, on loopback, a real redis-server, 1 to 3 oxftpd nodes (ClusterEngine on, the counter
store in Redis, PROXY protocol v2 from HAProxy, passive ports forwarded per node) and Debian's
haproxy in front of them (127.0.0.5), then measures:

  1. sessions/s through HAProxy with 1, 2 and 3 nodes (oxftpd-bench's `sessions` workload:
     connect, login, PWD, TYPE I, LIST of 100 entries, RETR of 4 KiB, QUIT);
  2. MaxClientsPerUser 2 over 3 nodes under 50 concurrent logins (exactly 2 must get in);
  3. a node killed with SIGKILL while 30 sessions are open: the other nodes' sessions go on,
     and `oxftpctl count --cluster` drops to the survivors' count within ClusterLease.

Writes the figures as Markdown (default docs/CLUSTER-FIGURES.md) and prints them.

Usage: bench/cluster.py [--debug] [--sessions N] [--concurrency C] [--lease S] [--out FILE]
                        [--smoke]
  --debug   use target/debug binaries (default: target/release, built when missing)
  --smoke   tiny sizes, checks only, no file written; non-zero exit on any failure
Needs root (the daemons switch to the user `nobody`), redis-server, haproxy and openssl.
Every wait is bounded; nothing listens beyond 127.0.0.0/8.
"""

import argparse
import ftplib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FRONT_ADDR = "127.0.0.5"
USER, PASSWORD = "clusteruser", "cluster-Pass-8"
NOBODY = (65534, 65534)
# Passive ports per node (forwarded by HAProxy): enough for 50 sessions at once.
PASSIVE = 200


def free_port(span=1):
    """A port p with p..p+span-1 all free on 127.0.0.1 and the front address, below the
    kernel's ephemeral range (so outgoing connections do not take them meanwhile)."""
    for _ in range(200):
        base = random.randrange(10000, 30000 - span)
        ok = True
        for p in range(base, base + span):
            for addr in ("127.0.0.1", FRONT_ADDR):
                with socket.socket() as t:
                    try:
                        t.bind((addr, p))
                    except OSError:
                        ok = False
            if not ok:
                break
        if ok:
            return base
    raise RuntimeError("no free port range")


def wait_listening(addr, port, what, secs=15):
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((addr, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {addr}:{port} within {secs}s")


def need(tool):
    if shutil.which(tool) is None:
        sys.exit(f"cluster.py: {tool} is needed (Debian package of the same name)")


class Cluster:
    """A Redis, N nodes and HAProxy in a temp dir; stop() ends them all."""

    def __init__(self, bins, work, redis_port, nodes, limit, lease):
        self.bins, self.work, self.redis_port = bins, work, redis_port
        self.procs, self.nodes = [], []
        self.front = free_port()
        for i in range(nodes):
            port, passive = free_port(), free_port(PASSIVE)
            conf = os.path.join(work, f"node{i}.conf")
            with open(conf, "w") as f:
                f.write(node_conf(work, i, port, passive, redis_port, limit, lease))
            p = subprocess.Popen([bins["oxftpd"], "-n", "-c", conf],
                                 stdout=subprocess.DEVNULL,
                                 stderr=open(os.path.join(work, f"node{i}.log"), "w"))
            self.procs.append(p)
            self.nodes.append({"port": port, "passive": passive, "conf": conf, "proc": p})
        for i, n in enumerate(self.nodes):
            try:
                wait_listening("127.0.0.1", n["port"], "oxftpd")
            except RuntimeError as e:
                self.stop()
                with open(os.path.join(work, f"node{i}.log")) as log:
                    raise RuntimeError(f"{e}:\n{log.read()[-2000:]}") from None
        cfg = os.path.join(work, "haproxy.cfg")
        with open(cfg, "w") as f:
            f.write("global\n  maxconn 4000\ndefaults\n  mode tcp\n  timeout connect 5s\n"
                    "  timeout client 60s\n  timeout server 60s\n")
            f.write(f"listen ftp\n  bind {FRONT_ADDR}:{self.front}\n  balance roundrobin\n")
            for i, n in enumerate(self.nodes):
                f.write(f"  server n{i} 127.0.0.1:{n['port']} send-proxy-v2\n")
            for i, n in enumerate(self.nodes):
                f.write(f"listen data{i}\n  bind {FRONT_ADDR}:{n['passive']}-{n['passive'] + PASSIVE - 1}\n"
                        f"  server n{i} 127.0.0.1\n")
        hlog = os.path.join(work, "haproxy.log")
        self.haproxy = subprocess.Popen(["haproxy", "-db", "-f", cfg],
                                        stdout=subprocess.DEVNULL, stderr=open(hlog, "w"))
        self.procs.append(self.haproxy)
        try:
            wait_listening(FRONT_ADDR, self.front, "haproxy")
        except RuntimeError as e:
            self.stop()
            with open(hlog) as log:
                raise RuntimeError(f"{e}:\n{log.read()[-2000:]}") from None

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)

    def ctl(self, *args):
        out = subprocess.run([self.bins["oxftpctl"], *args, "-c", self.nodes[0]["conf"]],
                             capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            raise RuntimeError(f"oxftpctl {args}: {out.stderr}")
        return out.stdout


def node_conf(work, i, port, passive, redis_port, limit, lease):
    return f"""ServerName "cluster"
ServerType standalone
DefaultAddress 127.0.0.1
SocketBindTight on
UseIPv6 off
Port {port}
PidFile {work}/node{i}.pid
ScoreboardFile {work}/node{i}.scoreboard
UseReverseDNS off
AuthOrder mod_auth_file.c
AuthUserFile {work}/passwd
AuthGroupFile {work}/group
DefaultRoot ~
User nobody
Group nogroup
WtmpLog off
DelayEngine off
TransferLog none
RequireValidShell off
MaxInstances 2000
RedisEngine on
RedisServer 127.0.0.1:{redis_port}
RedisTimeouts 2000 2000
ClusterEngine on
ClusterStore redis:
ClusterNodeName node{i}
ClusterLease {lease}
CounterStore redis
ProxyProtocolEngine on
ProxyProtocolVersion haproxyV2
ProxyProtocolTrustedSources 127.0.0.1
PassivePorts {passive} {passive + PASSIVE - 1}
MasqueradeAddress {FRONT_ADDR}
MaxClientsPerUser {limit}
"""


def sessions_per_s(c, bins, sessions, concurrency):
    out = subprocess.run([bins["oxftpd-bench"], "--host", FRONT_ADDR, "--port", str(c.front),
                          "--user", USER, "--password", PASSWORD, "--workloads", "sessions",
                          "--sessions", str(sessions), "--concurrency", str(concurrency),
                          "--json"],
                         capture_output=True, text=True, timeout=900)
    for line in out.stdout.splitlines():
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if r.get("workload") == "sessions" and "per_s" in r:
            return r
    raise RuntimeError(f"oxftpd-bench gave no sessions record: {out.stdout}{out.stderr}")


def login(front):
    """Logs in through HAProxy: (ftp or None, reply)."""
    ftp = ftplib.FTP()
    try:
        ftp.connect(FRONT_ADDR, front, timeout=30)
        return ftp, ftp.login(USER, PASSWORD)
    except ftplib.error_perm as e:
        ftp.close()
        return None, str(e)


def concurrent_logins(front, n):
    """n logins at once; the sessions let in are held until all are decided."""
    results = [None] * n
    start = threading.Barrier(n)

    def run(i):
        start.wait(timeout=30)
        results[i] = login(front)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def alive(ftp):
    try:
        ftp.voidcmd("NOOP")
        return True
    except (OSError, EOFError, ftplib.Error):
        return False


def cluster_count(c):
    return json.loads(c.ctl("count", "--cluster", "--json"))["sessions"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--debug", action="store_true")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--sessions", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--lease", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "CLUSTER-FIGURES.md"))
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("cluster.py: run as root (the daemons switch to the user nobody)")
    for tool in ("redis-server", "haproxy", "openssl"):
        need(tool)
    if a.smoke:
        a.sessions, a.concurrency = 20, 5
    profile = "debug" if a.debug else "release"
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    bins = {b: os.path.join(target, profile, b) for b in ("oxftpd", "oxftpctl", "oxftpd-bench")}
    if any(not os.path.exists(p) for p in bins.values()):
        if a.debug:
            sys.exit(f"cluster.py: build first: cargo build -p oxftpd -p oxftpd-bench ({bins})")
        subprocess.run(["cargo", "build", "--release", "-p", "oxftpd", "-p", "oxftpd-bench"],
                       cwd=ROOT, check=True)

    work = tempfile.mkdtemp(prefix="oxftpd-cluster-")
    os.chmod(work, 0o755)
    home = os.path.join(work, "home")
    os.mkdir(home)
    os.chown(home, *NOBODY)
    subprocess.run([bins["oxftpd-bench"], "prepare", "--dir", home, "--small",
                    "--owner", f"{NOBODY[0]}:{NOBODY[1]}"], check=True, capture_output=True)
    digest = subprocess.run(["openssl", "passwd", "-6", "-salt", "clusterbench", PASSWORD],
                            check=True, capture_output=True, text=True).stdout.strip()
    with open(os.path.join(work, "passwd"), "w") as f:
        f.write(f"{USER}:{digest}:{NOBODY[0]}:{NOBODY[1]}::{home}:/bin/sh\n")
    with open(os.path.join(work, "group"), "w") as f:
        f.write(f"nogroup:x:{NOBODY[1]}:{USER}\n")
    # As ProFTPD, oxftpd refuses a world-readable AuthUserFile.
    os.chmod(os.path.join(work, "passwd"), 0o600)

    redis_port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no", "--dir", work],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    failures = []
    lines = []
    try:
        wait_listening("127.0.0.1", redis_port, "redis-server")
        # 1. Sessions/s with 1, 2 and 3 nodes.
        rates = {}
        for n in (1, 2, 3):
            c = Cluster(bins, work, redis_port, n, 100000, a.lease)
            try:
                r = sessions_per_s(c, bins, a.sessions, a.concurrency)
                rates[n] = r
            finally:
                c.stop()
        lines.append("## Sessions per second through HAProxy\n")
        lines.append(f"{a.sessions} sessions, {a.concurrency} at once, client on the same "
                     f"machine ({os.cpu_count()} CPUs, load average "
                     f"{os.getloadavg()[0]:.1f} at the end: other work shares them), {profile} "
                     "build; each session: connect, login, PWD, TYPE I, LIST (100 entries), "
                     "RETR (4 KiB), QUIT.\n")
        lines.append("| nodes | sessions/s | p50 ms | p99 ms | vs 1 node | failed sessions |")
        lines.append("| --- | --- | --- | --- | --- | --- |")
        for n, r in rates.items():
            lines.append(f"| {n} | {r['per_s']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
                         f"{r['per_s'] / rates[1]['per_s']:.2f}x | {r.get('errors', 0)} |")
        lines.append("")
        lines.append("With every node, HAProxy, Redis and the client on the same machine, more nodes only add processes competing for the same CPUs: when one node already saturates them, these figures show where they saturate, not how the cluster scales. Give each node its own machine to measure scaling.\n")
        for n, r in rates.items():
            if r.get("first_error"):
                lines.append(f"- {n} node(s), first failure: {r['first_error']}")
            if r.get("errors", 0) > a.sessions // 100:
                failures.append(f"{n} node(s): {r['errors']} sessions failed")
        lines.append("")

        # 2. MaxClientsPerUser 2 over 3 nodes, 50 logins at once.
        c = Cluster(bins, work, redis_port, 3, 2, a.lease)
        try:
            results = concurrent_logins(c.front, 50)
            admitted = [ftp for ftp, _ in results if ftp is not None]
            refusals = {msg for ftp, msg in results if ftp is None}
            lines.append("## MaxClientsPerUser 2 over three nodes, 50 concurrent logins\n")
            lines.append(f"- admitted: {len(admitted)} (must be exactly 2); refused: "
                         f"{50 - len(admitted)}, with: {'; '.join(sorted(refusals))}")
            lines.append(f"- `oxftpctl count --cluster`: {cluster_count(c)} sessions\n")
            if len(admitted) != 2:
                failures.append(f"MaxClientsPerUser 2 admitted {len(admitted)}")
            for ftp in admitted:
                ftp.close()
        finally:
            c.stop()

        # 3. A node killed mid-run.
        c = Cluster(bins, work, redis_port, 3, 1000, a.lease)
        try:
            sessions = [login(c.front)[0] for _ in range(30)]
            if any(s is None for s in sessions):
                failures.append("a login failed before the kill")
            sessions = [s for s in sessions if s is not None]
            before = cluster_count(c)
            # HAProxy's round robin need not split 30 evenly: the victim's own count says how
            # many sessions must end with it.
            on_victim = sum(1 for w in json.loads(c.ctl("who", "--cluster", "--json"))
                            if w.get("node") == "node1")
            victim = c.nodes[1]["proc"]
            killed_at = time.monotonic()
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=10)
            survivors = sum(1 for s in sessions if alive(s))
            freed_after = None
            deadline = killed_at + a.lease * 3 + 10
            while time.monotonic() < deadline:
                if cluster_count(c) == survivors:
                    freed_after = time.monotonic() - killed_at
                    break
                time.sleep(0.1)
            lines.append("## A node killed with SIGKILL while 30 sessions are open\n")
            lines.append(f"- sessions before: {before} in the cluster's counts; still answering "
                         f"NOOP after the kill: {survivors} (the other two nodes' share; "
                         f"{on_victim} were on the killed node)")
            if freed_after is None:
                lines.append(f"- the dead node's sessions were still counted after "
                             f"{a.lease * 3 + 10} s")
                failures.append("the dead node's counts were not freed")
            else:
                lines.append(f"- the dead node's sessions stopped counting {freed_after:.1f} s "
                             f"after the kill (ClusterLease {a.lease})")
            if survivors != len(sessions) - on_victim:
                failures.append(f"{survivors} sessions survived, not "
                                f"{len(sessions) - on_victim} ({on_victim} on the killed node)")
            for s in sessions:
                s.close()
        finally:
            c.stop()
    finally:
        redis.terminate()
        redis.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)

    text = "\n".join(["# Cluster figures (bench/cluster.py)\n"] + lines) + "\n"
    print(text)
    if failures:
        print("FAILED: " + "; ".join(failures), file=sys.stderr)
        return 1
    if not a.smoke:
        with open(a.out, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
