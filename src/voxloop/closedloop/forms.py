"""Forms of the closed-loop pages. Units are typed by code (see web.forms), people by username."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from voxloop.closedloop.models import (
    ActionPlanStatus,
    AlertRule,
    CaseStatus,
    Playbook,
    PlaybookKind,
    Priority,
    RootCause,
)
from voxloop.reviews.models import SourceKind
from voxloop.surveys.models import Survey
from voxloop.web.forms import UnitCodeField, set_choices

BOX_CHOICES = [
    ("mine", _("My cases")),
    ("team", _("My team's")),
    ("overdue", _("Overdue")),
    ("all", _("All, closed too")),
]


class InboxFilterForm(forms.Form):
    box = forms.ChoiceField(label=_("Show"), choices=BOX_CHOICES, required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *CaseStatus.choices]
    )
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("Any priority")), *Priority.choices]
    )
    unit = UnitCodeField(label=_("Unit"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)


class BulkForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("assign", _("Assign")), ("close", _("Close")), ("reopen", _("Reopen"))]
    )
    confirmed = forms.BooleanField(required=False)
    case_ids = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    assignee = forms.CharField(label=_("Assign to"), required=False, max_length=150)

    def __init__(self, *args: Any, case_ids: Iterable[int] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "case_ids", [(i, i) for i in case_ids])


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)

    def __init__(self, *args: Any, users: Iterable[AbstractBaseUser] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self, "assignee", [("", _("Nobody"))] + [(u.pk, u.get_username()) for u in users]
        )


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 3}))


class RootCauseForm(forms.Form):
    root_cause = forms.ChoiceField(label=_("Root cause"), required=False)

    def __init__(self, *args: Any, causes: Iterable[RootCause] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "root_cause", [("", "—")] + [(c.pk, str(c)) for c in causes])


class ResolveForm(forms.Form):
    """Finish a case in one submit: why, what was done, and optionally tell the customer."""

    root_cause = forms.TypedChoiceField(label=_("Root cause"), coerce=int)
    note = forms.CharField(
        label=_("What was done"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    playbook = forms.TypedChoiceField(
        label=_("Message to the customer"), coerce=int, required=False, empty_value=None
    )
    extra = forms.CharField(
        label=_("Personal note in the message"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    close = forms.BooleanField(label=_("Close it too (no follow-up expected)"), required=False)

    def __init__(
        self,
        *args: Any,
        causes: Iterable[RootCause] = (),
        playbooks: Iterable[Playbook] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "root_cause", [("", _("Pick a root cause")), *cause_choices(causes)])
        set_choices(self, "playbook", [("", _("No message"))] + [(p.pk, p.name) for p in playbooks])


def cause_choices(causes: Iterable[RootCause]) -> list[Any]:
    """The taxonomy as grouped options: each top-level cause with its children under it."""
    rows = list(causes)
    tops = [c for c in rows if c.parent_id is None]
    out: list[Any] = []
    for top in tops:
        children = [(c.pk, c.name) for c in rows if c.parent_id == top.pk]
        out.append((top.name, [(top.pk, top.name), *children]) if children else (top.pk, top.name))
    return out


class BulkResolveForm(forms.Form):
    # Shares the page's form with "Assign": the browser must not demand a cause to assign.
    use_required_attribute = False
    prefix = "close"
    root_cause = forms.TypedChoiceField(label=_("Root cause"), coerce=int)
    note = forms.CharField(label=_("What was done"), max_length=10_000)

    def __init__(self, *args: Any, causes: Iterable[RootCause] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "root_cause", [("", _("Pick a root cause")), *cause_choices(causes)])


class EmailForm(forms.Form):
    playbook = forms.ChoiceField(label=_("Template"))
    extra = forms.CharField(
        label=_("Personal note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, playbooks: Iterable[Playbook] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "playbook", [(p.pk, p.name) for p in playbooks])


class RuleForm(forms.Form):
    """The common conditions as fields; anything else in 'More conditions' as JSON items."""

    name = forms.CharField(label=_("Name"), max_length=200)
    applies_to = forms.ChoiceField(
        label=_("Reads"),
        choices=[("responses", _("Survey responses")), ("reviews", _("Online reviews"))],
        initial="responses",
        required=False,
    )
    unit_code = UnitCodeField(label=_("Applies to unit (and below)"))
    survey_ids = forms.TypedMultipleChoiceField(
        label=_("Surveys (none: all)"), coerce=int, required=False, choices=[]
    )
    match = forms.ChoiceField(
        label=_("Combine conditions"),
        choices=[("all", _("All must hold (AND)")), ("any", _("Any may hold (OR)"))],
    )
    nps_max = forms.IntegerField(label=_("NPS at most"), required=False, min_value=0, max_value=10)
    nps_min = forms.IntegerField(
        label=_("NPS at least (promoter rules)"), required=False, min_value=0, max_value=10
    )
    csat_max = forms.IntegerField(label=_("CSAT at most"), required=False, min_value=1, max_value=5)
    ces_max = forms.IntegerField(label=_("CES at most"), required=False, min_value=1, max_value=7)
    rating_max = forms.IntegerField(
        label=_("Review rating at most (stars)"), required=False, min_value=1, max_value=5
    )
    review_source = forms.ChoiceField(
        label=_("Review site"),
        required=False,
        choices=[("", "—"), *SourceKind.choices],
        help_text=_("Only reviews from this site (rules that read online reviews)."),
    )
    words = forms.CharField(
        label=_("Comment contains any of (comma separated)"), required=False, max_length=1000
    )
    # Scripts may still post "question:choice"; the page picks choices in the builder.
    choice = forms.CharField(
        label=_("Choice picked (question:choice)"), required=False, max_length=200
    )
    # What text analytics read in the comments (self-contained: folds into a condition
    # builder later).
    comment_sentiment = forms.ChoiceField(
        label=_("Comment sentiment is"),
        required=False,
        choices=[
            ("", "—"),
            ("negative", _("Negative")),
            ("neutral", _("Neutral")),
            ("positive", _("Positive")),
        ],
    )
    comment_theme = forms.ChoiceField(label=_("Comment mentions theme"), required=False)
    comment_theme_tone = forms.ChoiceField(
        label=_("…said"),
        required=False,
        choices=[
            ("mentions", _("in any way")),
            ("mentions_negative", _("negatively")),
            ("mentions_positive", _("positively")),
        ],
    )
    comment_intent = forms.ChoiceField(
        label=_("Comment intent is"),
        required=False,
        choices=[
            ("", "—"),
            ("complaint", _("Complaint")),
            ("praise", _("Praise")),
            ("suggestion", _("Suggestion")),
            ("question", _("Question")),
            ("churn_threat", _("Threat to leave")),
        ],
    )
    more = forms.CharField(
        label=_("More conditions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "data-condition-builder": "rule-builder"}),
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    sla_hours = forms.IntegerField(label=_("SLA (hours)"), min_value=1, max_value=8760)
    second_escalation_hours = forms.IntegerField(
        label=_("Escalate again after (hours overdue)"), min_value=1, max_value=8760
    )
    open_case = forms.BooleanField(label=_("Open a case"), required=False)
    notify_roles = forms.MultipleChoiceField(
        label=_("Notify the nearest"),
        required=False,
        choices=[("manager", _("Manager")), ("agent", _("Agent")), ("admin", _("Admin"))],
        widget=forms.CheckboxSelectMultiple,
    )
    notify_team_lead = forms.BooleanField(label=_("Notify the staff member's lead"), required=False)
    notify_account_owner = forms.BooleanField(label=_("Notify the account manager"), required=False)
    notify_users = forms.CharField(
        label=_("Also notify (usernames, comma separated)"),
        required=False,
        max_length=1000,
        # Search-as-you-type by name (web/static/web/work.js); typing usernames still works.
        widget=forms.TextInput(
            attrs={"data-picker": "people", "data-picker-multiple": "", "autocomplete": "off"}
        ),
    )
    email_mode = forms.ChoiceField(
        label=_("Email"), choices=[("immediate", _("Immediately")), ("digest", _("Hourly digest"))]
    )
    webhook_kind = forms.ChoiceField(
        label=_("Webhook"),
        required=False,
        choices=[
            ("", "—"),
            ("slack", "Slack"),
            ("teams", "Teams"),
            ("webhook", _("Signed webhook")),
        ],
    )
    webhook_url = forms.URLField(
        label=_("Webhook URL"), required=False, max_length=500, assume_scheme="https"
    )
    webhook_secret = forms.CharField(label=_("Webhook secret"), required=False, max_length=200)
    thank_you_playbook = forms.ChoiceField(label=_("Thank-you message"), required=False)
    review_playbook = forms.ChoiceField(
        label=_("Review invitation"),
        required=False,
        help_text=_(
            "Sent to every respondent the rule matches. To invite everyone, leave the "
            "conditions empty and do not open a case."
        ),
    )
    allow_review_gating = forms.BooleanField(
        label=_("Switch off the protection against review gating"),
        required=False,
        help_text=_(
            "Warning: inviting only happy customers to review you (review gating) breaks "
            "Google's review policy and the FTC's rule on consumer reviews (16 CFR 465)."
        ),
    )
    flag_advocate = forms.BooleanField(label=_("Flag as advocate"), required=False)
    record_praise = forms.BooleanField(label=_("Show praise to the staff's unit"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(
        self,
        *args: Any,
        surveys: Iterable[Survey] = (),
        playbooks: Iterable[Playbook] = (),
        themes: Iterable[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "survey_ids", [(s.pk, s.name) for s in surveys])
        set_choices(self, "comment_theme", [("", "—"), *themes])
        options = [("", "—")] + [(p.pk, p.name) for p in playbooks]
        set_choices(self, "thank_you_playbook", options)
        set_choices(self, "review_playbook", options)

    def clean_more(self) -> dict:
        """The builder's group; a plain list (older pages, scripts) means all of them."""
        raw = self.cleaned_data["more"].strip()
        if not raw:
            return {"match": "all", "items": []}
        try:
            more = json.loads(raw)
        except ValueError:
            raise forms.ValidationError(_("These conditions could not be read.")) from None
        if isinstance(more, list):
            more = {"match": "all", "items": more}
        if not isinstance(more, dict) or not isinstance(more.get("items"), list):
            raise forms.ValidationError(_("These conditions could not be read."))
        return more

    def conditions(self) -> dict:
        data = self.cleaned_data
        items = []
        for name, field, op in (
            ("nps_max", "nps", "lte"),
            ("nps_min", "nps", "gte"),
            ("csat_max", "csat", "lte"),
            ("ces_max", "ces", "lte"),
            ("rating_max", "rating", "lte"),
        ):
            if data.get(name) is not None:
                items.append({"field": field, "op": op, "value": data[name]})
        words = [w.strip() for w in (data.get("words") or "").split(",") if w.strip()]
        if words:
            items.append({"field": "comment", "op": "contains_any", "value": words})
        if data.get("choice"):
            question, _sep, value = data["choice"].partition(":")
            items.append(
                {"field": f"answer:{question.strip()}", "op": "includes", "value": value.strip()}
            )
        if data.get("review_source"):
            items.append({"field": "review_source", "op": "eq", "value": data["review_source"]})
        if data.get("comment_sentiment"):
            items.append(
                {"field": "comment_sentiment", "op": "eq", "value": data["comment_sentiment"]}
            )
        if data.get("comment_theme"):
            op = data.get("comment_theme_tone") or "mentions"
            items.append({"field": "comment_theme", "op": op, "value": data["comment_theme"]})
        if data.get("comment_intent"):
            items.append(
                {"field": "comment_intent", "op": "includes", "value": data["comment_intent"]}
            )
        more = data["more"]
        if more["items"] and more.get("match", "all") == data["match"]:
            items += more["items"]
        elif more["items"]:
            items.append(more)
        return {"match": data["match"], "items": items}

    def recipients(self, organization_id: int) -> list[dict]:
        data = self.cleaned_data
        out = [{"type": "role", "role": r} for r in data.get("notify_roles", [])]
        if data.get("notify_team_lead"):
            out.append({"type": "team_lead"})
        if data.get("notify_account_owner"):
            out.append({"type": "account_owner"})
        names = [n.strip() for n in (data.get("notify_users") or "").split(",") if n.strip()]
        users = get_user_model().objects.filter(
            username__in=names, memberships__organization_id=organization_id
        )
        found = {u.username: u.pk for u in users}
        missing = [n for n in names if n not in found]
        if missing:
            self.add_error("notify_users", _("Unknown here: %s") % ", ".join(missing))
        return out + [{"type": "user", "user_id": found[n]} for n in names if n in found]

    def webhooks(self) -> list[dict]:
        data = self.cleaned_data
        if not data.get("webhook_kind") or not data.get("webhook_url"):
            return []
        return [
            {
                "kind": data["webhook_kind"],
                "url": data["webhook_url"],
                "secret": data.get("webhook_secret", ""),
            }
        ]

    @staticmethod
    def initial_for(rule: AlertRule) -> dict[str, Any]:
        initial = {
            "name": rule.name,
            "applies_to": rule.applies_to,
            "unit_code": rule.unit.code,
            "survey_ids": [s.pk for s in rule.surveys.all()],
            "match": rule.conditions.get("match", "all"),
            "priority": rule.priority,
            "sla_hours": rule.sla_hours,
            "second_escalation_hours": rule.second_escalation_hours,
            "open_case": rule.open_case,
            "email_mode": rule.email_mode,
            "thank_you_playbook": rule.thank_you_playbook_id or "",
            "review_playbook": rule.review_playbook_id or "",
            "allow_review_gating": rule.allow_review_gating,
            "flag_advocate": rule.flag_advocate,
            "record_praise": rule.record_praise,
            "is_active": rule.is_active,
            "notify_roles": [r["role"] for r in rule.recipients if r["type"] == "role"],
            "notify_team_lead": any(r["type"] == "team_lead" for r in rule.recipients),
            "notify_account_owner": any(r["type"] == "account_owner" for r in rule.recipients),
        }
        simple = {("nps", "lte"): "nps_max", ("nps", "gte"): "nps_min"}
        simple |= {("csat", "lte"): "csat_max", ("ces", "lte"): "ces_max"}
        simple |= {("rating", "lte"): "rating_max"}
        more = []
        for item in rule.conditions.get("items", []):
            if "items" in item:
                more.append(item)
                continue
            name = simple.get((item["field"], item["op"]))
            if name and name not in initial:
                initial[name] = int(item["value"])
            elif item["field"] in TEXT_INITIAL:
                if TEXT_INITIAL[item["field"]] in initial:
                    more.append(item)
                    continue
                initial[TEXT_INITIAL[item["field"]]] = item["value"]
                if item["field"] == "comment_theme":
                    initial["comment_theme_tone"] = item["op"]
            elif item["field"] == "comment" and "words" not in initial:
                initial["words"] = ", ".join(item["value"])
            else:  # choices picked, and anything else: the condition builder shows them
                more.append(item)
        initial["more"] = json.dumps({"match": initial["match"], "items": more}, ensure_ascii=False)
        if rule.webhooks:
            hook = rule.webhooks[0]
            initial |= {"webhook_kind": hook["kind"], "webhook_url": hook["url"]}
            initial["webhook_secret"] = hook.get("secret", "")
        return initial


