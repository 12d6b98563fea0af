#!/usr/bin/env python3
"""The soak's client side (bench/soak.sh starts the daemon and calls this).

Workers loop until the deadline over mixed sessions: plain and TLS logins, uploads verified by
downloading them back (SHA-256), listings, and uploads cut by a reset mid-transfer (the old file
must stay whole). The main thread sends SIGHUP every 10 s and runs `oxftpctl restart` every
5 minutes, and samples the daemon's RSS and open files every 10 s (the pid read from the
PidFile, which changes with each restart). Prints a report; exits 1 on any error, lost file, or
growth of RSS or open files."""

import ftplib, hashlib, os, random, signal, socket, ssl, struct, subprocess, sys, threading, time

host, port, user, password, pidfile, conf, ctl, duration, workers, outdir = sys.argv[1:11]
port, duration, workers = int(port), int(duration), int(workers)
deadline = time.time() + duration
errors, lock = [], threading.Lock()
stored = {}  # name -> sha256 of the last complete upload
counts = {"sessions": 0, "uploads": 0, "downloads": 0, "listings": 0, "resets": 0, "tls": 0}


def note(kind, e):
    with lock:
        errors.append(f"{time.strftime('%H:%M:%S')} {kind}: {e!r}")


def count(k):
    with lock:
        counts[k] += 1


def session(tls):
    if tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
        f = ftplib.FTP_TLS(context=ctx, timeout=30)
        f.connect(host, port)
        f.login(user, password)
        f.prot_p()
        count("tls")
    else:
        f = ftplib.FTP(timeout=30)
        f.connect(host, port)
        f.login(user, password)
    count("sessions")
    return f


def upload_and_verify(f, rnd, wid):
    name = f"w{wid}-{rnd.randrange(8)}.bin"
    data = rnd.randbytes(rnd.choice([0, 1, 4096, 65536, 1 << 20]))
    f.storbinary(f"STOR {name}", __import__("io").BytesIO(data))
    got = bytearray()
    f.retrbinary(f"RETR {name}", got.extend)
    if bytes(got) != data:
        raise RuntimeError(f"{name}: read back {len(got)} bytes, sent {len(data)}")
    with lock:
        stored[name] = hashlib.sha256(data).hexdigest()
    count("uploads")
    count("downloads")


def reset_mid_upload(f, rnd, wid):
    """STOR over a verified file, cut by a reset: the old content must stay."""
    with lock:
        mine = [n for n in stored if n.startswith(f"w{wid}-")]
    if not mine:
        return
    name = rnd.choice(mine)
    f.voidcmd("TYPE I")
    conn = f.transfercmd(f"STOR {name}")
    conn.sendall(rnd.randbytes(100000))
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()
    f.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    f.sock.close()
    count("resets")
    # With HiddenStores the cut upload never replaces the file (checked at the end).


def worker(wid):
    rnd = random.Random(wid)
    while time.time() < deadline:
        try:
            f = session(rnd.random() < 0.3)
            for _ in range(rnd.randrange(1, 6)):
                what = rnd.random()
                if what < 0.5:
                    upload_and_verify(f, rnd, wid)
                elif what < 0.8:
                    f.nlst()
                    f.retrlines("LIST", lambda _l: None)
                    count("listings")
                else:
                    reset_mid_upload(f, rnd, wid)
                    break
            else:
                f.quit()
        except (ConnectionResetError, BrokenPipeError, OSError, EOFError, ftplib.Error) as e:
            note("session", e)


def daemon_pid():
    try:
        return int(open(pidfile).read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def sample():
    pid = daemon_pid()
    if pid is None:
        return None
    try:
        rss = next(int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS:"))
        fds = len(os.listdir(f"/proc/{pid}/fd"))
        return pid, rss, fds
    except (OSError, StopIteration):
        return None


threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(workers)]
for t in threads:
    t.start()
start, samples, hups, restarts = time.time(), [], 0, 0
RESTART = int(os.environ.get("SOAK_RESTART_EVERY", "300"))
next_hup, next_restart, next_sample = start + 10, start + RESTART, start
while time.time() < deadline:
    now = time.time()
    if now >= next_sample:
        s = sample()
        if s:
            samples.append((round(now - start), *s))
        next_sample += 10
    if now >= next_hup:
        pid = daemon_pid()
        if pid:
            os.kill(pid, signal.SIGHUP)
            hups += 1
        next_hup += 10
    if now >= next_restart:
        r = subprocess.run([ctl, "restart", "-c", conf], capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            note("restart", r.stderr.strip())
        restarts += 1
        next_restart += RESTART
    time.sleep(0.5)
for t in threads:
    t.join(timeout=60)

lost = []
for name, digest in stored.items():
    try:
        if hashlib.sha256(open(os.path.join(outdir, name), "rb").read()).hexdigest() != digest:
            lost.append(name)
    except OSError:
        lost.append(name)
leftovers = [n for n in os.listdir(outdir) if n.startswith(".in.")]

print(f"duration {duration}s, {workers} workers, {hups} SIGHUPs, {restarts} restarts")
print("counts", counts)
print("seconds pid rss_kib open_fds")
for s in samples:
    print(*s)
growth = ""
if len(samples) >= 6:
    # After a restart the pid (and its baseline) changes: compare within the last process.
    last_pid = samples[-1][1]
    mine = [s for s in samples if s[1] == last_pid]
    if len(mine) >= 6:
        k = max(1, len(mine) // 5)
        rss0, rss1 = sorted(s[2] for s in mine[:k])[k // 2], sorted(s[2] for s in mine[-k:])[k // 2]
        fd0, fd1 = min(s[3] for s in mine[:k]), max(s[3] for s in mine[-k:])
        print(f"last process {last_pid}: RSS {rss0} -> {rss1} KiB, open files {fd0} -> {fd1}")
        if rss1 > rss0 * 1.5 + 8192:
            growth += f"RSS grew {rss0} -> {rss1} KiB; "
        if fd1 > fd0 + 50:
            growth += f"open files grew {fd0} -> {fd1}; "
print(f"errors {len(errors)}, lost files {len(lost)}, leftover temp files {len(leftovers)}")
for e in errors[:50]:
    print("  ", e)
for n in lost:
    print("   lost", n)
if growth:
    print("growth:", growth)
sys.exit(1 if errors or lost or growth or leftovers else 0)
