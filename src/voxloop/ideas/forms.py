"""The idea boards' forms: staff and public. Public forms carry a honeypot field people never
see; a form that fills it is a robot's."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from voxloop.ideas import services
from voxloop.ideas.models import Audience, Status
from voxloop.web.forms import UnitCodeField


class BoardForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    unit_code = UnitCodeField(label=_("Unit"))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    moderate_first = forms.BooleanField(label=_("Moderate before publishing"), required=False)


class IdeaForm(forms.Form):
    title = forms.CharField(label=_("Your idea"), max_length=services.TITLE_MAX)
    body = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=services.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=services.COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[(s, Status(s).label) for s in services.SETTABLE]
    )
    reason = forms.CharField(
        label=_("Reason (told to followers)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MergeForm(forms.Form):
    into = forms.IntegerField(label=_("Merge into idea number"), min_value=1, max_value=2**62)


class PlanForm(forms.Form):
    title = forms.CharField(label=_("Plan title"), required=False, max_length=200)


class ThemeForm(forms.Form):
    theme = forms.CharField(
        label=_("Theme"),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"list": "idea-themes", "autocomplete": "off"}),
    )


class PromoteForm(forms.Form):
    response_id = forms.IntegerField(label=_("Response number"), min_value=1, max_value=2**62)
    question_key = forms.CharField(label=_("Question key"), required=False, max_length=100)
    title = forms.CharField(label=_("Title"), required=False, max_length=200)


class ModerateForm(forms.Form):
    kind = forms.ChoiceField(choices=[("idea", "idea"), ("comment", "comment")])
    item = forms.IntegerField(min_value=1, max_value=2**62)
    publish = forms.TypedChoiceField(
        choices=[("1", _("Publish")), ("0", _("Reject"))], coerce=lambda v: v == "1"
    )


class _Honeypot(forms.Form):
    # Hidden from people by CSS and aria; robots fill every field.
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_robot(self) -> bool:
        return bool(self.is_valid() and self.cleaned_data.get("website"))


class VerifyForm(_Honeypot):
    email = forms.EmailField(label=_("Your email"), max_length=254)
    name = forms.CharField(
        label=_("Your name (shown with your ideas)"), required=False, max_length=100
    )


class PublicIdeaForm(_Honeypot, IdeaForm):
    pass


class PublicCommentForm(_Honeypot, CommentForm):
    pass


class EmbedForm(forms.Form):
    allowed_origins = forms.CharField(
        label=_("Sites that may show it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One origin a line, e.g. https://shop.example.com"),
    )

    def clean_allowed_origins(self) -> list[str]:
        return self.cleaned_data["allowed_origins"].split()
