"""Single-row SQL for the response capture hot path.

The ORM spends about half a millisecond building the SQL of each query, several times what
the database takes to answer a lookup by index, so the few statements every submission runs
are prepared here once per model and columns, then executed directly. Values still go through
each field's own conversions (to and from the database), so what is stored and read is exactly
what the ORM would store and read. Everything that is not on that path uses the ORM.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connections
from django.db.models import Field, Model
from django.db.models.expressions import Col

DB = "default"
Row = TypeVar("Row", bound=Model)
Converters = list[tuple[Col, list[Callable[..., Any]]]]


def _column(field: Field[Any, Any]) -> str:
    if field.column is None:  # only fields without a column of their own (never concrete)
        raise ValueError(f"{field.name} has no column")
    return field.column


@cache
def _select(
    model: type[Model], columns: tuple[str, ...], where: str, vendor: str
) -> tuple[str, list[str], Converters]:
    """The SELECT statement and each column's converters, in concrete field order."""
    fields = [f for f in model._meta.concrete_fields if f.attname in columns]
    if len(fields) != len(columns):
        raise ValueError(f"unknown column among {columns} of {model.__name__}")
    connection = connections[DB]
    quote = connection.ops.quote_name
    names = ", ".join(quote(_column(f)) for f in fields)
    # Identifiers come from the model, `where` is a constant of the caller's; values are
    # always parameters.
    sql = f"SELECT {names} FROM {quote(model._meta.db_table)} WHERE {where}"  # noqa: S608
    converters: Converters = []
    for field in fields:
        column = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        converters.append((column, found))
    return sql, [f.attname for f in fields], converters


def fetch(
    model: type[Row], columns: Sequence[str], where: str, params: Sequence[Any]
) -> Row | None:
    """The first row matching `where` as a model instance holding `columns` (attnames); any
    other field is deferred and loads on first use, as with `.only()`."""
    connection = connections[DB]
    sql, attnames, converters = _select(model, tuple(columns), where, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql + " LIMIT 1", list(params))
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for value, (column, found) in zip(row, converters, strict=True):
        for converter in found:
            value = converter(value, column, connection)
        values.append(value)
    return model.from_db(DB, attnames, values)


# Values of these types reach the driver unchanged from these fields' own conversions, so
# they are passed as they are; anything else (JSON, datetimes) goes through the field.
PLAIN_TYPES = (int, str, bool, type(None))
PLAIN_FIELDS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
}


@cache
def _insert(model: type[Model], vendor: str) -> tuple[str, list[tuple[Field[Any, Any], bool]]]:
    connection = connections[DB]
    quote = connection.ops.quote_name
    fields = [
        (f, f.get_internal_type() in PLAIN_FIELDS and not _fills_itself(f))
        for f in model._meta.concrete_fields
        if not f.primary_key
    ]
    names = ", ".join(quote(_column(f)) for f, _ in fields)
    marks = ", ".join(["%s"] * len(fields))
    pk = quote(_column(model._meta.pk))
    table = quote(model._meta.db_table)
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks}) RETURNING {pk}"  # noqa: S608
    return sql, fields


def _fills_itself(field: Field[Any, Any]) -> bool:
    """auto_now and the like: the field's pre_save sets the value."""
    return type(field).pre_save is not Field.pre_save


def insert(instance: Model) -> None:
    """INSERT one new row (automatic primary key) and give the instance its id, as save()
    would; database errors (a unique constraint) surface as Django's IntegrityError."""
    connection = connections[DB]
    sql, fields = _insert(type(instance), connection.vendor)
    values = []
    for field, plain in fields:
        if plain:
            value = getattr(instance, field.attname)
            if type(value) in PLAIN_TYPES:
                values.append(value)
                continue
        values.append(field.get_db_prep_save(field.pre_save(instance, True), connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        instance.pk = cursor.fetchone()[0]
    instance._state.adding = False
    instance._state.db = DB
