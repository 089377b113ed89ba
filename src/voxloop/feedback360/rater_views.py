"""HR's hand on a subject's raters before the invitations go: the list (who, in which group;
never whether they answered), adding a person of one's subtree, removing one after a
confirmation. Thin: selectors read, services write (audited there). Decision 0043."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from voxloop.errors import InvalidInput
from voxloop.feedback360 import selectors, services
from voxloop.feedback360.forms import RaterForm
from voxloop.feedback360.models import Relationship, Subject
from voxloop.feedback360.views import people_choices
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.web import confirm
from voxloop.web.access import admin_required
from voxloop.web.forms import domain_errors_on


def _name(invitation: Any) -> str:
    if invitation.user_id:
        return invitation.user.get_full_name() or invitation.user.get_username()
    return invitation.email or _("A customer (erased)")


def _page(
    request: ScopedRequest, found: Subject, form: RaterForm, status: int = 200
) -> HttpResponse:
    rows = [(i, _name(i)) for i in selectors.raters(found)]
    context = {
        "subject": found,
        "cycle": found.cycle,
        "rows": rows,
        "form": form,
        "editable": found.cycle.is_open and not found.cycle.invitations_sent,
        "self_group": Relationship.SELF.value,
    }
    return render(request, "feedback360/raters.html", context, status=status)


@admin_required
@require_GET
def raters(request: ScopedRequest, subject_id: int) -> HttpResponse:
    found = selectors.subject(request.scope, subject_id)
    return _page(request, found, RaterForm(people=people_choices(request)))


@admin_required
@require_POST
def rater_add(request: ScopedRequest, subject_id: int) -> HttpResponse:
    found = selectors.subject(request.scope, subject_id)
    form = RaterForm(request.POST, people=people_choices(request))
    if form.is_valid():
        with domain_errors_on(form):
            services.add_rater(
                actor=request.scope,
                subject=found,
                membership_id=int(form.cleaned_data["person"]),
                relationship=form.cleaned_data["relationship"],
            )
            messages.success(request, _("Saved."))
            return redirect("feedback360:raters", subject_id=found.pk)
    return _page(request, found, form, status=400)


@admin_required
@require_POST
def rater_remove(request: ScopedRequest, subject_id: int) -> HttpResponse:
    found = selectors.subject(request.scope, subject_id)
    raw = request.POST.get("invitation", "")
    if not raw.isdigit():
        raise InvalidInput("Choose the rater to remove.", "invitation")
    invitation = selectors.rater(found, int(raw))
    back = reverse("feedback360:raters", args=[found.pk])
    if not confirm.given(request):
        return confirm.ask(
            request,
            title=_("Remove %(name)s as a rater?") % {"name": _name(invitation)},
            consequences=[
                _("They will not be asked for feedback about %(subject)s.")
                % {"subject": found.name}
            ],
            confirm_label=_("Remove the rater"),
            back_url=back,
        )
    services.remove_rater(actor=request.scope, invitation=invitation)
    messages.success(request, _("The rater is removed."))
    return redirect(back)
