"""Schemathesis hooks for tests/contract/run.sh.

JSON Schema states each field's own limits; a few rules of the API span fields or depend on
what exists, and no schema can state them. For *valid* (positive) cases these hooks make the
generated request obey those rules, the way a real client would, so that a refusal the fuzzer
then sees is a real defect. Invalid (negative) cases are sent untouched.

- An `Idempotency-Key` names one logical request: each positive case gets a fresh key (reusing
  a key with another body is refused with 400 by design).
- Ids inside a body (`groupIds`, `contactIds`, `groupId`, `emailAccountId(s)`) must name
  resources of the workspace (unknown ones are refused with 400 naming them): positive cases
  keep only ids the server has handed out and not deleted.
- A campaign's sending window ends at another time than it starts (before it: across midnight); its first step has a subject (on each of its
  variants), no delay and no condition; a step has variants or its own subject and body;
  `{{` opens a template variable, so free text does not carry braces.
- A stats timeline runs forward and covers at most 366 days.
- An imported CSV has a header row with an email column, and its mapping names its headers.
- IMAP settings come together (a host and a password); an account without them takes no other
  IMAP field.
- A suppression's value is an address for kind `email` and a domain for kind `domain`; a body
  holds one suppression (`kind`, `value`) or `items`, not both.
- Deleting a suppression gives a `reason` once: in the query or in the body.
- Resolving unknown outcomes names `messageIds` or says `all: true`, not both.
- A preview or test send names a step its campaign has and a contact of the workspace (made
  against a fresh campaign of one plain step); an automatic winner names its metric.
- No text holds a NUL character (the input gate refuses the request). Every string's schema
  says so; a JSON value of any shape (a batch item's `customFields`) cannot, at every depth,
  without a recursive type the generated TypeScript cannot compile: positive cases have NUL
  taken out of its keys and strings.
- A list's `cursor` is one the server handed out (`meta.nextCursor`) for the same list and
  order: positive cases leave it out (tests/api/cursors.rs walks real ones).

GraphQL's SDL states types only, never lengths, formats or whether an id exists, so a
type-valid GraphQL request may still break a business rule. For GraphQL, a refusal of a valid
case is accepted only when it is one of the API's documented business-rule errors: raised by a
resolver (it has a `path`), classified `BAD_USER_INPUT`, with one of the codes a REST route
answers with a 4xx for the same reason, the documented cost budget (which states the cost
and the budget), or the input gate's refusal of a NUL character (naming the field). Any other
refusal (the engine rejecting a type-valid query, an uncoded error) still fails the run; the run's summary counts what was accepted.
"""

import datetime
import json
import os
import re
import urllib.request
import uuid

import schemathesis

KNOWN = {"cnt": [], "grp": [], "acc": [], "cmp": [], "whk": []}
ID = re.compile(r"^(cnt|grp|acc|cmp|whk)_[0-9a-z]{26}$")


def _positive(case):
    meta = case.meta
    return meta is None or meta.generation.mode.is_positive


def _remember(value, deleting=None):
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "id" and isinstance(inner, str) and ID.match(inner):
                prefix = inner[:3]
                if inner not in KNOWN[prefix]:
                    KNOWN[prefix].append(inner)
            else:
                _remember(inner)
    elif isinstance(value, list):
        for inner in value:
            _remember(inner)


SEEDS = {
    "cnt": ("/v1/contacts", lambda n: {"email": f"seed{n}@fuzz.example"}),
    "grp": ("/v1/groups", lambda n: {"name": f"Seed {n}"}),
    "acc": (
        "/v1/email-accounts",
        lambda n: {"email": f"sender{n}@fuzz.example", "smtpHost": "smtp.fuzz.example", "smtpPassword": "pw"},
    ),
}


