#!/usr/bin/python3
"""SFTP figures in one run: sessions per second (connect, key login, list, 4 KiB get,
close; OpenSSH's `sftp` client, C parallel) and memory per idle SFTP session (paramiko
sessions held open; the server's proportional set size before and after), for each server
given: oxftpd and ProFTPD 1.3.8's mod_sftp (OpenSSH's sftp-server when `sshd` is installed
is not driven here). Run as root: `bench/sftp_figures.py target/release/oxftpd`.

Usage: sftp_figures.py OXFTPD_BIN [--sessions N] [--parallel C] [--idle M]
"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

import paramiko


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_ssh(port, deadline=15.0):
    end = time.time() + deadline
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                if s.recv(4) == b"SSH-":
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"no SSH banner on {port}")


def pss_kb(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def pids_of(exe_name, since_pid_file):
    """The daemon (from its pid file) and its children."""
    with open(since_pid_file) as f:
        master = int(f.read().split()[0])
    out = [master]
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == master:
                    out.append(int(d))
            except OSError:
                pass
    return out


def setup(root):
    home = os.path.join(root, "home")
    os.makedirs(home)
    os.chown(home, 65534, 65534)
    with open(os.path.join(home, "f4k"), "wb") as f:
        f.write(os.urandom(4096))
    os.chown(os.path.join(home, "f4k"), 65534, 65534)
    subprocess.run(["ssh-keygen", "-q", "-N", "", "-t", "ed25519", "-f", f"{root}/host"], check=True)
    subprocess.run(["ssh-keygen", "-q", "-N", "", "-t", "ed25519", "-f", f"{root}/user"], check=True)
    os.makedirs(f"{home}/.sftp")
    rfc = subprocess.run(["ssh-keygen", "-e", "-f", f"{root}/user.pub"], check=True, capture_output=True).stdout
    with open(f"{home}/.sftp/authorized_keys", "wb") as f:
        f.write(rfc)
    for p in (f"{home}/.sftp", f"{home}/.sftp/authorized_keys"):
        os.chown(p, 65534, 65534)
    os.chmod(f"{home}/.sftp", 0o700)
    crypt = subprocess.run(["openssl", "passwd", "-6", "x"], check=True, capture_output=True, text=True).stdout.strip()
    with open(f"{root}/passwd", "w") as f:
        f.write(f"bench:{crypt}:65534:65534::{home}:/bin/sh\n")
    with open(f"{root}/group", "w") as f:
        f.write("bench:x:65534:\n")
    os.chmod(f"{root}/passwd", 0o600)
    os.chmod(root, 0o755)


def config(root, port, ssh_port, proftpd):
    load = "ModulePath /usr/lib/proftpd\nLoadModule mod_sftp.c\n" if proftpd else ""
    return f"""{load}ServerType standalone
DefaultAddress 127.0.0.1
SocketBindTight on
UseIPv6 off
Port {port}
PidFile {root}/pid
ScoreboardFile {root}/scoreboard
User nobody
Group nogroup
WtmpLog off
TransferLog none
UseReverseDNS off
MaxInstances 1000
<IfModule mod_delay.c>
DelayEngine off
</IfModule>
<VirtualHost 127.0.0.1>
Port {ssh_port}
SFTPEngine on
SFTPHostKey {root}/host
SFTPAuthMethods publickey
SFTPAuthorizedUserKeys file:~/.sftp/authorized_keys
AuthOrder mod_auth_file.c
AuthUserFile {root}/passwd
AuthGroupFile {root}/group
RequireValidShell off
DefaultRoot ~
MaxClients 1000
MaxClientsPerHost 1000
MaxClientsPerUser 1000
MaxConnectionsPerHost 1000
</VirtualHost>
"""


def sessions_per_second(root, port, total, parallel):
    batch = f"{root}/batch"
    with open(batch, "w") as f:
        f.write("ls\nget f4k /dev/null\n")
    cmd = ["sftp", "-q", "-b", batch, "-i", f"{root}/user", "-P", str(port),
           "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
           "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "bench@127.0.0.1"]
    left = [total]
    failures = [0]
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
            r = subprocess.run(cmd, capture_output=True)
            if r.returncode != 0:
                with lock:
                    failures[0] += 1

    start = time.time()
    threads = [threading.Thread(target=worker) for _ in range(parallel)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.time() - start
    return total / took, failures[0]


def idle_memory(root, port, pid_file, count):
    before = pss_kb(pids_of(None, pid_file))
    key = paramiko.Ed25519Key.from_private_key_file(f"{root}/user")
    held = []
    for _ in range(count):
        t = paramiko.Transport(("127.0.0.1", port))
        t.connect(username="bench", pkey=key)
        held.append((t, paramiko.SFTPClient.from_transport(t)))
    time.sleep(1.0)
    after = pss_kb(pids_of(None, pid_file))
    for t, s in held:
        s.close()
        t.close()
    return (after - before) / count, before, after


def run(name, binary, proftpd, args):
    root = tempfile.mkdtemp(prefix=f"sftp-fig-{name}-")
    try:
        setup(root)
        port, ssh_port = free_port(), free_port()
        with open(f"{root}/conf", "w") as f:
            f.write(config(root, port, ssh_port, proftpd))
        subprocess.run([binary, "-c", f"{root}/conf"], check=True)
        wait_ssh(ssh_port)
        sps, failed = sessions_per_second(root, ssh_port, args.sessions, args.parallel)
        per, before, after = idle_memory(root, ssh_port, f"{root}/pid", args.idle)
        with open(f"{root}/pid") as f:
            os.kill(int(f.read().split()[0]), 15)
        return {"server": name, "sessions_per_s": round(sps, 1), "failed": failed,
                "idle_kib_per_session": round(per, 1), "pss_before_kib": before,
                "pss_after_kib": after}
    finally:
        time.sleep(0.5)
        shutil.rmtree(root, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("oxftpd")
    ap.add_argument("--sessions", type=int, default=60)
    ap.add_argument("--parallel", type=int, default=4)
    ap.add_argument("--idle", type=int, default=40)
    args = ap.parse_args()
    rows = [run("oxftpd", os.path.abspath(args.oxftpd), False, args),
            run("proftpd", "/usr/sbin/proftpd", True, args)]
    for r in rows:
        print(r)
    ox, pro = rows
    print(f"sessions/s ratio oxftpd/proftpd: {ox['sessions_per_s'] / max(pro['sessions_per_s'], 0.01):.2f}")
    print(f"idle memory per session: oxftpd {ox['idle_kib_per_session']} KiB, proftpd {pro['idle_kib_per_session']} KiB")
    if not shutil.which("sshd"):
        print("OpenSSH sftp-server: not measured (openssh-server is not installed)")


if __name__ == "__main__":
    sys.exit(main())
