"""The README's examples (the API page's, in Python), run as written against a real server."""

from __future__ import annotations

import re
import types
from pathlib import Path
from typing import Any, Dict, List

import pytest
from support import Server, free_port

from fluenzr import FluenzrClient

README = Path(__file__).resolve().parent.parent / "README.md"


def example(name: str) -> str:
    """The python block that follows ``<!-- example: name -->`` in the README."""
    match = re.search(
        rf"<!-- example: {re.escape(name)} -->\s*```python\n(.*?)```", README.read_text(), re.S
    )
    assert match, f"README has no example {name!r}"
    return match.group(1)


class MyCRM:
    """A stand-in for the CRM the example reads its new contacts from."""

    def __init__(self, people: List[Dict[str, str]]) -> None:
        self.people = people

    def get_new_contacts(self) -> List[Any]:
        return [types.SimpleNamespace(**p) for p in self.people]


def test_quick_start(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLUENZR_BASE_URL", server.url)
    code = example("quick-start")
    assert "'your-api-key'" in code
    namespace: Dict[str, Any] = {}
    exec(code.replace("'your-api-key'", repr(server.api_key)), namespace)
    assert isinstance(namespace["contacts"], list)
    assert namespace["contacts"].meta.page == 1


def test_the_three_worked_examples(
    client: FluenzrClient, unique: str, capsys: pytest.CaptureFixture[str]
) -> None:
    people = [
        {
            "email": f"ana.{unique}@acme.test",
            "first_name": "Ana",
            "last_name": "Silva",
            "company": "Acme",
        },
        {
            "email": f"bo.{unique}@globex.test",
            "first_name": "Bo",
            "last_name": "Lind",
            "company": "Globex",
        },
    ]
    namespace: Dict[str, Any] = {"client": client, "my_crm": MyCRM(people)}

    # Sync a CRM
    exec(example("crm-sync"), namespace)
    created = client.contacts.list(email=unique, sort="email", order="asc")
    assert [(c.email, c.first_name, c.last_name, c.company) for c in created] == [
        (p["email"], p["first_name"], p["last_name"], p["company"]) for p in people
    ]

    # Automate a campaign: an email account and a group of the synced contacts first
    account = client.email_accounts.create(
        email=f"sales.{unique}@acme.test",
        smtp_host="127.0.0.1",
        smtp_port=free_port(),
        smtp_security="none",
        smtp_password="secret",
    )
    group = client.groups.create(name=f"Q1 leads {unique}")
    client.groups.add_contacts(group.id, contact_ids=[c.id for c in created])
    namespace.update(email_account_id=account.id, group_id=group.id)
    exec(example("automate-campaign"), namespace)
    campaign = client.campaigns.get(namespace["campaign"].id)
    assert campaign.name == "Automated Q1 2025"
    assert campaign.status == "running"
    assert campaign.contact_count == 2
    assert campaign.email_account_id == account.id

    # Export stats
    capsys.readouterr()
    exec(example("export-stats"), namespace)
    lines = capsys.readouterr().out.splitlines()
    assert "Automated Q1 2025: 0.0% opens, 0.0% replies" in lines


def test_importing_a_csv(
    client: FluenzrClient,
    unique: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    existing = client.contacts.create(email=f"lia.{unique}@leads.test", first_name="Lia")
    group = client.groups.create(name=f"Leads {unique}")
    (tmp_path / "leads.csv").write_text(
        "E-mail,Vorname,Plan,Notes\n"
        f"lia.{unique}@leads.test,Lia Maria,gold,met at the fair\n"
        f"nova.{unique}@leads.test,Nova,silver,\n"
        "broken,Bad,,\n"
    )
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    exec(example("import-csv"), {"client": client, "group_id": group.id})
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"\d of 3 rows", lines[0])
    assert lines[-3:] == [
        "3 of 3 rows",
        "completed 1 1 1",
        "line 4, E-mail: Email 'broken' is not a valid address",
    ]
    lia = client.contacts.get(existing.id)
    assert (lia.first_name, lia.custom_fields, lia.group_ids) == (
        "Lia Maria",
        {"plan": "gold"},
        [group.id],
    )
    assert client.groups.get(group.id).contact_count == 2
