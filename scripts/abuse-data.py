#!/usr/bin/env python3
"""Issue 15, point 6: resource exhaustion through data and queries, measured
against the chat app (records in memory).

    scripts/abuse-data.py target/release/examples/chat     # or any chat binary
    PATCHES=300 scripts/abuse-data.py /work/before/chat

Starts the binary on a free loopback port (DATABASE_URL=memory://), signs
up and logs in one user (a message is only its author's to patch), then:

1. creates 8 messages and PATCHes each with a field the message type does
   not have: `p`, about 1 MB of JSON, objects nested LEVELS deep, each level
   holding KEYS_PER_LEVEL small entries and the next level under `n`;
2. sends one `GET /messages` (anonymous) sorting by SORT_KEYS paths into it
   (`$sort[p]`, `$sort[p.n]`, `$sort[p.n.n]`, ...: about 11.5 KB), so that
   every comparison of two records compares what is left of `p` whole,
   while timing `GET /secrets` (an unrelated request: 401 without a token)
   every 0.5 s;
3. PATCHes the messages PATCHES times more, each time with the same kind of
   payload under a new field name, then PATCHES times with a text of the
   same size, reading the server's resident memory after each series.

Reports the answers' statuses, the server's CPU seconds over step 2 (utime +
stime of /proc/<pid>/stat), the slowest `GET /secrets` during it, and the
RSS (VmRSS). Standard library only.
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

PATCHES = int(os.environ.get("PATCHES", "300"))
SORT_KEYS = int(os.environ.get("SORT_KEYS", "101"))
LEVELS = int(os.environ.get("LEVELS", "101"))
KEYS_PER_LEVEL = int(os.environ.get("KEYS_PER_LEVEL", "700"))
FIND_TIMEOUT = float(os.environ.get("FIND_TIMEOUT", "300"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(base, method, path, body=None, timeout=120, token=None):
    data = body.encode() if isinstance(body, str) else (
        json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token is not None:
        req.add_header("Authorization", f"Bearer {token}")
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


def nested_json():
    """`p`'s value as JSON text: LEVELS objects, one inside the next."""
    level = ",".join(f'"k{k:04}":{k}' for k in range(KEYS_PER_LEVEL))
    return ("{" + level + ',"n":') * (LEVELS - 1) + "{" + level + "}" + "}" * (LEVELS - 1)


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
        email = "ada@example.com"
        request(base, "POST", "/users", {"email": email, "password": "s3cret-Pa55"})
        status, body = request(base, "POST", "/authentication",
                               {"strategy": "local", "email": email, "password": "s3cret-Pa55"})
        token = json.loads(body)["accessToken"]
        ids = []
        for n in range(8):
            status, body = request(base, "POST", "/messages", {"text": f"m{n}"}, token=token)
            ids.append(json.loads(body)["id"])
        value = nested_json()
        size = len(value)
        statuses = [request(base, "PATCH", f"/messages/{id}", '{"p":' + value + "}",
                            token=token)[0] for id in ids]
        print(f"8 PATCHes of {size} bytes of JSON in an undeclared field: {statuses}")
        print(f"RSS after them: {rss_mb(server.pid):.0f} MB")

        keys = "&".join(f"$sort[{'.'.join(['p'] + ['n'] * n)}]={1 if n % 2 else -1}"
                        for n in range(SORT_KEYS))
        path = f"/messages?{keys}"
        print(f"GET /messages with {SORT_KEYS} $sort keys: {len(path)} bytes of path")
        result = {}
        cpu_before = cpu_seconds(server.pid)
        started = time.monotonic()

        def heavy():
            result["status"] = request(base, "GET", path, timeout=FIND_TIMEOUT)[0]
            result["took"] = time.monotonic() - started

        def writer():
            # A legitimate write meanwhile: the author patches a text.
            writes = result.setdefault("writes", [])
            while True:
                t = time.monotonic()
                status = request(base, "PATCH", f"/messages/{ids[0]}", {"text": "edited"},
                                 timeout=FIND_TIMEOUT, token=token)[0]
                writes.append((time.monotonic() - t, status))
                if "status" in result:
                    break
                time.sleep(0.5)

        thread = threading.Thread(target=heavy)
        thread.start()
        time.sleep(0.2)
        writes = threading.Thread(target=writer)
        writes.start()
        latencies = []
        while thread.is_alive() or not latencies:
            t = time.monotonic()
            status = request(base, "GET", "/secrets", timeout=FIND_TIMEOUT)[0]
            latencies.append((time.monotonic() - t, status))
            time.sleep(0.5)
        thread.join()
        writes.join()
        cpu = cpu_seconds(server.pid) - cpu_before
        worst = max(latencies)
        print(f"  answered {result['status']} after {result['took']:.2f} s; "
              f"server CPU over it: {cpu:.2f} s")
        print(f"  GET /secrets meanwhile: {len(latencies)} requests, slowest "
              f"{worst[0]:.3f} s (status {worst[1]})")
        worst = max(result["writes"])
        print(f"  PATCH of a text meanwhile: {len(result['writes'])} requests, slowest "
              f"{worst[0]:.3f} s (status {worst[1]})")

        counts = {}
        t = time.monotonic()
        for round in range(PATCHES):
            body = '{"q' + str(round) + '":' + value + "}"
            status = request(base, "PATCH", f"/messages/{ids[round % 8]}", body, token=token)[0]
            counts[status] = counts.get(status, 0) + 1
        print(f"{PATCHES} more PATCHes of {size} bytes, each a new field: {counts} "
              f"in {time.monotonic() - t:.1f} s; RSS after them: {rss_mb(server.pid):.0f} MB")
        # What a client may still store: the text, replaced each time.
        counts = {}
        for round in range(PATCHES):
            body = {"text": f"{round}" + "x" * size}
            status = request(base, "PATCH", f"/messages/{ids[round % 8]}", body, token=token)[0]
            counts[status] = counts.get(status, 0) + 1
        print(f"{PATCHES} PATCHes of the text, {size} bytes each: {counts}; "
              f"RSS after them: {rss_mb(server.pid):.0f} MB")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
