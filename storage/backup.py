"""Everything a desk stores, as one file and back: to move a desk from SQLite to PostgreSQL
(or back), or to keep a copy.

The file is JSON lines: a header (the format, its version and the migrations the data was
written under), then one line per row, table by table in the order the tables refer to
each other (a line before its entry points, a conversation before its messages). Rows are
read and written a chunk at a time, so a desk of any size never sits in memory (a table of
files a few rows at a time). Values are written as the models read them (times in ISO 8601
with their offset, JSON fields as JSON, bytes in base64), so SQLite's and PostgreSQL's
spellings of the same row export alike.

An import fills an empty, migrated database in one transaction: it is all there or,
after any refusal or error, nothing is. On PostgreSQL each table's id sequence is then
moved past the imported ids, so new rows do not collide with them.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import Any, TextIO

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.fields import BinaryField, Field, JSONField
from tortoise.models import Model
from tortoise.transactions import in_transaction

from storage import models
from storage.db import all_migrations

FORMAT = "relaydesk-export"
VERSION = 1
CHUNK = 1000
BINARY_CHUNK = 10  # rows of a table with files: up to 50 MB each


class BackupError(Exception):
    """The file or the database is not one an import or export can use; said in words."""


def exported_models() -> list[type[Model]]:
    """Every table of the desk, each after the tables it refers to (the models' order)."""
    found = [
        value
        for value in vars(models).values()
        if isinstance(value, type) and issubclass(value, Model) and value is not Model
    ]
    return [model for model in found if not model._meta.abstract]


def _columns(model: type[Model]) -> list[tuple[str, Field]]:
    """The table's columns and the field that reads and writes each."""
    meta = model._meta
    return [(column, meta.fields_map[name]) for name, column in meta.fields_db_projection.items()]


def _plain(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, date):  # a datetime too
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _placeholders(db: BaseDBAsyncClient, count: int) -> str:
    if db.capabilities.dialect == "postgres":
        return ", ".join(f"${i}" for i in range(1, count + 1))
    return ", ".join("?" for _ in range(count))


async def export_to(path: Path) -> dict[str, int]:
    """Write the connected database to `path`; returns the rows written per table."""
    written: dict[str, int] = {}
    with path.open("w", encoding="utf-8") as out:
        async with in_transaction() as conn:
            if conn.capabilities.dialect == "postgres":
                # One snapshot for every table, even while a desk writes.
                await conn.execute_script("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            header = {
                "format": FORMAT,
                "version": VERSION,
                "migrations": await _applied(conn),
                "exported_at": datetime.now(UTC).isoformat(),
            }
            out.write(json.dumps(header) + "\n")
            for model in exported_models():
                written[model._meta.db_table] = await _export_table(conn, model, out)
    return written


async def _applied(conn: BaseDBAsyncClient) -> list[str]:
    rows = await conn.execute_query_dict(
        "SELECT version FROM aerich WHERE app = 'models' ORDER BY id"
    )
    return [row["version"] for row in rows]


async def _export_table(conn: BaseDBAsyncClient, model: type[Model], out: TextIO) -> int:
    meta = model._meta
    table, pk = meta.db_table, meta.db_pk_column
    columns = _columns(model)
    names = ", ".join(_quoted(column) for column, _ in columns)
    after: Any = None
    count = 0
    chunk = _chunk(model)
    while True:
        where = "" if after is None else f" WHERE {_quoted(pk)} > {_placeholders(conn, 1)}"
        sql = f"SELECT {names} FROM {_quoted(table)}{where} ORDER BY {_quoted(pk)} LIMIT {chunk}"
        rows = await conn.execute_query_dict(sql, [] if after is None else [after])
        for row in rows:
            values = {
                column: _plain(field.to_python_value(row[column])) for column, field in columns
            }
            line = json.dumps({"table": table, "row": values}, ensure_ascii=False, sort_keys=True)
            out.write(line + "\n")
        count += len(rows)
        if len(rows) < chunk:
            return count
        after = rows[-1][pk]


async def import_from(path: Path) -> dict[str, int]:
    """Fill the connected (migrated, empty) database from `path`; returns the rows per
    table. Raises BackupError, with nothing written, when the file or database will not do."""
    by_table = {model._meta.db_table: model for model in exported_models()}
    with path.open(encoding="utf-8") as source:
        lines = iter(source)
        header = _header(next(lines, ""), path)
        known = all_migrations()
        unknown = [name for name in header["migrations"] if name not in known]
        if unknown:
            raise BackupError(
                f"{path} was exported by a newer Relaydesk (migration {unknown[-1]}); "
                "upgrade this one first"
            )
        async with in_transaction() as conn:
            await _refuse_unless_empty(conn, by_table.values())
            counts = await _import_rows(conn, by_table, lines, path)
            if conn.capabilities.dialect == "postgres":
                for model in by_table.values():
                    await _move_sequence(conn, model)
    return counts


def _header(line: str, path: Path) -> dict[str, Any]:
    try:
        header = json.loads(line)
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Relaydesk export (its first line is no header)")
    if header.get("version") != VERSION:
        raise BackupError(
            f"{path} is an export of format version {header.get('version')}; "
            f"this Relaydesk reads version {VERSION}"
        )
    if not isinstance(header.get("migrations"), list):
        raise BackupError(f"{path} has a header without its migrations")
    return header


async def _refuse_unless_empty(conn: BaseDBAsyncClient, tables: Any) -> None:
    filled = []
    for model in tables:
        table = model._meta.db_table
        rows = await conn.execute_query_dict(f"SELECT COUNT(*) AS n FROM {_quoted(table)}")
        if rows[0]["n"]:
            filled.append(f"{table} ({rows[0]['n']})")
    if filled:
        raise BackupError(
            "the database already holds data: "
            + ", ".join(filled)
            + "; import-data fills an empty database only"
        )


async def _import_rows(
    conn: BaseDBAsyncClient,
    by_table: dict[str, type[Model]],
    lines: Iterator[str],
    path: Path,
) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(by_table, 0)
    pending: list[list[Any]] = []
    current: str | None = None
    for number, line in enumerate(lines, start=2):
        if not line.strip():
            continue
        table, row = _row(line, number, path, by_table)
        if table != current or len(pending) >= _chunk(by_table[table]):
            if current is not None:
                await _insert(conn, by_table[current], pending)
            pending, current = [], table
        pending.append(_db_values(by_table[table], row, number, path))
        counts[table] += 1
    if current is not None:
        await _insert(conn, by_table[current], pending)
    return counts


def _chunk(model: type[Model]) -> int:
    """Rows read or written at a time: a few of a table of files, else many."""
    binary = any(isinstance(field, BinaryField) for _, field in _columns(model))
    return BINARY_CHUNK if binary else CHUNK


def _row(
    line: str, number: int, path: Path, by_table: dict[str, type[Model]]
) -> tuple[str, dict[str, Any]]:
    try:
        item = json.loads(line)
    except ValueError as error:
        raise BackupError(f"{path}, line {number}: not JSON ({error.msg})") from None
    table = item.get("table") if isinstance(item, dict) else None
    row = item.get("row") if isinstance(item, dict) else None
    if table not in by_table or not isinstance(row, dict):
        raise BackupError(f"{path}, line {number}: not a row of a Relaydesk table")
    return table, row


def _db_values(model: type[Model], row: dict[str, Any], number: int, path: Path) -> list[Any]:
    values = []
    for column, field in _columns(model):
        raw = row.get(column)
        try:
            # A JSON field's value was written as the JSON it holds (a text is a text).
            if isinstance(field, BinaryField) and isinstance(raw, str):
                raw = base64.b64decode(raw, validate=True)
            value = raw if isinstance(field, JSONField) else field.to_python_value(raw)
            values.append(field.to_db_value(value, model))
        except (TypeError, ValueError) as error:
            where = f"{path}, line {number}: {model._meta.db_table}.{column}"
            raise BackupError(f"{where} cannot be {raw!r} ({error})") from None
    return values


async def _insert(conn: BaseDBAsyncClient, model: type[Model], rows: list[list[Any]]) -> None:
    columns = [column for column, _ in _columns(model)]
    sql = (
        f"INSERT INTO {_quoted(model._meta.db_table)} "
        f"({', '.join(_quoted(c) for c in columns)}) "
        f"VALUES ({_placeholders(conn, len(columns))})"
    )
    await conn.execute_many(sql, rows)


async def _move_sequence(conn: BaseDBAsyncClient, model: type[Model]) -> None:
    meta = model._meta
    if not getattr(meta.pk, "generated", False):
        return  # a key given by the desk (a setting's name), no sequence
    table, pk = _quoted(meta.db_table), meta.db_pk_column
    await conn.execute_query(
        f"SELECT setval(pg_get_serial_sequence('{table}', '{pk}'), "
        f"COALESCE(MAX({_quoted(pk)}), 1), MAX({_quoted(pk)}) IS NOT NULL) FROM {table}"
    )
