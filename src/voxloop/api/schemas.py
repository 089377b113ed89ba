"""Building blocks every app's API schemas share: request bodies, pages, errors, ids."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, field_validator

MAX_PAGE = 500
DEFAULT_PAGE = 100
# Offsets are read and skipped row by row: past this, a client pages with `after` (keyset).
MAX_OFFSET = 10_000
MAX_ID = 2**63 - 1

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# Every whole number a request carries is bounded (the schemathesis run checks that none is
# not): a larger one is a 422 naming the field, never a driver or date overflow (a 500).
# Ids the database can hold.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# An id where 0 means "none" (e.g. unassign a case).
IdOrNone = Annotated[int, Field(ge=0, le=MAX_ID, description="0 for none.")]
# Counts the services bound themselves (hours, days): kept within a 32-bit integer here.
Whole = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
# Scores and targets: finite, and far beyond any metric.
Number = Annotated[float, Field(ge=-1e9, le=1e9)]
FIRST_YEAR, LAST_YEAR = 1970, 2999


def _plausible_year(value: date) -> date:
    # Year 1 or 9999 overflows as soon as a time zone or a period before it is applied.
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"must be between the years {FIRST_YEAR} and {LAST_YEAR}")
    return value


Day = Annotated[date, AfterValidator(_plausible_year)]
Moment = Annotated[datetime, AfterValidator(_plausible_year)]


ErrorCode = Literal[
    "invalid",
    "malformed_json",
    "bad_request",
    "unauthenticated",
    "forbidden",
    "not_found",
    "conflict",
    "precondition_failed",
    "precondition_required",
    "idempotency_key_reused",
    "rate_limited",
    "error",
]


class Problem(Schema):
    field: str | None
    message: str


class ErrorDetail(Schema):
    code: ErrorCode
    message: str
    field: str | None = Field(None, description="The input at fault, when there is one.")
    problems: list[Problem] | None = Field(
        None, description="Every field at fault (422 for a body or parameters)."
    )


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
    """Every list pages the same way: `limit`, then `after` (the previous page's `next`) read
    by position in the order (keyset), as fast at any depth as the first page; `offset` is
    kept for existing clients and stops at MAX_OFFSET."""

    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE)
    offset: int = Field(
        0, ge=0, le=MAX_OFFSET, description=f"At most {MAX_OFFSET:,}; deeper, page with `after`."
    )
    after: str | None = Field(
        None, max_length=500, description="The `next` of the previous page (instead of offset)."
    )


class Page(Schema):
    """The envelope of a list: `next` is the cursor of the following page on lists that have
    cursors (null on the last page and elsewhere)."""

    count: int
    limit: int
    offset: int
    next: str | None = None


class CursorPageQuery(PageQuery):
    """Kept for the schemas that name it: every PageQuery has cursors now."""


class ListQuery(NoNul):
    """The query of a list answered as a plain JSON array (kept so for existing clients): up
    to `limit` items, and a `Link: <…>; rel="next"` header while more follow."""

    limit: int = Field(MAX_PAGE, ge=1, le=MAX_PAGE)
    after: str | None = Field(
        None, max_length=500, description="The cursor in the previous answer's `Link` header."
    )
