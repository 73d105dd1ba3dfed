"""CSV imports against a real server: contacts.import_csv, imports.get and imports.wait."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import Any, Dict, List
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from support import FlakyProxy, Server

import fluenzr
from fluenzr import AsyncFluenzrClient, FluenzrClient
from fluenzr.types import Contact, Import

FAST: Dict[str, Any] = {"interval": 0.05, "timeout": 30.0}


def only_contact(client: FluenzrClient, email: str) -> Contact:
    found = [c for c in client.contacts.list(email=email) if c.email == email]
    assert len(found) == 1, f"one contact {email}"
    return found[0]


def test_a_mapped_csv_into_a_group(client: FluenzrClient, unique: str) -> None:
    group = client.groups.create(name=f"Imported {unique}")
    csv = (
        "E-mail,Vorname,Firma,Plan,Notes\n"
        f"ana.{unique}@import.test,Ana,Acme,gold,call back\n"
        f"bo.{unique}@import.test,Bo,Globex,silver,\n"
        f'"cid.{unique}@import.test","Cid, Jr.",Initech,bronze,"said ""maybe"""\n'
    )
    started = client.contacts.import_csv(
        csv,
        group_id=group.id,
        mapping={
            "E-mail": "email",
            "Vorname": "firstName",
            "Firma": "company",
            "Plan": "customFields.plan",
            "Notes": "ignore",
        },
    )
    assert isinstance(started, Import) and started.id.startswith("imp_")
    assert started.status in ("queued", "running", "completed")
    assert (started.total, started.group_id, started.duplicates) == (3, group.id, "skip")

    seen: List[str] = []
    done = client.imports.wait(started.id, on_progress=lambda imp: seen.append(imp.status), **FAST)
    assert done.status == "completed" and seen[-1] == "completed"
    counts = (done.total, done.processed, done.created, done.updated, done.skipped)
    assert counts == (3, 3, 3, 0, 0)
    assert (done.failed_rows, done.errors) == (0, [])
    assert done.completed_at is not None
    assert client.imports.get(started.id) == done

    ana = only_contact(client, f"ana.{unique}@import.test")
    assert (ana.first_name, ana.company, ana.custom_fields) == ("Ana", "Acme", {"plan": "gold"})
    assert ana.group_ids == [group.id]
    cid = only_contact(client, f"cid.{unique}@import.test")
    assert (cid.first_name, cid.custom_fields) == ("Cid, Jr.", {"plan": "bronze"})
    members = client.groups.list_contacts(group.id, sort="email", order="asc")
    assert [c.email for c in members] == [
        f"{n}.{unique}@import.test" for n in ("ana", "bo", "cid")
    ]


def test_refused_rows_are_reported_with_their_line(client: FluenzrClient, unique: str) -> None:
    csv = (
        "email;firstName\n"
        f"one.{unique}@rows.test;One\n"
        "not-an-email;Two\n"
        ";Three\n"
        f"four.{unique}@rows.test;Four\n"
    )
    imp = client.imports.wait(client.contacts.import_csv(csv).id, **FAST)
    assert imp.status == "completed"
    assert (imp.total, imp.processed, imp.created, imp.failed_rows) == (4, 4, 2, 2)
    assert [(e.row, e.column) for e in imp.errors] == [(3, "email"), (4, "email")]
    assert "not-an-email" in imp.errors[0].message
    only_contact(client, f"four.{unique}@rows.test")


def test_a_csv_without_an_email_column_is_a_validation_error(client: FluenzrClient) -> None:
    with pytest.raises(fluenzr.ValidationError) as caught:
        client.contacts.import_csv("name,company\nAna,Acme\n")
    err = caught.value
    assert (err.code, err.status, err.details.get("field")) == ("VALIDATION_ERROR", 400, "csv")
    assert err.request_id and err.request_id.startswith("req_")

    with pytest.raises(fluenzr.ValidationError) as bad_target:
        client.contacts.import_csv("email,Size\na@b.test,9\n", mapping={"Size": "shoeSize"})
    assert bad_target.value.code == "VALIDATION_ERROR"
    assert bad_target.value.details.get("field") == "mapping"


def test_duplicates_update_updates_the_existing_contact(client: FluenzrClient, unique: str) -> None:
    email = f"dup.{unique}@import.test"
    existing = client.contacts.create(email=email, first_name="Old", company="OldCo")
    csv = f"email,firstName,company\n{email},New,NewCo\nfresh.{unique}@import.test,Fresh,\n"

    skipped = client.imports.wait(client.contacts.import_csv(csv).id, **FAST)
    assert (skipped.created, skipped.updated, skipped.skipped) == (1, 0, 1)
    assert client.contacts.get(existing.id).first_name == "Old"

    started = client.contacts.import_csv(csv, duplicates="update")
    assert started.duplicates == "update"
    updated = client.imports.wait(started.id, **FAST)
    assert (updated.created, updated.updated, updated.skipped, updated.failed_rows) == (0, 2, 0, 0)
    contact = client.contacts.get(existing.id)
    assert (contact.first_name, contact.company) == ("New", "NewCo")


