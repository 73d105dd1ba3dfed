from __future__ import annotations

import inspect
import json
import os
import time
from typing import IO, Any, Callable, Dict, Literal, Mapping, Optional, Union

from .._base import RawBody, path_id
from .._convert import params_to_wire
from .._errors import APITimeoutError
from .._generated.models import Import
from .._generated.params import ImportContactsParams
from ._base import AsyncResource, SyncResource

#: What to do with a row whose email already exists: leave that contact alone (``"skip"``,
#: the server's default) or update it from the row (``"update"``). The generated
#: ``ImportContactsParams["duplicates"]``; a contract test keeps the two equal.
ImportDuplicates = Literal["skip", "update"]

#: A CSV file for ``contacts.import_csv``: its text (``str``), its bytes (UTF-8 or Latin-1), a
#: path (``pathlib.Path`` or any ``os.PathLike``; a ``str`` is always the CSV's text), or an
#: open file, text or binary.
CsvSource = Union[str, bytes, bytearray, memoryview, "os.PathLike[str]", IO[str], IO[bytes]]

DEFAULT_WAIT_INTERVAL = 0.3
DEFAULT_WAIT_TIMEOUT = 600.0


def csv_body(csv: CsvSource) -> RawBody:
    """The file's bytes, read once (every retry sends the same ones), as ``text/csv``."""
    data: Union[str, bytes]
    if isinstance(csv, str):
        data = csv
    elif isinstance(csv, (bytes, bytearray, memoryview)):
        data = bytes(csv)
    elif isinstance(csv, os.PathLike):
        with open(csv, "rb") as file:
            data = file.read()
    elif hasattr(csv, "read"):
        data = csv.read()
    else:
        raise TypeError(
            "csv must be the CSV's text (str), its bytes, a path (os.PathLike) or an open file,"
            f" not {type(csv).__name__}"
        )
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, bytes):
        raise TypeError(f"reading the csv file gave {type(data).__name__}, not bytes or str")
    return data, "text/csv"


def import_query(
    group_id: Optional[str],
    duplicates: Optional[ImportDuplicates],
    mapping: Optional[Mapping[str, str]],
) -> Dict[str, Any]:
    """The query string of ``POST /v1/contacts/import``; ``mapping`` goes as JSON."""
    params: ImportContactsParams = {}
    if group_id is not None:
        params["group_id"] = group_id
    if duplicates is not None:
        params["duplicates"] = duplicates
    if mapping is not None:
        params["mapping"] = json.dumps(dict(mapping), ensure_ascii=False, separators=(",", ":"))
    return params_to_wire(params, ImportContactsParams)


def is_finished(imp: Import) -> bool:
    """True once the import has stopped: ``completed`` or ``failed``."""
    return imp.status in ("completed", "failed")


def _checked(name: str, value: float) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not value >= 0:
        raise ValueError(f"{name} must be a number of seconds >= 0, got {value!r}")
    return float(value)


def _timed_out(imp: Import, timeout: float) -> APITimeoutError:
    error = APITimeoutError(
        f"Import {imp.id} is still {imp.status} after {timeout:g} s"
        f" ({imp.processed} of {imp.total} rows)"
    )
    error.details.update(
        import_id=imp.id, status=imp.status, processed=imp.processed, total=imp.total
    )
    return error


def _path(import_id: str) -> str:
    return f"/v1/imports/{path_id(import_id, 'import_id')}"


class AsyncImports(AsyncResource):
    """``/v1/imports``: CSV imports started with ``contacts.import_csv``, read while the server
    works through them in the background."""

    async def get(self, import_id: str) -> Import:
        """The import as it stands: ``status``, ``processed`` of ``total``, ``created``,
        ``updated``, ``skipped``, ``failed_rows`` and the refused rows (``errors``)."""
        return await self._client._call(Import, "GET", _path(import_id))

    async def wait(
        self,
        import_id: str,
        *,
        interval: float = DEFAULT_WAIT_INTERVAL,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        on_progress: Optional[Callable[[Import], object]] = None,
    ) -> Import:
        """Reads the import every ``interval`` seconds until it is ``completed`` or ``failed``
        and returns it (a failed import is returned, not raised: check ``status``).

        ``on_progress(imp)`` is called after each read, the last one included (the async
        client awaits what it returns when that is awaitable). Raises ``APITimeoutError`` (code
        ``TIMEOUT``) when the import is still running after ``timeout`` seconds (default 600).
        """
        interval = _checked("interval", interval)
        timeout = _checked("timeout", timeout)
        deadline = time.monotonic() + timeout
        while True:
            imp = await self.get(import_id)
            if on_progress is not None:
                result = on_progress(imp)
                if inspect.isawaitable(result):  # async only
                    await result
            if is_finished(imp):
                return imp
            left = deadline - time.monotonic()
            if left <= 0:
                raise _timed_out(imp, timeout)
            await self._client._sleep(min(interval, left))


# ---- Below: generated by codegen/unasync.py from the Async classes above. Do not edit. ----


class Imports(SyncResource):
    """``/v1/imports``: CSV imports started with ``contacts.import_csv``, read while the server
    works through them in the background."""

    def get(self, import_id: str) -> Import:
        """The import as it stands: ``status``, ``processed`` of ``total``, ``created``,
        ``updated``, ``skipped``, ``failed_rows`` and the refused rows (``errors``)."""
        return self._client._call(Import, "GET", _path(import_id))

    def wait(
        self,
        import_id: str,
        *,
        interval: float = DEFAULT_WAIT_INTERVAL,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        on_progress: Optional[Callable[[Import], object]] = None,
    ) -> Import:
        """Reads the import every ``interval`` seconds until it is ``completed`` or ``failed``
        and returns it (a failed import is returned, not raised: check ``status``).

        ``on_progress(imp)`` is called after each read, the last one included (the async
        client awaits what it returns when that is awaitable). Raises ``APITimeoutError`` (code
        ``TIMEOUT``) when the import is still running after ``timeout`` seconds (default 600).
        """
        interval = _checked("interval", interval)
        timeout = _checked("timeout", timeout)
        deadline = time.monotonic() + timeout
        while True:
            imp = self.get(import_id)
            if on_progress is not None:
                result = on_progress(imp)
            if is_finished(imp):
                return imp
            left = deadline - time.monotonic()
            if left <= 0:
                raise _timed_out(imp, timeout)
            self._client._sleep(min(interval, left))
