#!/usr/bin/env python3
"""Several instances on one PostgreSQL, proven from outside.

Two `fluenzr serve --no-workers` and two `fluenzr worker` processes share a throwaway
PostgreSQL, a local SMTP sink and a webhook receiver:

1. a 5 000-contact campaign is sent while one worker is killed (-9) mid-run and the other is
   stopped (SIGTERM) and restarted, the workers on a short claim lease and sweep: every contact
   got step 1 at most once; what the dead worker had claimed but not started is sent by the
   others; those not sent are exactly the ones the crash left `sending`/`unknown`, at most the
   SMTP transactions it had in flight (one account: one); stats, events and webhooks agree with
   the sink's log; the stopped worker exited 0;
2. 1 000 requests spread over both servers pass and the next is 429 on either;
3. a key revoked through one server is refused by the other within 1 s;
4. SIGTERM during a 1 000-contact batch import: the request completes (or never started),
   nothing is half-written, and the server exits 0.

Usage: tests/scale/run.py BINARY POSTGRES_URL PSQL
Prints one line per check and `N passed, M failed`; exits 1 on any failure.
"""

import asyncio
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Cluster, call, free_port, wait_until  # noqa: E402

BIN, PG_URL, PSQL = sys.argv[1], sys.argv[2], sys.argv[3]
CLUSTER = Cluster(BIN, PG_URL, PSQL, "scale", rate_limit=1000)
WORK, ENV, results = CLUSTER.work, CLUSTER.env, CLUSTER.results
check, spawn, serve = CLUSTER.check, CLUSTER.spawn, CLUSTER.serve
sql, new_workspace = CLUSTER.sql, CLUSTER.new_workspace
CONTACTS = 5000
# One account sends in one lane per worker: one SMTP transaction at a time, and on PostgreSQL
# the previous email's outcome being recorded beside it. Those two are the most a crash can
# leave in doubt; what it had claimed but not started returns to due when its lease ends.
IN_FLIGHT = 2
# Short leases so the dead worker's claims come back within the test.
WORKER_ENV = {"FLUENZR_SEND_LEASE_SECONDS": "3", "FLUENZR_SEND_SWEEP_SECONDS": "1"}

# --- a local SMTP sink: accepts everything, logs (recipient, Message-ID) per message ----------

SINK = []
SINK_LOCK = threading.Lock()


async def smtp_session(reader, writer):
    async def say(line):
        writer.write((line + "\r\n").encode())
        await writer.drain()

    await say("220 sink ESMTP")
    rcpts, in_data, data = [], False, []
    try:
        while True:
            raw = await reader.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if in_data:
                if line == ".":
                    in_data = False
                    message_id = next(
                        (l.split(":", 1)[1].strip() for l in data if l.lower().startswith("message-id:")), ""
                    )
                    with SINK_LOCK:
                        for r in rcpts:
                            SINK.append((r, message_id))
                    rcpts, data = [], []
                    await say("250 queued")
                else:
                    data.append(line)
                continue
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                await say("250 sink")
            elif verb == "MAIL":
                await say("250 ok")
            elif verb == "RCPT":
                rcpts.append(line.split(":", 1)[1].strip().strip("<>").lower())
                await say("250 ok")
            elif verb == "DATA":
                in_data = True
                await say("354 go")
            elif verb == "RSET":
                rcpts, data = [], []
                await say("250 ok")
            elif verb == "QUIT":
                await say("221 bye")
                return
            else:
                await say("250 ok")
    except ConnectionError:
        pass
    finally:
        writer.close()


def start_sink(port):
    loop = asyncio.new_event_loop()

    def run():
        asyncio.set_event_loop(loop)
        server = loop.run_until_complete(asyncio.start_server(smtp_session, "127.0.0.1", port))
        loop.run_until_complete(server.serve_forever())

    threading.Thread(target=run, daemon=True).start()


# --- a webhook receiver ------------------------------------------------------------------------

HOOKS = []
HOOKS_LOCK = threading.Lock()


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        with HOOKS_LOCK:
            HOOKS.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


# --- processes and HTTP ------------------------------------------------------------------------