def test_the_csv_may_be_bytes_a_path_or_a_file(
    client: FluenzrClient, unique: str, tmp_path: Path
) -> None:
    latin1 = f"email,firstName\njose.{unique}@bytes.test,José\n".encode("latin-1")
    client.imports.wait(client.contacts.import_csv(latin1).id, **FAST)
    assert only_contact(client, f"jose.{unique}@bytes.test").first_name == "José"

    path = tmp_path / "leads.csv"
    path.write_text(f"email\tlastName\npath.{unique}@bytes.test\tMüller\n", encoding="utf-8")
    client.imports.wait(client.contacts.import_csv(path).id, **FAST)
    assert only_contact(client, f"path.{unique}@bytes.test").last_name == "Müller"

    with path.open("rb") as binary:
        assert client.imports.wait(client.contacts.import_csv(binary).id, **FAST).skipped == 1
    text = io.StringIO(f"email\nfile.{unique}@bytes.test\n")
    assert client.imports.wait(client.contacts.import_csv(text).id, **FAST).created == 1

    with pytest.raises(TypeError):
        client.contacts.import_csv(42)  # type: ignore[arg-type]


def test_the_upload_is_text_csv_with_a_key_and_a_lost_answer_imports_once(
    server: Server, client: FluenzrClient, unique: str
) -> None:
    proxy = FlakyProxy(server.url, "drop", failures=1)
    try:
        behind = FluenzrClient(api_key=server.api_key, base_url=proxy.url)
        behind._sleep = lambda seconds: None  # type: ignore[method-assign]
        csv = f"email\nretry.{unique}@import.test\n"
        imp = behind.contacts.import_csv(csv, mapping={"email": "email"}, duplicates="skip")
        assert proxy.forwarded == 2
        (m1, p1, h1), (m2, p2, h2) = proxy.seen
        assert m1 == m2 == "POST" and p1 == p2
        url = urlsplit(p1)
        assert url.path == "/v1/contacts/import"
        query = parse_qs(url.query)
        assert json.loads(query["mapping"][0]) == {"email": "email"}
        assert query["duplicates"] == ["skip"]
        assert h1["Content-Type"] == "text/csv"
        assert h1["Idempotency-Key"] and h1["Idempotency-Key"] == h2["Idempotency-Key"]
        assert proxy.bodies == [csv.encode(), csv.encode()]
        client.imports.wait(imp.id, **FAST)
        assert client.contacts.list(email=f"retry.{unique}@import.test").meta.total == 1
    finally:
        proxy.close()


def test_get_of_an_unknown_import_is_not_found(client: FluenzrClient) -> None:
    with pytest.raises(fluenzr.NotFoundError):
        client.imports.get("imp_missing")
    with pytest.raises(ValueError):
        client.imports.get("")


def _scripted(statuses: List[str]) -> httpx.MockTransport:
    """A server answering each read of an import with the next of ``statuses`` (then the last)."""
    reads: List[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        status = statuses[min(len(reads), len(statuses) - 1)]
        reads.append(1)
        data: Any = {
            "id": request.url.path.rsplit("/", 1)[-1],
            "status": status,
            "total": 10,
            "processed": 10 if status == "completed" else 4,
            "created": 0,
            "updated": 0,
            "skipped": 0,
            "failedRows": 0,
            "errors": [],
            "groupId": None,
            "duplicates": "skip",
            "createdAt": "2026-01-01T00:00:00Z",
            "startedAt": None,
            "completedAt": None,
        }
        return httpx.Response(200, json={"success": True, "data": data})

    return httpx.MockTransport(answer)


def test_wait_polls_until_the_import_stops_and_times_out_otherwise() -> None:
    http = httpx.Client(transport=_scripted(["queued", "running", "running", "failed"]))
    client = FluenzrClient(api_key="k", base_url="http://sdk.test", http_client=http)
    slept: List[float] = []
    client._sleep = slept.append  # type: ignore[method-assign, assignment]
    seen: List[str] = []
    imp = client.imports.wait("imp_x", interval=0.5, on_progress=lambda i: seen.append(i.status))
    assert imp.status == "failed"
    assert seen == ["queued", "running", "running", "failed"]
    assert slept == [0.5, 0.5, 0.5]

    http = httpx.Client(transport=_scripted(["running"]))
    stuck = FluenzrClient(api_key="k", base_url="http://sdk.test", http_client=http)
    with pytest.raises(fluenzr.APITimeoutError) as caught:
        stuck.imports.wait("imp_slow", interval=0.02, timeout=0.1)
    assert caught.value.code == "TIMEOUT"
    assert caught.value.details["import_id"] == "imp_slow"
    assert caught.value.details["processed"] == 4
    with pytest.raises(ValueError):
        stuck.imports.wait("imp_slow", interval=-1)


def test_async_import_and_wait(server: Server, unique: str) -> None:
    async def main() -> None:
        async with AsyncFluenzrClient(api_key=server.api_key, base_url=server.url) as client:
            group = await client.groups.create(name=f"Async import {unique}")
            started = await client.contacts.import_csv(
                f"Mail,Plan\nasync.{unique}@import.test,gold\nbroken,silver\n",
                group_id=group.id,
                mapping={"Mail": "email", "Plan": "customFields.plan"},
            )
            progress: List[int] = []

            async def on_progress(imp: Import) -> None:
                progress.append(imp.processed)

            done = await client.imports.wait(started.id, on_progress=on_progress, **FAST)
            assert (done.status, done.created, done.failed_rows) == ("completed", 1, 1)
            assert [(e.row, e.column) for e in done.errors] == [(3, "Mail")]
            assert progress[-1] == 2
            assert await client.imports.get(started.id) == done
            page = await client.contacts.list(email=f"async.{unique}@import.test")
            assert page[0].custom_fields == {"plan": "gold"} and page[0].group_ids == [group.id]

            with pytest.raises(fluenzr.ValidationError) as caught:
                await client.contacts.import_csv(b"first,last\nA,B\n")
            assert caught.value.code == "VALIDATION_ERROR"

    asyncio.run(main())
