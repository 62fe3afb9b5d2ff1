"""Queries whose SQL is built once.

tortoise builds a query's SQL anew (through pypika) every time it is awaited, and on the
relay's hot path that costs more than running it. A `Prepared` query is written as usual,
as a function of its arguments. Its first run for a database dialect builds it with marker
arguments and notes where each one lands among the statement's parameters; later runs only
put the arguments there and let tortoise run the statement and read its rows as it always
does (models, `select_related`, values, counts, updated rows).

Arguments may be ints, strings, aware datetimes and lists of ints or of strings (a list's
length is part of the shape). A call with anything else, or a shape whose arguments tortoise
turns into something else (so a marker is not found as given), runs the usual way.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from tortoise.models import Model
from tortoise.queryset import AwaitableQuery, DeleteQuery, UpdateQuery

log = logging.getLogger(__name__)

T = TypeVar("T")
Shape = tuple[object, ...]  # per argument: int, str, datetime, or (int or str, a list's length)
_INT_MARKER = (
    7_310_000_000_000  # far above any id, count or limit the desk uses (and a valid limit)
)
_DATETIME_MARKER = datetime(1901, 1, 1, tzinfo=UTC)


class _Built:
    """Stands in for the pypika query of a copied template: its SQL, with these values."""

    __slots__ = ("sql", "values")

    def __init__(self, sql: str, values: list[Any]) -> None:
        self.sql, self.values = sql, values

    def get_parameterized_sql(self) -> tuple[str, list[Any]]:
        return self.sql, self.values


@dataclass(frozen=True, slots=True)
class _Plan:
    template: AwaitableQuery[Any]
    sql: str
    constants: tuple[Any, ...]
    slots: tuple[tuple[int, int, int | None], ...]  # (parameter, argument, list index)


class Prepared(Generic[T]):
    def __init__(self, model: type[Model], build: Callable[..., Any]) -> None:
        self._model = model
        self._build = build
        self._plans: dict[tuple[str, Shape], _Plan | None] = {}

    @property
    def unprepared_shapes(self) -> int:
        """How many of the shapes run so far run the usual way."""
        return sum(plan is None for plan in self._plans.values())

    async def __call__(self, *args: Any) -> T:
        shape = _shape(args)
        if shape is None:
            return await self._build(*args)
        db = self._model._meta.db
        key = (db.capabilities.dialect, shape)
        if key not in self._plans:
            self._plans[key] = self._plan(shape)
        plan = self._plans[key]
        if plan is None:
            return await self._build(*args)
        values = list(plan.constants)
        for parameter, argument, index in plan.slots:
            given = args[argument]
            values[parameter] = given if index is None else given[index]
        query = copy.copy(plan.template)
        query._db = db
        query.query = _Built(plan.sql, values)  # type: ignore[assignment]
        return await query._execute()  # type: ignore[no-any-return]

    def _plan(self, shape: Shape) -> _Plan | None:
        markers, where = _markers(shape)
        try:
            query = self._build(*markers)
            if not isinstance(query, AwaitableQuery):
                raise TypeError(f"the query is a {type(query).__name__}")
            query._choose_db_if_not_chosen(_for_write(query))
            query._make_query()
            sql, parameters = query.query.get_parameterized_sql()
        except Exception as error:  # a marker the query refuses: it runs the usual way
            log.warning("A prepared %s query runs unprepared: %s", self._model.__name__, error)
            return None
        slots = []
        for position, value in enumerate(parameters):
            found = [place for marker, place in where if _same(value, marker)]
            if len(found) > 1:
                return self._unprepared("a marker is ambiguous")
            if found:
                slots.append((position, *found[0]))
        if len({(argument, index) for _, argument, index in slots}) != len(where):
            return self._unprepared("an argument is not a parameter as given")
        query._db = None  # type: ignore[assignment]
        return _Plan(query, sql, tuple(parameters), tuple(slots))

    def _unprepared(self, why: str) -> None:
        log.warning("A prepared %s query runs unprepared: %s", self._model.__name__, why)


def _for_write(query: AwaitableQuery[Any]) -> bool:
    return isinstance(query, UpdateQuery | DeleteQuery) or bool(
        getattr(query, "_select_for_update", False)
    )


def _shape(args: Sequence[Any]) -> Shape | None:
    shape: list[object] = []
    for arg in args:
        if isinstance(arg, bool) or arg is None:
            return None
        if isinstance(arg, int | str):
            shape.append(type(arg))
        elif isinstance(arg, datetime) and arg.tzinfo is not None:
            shape.append(datetime)
        elif isinstance(arg, list) and arg and _all_of(arg, type(arg[0])):
            shape.append((type(arg[0]), len(arg)))
        elif isinstance(arg, list) and not arg:
            shape.append((int, 0))
        else:
            return None
    return tuple(shape)


def _all_of(items: list[Any], kind: type) -> bool:
    return kind in (int, str) and all(type(item) is kind for item in items)


def _markers(shape: Shape) -> tuple[list[Any], list[tuple[Any, tuple[int, int | None]]]]:
    """Marker arguments of `shape`, and where each marker stands (argument, list index)."""
    counter = 0

    def marker(kind: object) -> Any:
        nonlocal counter
        counter += 1
        if kind is int:
            return _INT_MARKER + counter
        if kind is str:
            return f"\x01prepared-{counter}\x01"
        return _DATETIME_MARKER + timedelta(microseconds=counter)

    arguments: list[Any] = []
    where: list[tuple[Any, tuple[int, int | None]]] = []
    for argument, kind in enumerate(shape):
        if isinstance(kind, tuple):
            item_kind, length = kind
            items = [marker(item_kind) for _ in range(length)]
            arguments.append(items)
            where += [(item, (argument, index)) for index, item in enumerate(items)]
        else:
            one = marker(kind)
            arguments.append(one)
            where.append((one, (argument, None)))
    return arguments, where


def _same(value: Any, marker: Any) -> bool:
    return type(value) is type(marker) and value == marker


_BY_ID: dict[type[Model], Prepared[Any]] = {}
_BY_IDS: dict[type[Model], Prepared[Any]] = {}

M = TypeVar("M", bound=Model)


async def get_by_id(model: type[M], ident: int) -> M:
    """`model.get(id=ident)`, prepared (raises DoesNotExist like it)."""
    query = _BY_ID.get(model)
    if query is None:
        query = _BY_ID[model] = Prepared(model, lambda i: model.get(id=i))
    return await query(ident)  # type: ignore[no-any-return]


def padded(idents: list[T]) -> list[T]:
    """`idents` with its last repeated up to the next power of two: a list's length is part
    of a prepared query's shape, and a query read with lists of any length would be prepared
    once for each (an id twice in `IN (...)` matches as once)."""
    if not idents:
        return idents
    return idents + idents[-1:] * ((1 << (len(idents) - 1).bit_length()) - len(idents))


async def filter_by_ids(model: type[M], idents: list[int]) -> list[M]:
    """`model.filter(id__in=idents)`, prepared (in no particular order)."""
    query = _BY_IDS.get(model)
    if query is None:
        query = _BY_IDS[model] = Prepared(model, lambda ids: model.filter(id__in=ids))
    return await query(list(idents))  # type: ignore[no-any-return]
