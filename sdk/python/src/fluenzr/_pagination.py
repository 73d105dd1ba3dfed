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
    ``total`` and ``total_pages``; ``auto_paging_iter()`` walks this page and every later one."""

    meta: ListMeta

    def __init__(
        self, items: Iterable[T], meta: ListMeta, fetch: Callable[[int], "Page[T]"]
    ) -> None:
        super().__init__(items)
        self.meta = meta
        self._fetch = fetch

    @property
    def has_next_page(self) -> bool:
        return self.meta.page < self.meta.total_pages

    def next_page(self) -> Optional["Page[T]"]:
        """The following page, or None after the last one."""
        return self._fetch(self.meta.page + 1) if self.has_next_page else None

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
        fetch: Callable[[int], Awaitable["AsyncPage[T]"]],
    ) -> None:
        super().__init__(items)
        self.meta = meta
        self._fetch = fetch

    @property
    def has_next_page(self) -> bool:
        return self.meta.page < self.meta.total_pages

    async def next_page(self) -> Optional["AsyncPage[T]"]:
        """The following page, or None after the last one."""
        return await self._fetch(self.meta.page + 1) if self.has_next_page else None

    async def iter_pages(self) -> AsyncIterator["AsyncPage[T]"]:
        page: Optional[AsyncPage[T]] = self
        while page is not None:
            yield page
            page = await page.next_page()

    async def auto_paging_iter(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page:
                yield item
