"""Conversion between the API's camelCase JSON and the SDK's snake_case types.

Driven by the generated types: a dataclass or TypedDict field ``first_name`` is the JSON
property ``firstName``; a free-form map (``custom_fields``) keeps its keys as they are.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import functools
import sys
import typing
from typing import Any, Dict, List, Mapping, Type, TypeVar, Union

from . import _compat
from ._errors import FluenzrError

T = TypeVar("T")

_NONE = type(None)


def camel(name: str) -> str:
    """``first_name`` -> ``firstName``; a trailing ``_`` (``from_``) is dropped."""
    head, *rest = name.rstrip("_").split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@functools.lru_cache(maxsize=None)
def _hints(cls: type) -> Dict[str, Any]:
    """The evaluated annotations of a generated class (NotRequired[X] reads as X)."""
    namespace = dict(vars(sys.modules[cls.__module__]))
    namespace.update(NotRequired=_compat.NotRequired, Required=_compat.Required)
    return typing.get_type_hints(cls, globalns=namespace)


def _is_typeddict(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, dict) and hasattr(tp, "__total__")


def _strip_optional(tp: Any) -> List[Any]:
    return [arg for arg in typing.get_args(tp) if arg is not _NONE]


def to_wire(value: Any, tp: Any = Any) -> Any:
    """A Python value (snake_case mappings, dataclasses) as JSON for the API."""
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin is Union:
        members = _strip_optional(tp)
        return to_wire(value, members[0] if len(members) == 1 else Any)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        hints = _hints(type(value))
        return {
            camel(f.name): to_wire(getattr(value, f.name), hints[f.name])
            for f in dataclasses.fields(value)
        }
    if _is_typeddict(tp) and isinstance(value, Mapping):
        hints = _hints(tp)
        return {camel(k): to_wire(v, hints.get(k, Any)) for k, v in value.items()}
    if origin in (list, collections.abc.Sequence) and not isinstance(value, (str, bytes)):
        (item,) = typing.get_args(tp) or (Any,)
        return [to_wire(v, item) for v in value]
    if origin in (dict, collections.abc.Mapping):
        args = typing.get_args(tp)
        item = args[1] if len(args) == 2 else Any
        return {k: to_wire(v, item) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_wire(v) for v in value]
    return value


def params_to_wire(params: Mapping[str, Any], cls: type) -> Dict[str, Any]:
    """Keyword arguments typed by the params TypedDict ``cls`` as a JSON object."""
    converted: Dict[str, Any] = to_wire(dict(params), cls)
    return converted


class ResponseShapeError(FluenzrError):
    """An answer does not have the shape its type requires (the server and the SDK disagree)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="INVALID_RESPONSE")


def from_wire(value: Any, tp: Any) -> Any:
    """JSON from the API as the generated type ``tp`` (dataclasses built recursively)."""
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin is Union:
        members = _strip_optional(tp)
        return from_wire(value, members[0]) if len(members) == 1 else value
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(value, Mapping):
            raise ResponseShapeError(f"expected an object for {tp.__name__}, got {value!r}")
        hints = _hints(tp)
        kwargs = {}
        for f in dataclasses.fields(tp):
            key = camel(f.name)
            if key in value:
                kwargs[f.name] = from_wire(value[key], hints[f.name])
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ResponseShapeError(f"the answer's {tp.__name__} has no {key!r}")
        return tp(**kwargs)
    if origin is list and isinstance(value, list):
        (item,) = typing.get_args(tp) or (Any,)
        return [from_wire(v, item) for v in value]
    if origin is dict and isinstance(value, Mapping):
        args = typing.get_args(tp)
        item = args[1] if len(args) == 2 else Any
        return {k: from_wire(v, item) for k, v in value.items()}
    return value


def build(cls: Type[T], value: Any) -> T:
    """JSON from the API as an instance of the generated dataclass ``cls``."""
    if value is None:
        raise ResponseShapeError(f"the answer has no {cls.__name__}")
    built: T = from_wire(value, cls)
    return built
