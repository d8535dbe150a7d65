#!/usr/bin/env python3
"""Issue 15, point 6: resource exhaustion through data and queries, measured
against the chat app (anonymous, records in memory).

    scripts/abuse-data.py target/release/examples/chat     # or any chat binary
    PATCHES=300 SIZE=1000000 scripts/abuse-data.py /work/before/chat

Starts the binary on a free loopback port (DATABASE_URL=memory://), then:

1. creates 8 anonymous messages, and PATCHes each with about SIZE bytes in a
   field the message type does not have (`p<n>`, an object nested 5 deep);
2. sends one `GET /messages` with 101 `$sort` keys reaching into those
   fields (`$sort[p0.a.a.a.a.a]=1`, ...), in the background, while timing
   `GET /secrets` (an unrelated request: 401 without a token) every 0.5 s;
3. PATCHes the messages PATCHES times more, each time with a new big field,
   and reads the server's resident memory.

Reports the answers' statuses, the server's CPU seconds over step 2 (utime +
stime of /proc/<pid>/stat), the slowest `GET /secrets` during it, and the
RSS (VmRSS) after step 1 and after step 3. Standard library only.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

SIZE = int(os.environ.get("SIZE", "1000000"))
PATCHES = int(os.environ.get("PATCHES", "300"))
KEYS = int(os.environ.get("KEYS", "101"))
FIND_TIMEOUT = float(os.environ.get("FIND_TIMEOUT", "120"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(base, method, path, body=None, timeout=120):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return res.status, res.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except Exception as error:  # a timeout or a dropped connection
        return type(error).__name__, b""


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def nested(n, payload):
    value = payload
    for _ in range(5):
        value = {"a": value}
    return {f"p{n}": value}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    port = free_port()
    env = dict(os.environ, PORT=str(port), DATABASE_URL="memory://",
               AUTH_SECRET="abuse-data-secret", RUST_LOG="warn")
    server = subprocess.Popen([sys.argv[1]], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            if request(base, "GET", "/messages", timeout=1)[0] == 200:
                break
            time.sleep(0.1)
        else:
            sys.exit("the chat app did not start")
        ids = []
        for n in range(8):
            status, body = request(base, "POST", "/messages", {"text": f"m{n}"})
            ids.append(json.loads(body)["id"])
        payload = "x" * SIZE
        statuses = [request(base, "PATCH", f"/messages/{id}", nested(n, payload))[0]
                    for n, id in enumerate(ids)]
        print(f"8 PATCHes of {SIZE} bytes in undeclared fields: {statuses}")
        print(f"RSS after them: {rss_mb(server.pid):.0f} MB")

        keys = "&".join(f"$sort[p{n % 8}.{'.'.join(['a'] * (n % 5 + 1))}]={1 if n % 2 else -1}"
                        for n in range(KEYS))
        path = f"/messages?{keys}"
        print(f"GET /messages with {KEYS} $sort keys: {len(path)} bytes of path")
        result = {}
        cpu_before = cpu_seconds(server.pid)
        started = time.monotonic()

        def heavy():
            result["status"] = request(base, "GET", path, timeout=FIND_TIMEOUT)[0]
            result["took"] = time.monotonic() - started

        thread = threading.Thread(target=heavy)
        thread.start()
        latencies = []
        while thread.is_alive() or not latencies:
            t = time.monotonic()
            status = request(base, "GET", "/secrets", timeout=60)[0]
            latencies.append((time.monotonic() - t, status))
            time.sleep(0.5)
        thread.join()
        cpu = cpu_seconds(server.pid) - cpu_before
        worst = max(latencies)
        print(f"  answered {result['status']} after {result['took']:.2f} s; "
              f"server CPU over it: {cpu:.2f} s")
        print(f"  GET /secrets meanwhile: {len(latencies)} requests, slowest "
              f"{worst[0]:.3f} s (status {worst[1]})")

        counts = {}
        t = time.monotonic()
        for round in range(PATCHES):
            n = round % 8
            body = {f"q{round}": payload}
            status = request(base, "PATCH", f"/messages/{ids[n]}", body)[0]
            counts[status] = counts.get(status, 0) + 1
        print(f"{PATCHES} more PATCHes of {SIZE} bytes, each a new field: {counts} "
              f"in {time.monotonic() - t:.1f} s")
        print(f"RSS after them: {rss_mb(server.pid):.0f} MB")
        # What a client may still store: the same PATCHes of the text.
        counts = {}
        for round in range(PATCHES):
            status = request(base, "PATCH", f"/messages/{ids[round % 8]}",
                             {"text": f"{round}{payload}"})[0]
            counts[status] = counts.get(status, 0) + 1
        print(f"{PATCHES} PATCHes of the text, {SIZE} bytes each: {counts}; "
              f"RSS after them: {rss_mb(server.pid):.0f} MB")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
