"""SQL that reads the same on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import JSON, String, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


def holds_database(session: AsyncSession) -> bool:
    """Whether a write transaction of this session holds the whole database: on SQLite
    it began with ``BEGIN IMMEDIATE`` (storage/db.py), so nobody else writes until it
    ends and every row it read is still current; on PostgreSQL only the rows it locked
    are."""
    return session.get_bind().dialect.name == "sqlite"


def insert_ignoring_conflicts(session: AsyncSession, table: Any) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` in the dialect of the session's database."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table)


class _JsonArrayAppend(FunctionElement[Any]):
    """``base`` (a JSON array column, or an earlier append) with items added at its end,
    computed by the database: see :func:`append_json_array`."""

    type = JSON()
    inherit_cache = True
    name = "json_array_append"


def append_json_array(base: Any, items: list[Any]) -> Any:
    """A SQL expression: the JSON array ``base`` with ``items`` appended, for an UPDATE
    (or an ORM attribute set to it) that must not read and rewrite a long array in
    Python. ``NULL`` counts as an empty array."""
    texts = [bindparam(None, json.dumps(item), type_=String(), unique=True) for item in items]
    return _JsonArrayAppend(base, *texts)


@compiles(_JsonArrayAppend, "sqlite")
def _append_sqlite(element: _JsonArrayAppend, compiler: Any, **kw: Any) -> str:
    base, *items = (compiler.process(c, **kw) for c in element.clauses)
    sql = f"coalesce({base}, '[]')"
    for item in items:
        sql = f"json_insert({sql}, '$[#]', json({item}))"
    return sql


@compiles(_JsonArrayAppend, "postgresql")
def _append_postgresql(element: _JsonArrayAppend, compiler: Any, **kw: Any) -> str:
    base, *items = (compiler.process(c, **kw) for c in element.clauses)
    added = ", ".join(f"CAST({item} AS JSONB)" for item in items)
    return f"(coalesce({base}, '[]'::jsonb) || jsonb_build_array({added}))"
