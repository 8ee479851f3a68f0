"""A saved world's rows checked against their models' type hints, and built.

A row is a model's fields in their order; each value is checked against its field's
type (JSON gives lists where a model holds tuples, ints where it holds floats), so a
damaged or planted file raises `SavedWorldError` with where and what, never a model
holding a value of the wrong type.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import types
import typing
from collections.abc import Callable
from typing import Any

from vbstui.sim.models import Image, Server


class SavedWorldError(ValueError):
    """The saved world cannot be used; the message says why in a few words."""


def need(value: Any, kind: type, where: str) -> Any:
    if not isinstance(value, kind):
        raise SavedWorldError(f"{where}: expected {kind.__name__}")
    return value


def build(cls: type, row: Any, where: str) -> Any:
    names = _fields(cls)[0]
    values = need(row, list, where)
    if len(values) != len(names):
        raise SavedWorldError(f"{where}: expected {len(names)} fields")
    # The rows of a table mostly share one shape (the type of each value), so the check
    # is worked out once per shape: which values are floats (to be finite) and which
    # need converting or a closer look.  The rest are exactly of their field's type.
    shape = (cls, *map(type, values))
    plan = _PLANS.get(shape)
    if plan is None:
        plan = _PLANS[shape] = _plan(cls, shape[1:])
    floats, closer = plan
    if floats and not all(map(math.isfinite, map(values.__getitem__, floats))):
        closer = tuple((index, _converter(float)) for index in floats)
    if closer:
        values = values.copy()
        for index, convert in closer:
            values[index] = convert(values[index], f"{where}.{names[index]}")
    return cls(*values)  # the fields in their order (see check_positional)


def _plan(cls: type, kinds: tuple[type, ...]) -> Plan:
    """For rows with values of these types: the floats, and the values to convert (an
    int where a float belongs, a list to check item by item, a value of a wrong type)."""
    floats, closer = [], []
    for index, (hint, kind) in enumerate(zip(_fields(cls)[1], kinds, strict=True)):
        if kind in _exact_types(hint):
            if kind is float:
                floats.append(index)
        else:
            closer.append((index, _converter(hint)))
    return tuple(floats), tuple(closer)


def _exact_types(hint: Any) -> frozenset[type]:
    """Value types that are `hint` as they are (`str | None`: str and None)."""
    if hint in (str, bool, int, float, Server, Image):
        return frozenset({hint})
    if typing.get_origin(hint) in (types.UnionType, typing.Union):
        return frozenset().union(*map(_exact_types, typing.get_args(hint)))
    return frozenset({type(None)}) if hint is type(None) else frozenset()


def check_positional(cls: type) -> None:
    """`build` passes every field by position: a model with a keyword-only or
    `init=False` field cannot be restored by it."""
    if any(not f.init or f.kw_only for f in dataclasses.fields(cls)):
        raise TypeError(f"{cls.__name__}: build passes every field by position")


@functools.cache
def _fields(cls: type) -> tuple[list[str], list[Any]]:
    """The model's field names in their order, and the type of each."""
    check_positional(cls)
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    return names, [hints[name] for name in names]


def conform(value: Any, hint: Any, where: str) -> Any:
    """`value` as type `hint` (JSON's lists become tuples where the model wants them)."""
    return _converter(hint)(value, where)


Convert = Callable[[Any, str], Any]
Plan = tuple[tuple[int, ...], tuple[tuple[int, Convert], ...]]


@functools.cache
def _converter(hint: Any) -> Convert:
    """The check of one field type, worked out once per type: a saved world holds tens
    of thousands of values, and `typing`'s look at the type would be redone for each."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        optional = type(None) in args
        inner = _converter(next(a for a in args if a is not type(None)))

        def union(value: Any, where: str) -> Any:
            return None if value is None and optional else inner(value, where)
        return union
    check = _SCALARS.get(hint)
    if check is not None:
        name, to_float = getattr(hint, "__name__", hint), hint is float

        def scalar(value: Any, where: str) -> Any:
            if not check(value):
                raise SavedWorldError(f"{where}: expected {name}")
            return float(value) if to_float else value
        return scalar
    if hint in (Server, Image):
        def resource(value: Any, where: str) -> Any:
            if not isinstance(value, hint):
                raise SavedWorldError(f"{where}: expected a {hint.__name__.lower()}")
            return value
        return resource
    if origin is list:
        item = _converter(args[0])
        return lambda value, where: [item(v, f"{where}[]") for v in need(value, list, where)]
    if origin is tuple:
        parts = [_converter(a) for a in args]

        def fixed(value: Any, where: str) -> Any:
            items = need(value, list, where)
            if len(items) != len(parts):
                raise SavedWorldError(f"{where}: expected {len(parts)} values")
            return tuple(part(v, where) for v, part in zip(items, parts, strict=True))
        return fixed
    if origin is dict:
        key, item = _converter(args[0]), _converter(args[1])
        return lambda value, where: {key(k, where): item(v, where)
                                     for k, v in need(value, dict, where).items()}

    def unknown(value: Any, where: str) -> Any:
        raise SavedWorldError(f"{where}: cannot be restored")  # a field type added later
    return unknown


def _is_number(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


_SCALARS: dict[Any, Callable[[Any], bool]] = {
    str: lambda v: isinstance(v, str),
    bool: lambda v: isinstance(v, bool),
    int: lambda v: isinstance(v, int) and not isinstance(v, bool),
    float: _is_number,
}

# (model class, type of each value of a row) -> what to check and convert in such a row.
_PLANS: dict[tuple[type, ...], Plan] = {}
