#!/usr/bin/env python3
"""The costliest requests an attacker can send, and the server CPU each one takes.

Usage: bench/attack.py BASE_URL SERVER_PID API_KEY CAMPAIGN_ID

Each request is sent alone (nothing else in flight) three times; the server's CPU time (the
sum of its threads' /proc schedstat, in nanoseconds) is read before and after, and the median
is reported.
Targets: a request without a key costs at most 50 ms of CPU, one with a key at most 1 s.
Exits 1 when a target is missed.
"""

import json
import os
import statistics
import sys
import time
import urllib.error
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


def aliases(n):
    return "{ " + " ".join(f"a{i}: __typename" for i in range(n)) + " }"


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

ANONYMOUS = [
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
        if payload is BATCH:
            payload = {"contacts": [dict(c, email=f"{attempt}-{c['email']}") for c in BATCH["contacts"]]}
        forged = "fz_live_forged" if key is None and path.startswith("/v1/") else None
        time.sleep(0.6)  # let background pollers settle between samples
        before = cpu_seconds()
        status = send(method, path, payload, key or forged, raw)
        samples.append((cpu_seconds() - before) * 1000)
    return status, statistics.median(samples)


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
    sys.exit(0 if worst["anonymous"] <= 50 and worst["keyed"] <= 1000 else 1)


main()
