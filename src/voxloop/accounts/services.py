"""Every write about people: users, personal API tokens, login throttling."""

from __future__ import annotations

import copy
import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation

from voxloop import counters
from voxloop.accounts import recent_tokens
from voxloop.accounts.models import ApiToken
from voxloop.errors import Conflict, Forbidden, InvalidInput, NotFound
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy import services as tenancy_services
from voxloop.tenancy.models import Membership, OrgUnit
from voxloop.tenancy.scoping import Capability, Scope

TOKEN_PREFIX = "vxl_"  # noqa: S105 - a public marker, not a secret


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- users -----------------------------------------------------------------------------


def create_user(
    *,
    username: str,
    email: str = "",
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    is_superuser: bool = False,
    check_password: bool = True,
) -> Any:
    """A new login; without a password it can only be entered through a password reset."""
    User = get_user_model()
    # As the sign-in form will look it up (NFKC), or the account could never be entered.
    username = User.normalize_username(username.strip())
    if not username:
        raise InvalidInput("A user needs a username.", field="username")
    try:
        User.username_validator(username)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), field="username") from None
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(f"'{email}' is not a valid email address.", "email") from None
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(f"The username '{username}' is taken.", field="username")
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    user.is_superuser = user.is_staff = is_superuser
    if password:
        if check_password:
            try:
                validate_password(password, user)
            except ValidationError as error:
                raise InvalidInput(" ".join(error.messages), field="password") from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


def set_active(*, user: Any, active: bool, actor: Scope) -> Any:
    """Let a login in or keep it out: an inactive user's sessions stop at their next request
    (the authentication backend refuses inactive users) and their API tokens stop with them.
    Identity providers call this when they deprovision someone (identity.provisioning)."""
    if user.is_active == active:
        return user
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        tenancy_services.record_audit(
            actor=actor,
            action="user.activate" if active else "user.deactivate",
            target=user,
            changes={"is_active": [not active, active]},
        )
    return user


def invite_user(
    *, actor: Scope, username: str, email: str, unit: OrgUnit, role: str, **names: str
) -> Membership:
    """An admin adds a person at a unit with a role; they set a password from the reset email."""
    if not email:
        raise InvalidInput("An invited user needs an email address.", field="email")
    with transaction.atomic():
        user = create_user(username=username, email=email, **names)
        membership = tenancy_services.grant_membership(actor=actor, user=user, unit=unit, role=role)
        tenancy_services.record_audit(
            actor=actor, action="user.create", target=user, changes={"email": email}
        )
        enqueue_password_email(user=user, purpose=PasswordEmail.INVITE)
    return membership


def set_language(*, user: Any, language: str, actor: Scope | None = None) -> Any:
    """Remember the language a person reads in (their digests are written in it)."""
    from voxloop.accounts.models import Profile

    language = (language or "").strip().lower()
    if language and language not in dict(settings.LANGUAGES):
        raise InvalidInput(f"Unknown language '{language[:20]}'.", field="language")
    with transaction.atomic():
        profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
        if profile.language == language:
            return profile
        before, profile.language = profile.language, language
        profile.save(update_fields=["language"])
        tenancy_services.record_audit(
            actor=actor,
            action="user.language",
            target=profile,
            changes={"language": [before, language]},
        )
    return profile


# --- "set your password" emails: password resets and invitations ----------------------


class PasswordEmail:
    RESET = "reset"
    INVITE = "invite"


def enqueue_password_email(*, user: Any, purpose: str, language: str | None = None) -> None:
    """Queue the email once the surrounding transaction commits, so a rolled-back invitation
    sends nothing and a worker never looks for a user that is not there yet."""
    from voxloop.accounts.tasks import send_password_email

    language = language or translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: send_password_email.enqueue(user.pk, purpose, language))


def request_password_reset(*, email: str, language: str | None = None) -> int:
    """Queue a reset email for every active user with this address; the caller answers the
    same whether or not any exists, so the page reveals nothing about who has an account."""
    User = get_user_model()
    email = email.strip()
    if not email or not _reset_allowed(email):
        return 0
    # Users whose password is still unset (invited) may use this too: it is how they get in.
    users = list(User.objects.filter(email__iexact=email, is_active=True))
    for user in users:
        enqueue_password_email(user=user, purpose=PasswordEmail.RESET, language=language)
    return len(users)


RESETS_PER_ADDRESS_PER_HOUR = 3


def _reset_allowed(email: str) -> bool:
    """A few reset emails per address an hour, so the form cannot be used to flood an inbox.
    Counted whether or not the address has an account, so the limit reveals nothing either."""
    name = "reset-request:" + hashlib.sha256(email.lower().encode()).hexdigest()[:32]
    return counters.hit(name, 3600).count <= RESETS_PER_ADDRESS_PER_HOUR


def send_password_email(*, user_id: int, purpose: str, language: str) -> bool:
    """Build and send one "set your password" email; False when the user is gone or inactive."""
    from voxloop.accounts.emails import password_email

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    password_email(user, purpose, language).send()
    return True


def password_was_set(*, user: Any) -> None:
    """After a reset: lift the sign-in lock for this user and put the change in the audit log."""
    clear_login_failures(username=user.get_username())
    for membership in tenancy_selectors.memberships_of(user):
        tenancy_services.record_audit(
            actor=Scope.of(membership), action="user.password_set", target=user
        )


# --- personal API tokens ---------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown to its owner once, never stored


