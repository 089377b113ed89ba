"""Respondent pages: parse the request, call the capture service, render.

Every page works as a plain HTML form (no JavaScript needed). Each answer is saved as a
partial response when the respondent moves on; the last page completes it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.request import RawPostDataException
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from voxloop.errors import InvalidInput, NotFound
from voxloop.responses import anonymity
from voxloop.responses import selectors as response_selectors
from voxloop.responses.models import Response
from voxloop.responses.services import AlreadyCompleted, Submission, SurveyClosed, submit
from voxloop.surveys import definition, links
from voxloop.surveys.models import Question
from voxloop.surveys.respondent import entry, flow, forms, notices, pages, progress, throttle
from voxloop.surveys.respondent.entry import Visit
from voxloop.surveys.selectors import is_open, questions_of

KIOSK_RESTART_SECONDS = 8


class Stop(Exception):
    """A page that ends the request early (closed survey, bad link, rate limit…)."""

    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _open_visit(
    request: HttpRequest, key: str, kind: str, resolver: entry.Resolver = entry.resolve
) -> Visit:
    """The visit behind a link, or Stop with the page that explains why not."""
    if not throttle.allowed(request, kind):
        raise Stop(notices.too_many(request))
    params = request.POST if request.method == "POST" else request.GET
    try:
        visit = resolver(key, params)
    except entry.LinkNotFound:
        raise Stop(notices.invalid(request)) from None
    except links.LinkExpired:
        raise Stop(notices.expired(request)) from None
    if not is_open(visit.survey):
        raise Stop(notices.closed(request, visit))
    return visit


def _response_of(
    visit: Visit, request: HttpRequest, params: Mapping[str, Any], for_thanks: bool = False
) -> Response | None:
    """The respondent's response so far (None: nothing saved yet)."""
    survey = visit.survey
    if visit.keyed:
        found = response_selectors.respondent_response_by_invitation(
            survey.organization_id, survey.pk, visit.source_key or ""
        )
        if found is None and visit.respondent is not None:
            # An anonymous answer begun last month is keyed by that month: resume it (a
            # finished one was last month's answer; this month's is still to give).
            earlier = anonymity.previous_month(anonymity.month_of(timezone.now()))
            found = response_selectors.respondent_response_by_invitation(
                survey.organization_id, survey.pk, visit.anonymous_key(earlier)
            )
            if found is not None and found.is_complete and not for_thanks:
                found = None
        return found
    token = str(params.get("r", ""))
    if token:
        return response_selectors.respondent_response_by_token(survey.pk, token)
    if visit.is_kiosk:
        return None
    remembered = progress.resume_token_from_cookie(request, survey.pk)
    found = response_selectors.respondent_response_by_token(survey.pk, remembered)
    # A finished response in the cookie: coming back later starts a new one.
    if found is not None and found.is_complete and not for_thanks:
        return None
    # Nor is one begun elsewhere resumed: this link's store or staff member is where the
    # answers now belong, not the counter the phone scanned last week.
    if found is not None and not for_thanks and not _same_place(visit, found):
        return None
    return found


def _same_place(visit: Visit, response: Response) -> bool:
    if visit.unit is not None and response.unit_id != visit.unit.pk:
        return False
    if visit.staff is None or visit.survey.is_anonymous:  # employee answers keep no staff
        return True
    return response.staff_id == visit.staff.pk


def page_url(visit: Visit, question_key: str = "", token: str = "", locale: str = "") -> str:
    params: dict[str, str] = dict(visit.carried())
    if question_key:
        params["q"] = question_key
    if token and not visit.keyed:
        params["r"] = token
    if locale:
        params["lang"] = locale
    base = reverse(_route(visit, "page"), args=[visit.key])
    return f"{base}?{urlencode(params)}" if params else base


def done_url(visit: Visit, token: str, locale: str) -> str:
    params = {"lang": locale} if locale else {}
    if not visit.keyed:
        params = {**visit.carried(), "r": token, **params}
    return f"{reverse(_route(visit, 'done'), args=[visit.key])}?{urlencode(params)}"


def _route(visit: Visit, page: str) -> str:
    """An embedded survey's pages stay under its own routes (and their framing rules)."""
    if visit.embed is not None:
        return visit.embed.page_route if page == "page" else visit.embed.done_route
    return f"respondent:{page}"


