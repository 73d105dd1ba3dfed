"""What the several-instances test (tests/scale) and the chaos test (tests/chaos) share: the
`fluenzr` processes on one PostgreSQL, the HTTP calls and SQL reads they check with, and the
PASS/FAIL lines they print."""

import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def call(base, method, path, key=None, body=None, timeout=60):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("Authorization", "Bearer " + key)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def wait_until(predicate, limit, step=0.1):
    deadline = time.time() + limit
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


class Cluster:
    """`fluenzr` processes of one run on one PostgreSQL, their logs under `work`."""

    def __init__(self, binary, pg_url, psql, name, rate_limit):
        self.binary, self.pg_url, self.psql = binary, pg_url, psql
        self.work = tempfile.mkdtemp(prefix=f"fluenzr-{name}-")
        self.env = {
            **os.environ,
            "DATABASE_URL": pg_url,
            "FLUENZR_SECRET_KEY": f"{name}-operator-secret",
            "FLUENZR_ALLOW_PRIVATE_HOSTS": "true",
            "FLUENZR_RATE_LIMIT": str(rate_limit),
            "RUST_LOG": "warn",
        }
        self.procs = []
        self.results = []

    def check(self, name, ok, detail=""):
        self.results.append(ok)
        print(f"{'PASS' if ok else 'FAIL'}  {name}" + (f"  ({detail})" if detail else ""), flush=True)

    def spawn(self, args, name, extra=None):
        log = open(os.path.join(self.work, f"{name}.log"), "ab")
        proc = subprocess.Popen([self.binary, *args], env={**self.env, **(extra or {})},
                                stdout=log, stderr=log)
        self.procs.append(proc)
        return proc

    def serve(self, port, name):
        proc = self.spawn(["serve", "--no-workers", "--addr", f"127.0.0.1:{port}"], name)
        base = f"http://127.0.0.1:{port}"
        for _ in range(400):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=1)
                return proc, base
            except Exception:
                time.sleep(0.05)
        raise SystemExit(f"{name} did not start")

    def migrate(self):
        subprocess.run([self.binary, "migrate"], env=self.env, check=True, capture_output=True)

    def sql(self, query):
        out = subprocess.run([self.psql, self.pg_url, "-At", "-c", query],
                             capture_output=True, text=True, check=True)
        return out.stdout.strip()

    def counts(self, query):
        return {k: int(v) for k, v in (line.split("|") for line in self.sql(query).splitlines())}

    def new_workspace(self, name):
        out = subprocess.run([self.binary, "workspace", "create", "--name", name, "--plan", "pro"],
                             env=self.env, capture_output=True, text=True, check=True)
        return json.loads(out.stdout)
