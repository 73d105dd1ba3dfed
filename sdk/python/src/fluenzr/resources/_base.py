from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._client import AsyncFluenzrClient, FluenzrClient

# Page size used when walking a whole list, unless the call gives per_page.
WALK_PAGE_SIZE = 100


class SyncResource:
    def __init__(self, client: FluenzrClient) -> None:
        self._client = client


class AsyncResource:
    def __init__(self, client: AsyncFluenzrClient) -> None:
        self._client = client
