"""The SDK matches the running server's OpenAPI document: its types and its endpoints."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, List, Set, Tuple

import httpx
import pytest
from support import Server

import fluenzr
from fluenzr import FluenzrClient


def test_check_types_against_the_server(server: Server, sdk_dir: Path) -> None:
    result = subprocess.run(
        ["bash", str(sdk_dir / "check-types.sh"), server.url],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=120,
        cwd="/",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_endpoint_has_a_method(server: Server) -> None:
    """Each operation of the server's OpenAPI document is reached by one SDK method."""
    called: Set[Tuple[str, str]] = set()

    def record(request: httpx.Request) -> httpx.Response:
        path = request.url.path.replace("/ID", "/{id}").replace("/CID", "/{contactId}")
        path = path.replace("/NAME", "/{name}").replace("/SEL", "/{selector}")
        called.add((request.method, path))
        return httpx.Response(418, json={"success": False, "error": {"code": "TEAPOT"}})

    http = httpx.Client(transport=httpx.MockTransport(record))
    c = FluenzrClient(api_key="k", base_url="http://sdk.test", max_retries=0, http_client=http)
    calls: List[Callable[[], Any]] = [
        c.contacts.list,
        lambda: c.contacts.get("ID"),
        lambda: c.contacts.create(email="e"),
        lambda: c.contacts.update("ID"),
        lambda: c.contacts.delete("ID"),
        lambda: c.contacts.export("ID"),
        lambda: c.inbox.list(),
        lambda: c.inbox.get("ID"),
        lambda: c.inbox.read("ID"),
        lambda: c.inbox.reply("ID", "Hi"),
        lambda: c.contacts.create_batch([]),
        lambda: c.contacts.import_csv("email\n"),
        lambda: c.imports.get("ID"),
        c.groups.list,
        lambda: c.groups.get("ID"),
        lambda: c.groups.create(name="n"),
        lambda: c.groups.update("ID"),
        lambda: c.groups.delete("ID"),
        lambda: c.groups.list_contacts("ID"),
        lambda: c.groups.add_contacts("ID", contact_ids=[]),
        lambda: c.groups.remove_contacts("ID", contact_ids=[]),
        c.email_accounts.list,
        lambda: c.email_accounts.get("ID"),
        lambda: c.email_accounts.create(email="e", smtp_host="h", smtp_password="p"),
        lambda: c.email_accounts.update("ID"),
        lambda: c.email_accounts.delete("ID"),
        lambda: c.email_accounts.test("ID"),
        c.campaigns.list,
        lambda: c.campaigns.get("ID"),
        lambda: c.campaigns.create(name="n"),
        lambda: c.campaigns.update("ID"),
        lambda: c.campaigns.delete("ID"),
        lambda: c.campaigns.start("ID"),
        lambda: c.campaigns.pause("ID"),
        lambda: c.campaigns.add_contacts("ID"),
        lambda: c.campaigns.list_contacts("ID"),
        lambda: c.campaigns.get_stats("ID"),
        lambda: c.campaigns.get_sending_status("ID"),
        lambda: c.campaigns.get_contact_plan("ID", "CID"),
        lambda: c.campaigns.preview("ID", contact_id="CID", step=1),
        lambda: c.campaigns.send_test("ID", to="t@example.com", contact_id="CID", step=1),
        lambda: c.messages.get("ID"),
        c.webhooks.list,
        lambda: c.webhooks.get("ID"),
        lambda: c.webhooks.create(url="u"),
        lambda: c.webhooks.update("ID"),
        lambda: c.webhooks.delete("ID"),
        lambda: c.webhooks.test("ID"),
        lambda: c.webhooks.rotate_secret("ID"),
        lambda: c.webhooks.list_deliveries("ID"),
        c.suppressions.list,
        lambda: c.suppressions.add(kind="email", value="e"),
        lambda: c.suppressions.delete("ID", reason="r"),
        lambda: c.campaigns.list_unknown_outcomes("ID"),
        lambda: c.campaigns.resolve_unknown_outcomes("ID", action="skip", all=True),
        lambda: c.email_accounts.list_unmatched_reports("ID"),
        c.domains.list,
        lambda: c.domains.get("NAME"),
        lambda: c.domains.check("NAME"),
        lambda: c.domains.create_dkim_key("NAME"),
        lambda: c.domains.activate_dkim_key("NAME", "SEL"),
        lambda: c.domains.delete_dkim_key("NAME", "SEL"),
    ]
    for call in calls:
        with pytest.raises(fluenzr.FluenzrError):
            call()

    document = httpx.get(server.url + "/v1/openapi.json").json()
    operations = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "put", "delete", "patch")
    }
    assert operations - called == set(), "endpoints without an SDK method"
    assert called - operations == set(), "SDK methods without an endpoint"


def test_import_duplicates_is_the_generated_choice() -> None:
    """``ImportDuplicates`` (hand-written for the keyword argument) equals the generated type."""
    from typing import get_args

    from fluenzr import types
    from fluenzr._convert import _hints

    assert get_args(types.ImportDuplicates) == get_args(_hints(types.Import)["duplicates"])
    params = _hints(types.ImportContactsParams)
    assert get_args(types.ImportDuplicates) == get_args(params["duplicates"])


def test_dkim_algorithm_is_the_generated_choice() -> None:
    """``DkimAlgorithm`` (hand-written for the keyword argument) equals the generated type."""
    from typing import get_args

    from fluenzr import types
    from fluenzr._convert import _hints

    params = _hints(types.CreateDkimKeyParams)
    assert get_args(types.DkimAlgorithm) == get_args(params["algorithm"])
