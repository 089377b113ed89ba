"""What the organisation API accepts and returns: units, users, memberships, staff, audit."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Field, Schema
from pydantic import StringConstraints, field_validator

from voxloop.api.schemas import CursorPageQuery, Id, Input, Name, NoNul, Page, PageQuery, PatchInput
from voxloop.tenancy.models import Role, UnitKind

Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)]


class Body(NoNul, Input):
    """A request body of this API: no unknown fields, no NUL characters."""


class Patch(NoNul, PatchInput):
    """A partial update of this API: no explicit nulls, no NUL characters."""


def checked_email(value: str) -> str:
    value = value.strip()
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError("not a valid email address") from None
    return value


# --- units -----------------------------------------------------------------------------


class UnitFilters(PageQuery):
    kind: UnitKind | None = None
    parent: Id | None = None
    q: str = Field("", max_length=200)


class UnitOut(Schema):
    id: int
    parent: int | None
    name: str
    kind: UnitKind
    code: str
    depth: int
    is_active: bool
    time_zone: str
    created_at: datetime

    @staticmethod
    def resolve_parent(obj: Any) -> int | None:
        return obj.parent_id


class UnitPage(Page):
    items: list[UnitOut]


class UnitNode(Schema):
    id: int
    name: str
    kind: UnitKind
    code: str
    depth: int
    children: list[UnitNode]


class UnitCreateIn(Body):
    parent: Id
    name: Name
    kind: UnitKind
    code: Code


class UnitUpdateIn(Patch):
    name: Name | None = None
    kind: UnitKind | None = None
    code: Code | None = None
    is_active: bool | None = None
    time_zone: str | None = Field(
        None, max_length=64, description="An IANA zone such as Asia/Tokyo; empty: the parent's."
    )


class UnitMoveIn(Body):
    parent: Id


# --- people ----------------------------------------------------------------------------


class UnitRef(Schema):
    id: int
    name: str
    kind: UnitKind
    code: str


class MembershipOut(Schema):
    id: int
    user: int
    username: str
    unit: UnitRef
    role: Role
    title: str
    created_at: datetime

    @staticmethod
    def resolve_user(obj: Any) -> int:
        return obj.user_id

    @staticmethod
    def resolve_username(obj: Any) -> str:
        return obj.user.get_username()


class MembershipPage(Page):
    items: list[MembershipOut]


class MembershipFilters(PageQuery):
    role: Role | None = None
    unit: Id | None = None


class MembershipUpdateIn(Patch):
    unit: Id | None = None
    role: Role | None = None
    title: Title | None = None


# --- staff -----------------------------------------------------------------------------


class StaffOut(Schema):
    id: int
    unit: UnitRef
    name: str
    code: str
    email: str
    job_title: str
    is_active: bool
    created_at: datetime


class StaffPage(Page):
    items: list[StaffOut]


class StaffFilters(PageQuery):
    unit: Id | None = None
    q: str = Field("", max_length=200)


class StaffCreateIn(Body):
    unit: Id
    name: Name
    code: Code
    email: Annotated[str, StringConstraints(max_length=254)] = ""
    job_title: Title = ""

    @field_validator("email", mode="after")
    @classmethod
    def _valid_email(cls, value: str) -> str:
        return checked_email(value)


class StaffUpdateIn(Patch):
    unit: Id | None = None
    name: Name | None = None
    code: Code | None = None
    email: Annotated[str, StringConstraints(max_length=254)] | None = None
    job_title: Title | None = None
    is_active: bool | None = None

    @field_validator("email", mode="after")
    @classmethod
    def _valid_email(cls, value: str | None) -> str | None:
        return None if value is None else checked_email(value)


# --- audit -----------------------------------------------------------------------------


class AuditFilters(CursorPageQuery):
    action: str = Field("", max_length=80)
    actor: Id | None = None


class AuditOut(Schema):
    id: int
    at: datetime
    actor: int | None
    actor_label: str
    action: str
    target_type: str
    target_id: str
    target_label: str
    changes: dict
    ip_address: str | None

    @staticmethod
    def resolve_actor(obj: Any) -> int | None:
        return obj.actor_id


class AuditPage(Page):
    items: list[AuditOut]