def _ensure(prefix):
    """Creates one resource of the kind when none is known, so a valid case can name it."""
    if KNOWN[prefix]:
        return
    path, body = SEEDS[prefix]
    request = urllib.request.Request(
        os.environ["FUZZ_BASE"] + path,
        data=json.dumps(body(uuid.uuid4().hex[:8])).encode(),
        headers={"Authorization": "Bearer " + os.environ["FUZZ_KEY"], "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as answer:
        _remember(json.load(answer)["data"])


def _post(path, body):
    request = urllib.request.Request(
        os.environ["FUZZ_BASE"] + path,
        data=json.dumps(body).encode(),
        headers={"Authorization": "Bearer " + os.environ["FUZZ_KEY"], "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)["data"]


def _fix_preview(case):
    """A preview or test send names a step the campaign has, a contact of the workspace and an
    address: it is made against a campaign of one plain step (no variables), made here."""
    _ensure("cnt")
    _ensure("acc")
    campaign = _post("/v1/campaigns", {
        "name": "Preview " + uuid.uuid4().hex[:8],
        "emailAccountId": KNOWN["acc"][-1],
        "steps": [{"subject": "Hello", "body": "Hi there"}],
    })
    case.path_parameters = dict(case.path_parameters or {}, id=campaign["id"])
    body = case.body if isinstance(case.body, dict) else {}
    body["contactId"] = KNOWN["cnt"][-1]
    body["step"] = 1
    body.pop("variantId", None)
    for field in ("subject", "body"):
        if field in body:
            body[field] = _plain(body[field])
    if "to" in body or case.path.endswith("/test"):
        body["to"] = "qa@fuzz.example"
    case.body = body


def _known(ids, prefix):
    return [i for i in ids if isinstance(i, str) and i in KNOWN[prefix]]


def _plain(text):
    return text.replace("{", "").replace("}", "") if isinstance(text, str) else text


def _without_nul(value):
    if isinstance(value, dict):
        return {key.replace("\x00", ""): _without_nul(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_without_nul(inner) for inner in value]
    if isinstance(value, str):
        return value.replace("\x00", "")
    return value


def _fix_ids(body):
    for field, prefix in (("groupIds", "grp"), ("contactIds", "cnt"), ("emailAccountIds", "acc")):
        if isinstance(body.get(field), list):
            kept = _known(body[field], prefix)
            if not kept and body[field]:
                _ensure(prefix)
                kept = [KNOWN[prefix][-1]]
            body[field] = kept
    for field, prefix in (("groupId", "grp"), ("emailAccountId", "acc")):
        if isinstance(body.get(field), str) and body[field] not in KNOWN[prefix]:
            _ensure(prefix)
            body[field] = KNOWN[prefix][-1]
    if isinstance(body.get("contacts"), list):
        for contact in body["contacts"]:
            if isinstance(contact, dict):
                _fix_ids(contact)


def _fix_campaign(body):
    schedule = body.get("schedule")
    if isinstance(schedule, dict):
        start = schedule.get("startTime") or "09:00"
        end = schedule.get("endTime") or "17:00"
        if isinstance(start, str) and isinstance(end, str) and start == end:
            schedule["startTime"], schedule["endTime"] = "00:00", "23:59"
    steps = body.get("steps")
    if isinstance(steps, list):
        for index, step in enumerate(steps):
            if not isinstance(step, dict):
                continue
            if index == 0:
                step["delayDays"] = 0
                step.pop("sendIf", None)
            variants = step.get("variants")
            if isinstance(variants, list) and variants:
                # Variants replace the step's own subject and body; an id must be one the
                # campaign already has (none here); some weight must be above 0.
                step.pop("subject", None)
                step.pop("body", None)
                for variant in variants:
                    if isinstance(variant, dict):
                        variant.pop("id", None)
                        _fix_email(variant, index)
                weights = [v.get("weight") for v in variants if isinstance(v, dict)]
                if all(w == 0 for w in weights) and isinstance(variants[0], dict):
                    variants[0]["weight"] = 1
                continue
            step.pop("variants", None)
            _fix_email(step, index)
            if not isinstance(step.get("body"), str):
                step["body"] = "Hello"


def _fix_email(email, index):
    """A step's (or variant's) text: no template syntax (fuzzed braces are rarely a valid
    template), and a subject on the first step."""
    email["subject"] = _plain(email.get("subject"))
    email["body"] = _plain(email.get("body"))
    if index == 0 and not (isinstance(email.get("subject"), str) and email["subject"].strip()):
        email["subject"] = "Hello"


def _fix_imap(body):
    """IMAP settings come together: without a host, no other IMAP field; with one, a password
    (an account without IMAP cannot take a port or password alone either)."""
    if isinstance(body.get("imapHost"), str):
        if not (isinstance(body.get("imapPassword"), str) and body["imapPassword"]):
            body["imapPassword"] = "pw"
        return
    for field in ("imapPort", "imapUsername", "imapPassword", "imapSecurity"):
        body.pop(field, None)


def _fix_import(case):
    """A CSV body needs a header with an email column (no schema states a CSV's grammar); a
    mapping must name the file's own headers; a group must exist."""
    case.body = f"email,firstName\nfuzz-{uuid.uuid4().hex[:12]}@example.com,Fuzz\n"
    if isinstance(case.query, dict):
        case.query.pop("mapping", None)
        if "groupId" in case.query:
            _ensure("grp")
            case.query["groupId"] = KNOWN["grp"][-1]


def _fix_suppressions(body):
    """One suppression or items, not both; a value fits its kind: an address, or a domain."""
    if isinstance(body.get("items"), list):
        for field in ("kind", "value", "source"):
            body.pop(field, None)
    else:
        body.pop("items", None)
        if body.get("kind") not in ("email", "domain"):
            body["kind"] = "email"
    items = body.get("items") if isinstance(body.get("items"), list) else [body]
    for item in items:
        if isinstance(item, dict) and item.get("kind") in ("email", "domain"):
            tag = uuid.uuid4().hex[:12]
            item["value"] = f"fuzz-{tag}@example.com" if item["kind"] == "email" else f"fuzz-{tag}.example"


def _fix_timeline(query):
    def day(value):
        try:
            return datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            return None

    if "from" not in query and "to" not in query:
        return
    to = day(query.get("to")) or datetime.datetime.now(datetime.timezone.utc).date()
    start = day(query.get("from")) or to - datetime.timedelta(days=29)
    if start > to or (to - start).days >= 366:
        start = to - datetime.timedelta(days=29)
    query["to"] = to.isoformat()
    query["from"] = start.isoformat()


@schemathesis.hook
def before_call(context, case, kwargs):
    if not _positive(case):
        return
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = str(uuid.uuid4())
    if isinstance(case.body, (dict, list)):
        case.body = _without_nul(case.body)
    if isinstance(case.body, dict):
        _fix_ids(case.body)
        if case.path.startswith("/v1/email-accounts"):
            _fix_imap(case.body)
        if case.path.startswith("/v1/campaigns"):
            _fix_campaign(case.body)
            if isinstance(case.body.get("autoWinner"), dict):
                case.body["autoWinner"].setdefault("metric", "reply")
        if case.path == "/v1/suppressions":
            _fix_suppressions(case.body)
    if isinstance(case.query, dict):
        _fix_timeline(case.query)
        case.query.pop("cursor", None)
    if case.path == "/v1/contacts/import":
        _fix_import(case)
    if case.path in ("/v1/campaigns/{id}/preview", "/v1/campaigns/{id}/test"):
        _fix_preview(case)
    if case.method == "DELETE" and case.path == "/v1/suppressions/{id}":
        query_reason = isinstance(case.query, dict) and case.query.get("reason")
        body_reason = isinstance(case.body, dict) and case.body.get("reason")
        if isinstance(query_reason, str) and query_reason.strip():
            if isinstance(case.body, dict):
                case.body.pop("reason", None)
        elif not (isinstance(body_reason, str) and body_reason.strip()):
            case.body = {"reason": "fuzz"}
    if case.path == "/v1/campaigns/{id}/unknown-outcomes/resolve" and isinstance(case.body, dict):
        if case.body.get("all") is True:
            case.body.pop("messageIds", None)
        elif not case.body.get("messageIds"):
            case.body.pop("messageIds", None)
            case.body["all"] = True
        else:
            case.body.pop("all", None)


@schemathesis.hook
def after_call(context, case, response):
    try:
        payload = response.json()
    except Exception:
        return
    if not isinstance(payload, dict) or not payload.get("success"):
        return
    data = payload.get("data")
    if case.method.upper() == "DELETE" and isinstance(data, dict) and data.get("deleted"):
        gone = data.get("id")
        for ids in KNOWN.values():
            if gone in ids:
                ids.remove(gone)
        return
    _remember(data)


# The codes a REST route answers a valid request with when a rule or a limit says no.
RULE_CODES = {
    "VALIDATION_ERROR",
    "NOT_FOUND",
    "CONFLICT",
    "SUPPRESSED",
    "FORBIDDEN",
    "UNAUTHENTICATED",
    "PLAN_REQUIRED",
    "RATE_LIMITED",
}


def _business_rule(error):
    extensions = error.get("extensions") or {}
    if extensions.get("classification") != "BAD_USER_INPUT":
        return False
    # The documented cost budget: refused before execution, saying the cost and the budget.
    details = extensions.get("details") or {}
    if extensions.get("code") == "BAD_REQUEST" and {"cost", "budget"} <= set(details):
        return True
    # The input gate: no text may carry a NUL character (GraphQL's String admits one, the API
    # never stores one); refused before the query runs, naming the field.
    if (extensions.get("code") == "VALIDATION_ERROR" and "field" in details
            and "NUL character" in error.get("message", "")):
        return True
    return "path" in error and extensions.get("code") in RULE_CODES


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keeps a failure unless it is a GraphQL business-rule refusal of a valid case, or the
    stateful phase reading `DELETE /v1/groups/{id}/contacts` (which removes members, as the
    original API page has it) as deleting the member list itself."""
    if type(failure).__name__ == "UseAfterFree":
        freed = str(getattr(failure, "free", ""))
        return not re.match(r"^DELETE \S*/v1/groups/[^/\s]+/contacts$", freed)
    if type(failure).__name__ != "GraphQLClientError":
        return True
    errors = getattr(failure, "errors", None) or []
    return not (errors and all(_business_rule(e) for e in errors))
