"""Building blocks every app's API schemas share: request bodies, pages, errors, ids."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

MAX_PAGE = 500
DEFAULT_PAGE = 100

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# Ids the database can hold: a larger number is a 422 naming the field, not a driver overflow.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class ErrorDetail(Schema):
    code: str
    message: str
    field: str | None = None


class ErrorOut(Schema):
    error: ErrorDetail


NUL = "\x00"


def refuse_nul(value: Any) -> Any:
    """PostgreSQL cannot store NUL in text (the insert fails, a 500) and SQLite stores it as
    is: a NUL anywhere in a string, a key or a nested value is refused, naming the field."""
    if isinstance(value, str):
        if NUL in value:
            raise ValueError("may not contain a NUL character")
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_nul(key)
            refuse_nul(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            refuse_nul(item)
    elif isinstance(value, BaseModel):
        refuse_nul(dict(value))
    return value


class NoNul(Schema):
    """Mixin for inputs whose strings go to the database as they are."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)


class Input(Schema):
    """A request body: unknown fields are refused so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid")


class PatchInput(Input):
    """A partial update: leave a field out to keep it; an explicit null is refused."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null; leave the field out to keep its value")
        return value

    def changes(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True)


class PageQuery(NoNul):
    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE)
    # Bounded like ids: a larger offset is a 422 naming it, not a database overflow.
    offset: int = Field(0, ge=0, le=2**63 - 1 - MAX_PAGE)