def main():
    CLUSTER.migrate()
    smtp_port = free_port()
    start_sink(smtp_port)
    hook_port = free_port()
    hooks = ThreadingHTTPServer(("127.0.0.1", hook_port), Receiver)
    threading.Thread(target=hooks.serve_forever, daemon=True).start()

    s1, base1 = serve(free_port(), "serve1")
    s2, base2 = serve(free_port(), "serve2")

    # --- 1. a campaign sent through a crash and a restart -------------------------------------
    ws = new_workspace("Scale")
    key = ws["apiKey"]
    status, hook = call(base1, "POST", "/v1/webhooks", key,
                        {"url": f"http://127.0.0.1:{hook_port}/hook", "events": ["email.sent"]})
    assert status == 201, hook
    status, account = call(base1, "POST", "/v1/email-accounts", key, {
        "email": "sales@acme.test", "smtpHost": "127.0.0.1", "smtpPort": smtp_port,
        "smtpSecurity": "none", "smtpPassword": "x", "dailyLimit": 10000, "sendGapSeconds": 0})
    assert status == 201, account
    status, group = call(base1, "POST", "/v1/groups", key, {"name": "Everyone"})
    for start in range(0, CONTACTS, 1000):
        batch = [{"email": f"c{i}@example.com", "groupIds": [group["data"]["id"]]}
                 for i in range(start, start + 1000)]
        status, created = call(base2 if start % 2000 else base1, "POST", "/v1/contacts/batch", key,
                               {"contacts": batch})
        assert status == 200 and created["data"]["created"] == 1000, created
    status, campaign = call(base1, "POST", "/v1/campaigns", key, {
        "name": "Scale", "emailAccountId": account["data"]["id"], "dailyLimit": 10000,
        "steps": [{"subject": "Hello", "body": "Hi {{email}}"}],
        "schedule": {"timezone": "UTC", "days": [1, 2, 3, 4, 5, 6, 7], "startTime": "00:00", "endTime": "23:59"},
        "trackOpens": False, "trackClicks": False})
    assert status == 201, campaign
    cid = campaign["data"]["id"]
    status, enrolled = call(base2, "POST", f"/v1/campaigns/{cid}/contacts", key, {"groupId": group["data"]["id"]})
    assert status == 200 and enrolled["data"]["added"] == CONTACTS, enrolled

    w1 = spawn(["worker"], "worker1", WORKER_ENV)
    w2 = spawn(["worker"], "worker2", WORKER_ENV)
    time.sleep(1)
    started = time.time()
    status, _ = call(base1, "POST", f"/v1/campaigns/{cid}/start", key, {})
    assert status == 200
    wait_until(lambda: len(SINK) >= 1000, 120, 0.01)
    w1.send_signal(signal.SIGKILL)
    w1.wait()
    killed_at = len(SINK)
    wait_until(lambda: len(SINK) >= 2500, 120, 0.01)
    w2.send_signal(signal.SIGTERM)
    w2_code = w2.wait(timeout=60)
    check("a worker stopped with SIGTERM mid-run exits 0", w2_code == 0, f"exit {w2_code}")
    w2 = spawn(["worker"], "worker2b", WORKER_ENV)

    def settled():
        left = sql(f"SELECT COUNT(*) FROM campaign_contacts WHERE campaign_id = '{cid}' "
                   "AND state = 'active' AND next_send_at IS NOT NULL")
        queued = sql(f"SELECT COUNT(*) FROM messages WHERE campaign_id = '{cid}' AND state = 'queued'")
        return int(left) == 0 and int(queued) == 0

    wait_until(settled, 180, 0.5)
    time.sleep(2)
    elapsed = time.time() - started
    with SINK_LOCK:
        sink = list(SINK)
    per_rcpt = {}
    for rcpt, _ in sink:
        per_rcpt[rcpt] = per_rcpt.get(rcpt, 0) + 1
    twice = [r for r, n in per_rcpt.items() if n > 1]
    states = dict(
        line.split("|") for line in sql(
            f"SELECT state, COUNT(*) FROM messages WHERE campaign_id = '{cid}' GROUP BY state").splitlines()
    )
    sent = int(states.get("sent", 0))
    in_doubt = int(states.get("sending", 0)) + int(states.get("unknown", 0))
    check("no contact received step 1 twice", not twice, f"{len(sink)} emails in the sink, {len(twice)} twice")
    check("every contact was emailed except the sends the crash cut short",
          sent + in_doubt == CONTACTS and in_doubt <= IN_FLIGHT,
          f"sent {sent}, in doubt {in_doubt} (at most {IN_FLIGHT} in flight), killed at {killed_at}, "
          f"{elapsed:.0f} s")
    sent_rcpts = set(sql(
        f"SELECT lower(c.email) FROM messages m JOIN contacts c ON c.id = m.contact_id "
        f"WHERE m.campaign_id = '{cid}' AND m.state = 'sent'").splitlines())
    check("every email recorded as sent is in the sink's log", sent_rcpts <= set(per_rcpt),
          f"{len(sent_rcpts - set(per_rcpt))} missing")
    check("the sink holds nothing but recorded sends and the crash's in-doubt ones",
          len(set(per_rcpt) - sent_rcpts) <= in_doubt, f"{len(set(per_rcpt) - sent_rcpts)} extra")
    status, stats = call(base2, "GET", f"/v1/campaigns/{cid}/stats", key)
    events = int(sql(f"SELECT COUNT(*) FROM email_events WHERE campaign_id = '{cid}' AND kind = 'sent'"))
    check("stats and events agree with the messages", stats["data"]["sent"] == sent and events == sent,
          f"stats {stats['data']['sent']}, events {events}, sent {sent}")
    wait_until(lambda: len({h['data']['messageId'] for h in HOOKS}) >= sent, 60, 0.2)
    with HOOKS_LOCK:
        hooked = {h["data"]["messageId"] for h in HOOKS if h["type"] == "email.sent"}
    check("an email.sent webhook for every sent email", len(hooked) == sent, f"{len(hooked)} of {sent}")

    # --- 2. one rate limit across both servers -----------------------------------------------
    limited = new_workspace("Budget")["apiKey"]
    codes = []
    for i in range(1000):
        code, _ = call(base1 if i % 2 == 0 else base2, "GET", "/v1/contacts?perPage=1", limited)
        codes.append(code)
    over1, _ = call(base1, "GET", "/v1/contacts?perPage=1", limited)
    over2, _ = call(base2, "GET", "/v1/contacts?perPage=1", limited)
    check("1 000 requests over both servers pass, the next is 429 on either",
          codes.count(200) == 1000 and over1 == 429 and over2 == 429,
          f"{codes.count(200)} passed, then {over1} and {over2}")

    # --- 3. a revoked key, refused everywhere within 1 s ---------------------------------------
    status, signed = call(base1, "POST", "/graphql", None, {
        "query": "mutation($i: SignUpInput!) { signUp(input: $i) { token workspace { id } } }",
        "variables": {"i": {"email": "ops@example.com", "password": "correct horse battery", "workspaceName": "Ops"}}})
    session = signed["data"]["signUp"]["token"]
    sql(f"UPDATE workspaces SET plan = 'pro' WHERE id = '{signed['data']['signUp']['workspace']['id']}'")
    status, made = call(base1, "POST", "/graphql", session,
                        {"query": "mutation { createApiKey { secret apiKey { id } } }"})
    secret = made["data"]["createApiKey"]["secret"]
    key_id = made["data"]["createApiKey"]["apiKey"]["id"]
    before, _ = call(base2, "GET", "/v1/contacts", secret)
    call(base1, "POST", "/graphql", session,
         {"query": "mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }", "variables": {"id": key_id}})
    revoked_at = time.time()
    refused = wait_until(lambda: call(base2, "GET", "/v1/contacts", secret)[0] == 401, 1.0, 0.02)
    check("a key revoked through one server is refused by the other within 1 s",
          before == 200 and refused, f"after {time.time() - revoked_at:.2f} s")

    # --- 4. SIGTERM during a batch import --------------------------------------------------------
    batch = [{"email": f"late{i}@import.example"} for i in range(1000)]
    outcome = {}

    def post():
        try:
            outcome["answer"] = call(base2, "POST", "/v1/contacts/batch", key, {"contacts": batch})[0]
        except Exception as err:
            outcome["answer"] = repr(err)

    poster = threading.Thread(target=post)
    poster.start()
    time.sleep(0.05)
    s2.send_signal(signal.SIGTERM)
    poster.join()
    code = s2.wait(timeout=60)
    imported = int(sql("SELECT COUNT(*) FROM contacts WHERE email LIKE '%@import.example'"))
    whole = (outcome["answer"] == 200 and imported == 1000) or (outcome["answer"] != 200 and imported == 0)
    check("SIGTERM during a 1 000-contact import: all or nothing, exit 0", whole and code == 0,
          f"answer {outcome['answer']}, {imported} imported, exit {code}")

    for proc in (s1, w2):
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    hooks.shutdown()
    failed = results.count(False)
    print(f"{results.count(True)} passed, {failed} failed")
    sys.exit(1 if failed else 0)


main()
