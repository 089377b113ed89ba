"""Bulk writes for benchmark data: a pandas frame straight into a model's table.

PostgreSQL: `COPY … FROM STDIN (FORMAT csv)` fed by `DataFrame.to_csv` in chunks (millions of
rows a minute); SQLite: `executemany`. Columns the frame does not give get the model field's
default (or NULL), so a new column with a default never breaks the benchmark."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection, models

CHUNK = 250_000


def _fill(model: type[models.Model], frame: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for field in model._meta.concrete_fields:
        column = field.column
        if column in frame.columns:
            out[column] = frame[column]
        elif field.primary_key:
            continue
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            out[column] = pd.Timestamp.now(tz="UTC")
        else:
            default = field.get_default()
            if default is None and field.db_default is not models.NOT_PROVIDED:
                default = field.db_default.value  # type: ignore[union-attr]
            if default is None and not field.null:
                raise ValueError(f"{model.__name__}.{field.name} has no value and no default")
            if isinstance(field, models.JSONField):
                default = json.dumps(default)
            out[column] = default
    return pd.DataFrame(out, index=frame.index)


def copy_frame(model: type[models.Model], frame: pd.DataFrame) -> int:
    """Insert every row of `frame` (columns named as the table's) into the model's table."""
    if frame.empty:
        return 0
    full = _fill(model, frame)
    table = model._meta.db_table
    columns = list(full.columns)
    if connection.vendor == "postgresql":
        text_columns = [
            f.column
            for f in model._meta.concrete_fields
            if f.column in columns
            and not f.null
            and isinstance(f, (models.CharField, models.TextField))
        ]
        options = "FORMAT csv"
        if text_columns:
            options += f", FORCE_NOT_NULL ({', '.join(text_columns)})"
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH ({options})"
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            for start in range(0, len(full), CHUNK):
                buffer = io.StringIO()
                full.iloc[start : start + CHUNK].to_csv(
                    buffer, header=False, index=False, date_format="%Y-%m-%d %H:%M:%S.%f%z"
                )
                with cursor.copy(sql) as copy:
                    copy.write(buffer.getvalue())
        return len(full)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(full), CHUNK):
            part = full.iloc[start : start + CHUNK]
            cursor.executemany(sql, [tuple(_py(v) for v in row) for row in part.itertuples(False)])
    return len(full)


def _py(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if value is pd.NaT or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value


def reset_sequence(model: type[models.Model]) -> None:
    """After rows were written with explicit ids: the next id follows the largest."""
    if connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
            f"(SELECT coalesce(max(id), 1) FROM {table}))"
        )


def next_id(model: type[models.Model]) -> int:
    found = model.objects.aggregate(m=models.Max("pk"))["m"]
    return (found or 0) + 1
