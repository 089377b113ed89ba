"""Who is answering, through which link: the survey, the invitation, the unit and staff.

A link key is tried as a public slug first, then as a signed personal token. Unit and staff
codes are resolved inside the survey's organisation only, so a code from another tenant (or a
unit outside the survey) is ignored instead of misplacing the feedback.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation.trans_real import parse_accept_lang_header

from voxloop.contacts.selectors import contact_in_org
from voxloop.responses import anonymity
from voxloop.responses.models import Channel, Device, Origin
from voxloop.surveys import definition, links
from voxloop.surveys.models import Survey, SurveyKind, SurveyStatus
from voxloop.surveys.selectors import live_survey_by_slug
from voxloop.tenancy.selectors import staff_by_code_in_org, unit_by_code_in_org

TABLET = re.compile(r"iPad|Tablet|PlayBook|Silk|Kindle|Android(?!.*Mobile)", re.IGNORECASE)
MOBILE = re.compile(r"Mobi|iPhone|iPod|Android|Windows Phone|Opera Mini", re.IGNORECASE)


class LinkNotFound(Exception):
    """No survey behind this link, or a survey that is not public (a draft)."""


@dataclass(frozen=True)
class Embed:
    """A survey shown inside another product's page (the web widget), reached through that
    product's own signed link: the link names the response (its source key), the channel and
    what the page said about the respondent, and its pages are served under its own routes
    (which decide who may frame them)."""

    source_key: str
    channel: str
    page_route: str
    done_route: str
    attributes: dict = field(default_factory=dict)


@dataclass
class Visit:
    """One respondent's way into a survey, as read from the URL and request."""

    key: str
    survey: Survey
    personal: links.PersonalLink | None = None
    contact: Any = None
    unit: Any = None
    staff: Any = None
    unit_code: str = ""
    staff_code: str = ""
    from_qr: bool = False
    embed: Embed | None = None
    # The score a respondent clicked in the email: its page asks them to confirm it.
    one_click: int | None = None

    @property
    def respondent(self) -> str | None:
        """Who a personal link to an anonymous survey stands for. Never stored: the response
        is found by a one-way key of it and the month (voxloop.responses.anonymity)."""
        if self.personal is None or self.embed is not None or not self.survey.is_anonymous:
            return None
        return anonymity.person_of(self.personal.contact_id, self.personal.invitation)

    def anonymous_key(self, month: date) -> str:
        person = self.respondent
        if person is None:
            raise ValueError("Only a personal link to an anonymous survey has a respondent.")
        survey = self.survey
        return anonymity.source_key(survey.organization_id, survey.pk, person, month)

    @property
    def source_key(self) -> str | None:
        if self.embed is not None:
            return self.embed.source_key
        if self.respondent is not None:
            return self.anonymous_key(anonymity.month_of(timezone.now()))
        return links.invitation_source_key(self.personal) if self.personal else None

    @property
    def keyed(self) -> bool:
        """The link itself names the response: no resume token or cookie is carried."""
        return self.personal is not None or self.embed is not None

    @property
    def origin(self) -> str:
        """A campaign's test send goes wherever staff chose: its answers are staff's."""
        test = self.personal is not None and self.personal.test
        return Origin.STAFF if test else Origin.RESPONDENT

    @property
    def attributes(self) -> dict | None:
        return dict(self.embed.attributes) if self.embed is not None else None

    @property
    def is_kiosk(self) -> bool:
        return self.survey.kind == SurveyKind.KIOSK

    @property
    def channel(self) -> str:
        if self.embed is not None:
            return self.embed.channel
        if self.one_click is not None:
            return Channel.EMAIL
        if self.is_kiosk:
            return Channel.KIOSK
        if self.from_qr and self.unit is not None:
            return Channel.QR
        return Channel.WEB

    def carried(self) -> dict[str, str]:
        """Query parameters that keep an anonymous visit's context from page to page."""
        if self.keyed:
            return {}
        params = {"u": self.unit_code if self.unit else "", "e": self.staff_code}
        params["e"] = params["e"] if self.staff else ""
        if self.from_qr:
            params["src"] = "qr"
        return {k: v for k, v in params.items() if v}


