"""Pages of a list: the items themselves (a list) plus ``meta`` and a way to the next page."""

from __future__ import annotations

from typing import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    List,
    Optional,
    TypeVar,
)

from ._generated.models import ListMeta

T = TypeVar("T")


class Page(List[T]):
    """One page of a list: iterate it like a list; ``meta`` has ``page``, ``per_page``,
    ``total`` (an estimate when ``total_is_estimate``), ``total_pages`` and ``next_cursor``;
    ``auto_paging_iter()`` walks this page and every later one, each asked for by the cursor
    of the page before (a deep page costs what the first does; one page is held at a time)."""

    meta: ListMeta

    def __init__(
        self, items: Iterable[T], meta: ListMeta, fetch: Callable[[str], "Page[T]"]
    ) -> None:
        super().__init__(items)
        self.meta = meta
        self._fetch = fetch

    @property
    def has_next_page(self) -> bool:
        return self.meta.next_cursor is not None

    def next_page(self) -> Optional["Page[T]"]:
        """The following page, or None after the last one."""
        cursor = self.meta.next_cursor
        return self._fetch(cursor) if cursor is not None else None

    def iter_pages(self) -> Iterator["Page[T]"]:
        page: Optional[Page[T]] = self
        while page is not None:
            yield page
            page = page.next_page()

    def auto_paging_iter(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page


class AsyncPage(List[T]):
    """One page of a list, for the async client: ``await page.next_page()``,
    ``async for item in page.auto_paging_iter()``."""

    meta: ListMeta

    def __init__(
        self,
        items: Iterable[T],
        meta: ListMeta,
        fetch: Callable[[str], Awaitable["AsyncPage[T]"]],
    ) -> None:
        super().__init__(items)
        self.meta = meta
        self._fetch = fetch

    @property
    def has_next_page(self) -> bool:
        return self.meta.next_cursor is not None

    async def next_page(self) -> Optional["AsyncPage[T]"]:
        """The following page, or None after the last one."""
        cursor = self.meta.next_cursor
        return await self._fetch(cursor) if cursor is not None else None

    async def iter_pages(self) -> AsyncIterator["AsyncPage[T]"]:
        page: Optional[AsyncPage[T]] = self
        while page is not None:
            yield page
            page = await page.next_page()

    async def auto_paging_iter(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page:
                yield item