def _question_page(
    request: HttpRequest,
    visit: Visit,
    questions: list[Question],
    answers: dict[str, Any],
    question: Question,
    locale: str,
    token: str,
    response: Response | None = None,
    typed: Any = None,
    error: str = "",
) -> HttpResponse:
    survey = visit.survey
    values = entry.pipe_values(
        visit, getattr(response, "unit", None), getattr(response, "staff", None)
    )
    current = typed if typed is not None else answers.get(question.key)
    view = forms.question_view(question, locale, survey.default_locale, values, current)
    other_key = f"{question.key}:{definition.OTHER}"
    stored_other = answers.get(other_key)
    view.other_text = request.POST.get(other_key, "") if typed is not None else stored_other or ""
    view.error = error
    number, total = flow.position(questions, answers, question.key)
    hidden = {**visit.carried(), "q": question.key, "lang": locale}
    if token and not visit.keyed:
        hidden["r"] = token
    intro = ""
    if number == 1 and not answers:
        intro = definition.piped(
            definition.localized(survey.texts.get("intro"), locale, survey.default_locale), values
        )
    switch_params = {k: v for k, v in hidden.items() if k != "lang"}
    confirming = visit.one_click is not None and question.type == "nps"
    action = reverse(_route(visit, "page"), args=[visit.key])
    if confirming:
        action = reverse("respondent:one_click", args=[visit.key, visit.one_click])
    return pages.render_page(
        request,
        "question.html",
        survey,
        locale,
        status=400 if error else 200,
        pipe_values=values,
        question=view,
        number=number,
        total=total,
        percent=int(100 * (number - 1) / total) if total else 0,
        is_last=flow.after(questions, answers, question.key) is None and number == total,
        can_go_back=number > 1 and not confirming,
        confirming=confirming,
        hidden=hidden,
        intro=intro,
        action=action,
        languages=pages.switcher(survey, locale, switch_params),
    )


def _unreadable(request: HttpRequest) -> HttpResponse | None:
    """The page for a posted form that is not UTF-8, else None. A multipart body has already
    been parsed by the CSRF check (and decoded by Django's parser): nothing to read again."""
    if request.method != "POST":
        return None
    try:
        forms.check_utf8(request.body)
    except RawPostDataException:
        return None
    except forms.BadEncoding:
        return notices.bad_encoding(request)
    return None


@require_http_methods(["GET", "POST"])
def survey_page(
    request: HttpRequest, key: str, resolver: entry.Resolver = entry.resolve
) -> HttpResponse:
    """One question (GET) or one answer (POST); `resolver` reads the link (an embedding
    product passes its own, for its signed links)."""
    unreadable = _unreadable(request)
    if unreadable is not None:
        return unreadable
    kind = "submit" if request.method == "POST" else "view"
    try:
        visit = _open_visit(request, key, kind, resolver)
    except Stop as stop:
        return stop.response
    params = request.POST if request.method == "POST" else request.GET
    response = _response_of(visit, request, params)
    locale = entry.choose_locale(visit, request, getattr(response, "locale", ""))
    if response is not None and response.is_complete:
        if request.method == "POST" and not visit.personal:
            # A double tap on Submit: the first one finished the response.
            return HttpResponseRedirect(done_url(visit, response.resume_token, locale), status=303)
        return notices.already_answered(request, visit, locale)
    questions = questions_of(visit.survey)
    answers = dict(response.answers) if response is not None else {}
    token = response.resume_token if response is not None else ""
    if request.method == "POST":
        return _answer(request, visit, questions, answers, locale, response)
    question = flow.current(questions, answers, str(request.GET.get("q", "")))
    if question is None:
        return notices.invalid(request)
    page = _question_page(request, visit, questions, answers, question, locale, token, response)
    if response is None and not visit.keyed and not visit.is_kiosk:
        # A stale cookie (finished or unknown response) must not bring this visit back.
        progress.forget_cookie(page, visit.survey.pk)
    return page


def _answer(
    request: HttpRequest,
    visit: Visit,
    questions: list[Question],
    answers: dict[str, Any],
    locale: str,
    response: Response | None,
) -> HttpResponse:
    """One page's answer: save it (partial), move on; on the last page, complete."""
    token = response.resume_token if response is not None else ""
    by_key = {q.key: q for q in questions}
    shown = {q.key for q in definition.shown_questions(questions, answers)}
    question = by_key.get(str(request.POST.get("q", "")))
    if question is None or question.key not in shown:
        return HttpResponseRedirect(page_url(visit, "", token, locale), status=303)
    raw = forms.read_answer(question, request.POST)
    going_back = request.POST.get("action") == "back"

    def again(error: str, typed: Any = None, on: Question = question) -> HttpResponse:
        return _question_page(
            request, visit, questions, answers, on, locale, token, response, typed, error
        )

    if going_back:
        previous = flow.before(questions, answers, question.key)
        if not forms.is_unanswered(question, raw):
            # Leaving the page with a refused answer keeps what was stored before.
            with contextlib.suppress(InvalidInput):
                token = _save(request, visit, raw, False, locale, token).resume_token
        return _to(visit, page_url(visit, previous.key if previous else "", token, locale), token)
    typed = raw.get(question.key)
    if question.required and forms.is_unanswered(question, raw):
        return again(forms.required_text(locale=locale), typed)
    try:
        merged = flow.with_answer(question, answers, typed)
    except InvalidInput:
        return again(forms.error_text(question, typed, locale=locale), typed)
    following = flow.after(questions, merged, question.key)
    try:
        saved = _save(request, visit, raw, following is None, locale, token)
    except AlreadyCompleted:
        return notices.already_answered(request, visit, locale)
    except SurveyClosed:
        return notices.closed(request, visit)
    except NotFound:
        return HttpResponseRedirect(page_url(visit, "", "", locale), status=303)
    except InvalidInput as error:
        field = (error.field or "").partition(":")[0].partition(".")[0]
        if field == question.key:
            return again(forms.error_text(question, typed, locale=locale), typed)
        if field in by_key:
            # Completing found an earlier required answer missing: show that question.
            return again(forms.required_text(locale=locale), None, by_key[field])
        return notices.message(request, visit, _("Please check your answers"), str(error), 400)
    if following is None:
        return _to(visit, done_url(visit, saved.resume_token, locale), saved.resume_token)
    target = page_url(visit, following.key, saved.resume_token, locale)
    return _to(visit, target, saved.resume_token)


