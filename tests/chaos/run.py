#!/usr/bin/env python3
"""Workers killed again and again while a campaign sends, proven from outside.

Three `fluenzr worker` processes (short claim lease, sweep and unknown-after settings) and one
`fluenzr serve --no-workers` share a throwaway PostgreSQL and a local SMTP sink that takes
20–50 ms per message. One campaign rotates over four accounts on the sink and is sent to a few
thousand contacts while, every 1–2 s, a random worker is killed (-9) and started again. At each
kill the SMTP transactions the sink has in progress (MAIL to the final 250) are recorded, and,
once PostgreSQL has ended the dead worker's sessions, the emails `sending`. When every enrolment
is closed and no email is queued, deferred or sending:

- no contact received the step twice (the sink's log, by recipient and by Message-ID);
- every contact ends `sent` or `unknown`, nothing else;
- every unknown email was `sending` at a kill (its send had started: nothing merely claimed
  ends unknown), and unknown ≤ kills × accounts (a worker has one send in flight per account);
- unknown emails the sink never accepted ≤ the sum over kills of the transactions the sink had
  in progress; the others were accepted but their worker died before recording the reply;
- the campaign's stats (REST) count what the sink accepted, within the in-doubt margin:
  sink − unknown ≤ stats sent ≤ sink, and stats sent equals the messages recorded `sent`.

Usage: tests/chaos/run.py BINARY POSTGRES_URL PSQL
Prints the figures, one line per check and `N passed, M failed`; exits 1 on any failure.
"""

import asyncio
import os
import random
import shutil
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scale"))
from harness import Cluster, call, free_port, wait_until  # noqa: E402

BIN, PG_URL, PSQL = sys.argv[1], sys.argv[2], sys.argv[3]
CLUSTER = Cluster(BIN, PG_URL, PSQL, "chaos", rate_limit=100000)
WORK, ENV, PROCS, results = CLUSTER.work, CLUSTER.env, CLUSTER.procs, CLUSTER.results
check, spawn, serve = CLUSTER.check, CLUSTER.spawn, CLUSTER.serve
sql, counts, new_workspace = CLUSTER.sql, CLUSTER.counts, CLUSTER.new_workspace
CONTACTS = 3000
ACCOUNTS = 4
WORKERS = 3
# Everything, PostgreSQL's start included, must end well within 3 minutes.
BUDGET = 150
WORKER_ENV = {
    "FLUENZR_SEND_LEASE_SECONDS": "3",
    "FLUENZR_SEND_SWEEP_SECONDS": "1",
    # Far above one send here (≤ 50 ms and a few commits), short enough to end the run soon.
    "FLUENZR_SEND_UNKNOWN_AFTER_SECONDS": "10",
}
STARTED = time.time()


# --- the SMTP sink: 20–50 ms per message, logs what it accepted, counts transactions ----------

SINK = []  # (recipient, Message-ID, time) per accepted message
SINK_LOCK = threading.Lock()
IN_PROGRESS = [0]  # transactions between MAIL and their final reply, under SINK_LOCK


async def smtp_session(reader, writer):
    async def say(line):
        writer.write((line + "\r\n").encode())
        await writer.drain()

    open_tx = False

    def begin_tx():
        nonlocal open_tx
        if not open_tx:
            open_tx = True
            with SINK_LOCK:
                IN_PROGRESS[0] += 1

    def end_tx():
        nonlocal open_tx
        if open_tx:
            open_tx = False
            with SINK_LOCK:
                IN_PROGRESS[0] -= 1

    rcpts, in_data, data = [], False, []
    try:
        await say("220 sink ESMTP")
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
                    await asyncio.sleep(random.uniform(0.02, 0.05))
                    # Accepted from here on, whether or not the client is still there to hear it.
                    now = time.time()
                    with SINK_LOCK:
                        for r in rcpts:
                            SINK.append((r, message_id, now))
                    rcpts, data = [], []
                    try:
                        await say("250 queued")
                    finally:
                        end_tx()
                else:
                    data.append(line)
                continue
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                await say("250 sink")
            elif verb == "MAIL":
                begin_tx()
                await say("250 ok")
            elif verb == "RCPT":
                rcpts.append(line.split(":", 1)[1].strip().strip("<>").lower())
                await say("250 ok")
            elif verb == "DATA":
                in_data = True
                await say("354 go")
            elif verb == "RSET":
                rcpts, data = [], []
                end_tx()
                await say("250 ok")
            elif verb == "QUIT":
                await say("221 bye")
                return
            else:
                await say("250 ok")
    except ConnectionError:
        pass
    finally:
        end_tx()
        writer.close()


def start_sink(port):
    loop = asyncio.new_event_loop()

    def run():
        asyncio.set_event_loop(loop)
        server = loop.run_until_complete(asyncio.start_server(smtp_session, "127.0.0.1", port))
        loop.run_until_complete(server.serve_forever())

    threading.Thread(target=run, daemon=True).start()


