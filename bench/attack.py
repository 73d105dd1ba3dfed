#!/usr/bin/env python3
"""The costliest requests an attacker can send, and the server CPU each one takes; then the
memory a flood of junk methods and paths leaves behind.

Usage: bench/attack.py BASE_URL SERVER_PID API_KEY CAMPAIGN_ID

Each request is sent alone (nothing else in flight) three times; the server's CPU time (the
sum of its threads' /proc schedstat, in nanoseconds) is read before and after, and the median
is reported. A request whose body is a function gets a new text each time (so nothing kept
from the previous one answers it).
Then 20 000 requests with random 1 000-character methods, half on the server's routes and half
on random paths: the server's
resident memory (VmRSS) and the size of `/metrics` before and after (every metric label must
come from a bounded set, so neither may grow with the junk).
Targets: a request without a key costs at most 50 ms of CPU, one with a key at most 1 s; the
flood grows the memory by at most 32 MB and `/metrics` by at most 64 KB.
Exits 1 when a target is missed.
"""

import http.client
import json
import os
import random
import statistics
import string
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

BASE, PID, KEY, CAMPAIGN = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]


def cpu_seconds():
    """The server's CPU time so far, to the nanosecond: the sum of its threads' schedstat."""
    total = 0
    for task in os.listdir(f"/proc/{PID}/task"):
        try:
            with open(f"/proc/{PID}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except FileNotFoundError:
            pass
    return total / 1e9


def send(method, path, body=None, key=None, raw=None, headers=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("Authorization", "Bearer " + key)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            answer.read()
            return answer.status
    except urllib.error.HTTPError as err:
        err.read()
        return err.code
    except (urllib.error.URLError, ConnectionError) as err:
        # The server answered early (e.g. 413) and closed while the body was still going out.
        return f"closed ({getattr(err, 'reason', err)})"


def fragments(levels):
    parts = ["fragment F0 on Query { __typename }"]
    for i in range(1, levels + 1):
        parts.append(f"fragment F{i} on Query {{ ...F{i-1} a{i}: __typename ...F{i-1} }}")
    return "query { ...F%d } " % levels + " ".join(parts)


def aliases(n, selection="__typename"):
    return "{ " + " ".join(f"a{i}: {selection}" for i in range(n)) + " }"


# 995 aliases of a small introspection selection (44 KB): each answers ≈ 480 values.
SCHEMA_ALIASES = aliases(995, "__schema { types { fields { name } } }")


INTROSPECTION = """query IntrospectionQuery { __schema { queryType { name } mutationType { name }
types { ...FullType } directives { name description locations args { ...InputValue } } } }
fragment FullType on __Type { kind name description fields(includeDeprecated: true) { name
description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
inputFields { ...InputValue } interfaces { ...TypeRef } enumValues(includeDeprecated: true) {
name description isDeprecated deprecationReason } possibleTypes { ...TypeRef } }
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name
ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }"""

NESTED = """{ groups(perPage: 100) { items { contacts(perPage: 100) { items { campaigns {
campaign { contacts(perPage: 100) { items { contact { email } } } } } } } } } }"""

STATS = """{ campaigns(perPage: 100) { items { id stats { sent opened replied openRate
steps { step sent opened } timeline { date sent opened } } } } }"""

BATCH = {"contacts": [{"email": f"attack{i}-{time.time_ns()}@example.com", "firstName": "A" * 200,
                       "customFields": {f"k{j}": "v" * 100 for j in range(50)}} for i in range(1000)]}

# What GraphiQL sends (graphql-js' getIntrospectionQuery with every option).
GRAPHIQL_INTROSPECTION = """query IntrospectionQuery { __schema { description queryType { name kind }
mutationType { name kind } subscriptionType { name kind } types { ...FullType } directives { name
description isRepeatable locations args(includeDeprecated: true) { ...InputValue } } } }
fragment FullType on __Type { kind name description specifiedByURL isOneOf
fields(includeDeprecated: true) { name description args(includeDeprecated: true) { ...InputValue }
type { ...TypeRef } isDeprecated deprecationReason } inputFields(includeDeprecated: true) {
...InputValue } interfaces { ...TypeRef } enumValues(includeDeprecated: true) { name description
isDeprecated deprecationReason } possibleTypes { ...TypeRef } }
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue
isDeprecated deprecationReason }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name
ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }"""


def fresh(query):
    """A body whose text differs at each attempt (a comment), so no kept answer serves it."""
    return lambda attempt: {"query": f"# {time.time_ns()} {attempt}\n{query}"}


ANONYMOUS = [
    ("995 aliases of __schema { types { fields { name } } } (44 KB)", "POST", "/graphql",
     {"query": SCHEMA_ALIASES}),
    ("the same 995 aliases beside a data field", "POST", "/graphql",
     {"query": SCHEMA_ALIASES.replace("{ ", "{ contacts { items { id } } ", 1)}),
    ("300 aliases of __type(name: Campaign) with fields and args", "POST", "/graphql",
     {"query": aliases(300, '__type(name: "Campaign") { fields { name args { name } } }')}),
    ("GraphiQL's introspection query, a new text each time (computed)", "POST", "/graphql",
     fresh(GRAPHIQL_INTROSPECTION)),
    ("GraphiQL's introspection query, the same text (kept answer)", "POST", "/graphql",
     {"query": GRAPHIQL_INTROSPECTION}),
    ("22 nested fragments (exponential expansion)", "POST", "/graphql", {"query": fragments(22)}),
    ("1 600 aliases (4 800 names, just under the limit)", "POST", "/graphql", {"query": aliases(1600)}),
    ("a query of 4 990 unknown fields", "POST", "/graphql", {"query": "{ " + "a " * 4990 + "}"}),
    ("the standard introspection query", "POST", "/graphql", {"query": INTROSPECTION}),
    ("1 MB of malformed JSON", "POST", "/graphql", b"{" + b"[" * 1_000_000),
    ("a 1 MB query string", "POST", "/graphql", {"query": "{ " + "a " * 500_000 + "}"}),
    ("login, wrong password", "POST", "/graphql",
     {"query": 'mutation { login(email: "victim@example.com", password: "guess-123456") { token } }'}),
    ("REST with a forged key", "GET", "/v1/contacts", None),
    ("tracking pixel, forged token", "GET", "/t/o/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", None),
    ("one-click unsubscribe, forged token", "POST", "/u/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
     b"List-Unsubscribe=One-Click"),
    ("OpenAPI document", "GET", "/v1/openapi.json", None),
]

KEYED = [
    ("nested lists at the cost budget", "POST", "/graphql", {"query": NESTED}),
    ("100 campaigns with stats and timelines", "POST", "/graphql", {"query": STATS}),
    ("contacts page 100, filtered and sorted", "GET",
     "/v1/contacts?perPage=100&sort=company&order=asc&email=example", None),
    ("the last contacts page", "GET", "/v1/contacts?perPage=100&page=10000000", None),
    ("stats over 366 days", "GET",
     f"/v1/campaigns/{CAMPAIGN}/stats?from=2025-11-27&to=2026-11-27", None),
    ("batch of 1 000 large contacts", "POST", "/v1/contacts/batch", BATCH),
    ("a 1 MB body of 10 000 unknown ids", "POST", f"/v1/campaigns/{CAMPAIGN}/contacts",
     {"contactIds": [f"cnt_{i:026d}" for i in range(10_000)]}),
    ("the standard introspection query", "POST", "/graphql", {"query": INTROSPECTION}),
]


def measure(label, method, path, body, key):
    samples, status = [], None
    for attempt in range(3):
        raw = body if isinstance(body, bytes) else None
        payload = None if isinstance(body, bytes) else body
        if callable(payload):
            payload = payload(attempt)
        if payload is BATCH:
            payload = {"contacts": [dict(c, email=f"{attempt}-{c['email']}") for c in BATCH["contacts"]]}
        forged = "fz_live_forged" if key is None and path.startswith("/v1/") else None
        time.sleep(0.6)  # let background pollers settle between samples
        before = cpu_seconds()
        status = send(method, path, payload, key or forged, raw)
        samples.append((cpu_seconds() - before) * 1000)
    return status, statistics.median(samples)


def rss_mb():
    with open(f"/proc/{PID}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def metrics_size():
    with urllib.request.urlopen(BASE + "/metrics", timeout=60) as answer:
        return len(answer.read())


FLOOD = 20_000
ROUTED = ["/healthz", "/v1/contacts", "/graphql", "/v1/openapi.json", "/docs"]
FLOOD_THREADS = 4


def junk(rng, n):
    return "".join(rng.choice(string.ascii_uppercase) for _ in range(n))


def flood_worker(count, seed, statuses):
    """`count` requests with random methods and paths over one kept-alive connection (a new
    one whenever the server closes it)."""
    rng = random.Random(seed)
    host = urllib.parse.urlsplit(BASE)
    connection = None
    for _ in range(count):
        method = junk(rng, 1000)
        # Half on routes the server has (a matched route is what gets counted by label), half
        # on random paths.
        if rng.random() < 0.5:
            path = rng.choice(ROUTED)
        else:
            path = "/" + "/".join(junk(rng, 12).lower() for _ in range(rng.randint(1, 4)))
        for _attempt in range(2):
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
                connection.request(method, path, headers={"Content-Length": "0"})
                answer = connection.getresponse()
                answer.read()
                statuses[answer.status] = statuses.get(answer.status, 0) + 1
                if answer.getheader("connection", "").lower() == "close":
                    connection.close()
                    connection = None
                break
            except (OSError, http.client.HTTPException):
                if connection is not None:
                    connection.close()
                connection = None
                statuses["error"] = statuses.get("error", 0) + 1
    if connection is not None:
        connection.close()


def flood():
    """The junk flood; returns (RSS before, after (the larger of after the flood and after a
    scrape), /metrics size before, after, seconds, answers by status)."""
    rss_before, metrics_before = rss_mb(), metrics_size()
    counts, threads = [{} for _ in range(FLOOD_THREADS)], []
    started = time.monotonic()
    for i in range(FLOOD_THREADS):
        per = FLOOD // FLOOD_THREADS
        thread = threading.Thread(target=flood_worker, args=(per, i, counts[i]))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    took = time.monotonic() - started
    statuses = {}
    for count in counts:
        for status, n in count.items():
            statuses[status] = statuses.get(status, 0) + n
    time.sleep(1)
    rss_flooded = rss_mb()
    metrics_after = metrics_size()
    # Rendering the labels the flood left costs memory too: read it after a scrape.
    return rss_before, max(rss_flooded, rss_mb()), metrics_before, metrics_after, took, statuses


def main():
    worst = {"anonymous": 0.0, "keyed": 0.0}
    print(f"| request | key | status | server CPU (ms, median of 3) |")
    print("|---|---|---|---|")
    for group, rows, key, limit in (("anonymous", ANONYMOUS, None, 50), ("keyed", KEYED, KEY, 1000)):
        for label, method, path, body in rows:
            status, ms = measure(label, method, path, body, key)
            worst[group] = max(worst[group], ms)
            mark = "" if ms <= limit else "  **over target**"
            print(f"| {label} | {'yes' if key else 'no'} | {status} | {ms:.0f}{mark} |")
    print()
    print(f"worst without a key: {worst['anonymous']:.0f} ms (target ≤ 50); "
          f"worst with a key: {worst['keyed']:.0f} ms (target ≤ 1000)")
    cpu_ok = worst["anonymous"] <= 50 and worst["keyed"] <= 1000

    rss_before, rss_after, metrics_before, metrics_after, took, statuses = flood()
    rss_growth, metrics_growth = rss_after - rss_before, metrics_after - metrics_before
    memory_ok = rss_growth <= 32 and metrics_growth <= 64 * 1024
    print()
    print(f"{FLOOD} requests with random 1 000-character methods and random paths in {took:.1f} s "
          f"(answers: {dict(sorted(statuses.items(), key=str))}):")
    print(f"| | before | after | growth |")
    print("|---|---|---|---|")
    print(f"| server RSS (MB) | {rss_before:.0f} | {rss_after:.0f} | {rss_growth:+.0f} (target ≤ 32) |")
    print(f"| /metrics (KB) | {metrics_before / 1024:.0f} | {metrics_after / 1024:.0f} | "
          f"{metrics_growth / 1024:+.0f} (target ≤ 64) |")
    print("memory: " + ("bounded" if memory_ok else "**grows with the junk: over target**"))
    sys.exit(0 if cpu_ok and memory_ok else 1)


main()