def create_token(
    *, membership: Membership, name: str, expires_at: datetime | None = None
) -> IssuedToken:
    """A new token for the membership. Without `expires_at` it lives as long as allowed (the
    CLI and tests); the API and the tokens page always name one."""
    name = name.strip()
    if not name:
        raise InvalidInput("Give the token a name so you recognise it later.", field="name")
    if len(name) > 100:
        raise InvalidInput("The token name is longer than 100 characters.", field="name")
    now = timezone.now()
    latest = now + timedelta(days=settings.TOKEN_MAX_DAYS)
    if expires_at is None:
        expires_at = latest
    elif timezone.is_naive(expires_at):
        # "2030-01-31" or a time without an offset: read in the server's time zone.
        expires_at = timezone.make_aware(expires_at)
    if expires_at <= now:
        raise InvalidInput("The expiry date is in the past.", field="expires_at")
    if expires_at > latest:
        raise InvalidInput(
            f"A token lives at most {settings.TOKEN_MAX_DAYS} days: choose an earlier expiry.",
            field="expires_at",
        )
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            user_id=membership.user_id,
            membership=membership,
            name=name,
            prefix=prefix,
            digest=_digest(secret),
            expires_at=expires_at,
        )
        tenancy_services.record_audit(
            actor=Scope.of(membership), action="token.create", target=token
        )
    return IssuedToken(token=token, secret=secret)


def revoke_tokens(*, actor: Scope, tokens: Iterable[ApiToken]) -> int:
    """An admin revokes tokens of people in their subtree (e.g. someone left the company)."""
    actor.require(Capability.CONFIGURE)
    revoked = 0
    now = timezone.now()
    with transaction.atomic():
        for token in tokens:
            if token.revoked_at is not None:
                continue
            membership = token.membership
            if membership.organization_id != actor.organization_id or not actor.covers(
                membership.unit
            ):
                raise Forbidden("This token belongs to someone outside your organisation part.")
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
            tenancy_services.record_audit(actor=actor, action="token.revoke", target=token)
            revoked += 1
    return revoked


def revoke_token(*, user: Any, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens."""
    token = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound("No such token.")
    token.revoked_at = timezone.now()
    with transaction.atomic():
        token.save(update_fields=["revoked_at"])
        tenancy_services.record_audit(
            actor=Scope.of(token.membership), action="token.revoke", target=token
        )
    return token


def authenticate_token(
    *, secret: str, held: recent_tokens.HeldTokens | None = None
) -> ApiToken | None:
    """The live token behind a bearer secret, or None; marks it used.

    The token (with its membership, unit and user) may be the one this process holds for
    every request presenting it: read it, and take `own_copy` of it to change anything.
    `held` is this process's store of recent tokens (tests pass another to stand for a
    second process).
    """
    if not secret.startswith(TOKEN_PREFIX) or secret.count("_") < 2:
        return None
    held = held or recent_tokens.held
    digest = _digest(secret)
    token = held.recall(digest)
    if token is not None and token.expiry > timezone.now():
        return token
    generation = held.generation()  # before the database: a later change is then noticed
    prefix = secret[len(TOKEN_PREFIX) :].split("_", 1)[0]
    token = (
        ApiToken.objects.select_related("membership__unit", "membership__user", "user")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.digest, digest):
        return None
    now = timezone.now()
    if token.expiry <= now:
        return None
    if not token.user.is_active:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        # Throttled so a busy integration does not turn every read into a write.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    held.remember(digest, token, generation)
    return token


def own_copy(*, token: ApiToken) -> ApiToken:
    """A token with its own user, membership and unit objects, which a request may change
    without touching the ones every thread of the process shares."""
    mine, membership = copy.copy(token), copy.copy(token.membership)
    user = copy.copy(token.user)
    membership.unit, membership.user = copy.copy(token.membership.unit), user
    mine.user, mine.membership = user, membership
    return mine


# --- login throttling ------------------------------------------------------------------


def _throttle_name(username: str) -> str:
    """The username as the sign-in form will look it up (NFKC, like Django's UsernameField),
    case-folded: every spelling that can reach one account counts against the same limit."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


def _attempt_counters(username: str, ip: str | None) -> tuple[tuple[str, int], tuple[str, int]]:
    """(counter name, allowed attempts) for the username and for the address. An address gets
    more room than one username: offices share one public address."""
    limit = settings.LOGIN_RATE_LIMIT
    user_key = hashlib.sha256(_throttle_name(username).encode()).hexdigest()[:32]
    return (f"login:user:{user_key}", limit), (f"login:ip:{ip or 'unknown'}", limit * 4)


def begin_login_attempt(*, username: str, ip: str | None) -> int:
    """Count a sign-in attempt before its password is checked; the seconds to wait when this
    username or address has used up its window (0: go ahead). Counting first means attempts
    sent at the same moment cannot all slip in under the limit."""
    window = settings.LOGIN_RATE_WINDOW_SECONDS
    waits = [0]
    for name, allowed in _attempt_counters(username, ip):
        tally = counters.hit(name, window)
        if tally.count > allowed:
            waits.append(tally.retry_after())
    return max(waits)


def login_succeeded(*, username: str, ip: str | None) -> None:
    """A right password: the username starts afresh and the address gets its attempt back."""
    (user_counter, _), (ip_counter, _) = _attempt_counters(username, ip)
    counters.clear(user_counter)
    counters.take_back(ip_counter)


def clear_login_failures(*, username: str) -> None:
    counters.clear(_attempt_counters(username, None)[0][0])
