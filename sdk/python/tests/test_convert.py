"""snake_case <-> camelCase conversion, offline."""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path

import pytest

import fluenzr
from fluenzr import types
from fluenzr._convert import build, camel, params_to_wire
from fluenzr._generated import models, params

CONTACT = {
    "id": "cnt_1",
    "email": "ana@example.com",
    "firstName": "Ana",
    "lastName": None,
    "company": None,
    "phone": None,
    "timezone": None,
    "customFields": {"plan_tier": "gold"},
    "status": "active",
    "leadStatus": None,
    "groupIds": [],
    "createdAt": "2026-11-26T15:04:05Z",
    "updatedAt": "2026-11-26T15:04:05Z",
}


def test_answers_become_dataclasses_and_ignore_new_fields() -> None:
    contact = build(types.Contact, {**CONTACT, "aFieldFromANewerServer": 1})
    assert contact.first_name == "Ana" and contact.custom_fields == {"plan_tier": "gold"}
    assert not hasattr(contact, "a_field_from_a_newer_server")


def test_an_answer_without_a_required_field_is_an_error() -> None:
    partial = {k: v for k, v in CONTACT.items() if k != "groupIds"}
    with pytest.raises(fluenzr.FluenzrError, match="groupIds") as caught:
        build(types.Contact, partial)
    assert caught.value.code == "INVALID_RESPONSE"


def test_arguments_become_camel_case_json_except_inside_maps() -> None:
    body = params_to_wire(
        {
            "name": "Q1",
            "email_account_id": "acc_1",
            "steps": [{"body": "Hi", "delay_days": 2}],
            "schedule": {"start_time": "09:00"},
        },
        types.CreateCampaignParams,
    )
    assert body == {
        "name": "Q1",
        "emailAccountId": "acc_1",
        "steps": [{"body": "Hi", "delayDays": 2}],
        "schedule": {"startTime": "09:00"},
    }
    contact = params_to_wire(
        {"email": "a@b.co", "custom_fields": {"plan_tier": "gold"}, "company": None},
        types.CreateContactParams,
    )
    assert contact == {"email": "a@b.co", "customFields": {"plan_tier": "gold"}, "company": None}
    assert params_to_wire({"from_": "2026-11-01"}, types.GetCampaignStatsParams) == {
        "from": "2026-11-01"
    }


def test_the_generator_and_the_sdk_agree_on_names() -> None:
    spec = importlib.util.spec_from_file_location(
        "generate", Path(__file__).resolve().parent.parent / "codegen" / "generate.py"
    )
    assert spec and spec.loader
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    names = set()
    for cls in vars(models).values():
        if dataclasses.is_dataclass(cls):
            names.update(f.name for f in dataclasses.fields(cls))
    for cls in vars(params).values():
        if isinstance(cls, type) and issubclass(cls, dict):
            names.update(cls.__annotations__)
    assert {"first_name", "from_", "open_rate", "email_account_ids"} <= names
    for name in names:
        assert camel(name) == generate.camel(name)
        assert generate.snake(camel(name)) == name
