"""The employee's pulse page, reached by their own link: the wave's questions, a comment and
an optional report about customers. What they answer is kept without them (decision 0042)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from voxloop.errors import NotFound
from voxloop.pulse import selectors, services
from voxloop.pulse.forms import AnswerForm
from voxloop.pulse.models import Question
from voxloop.web.forms import domain_errors_on


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invite = selectors.invite_by_token(token)
    except NotFound:
        raise Http404 from None
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
