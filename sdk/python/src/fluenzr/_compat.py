"""Typing names newer than Python 3.9, for annotations only.

The SDK's annotations are never evaluated at import (``from __future__ import annotations``);
the request converter evaluates the params' TypedDict annotations, where these stand-ins let
``NotRequired[str]`` read as ``str`` on Python versions whose ``typing`` lacks it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing_extensions import NotRequired, Required, Unpack
elif sys.version_info >= (3, 11):
    from typing import NotRequired, Required, Unpack
else:

    class _Transparent:
        def __class_getitem__(cls, item: Any) -> Any:
            return item

    NotRequired = Required = Unpack = _Transparent

__all__ = ["NotRequired", "Required", "Unpack"]
