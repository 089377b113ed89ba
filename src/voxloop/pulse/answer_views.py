"""The employee's pulse page, reached by their own link: the wave's questions, a comment and
an optional report about customers. What they answer is kept without them (decision 0042).
Shown in the member's language; rate limited per client address like the 360 customer link."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from voxloop import counters
from voxloop.accounts import selectors as account_selectors
from voxloop.clients import request_ip
from voxloop.errors import NotFound
from voxloop.pulse import selectors, services
from voxloop.pulse.forms import AnswerForm
from voxloop.pulse.models import Invite, Question
from voxloop.web.forms import domain_errors_on

HOUR = 3600
# Higher than the 360 customer link's: a store's staff often share one address, and each
# answer is a view and a post. The unguessable token is what keeps strangers out.


def _allowed(request: HttpRequest) -> bool:
    limit = int(getattr(settings, "PULSE_ANSWER_LIMIT", 600))
    name = f"pulse:answer:{request_ip(request) or 'unknown'}"
    return counters.hit(name, HOUR).count <= limit


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    if not _allowed(request):
        page = render(request, "pulse/answer.html", {"limited": True}, status=429)
        page["Retry-After"] = str(HOUR)
        return page
    try:
        invite = selectors.invite_by_token(token)
    except NotFound:
        raise Http404 from None
    with translation.override(account_selectors.preferred_language(invite.user)):
        return _page(request, invite)


def _page(request: HttpRequest, invite: Invite) -> HttpResponse:
    wave = invite.wave
    order = {qid: i for i, qid in enumerate(wave.question_ids)}
    questions = sorted(
        Question.objects.filter(pk__in=wave.question_ids), key=lambda q: order.get(q.pk, 0)
    )
    context = {"programme": wave.programme, "done": invite.answered}
    if invite.answered:
        return render(request, "pulse/answer.html", context)
    form = AnswerForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with domain_errors_on(form):
            services.answer(
                invite=invite,
                enps=data.get("enps"),
                drivers=form.drivers(),
                comment=data["comment"],
                report_category=data["report_category"],
                report_text=data["report_text"],
            )
            return render(request, "pulse/answer.html", context | {"done": True})
    status = 400 if request.method == "POST" else 200
    return render(request, "pulse/answer.html", context | {"form": form}, status=status)