# --- processes and HTTP ------------------------------------------------------------------------

def main():
    CLUSTER.migrate()
    smtp_port = free_port()
    start_sink(smtp_port)
    _, base = serve(free_port(), "serve")

    key = new_workspace("Chaos")["apiKey"]
    accounts = []
    for i in range(ACCOUNTS):
        status, account = call(base, "POST", "/v1/email-accounts", key, {
            "email": f"sales{i}@acme.test", "smtpHost": "127.0.0.1", "smtpPort": smtp_port,
            "smtpSecurity": "none", "smtpPassword": "x", "dailyLimit": 10000, "sendGapSeconds": 0})
        assert status == 201, account
        accounts.append(account["data"]["id"])
    status, group = call(base, "POST", "/v1/groups", key, {"name": "Everyone"})
    assert status == 201, group
    for start in range(0, CONTACTS, 1000):
        batch = [{"email": f"c{i}@example.com", "groupIds": [group["data"]["id"]]}
                 for i in range(start, min(start + 1000, CONTACTS))]
        status, created = call(base, "POST", "/v1/contacts/batch", key, {"contacts": batch})
        assert status == 200 and created["data"]["created"] == len(batch), created
    status, campaign = call(base, "POST", "/v1/campaigns", key, {
        "name": "Chaos", "emailAccountId": accounts[0], "emailAccountIds": accounts[1:],
        "dailyLimit": 10000, "steps": [{"subject": "Hello", "body": "Hi {{email}}"}],
        "schedule": {"timezone": "UTC", "days": [1, 2, 3, 4, 5, 6, 7], "startTime": "00:00", "endTime": "23:59"},
        "trackOpens": False, "trackClicks": False})
    assert status == 201, campaign
    cid = campaign["data"]["id"]
    status, enrolled = call(base, "POST", f"/v1/campaigns/{cid}/contacts", key, {"groupId": group["data"]["id"]})
    assert status == 200 and enrolled["data"]["added"] == CONTACTS, enrolled

    restarts = [0] * WORKERS

    def start_worker(n):
        restarts[n] += 1
        name = f"chaos-worker{n}-{restarts[n]}"
        proc = spawn(["worker"], name, {**WORKER_ENV, "DATABASE_URL": f"{PG_URL}?application_name={name}"})
        proc.app_name = name
        return proc

    workers = [start_worker(n) for n in range(WORKERS)]
    time.sleep(1)
    started = time.time()
    status, _ = call(base, "POST", f"/v1/campaigns/{cid}/start", key, {})
    assert status == 200

    def work_left():
        """Emails still to be claimed or sent (due, claimed, or retrying)."""
        due = int(sql(f"SELECT COUNT(*) FROM campaign_contacts WHERE campaign_id = '{cid}' "
                      "AND state = 'active' AND next_send_at IS NOT NULL"))
        waiting = int(sql(f"SELECT COUNT(*) FROM messages WHERE campaign_id = '{cid}' "
                          "AND state IN ('queued', 'deferred')"))
        return due + waiting

    def settled():
        active = int(sql(f"SELECT COUNT(*) FROM campaign_contacts WHERE campaign_id = '{cid}' "
                         "AND state IN ('pending', 'active')"))
        open_messages = int(sql(f"SELECT COUNT(*) FROM messages WHERE campaign_id = '{cid}' "
                                "AND state IN ('queued', 'deferred', 'sending')"))
        return active == 0 and open_messages == 0

    # --- the chaos: kill a random worker every 1–2 s and start it again, while work is left ----
    kills = []  # transactions the sink had in progress at each kill
    sending_at_kills = []  # the emails `sending` (any worker) at each kill
    deadline = STARTED + BUDGET
    while time.time() < deadline and work_left() > 0:
        time.sleep(random.uniform(1.0, 2.0))
        n = random.randrange(WORKERS)
        victim = workers[n]
        with SINK_LOCK:
            in_progress = IN_PROGRESS[0]
            victim.send_signal(signal.SIGKILL)
        victim.wait()
        # A statement it sent runs to its end; then its sessions see the closed connection.
        wait_until(lambda: sql("SELECT COUNT(*) FROM pg_stat_activity "
                               f"WHERE application_name = '{victim.app_name}'") == "0", 5, 0.01)
        sending_at_kills.append(set(sql(
            f"SELECT id FROM messages WHERE campaign_id = '{cid}' AND state = 'sending'").split()))
        kills.append(in_progress)
        workers[n] = start_worker(n)
    killing_ended = time.time()
    while time.time() < deadline and not settled():
        time.sleep(0.5)
    elapsed = time.time() - started
    done = settled()
    time.sleep(0.3)  # a last reply the sink may still be writing

    with SINK_LOCK:
        sink = list(SINK)
    per_rcpt, per_id = {}, {}
    for rcpt, message_id, _ in sink:
        per_rcpt[rcpt] = per_rcpt.get(rcpt, 0) + 1
        per_id[message_id] = per_id.get(message_id, 0) + 1
    twice = [r for r, n in per_rcpt.items() if n > 1] + [m for m, n in per_id.items() if n > 1]
    last_accepted = max((at for _, _, at in sink), default=started)
    states = counts(f"SELECT state, COUNT(*) FROM messages WHERE campaign_id = '{cid}' GROUP BY state")
    enrolments = counts(f"SELECT state || '/' || COALESCE(reason, ''), COUNT(*) FROM campaign_contacts "
                        f"WHERE campaign_id = '{cid}' GROUP BY 1")
    sent, unknown = states.get("sent", 0), states.get("unknown", 0)
    in_flight = sum(kills)
    unknown_rows = sql(f"SELECT m.id || '|' || lower(c.email) FROM messages m JOIN contacts c ON c.id = m.contact_id "
                       f"WHERE m.campaign_id = '{cid}' AND m.state = 'unknown'").split()
    unknown_ids = {row.split("|")[0] for row in unknown_rows}
    accepted_unknown = sum(1 for row in unknown_rows if row.split("|")[1] in per_rcpt)
    were_sending = set().union(*sending_at_kills) if sending_at_kills else set()
    status, stats = call(base, "GET", f"/v1/campaigns/{cid}/stats", key)
    stats_sent = stats["data"]["sent"] if status == 200 else None

    print(f"contacts {CONTACTS}, accounts {ACCOUNTS}, workers {WORKERS}, kills {len(kills)}, "
          f"sending {elapsed:.1f} s (killing {killing_ended - started:.1f} s), "
          f"{len(sink) / max(last_accepted - started, 0.001):.0f} emails/s, sink {len(sink)}, sent {sent}, unknown {unknown} "
          f"({accepted_unknown} of them accepted by the sink), SMTP transactions in progress at kills "
          f"{in_flight} {kills}, sending at kills {sum(map(len, sending_at_kills))}", flush=True)
    print(f"messages {states}, enrolments {enrolments}", flush=True)
    check("every enrolment closed, no email queued, deferred or sending", done,
          f"{elapsed:.1f} s of sending, {time.time() - STARTED:.0f} s in all")
    check("no contact received the step twice", not twice and len(per_rcpt) == len(sink),
          f"{len(sink)} emails in the sink to {len(per_rcpt)} recipients, {len(twice)} twice")
    check("every contact ends sent or unknown",
          sent + unknown == CONTACTS and sum(states.values()) == CONTACTS,
          f"sent {sent}, unknown {unknown}, all {sum(states.values())}")
    # A lane holds one SMTP transaction and, on PostgreSQL, the previous email's outcome being
    # recorded beside it: at most two emails of each lane are `sending` when its worker dies.
    check("every unknown email was sending at a kill, at most two per account lane of each killed worker",
          unknown_ids <= were_sending and unknown <= 2 * len(kills) * ACCOUNTS,
          f"unknown {unknown}, {len(unknown_ids - were_sending)} not sending at any kill, "
          f"at most 2 × {len(kills)} kills × {ACCOUNTS} accounts = {2 * len(kills) * ACCOUNTS}")
    check("unknown emails the sink never accepted ≤ the SMTP transactions in progress at the kills",
          unknown - accepted_unknown <= in_flight,
          f"{unknown - accepted_unknown} never accepted, {in_flight} in progress at kills; "
          f"{accepted_unknown} accepted before their worker recorded the reply")
    sent_rcpts = set(sql(
        f"SELECT lower(c.email) FROM messages m JOIN contacts c ON c.id = m.contact_id "
        f"WHERE m.campaign_id = '{cid}' AND m.state = 'sent'").splitlines())
    check("every email recorded sent is in the sink's log", sent_rcpts <= set(per_rcpt),
          f"{len(sent_rcpts - set(per_rcpt))} missing")
    check("stats count what the sink accepted, within the in-doubt margin",
          stats_sent is not None and len(sink) - unknown <= stats_sent <= len(sink) and stats_sent == sent,
          f"sink {len(sink)}, unknown {unknown}, stats sent {stats_sent}, messages sent {sent}")

    failed = results.count(False)
    if failed:
        print(f"{results.count(True)} passed, {failed} failed (the processes' logs are in {WORK})", flush=True)
        return 1
    print(f"{results.count(True)} passed, 0 failed", flush=True)
    shutil.rmtree(WORK, ignore_errors=True)
    return 0


def stop_all():
    for proc in PROCS:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()


try:
    code = main()
finally:
    stop_all()
sys.exit(code)