def _to(visit: Visit, url: str, token: str) -> HttpResponse:
    redirect = HttpResponseRedirect(url, status=303)
    if token and not visit.keyed and not visit.is_kiosk:
        progress.keep_in_cookie(redirect, visit.survey.pk, token)
    return redirect


def _save(
    request: HttpRequest,
    visit: Visit,
    answers: dict[str, Any],
    complete: bool,
    locale: str,
    token: str,
) -> Response:
    outcome = submit(
        submission=Submission(
            survey=visit.survey,
            answers=answers,
            complete=complete,
            channel=visit.channel,
            device=entry.device_of(request.META.get("HTTP_USER_AGENT", ""), visit.survey),
            locale=locale,
            unit=visit.unit,
            staff=visit.staff,
            contact=visit.contact,
            source_key=visit.source_key,
            resume_token=token or None,
            attributes=visit.attributes,
            origin=visit.origin,
            respondent=visit.respondent,
        )
    )
    return outcome.response


@require_http_methods(["GET", "POST"])
def one_click(request: HttpRequest, key: str, score: int) -> HttpResponse:
    """A score clicked in an email: the score question with that score chosen and one button
    to confirm it. A GET stores nothing, since mail scanners fetch every link of an email
    before the person reads it; the POST (with its CSRF token) stores what the respondent
    confirmed, as the email channel, and goes on with the rest of the survey."""
    unreadable = _unreadable(request)
    if unreadable is not None:
        return unreadable
    try:
        visit = _open_visit(request, key, "submit" if request.method == "POST" else "view")
    except Stop as stop:
        return stop.response
    questions = questions_of(visit.survey)
    nps = flow.nps_question(questions)
    if visit.personal is None or nps is None:
        return notices.invalid(request)
    visit.one_click = score
    existing = _response_of(visit, request, request.GET)
    locale = entry.choose_locale(visit, request, getattr(existing, "locale", ""))
    if existing is not None and existing.is_complete:
        return notices.already_answered(request, visit, locale)
    answers = dict(existing.answers) if existing is not None else {}
    if request.method == "POST":
        return _answer(request, visit, questions, answers, locale, existing)
    try:
        flow.with_answer(nps, answers, score)
    except InvalidInput:
        return notices.bad_score(request, visit, forms.error_text(nps, locale=locale), locale)
    token = existing.resume_token if existing is not None else ""
    return _question_page(
        request, visit, questions, answers, nps, locale, token, existing, typed=score
    )


@require_GET
def thanks(
    request: HttpRequest, key: str, resolver: entry.Resolver = entry.resolve
) -> HttpResponse:
    if not throttle.allowed(request, "view"):
        return notices.too_many(request)
    try:
        visit = resolver(key, request.GET)
    except entry.LinkNotFound:
        return notices.invalid(request)
    except links.LinkExpired:
        return notices.expired(request)
    response = _response_of(visit, request, request.GET, for_thanks=True)
    if response is None or not response.is_complete:
        return HttpResponseRedirect(page_url(visit), status=303)
    survey = visit.survey
    locale = entry.choose_locale(visit, request, response.locale)
    branch = flow.thank_you(survey, response.answers)
    texts = branch.get("text") or survey.texts.get("thank_you")
    values = entry.pipe_values(visit, response.unit, response.staff)
    text = definition.piped(definition.localized(texts, locale, survey.default_locale), values)
    restart = ""
    if visit.is_kiosk:
        # The next customer starts afresh at the same counter: same unit, no staff, no answers.
        fresh = Visit(key=visit.key, survey=survey, unit=visit.unit, unit_code=visit.unit_code)
        fresh.from_qr = visit.from_qr
        restart = page_url(fresh)
    return pages.render_page(
        request,
        "thanks.html",
        survey,
        locale,
        pipe_values=values,
        text=text,
        link=branch.get("link", ""),
        link_text=definition.localized(branch.get("link_text"), locale, survey.default_locale),
        restart_url=restart,
        restart_seconds=KIOSK_RESTART_SECONDS,
    )
