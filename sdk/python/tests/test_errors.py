"""One error of each family, with the API's code and the request id."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from support import FlakyProxy, Server, free_port

import fluenzr
from fluenzr import FluenzrClient


def raises(cls: type, call: Callable[[], Any]) -> Any:
    with pytest.raises(cls) as caught:
        call()
    err = caught.value
    assert isinstance(err, fluenzr.FluenzrError)
    return err


def assert_api_error(err: Any, status: int, code: str) -> None:
    assert (err.status, err.code) == (status, code)
    assert err.request_id and err.request_id.startswith("req_")
    assert err.message
    assert code in str(err) and err.request_id in str(err)


def test_authentication(server: Server) -> None:
    bad = FluenzrClient(api_key="fz_live_wrong", base_url=server.url)
    err = raises(fluenzr.AuthenticationError, bad.contacts.list)
    assert_api_error(err, 401, "UNAUTHENTICATED")


def test_plan_required(server: Server) -> None:
    free = FluenzrClient(api_key=server.create_workspace("Free one", "free"), base_url=server.url)
    err = raises(fluenzr.PermissionDeniedError, free.contacts.list)
    assert_api_error(err, 403, "PLAN_REQUIRED")


def test_not_found(client: FluenzrClient) -> None:
    err = raises(fluenzr.NotFoundError, lambda: client.campaigns.get("cmp_missing"))
    assert_api_error(err, 404, "NOT_FOUND")


def test_validation(client: FluenzrClient) -> None:
    err = raises(fluenzr.ValidationError, lambda: client.contacts.create(email="not-an-email"))
    assert_api_error(err, 400, "VALIDATION_ERROR")
    assert err.details["field"] == "email"
    assert err.details["requestId"] == err.request_id


def test_conflict(client: FluenzrClient, unique: str) -> None:
    client.contacts.create(email=f"dup.{unique}@example.com")
    err = raises(
        fluenzr.ConflictError, lambda: client.contacts.create(email=f"DUP.{unique}@example.com")
    )
    assert_api_error(err, 409, "CONFLICT")


def test_conflict_on_an_illegal_transition(client: FluenzrClient, unique: str) -> None:
    campaign = client.campaigns.create(name=f"Empty {unique}")
    err = raises(fluenzr.FluenzrError, lambda: client.campaigns.pause(campaign.id))
    assert isinstance(err, fluenzr.ConflictError)
    assert_api_error(err, 409, "CONFLICT")


def test_rate_limited(limited_server: Server) -> None:
    client = FluenzrClient(
        api_key=limited_server.create_workspace("Limited", "pro"),
        base_url=limited_server.url,
        max_retries=0,
    )
    with pytest.raises(fluenzr.RateLimitError) as caught:
        for _ in range(10):
            client.contacts.list()
    err = caught.value
    assert_api_error(err, 429, "RATE_LIMITED")
    assert err.retry_after is not None and 0 < err.retry_after <= 60
    assert err.headers["x-ratelimit-limit"] == "3"


def test_server_error(server: Server) -> None:
    proxy = FlakyProxy(server.url, "502", failures=100)
    try:
        client = FluenzrClient(api_key=server.api_key, base_url=proxy.url, max_retries=0)
        err = raises(fluenzr.ServerError, client.contacts.list)
        assert (err.status, err.code) == (502, "HTTP_ERROR")
        assert "Bad Gateway" in err.message
    finally:
        proxy.close()


def test_connection_error() -> None:
    client = FluenzrClient(api_key="k", base_url=f"http://127.0.0.1:{free_port()}", max_retries=0)
    err = raises(fluenzr.APIConnectionError, client.contacts.list)
    assert err.status is None and err.code == "CONNECTION_ERROR"


def test_graphql_errors_raise_by_code(client: FluenzrClient) -> None:
    err = raises(
        fluenzr.NotFoundError, lambda: client.graphql('{ contact(id: "cnt_missing") { id } }')
    )
    assert (err.status, err.code) == (404, "NOT_FOUND")
    assert err.request_id and err.request_id.startswith("req_")
    assert err.graphql_errors and err.graphql_errors[0]["path"] == ["contact"]
    err = raises(fluenzr.ValidationError, lambda: client.graphql("{ nope }"))
    assert err.code == "BAD_REQUEST"


def test_missing_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLUENZR_API_KEY", raising=False)
    err = raises(fluenzr.FluenzrError, FluenzrClient)
    assert err.code == "MISSING_API_KEY"


def test_an_empty_id_is_refused_before_any_request(client: FluenzrClient) -> None:
    with pytest.raises(ValueError, match="contact_id"):
        client.contacts.get("")