TEXT_INITIAL = {
    "review_source": "review_source",
    "comment_sentiment": "comment_sentiment",
    "comment_theme": "comment_theme",
    "comment_intent": "comment_intent",
}


class PlaybookForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlaybookKind.choices)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Any language")), ("en", "English"), ("zh", "中文"), ("ja", "日本語"),
                 ("ro", "Română")],
    )  # fmt: skip
    unit_code = UnitCodeField(label=_("Unit (and below)"))
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Body"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Merge fields: {{first_name}} {{last_name}} {{unit}} {{staff}} {{case}} "
                    "{{agent}} {{score}} {{company}}"),
    )  # fmt: skip


class RootCauseAddForm(forms.Form):
    name = forms.CharField(label=_("New root cause"), max_length=120)
    parent = forms.ChoiceField(label=_("Under"), required=False)

    def __init__(self, *args: Any, causes: Iterable[RootCause] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self, "parent", [("", "—")] + [(c.pk, c.name) for c in causes if c.parent_id is None]
        )


class PlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    unit_code = UnitCodeField(label=_("Unit (and below)"))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    theme = forms.CharField(label=_("Theme"), required=False, max_length=120)
    root_cause = forms.ChoiceField(label=_("Root cause"), required=False)
    owner = forms.CharField(
        label=_("Owner"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"data-picker": "people", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=ActionPlanStatus.choices)
    starts_on = forms.DateField(
        label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    window_days = forms.IntegerField(
        label=_("Compare windows of (days)"), min_value=7, max_value=365, initial=90
    )
    target = forms.FloatField(label=_("Target NPS"), required=False)

    def __init__(self, *args: Any, causes: Iterable[RootCause] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "root_cause", [("", "—")] + [(c.pk, str(c)) for c in causes])


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    owner = forms.CharField(
        label=_("Owner"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"data-picker": "people", "autocomplete": "off"}),
    )
    due_on = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class PeriodForm(forms.Form):
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
