"""What the people API accepts and returns: the caller, users, personal tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import StringConstraints, field_validator

from voxloop.api.schemas import Id, Moment, Page, PageQuery
from voxloop.tenancy.models import Role
from voxloop.tenancy.schemas import Body, MembershipOut, UnitRef, checked_email

# --- the caller ------------------------------------------------------------------------


class OrganizationOut(Schema):
    id: int
    name: str
    slug: str


class ActiveMembershipOut(Schema):
    id: int
    organization: OrganizationOut
    unit: UnitRef
    role: Role
    title: str
    capabilities: list[str]


class MeUser(Schema):
    id: int
    username: str
    email: str
    first_name: str
    last_name: str


class MeOut(Schema):
    user: MeUser
    membership: ActiveMembershipOut | None
    scope_root: UnitRef | None
    auth: Literal["token", "session"] = Field(description="How this request was authenticated.")


# --- users -----------------------------------------------------------------------------


class UserOut(Schema):
    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    is_active: bool
    membership: MembershipOut | None = None


class UserPage(Page):
    items: list[UserOut]


class UserFilters(PageQuery):
    q: str = Field("", max_length=200)


class UserInviteIn(Body):
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=150)]
    email: Annotated[str, StringConstraints(min_length=1, max_length=254)]
    unit: Id
    role: Role
    first_name: Annotated[str, StringConstraints(max_length=150)] = ""
    last_name: Annotated[str, StringConstraints(max_length=150)] = ""

    @field_validator("email", mode="after")
    @classmethod
    def _valid_email(cls, value: str) -> str:
        return checked_email(value)


# --- personal API tokens ---------------------------------------------------------------


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime = Field(
        description="When it stops working: never later than the longest lifetime allowed."
    )
    revoked_at: datetime | None

    @staticmethod
    def resolve_expires_at(token: Any) -> datetime:
        return token.expiry


class TokenCreateIn(Body):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    expires_at: Moment = Field(
        description="Required; at most VOXLOOP_TOKEN_MAX_DAYS (default 365) days from now."
    )


class IssuedTokenOut(TokenOut):
    secret: str = Field(description="Shown once, now; only its hash is stored.")