def _survey_by_id(survey_id: int) -> Survey | None:
    return Survey.objects.select_related("unit").filter(pk=survey_id).first()


# Reads a link key (and the query) into a visit; an embedding product passes its own.
Resolver = Callable[[str, Mapping[str, Any]], Visit]


def resolve(key: str, params: Mapping[str, Any]) -> Visit:
    """The visit behind a link key; raises LinkNotFound or links.LinkExpired."""
    if "\x00" in key:
        raise LinkNotFound  # PostgreSQL cannot even compare text with a NUL in it
    survey = live_survey_by_slug(key) if len(key) <= 32 else None
    if survey is not None:
        visit = Visit(key=key, survey=survey)
        _place_anonymous(visit, params)
    else:
        try:
            personal = links.read_personal_token(key)
        except links.LinkInvalid:
            raise LinkNotFound from None
        survey = _survey_by_id(personal.survey_id)
        if survey is None:
            raise LinkNotFound
        visit = Visit(key=key, survey=survey, personal=personal)
        visit.contact = contact_in_org(survey.organization_id, personal.contact_id)
    if survey.status == SurveyStatus.DRAFT:
        raise LinkNotFound
    return visit


def _place_anonymous(visit: Visit, params: Mapping[str, Any]) -> None:
    org_id = visit.survey.organization_id
    # `u`/`e` as printed codes carry them; `unit`/`staff` spelled out work the same.
    unit_code = _code(params, "u") or _code(params, "unit")
    staff_code = _code(params, "e") or _code(params, "staff")
    unit = unit_by_code_in_org(org_id, unit_code)
    if unit is not None and unit.path.startswith(visit.survey.unit_path):
        visit.unit, visit.unit_code = unit, unit_code
    staff = staff_by_code_in_org(org_id, staff_code)
    if staff is not None and staff.unit.path.startswith(visit.survey.unit_path):
        visit.staff, visit.staff_code = staff, staff_code
    visit.from_qr = params.get("src") == "qr"


def _code(params: Mapping[str, Any], name: str) -> str:
    """A unit or staff code from the link; one with a NUL (no code has one) is no code."""
    code = str(params.get(name, ""))[:64].strip()
    return "" if "\x00" in code else code


def device_of(user_agent: str, survey: Survey) -> str:
    if survey.kind == SurveyKind.KIOSK:
        return Device.KIOSK
    if not user_agent:
        return Device.UNKNOWN
    if TABLET.search(user_agent):
        return Device.TABLET
    if MOBILE.search(user_agent):
        return Device.MOBILE
    return Device.DESKTOP


def choose_locale(visit: Visit, request: HttpRequest, started_in: str = "") -> str:
    """The switcher's choice, else the language the response began in, the invitation's,
    the contact's, the browser's; the survey's default when it offers none of them."""
    survey = visit.survey
    offered = {survey.default_locale, *survey.locales}
    asked = str(request.GET.get("lang") or request.POST.get("lang") or "").lower()
    if asked in offered:
        return asked
    wanted = [started_in]
    if visit.personal:
        wanted.append(visit.personal.locale)
    if visit.contact is not None:
        wanted.append(visit.contact.locale)
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    wanted.extend(lang for lang, _ in parse_accept_lang_header(header) if lang != "*")
    return definition.pick_locale(survey, [w for w in wanted if w])


def pipe_values(visit: Visit, unit: Any = None, staff: Any = None) -> dict[str, str]:
    """Values for {{first_name}}, {{unit}}, {{staff}}; the survey's own unit names the place
    when neither the link nor the contact says which store it was."""
    staff = staff or visit.staff
    contact = None if visit.survey.is_anonymous else visit.contact
    # Where the response is (or will be) placed: as the capture service decides.
    unit = (
        unit
        or visit.unit
        or (staff.unit if staff is not None else None)
        or (visit.contact.home_unit if visit.contact is not None else None)
        or visit.survey.unit
    )
    return {
        "first_name": getattr(contact, "first_name", "") or "",
        "last_name": getattr(contact, "last_name", "") or "",
        "unit": unit.name if unit is not None else "",
        "staff": staff.name if staff is not None else "",
    }
