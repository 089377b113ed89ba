"""Django admin for surveys and their questions, scoped and written through the services.

A staff user who is not a superuser sees the surveys owned inside their membership's subtree
(the ones they may edit); every save, inline question edit and action goes through the
services, so it is validated and audited like a change in the builder.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from voxloop.errors import DomainError
from voxloop.surveys import services
from voxloop.surveys.models import Question, Survey
from voxloop.tenancy.admin import ScopedAdmin
from voxloop.tenancy.scoping import Capability

SURVEY_FIELDS = ("name", "default_locale", "locales", "texts", "branding", "thank_you_branches")
QUESTION_FIELDS = ("type", "required", "texts", "config", "show_if")


class QuestionInline(admin.StackedInline[Question, Survey]):
    model = Question
    extra = 0
    fields = ("key", "type", "position", "required", "texts", "config", "show_if")
    readonly_fields = ("position",)
    ordering = ("position", "id")

    def _configure(self, request: HttpRequest) -> bool:
        if request.user.is_superuser:
            return True
        scope = getattr(request, "scope", None)
        return scope is not None and scope.can(Capability.CONFIGURE)

    def get_readonly_fields(
        self, request: HttpRequest, obj: Survey | None = None
    ) -> tuple[str, ...]:
        # Answers are stored by key: a question keeps its key once created.
        return ("key", "position")

    def has_view_permission(self, request: HttpRequest, obj: Survey | None = None) -> bool:
        return self._configure(request)

    def has_add_permission(self, request: HttpRequest, obj: Survey | None = None) -> bool:
        return self._configure(request)

    def has_change_permission(self, request: HttpRequest, obj: Survey | None = None) -> bool:
        return self._configure(request)

    def has_delete_permission(self, request: HttpRequest, obj: Survey | None = None) -> bool:
        return self._configure(request)


class NewQuestionInline(QuestionInline):
    """Adding a question needs its key, which existing questions may not change."""

    verbose_name_plural = _("new questions")

    def get_readonly_fields(
        self, request: HttpRequest, obj: Survey | None = None
    ) -> tuple[str, ...]:
        return ("position",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Question]:
        return super().get_queryset(request).none()


@admin.register(Survey)
class SurveyAdmin(ScopedAdmin[Survey]):
    scope_path_field = "unit_path"
    view_capability = Capability.CONFIGURE
    list_display = ("name", "kind", "status", "is_primary", "is_test", "unit", "updated_at")
    list_filter = ("status", "kind")
    search_fields = ("name", "public_slug")
    list_select_related = ("unit",)
    autocomplete_fields = ("unit",)
    inlines = (QuestionInline, NewQuestionInline)
    actions = ("publish_surveys", "close_surveys", "duplicate_surveys")
    # Surveys with responses are closed, not deleted: the responses point at them.
    can_delete = False
    fields = (
        "unit",
        "name",
        "kind",
        "status",
        "public_slug",
        "default_locale",
        "locales",
        "texts",
        "branding",
        "thank_you_branches",
        "is_test",
        "is_primary",
        "published_at",
        "closed_at",
    )

    def get_readonly_fields(
        self, request: HttpRequest, obj: Survey | None = None
    ) -> tuple[str, ...]:
        fixed = ("status", "public_slug", "published_at", "closed_at")
        # The owning unit and the kind (the anonymity promise) are set once, at creation.
        return (*fixed, "unit", "kind") if obj else fixed

    def save_model(
        self, request: HttpRequest, obj: Survey, form: forms.ModelForm[Survey], change: bool
    ) -> None:
        actor = self.actor(request, obj.unit.organization_id)
        if not change:
            created = services.create_survey(
                actor=actor,
                unit=obj.unit,
                name=obj.name,
                kind=obj.kind,
                default_locale=obj.default_locale,
                locales=obj.locales,
                texts=obj.texts,
            )
            obj.pk = created.pk
            extra = {"branding": form.cleaned_data["branding"] or {}}
            if form.cleaned_data["thank_you_branches"]:
                extra["thank_you_branches"] = form.cleaned_data["thank_you_branches"]
            services.update_survey(actor=actor, survey=created, **extra)
            return
        survey = Survey.objects.get(pk=obj.pk)
        changes = {f: form.cleaned_data[f] for f in SURVEY_FIELDS if f in form.changed_data}
        if changes:
            services.update_survey(actor=actor, survey=survey, **changes)

    def save_related(
        self,
        request: HttpRequest,
        form: forms.ModelForm[Survey],
        formsets: list[BaseInlineFormSet[Question, Survey, forms.ModelForm[Question]]],
        change: bool,
    ) -> None:
        # Questions go through the services, one by one, instead of Django's formset save.
        survey = Survey.objects.get(pk=form.instance.pk)
        actor = self.actor(request, survey.organization_id)
        for formset in formsets:
            # Django's change message reads these; the services' audit log is the record.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            for inline_form in formset.forms:
                data = getattr(inline_form, "cleaned_data", None)
                if not data:
                    continue
                question = inline_form.instance
                if data.get("DELETE") and question.pk:
                    services.remove_question(
                        actor=actor, question=Question.objects.get(pk=question.pk)
                    )
                elif not question.pk:
                    services.add_question(
                        actor=actor,
                        survey=survey,
                        key=data["key"],
                        **{f: data[f] for f in QUESTION_FIELDS},
                    )
                elif inline_form.has_changed():
                    changes = {f: data[f] for f in QUESTION_FIELDS if f in inline_form.changed_data}
                    services.update_question(
                        actor=actor, question=Question.objects.get(pk=question.pk), **changes
                    )

    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet[Survey],
        action: Callable[..., object],
        done: str,
    ) -> None:
        count = 0
        for survey in queryset:
            try:
                action(actor=self.actor(request, survey.organization_id), survey=survey)
                count += 1
            except DomainError as error:
                self.message_user(request, f"{survey.name}: {error.message}", messages.ERROR)
        if count:
            self.message_user(request, done % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Publish the selected surveys"))
    def publish_surveys(self, request: HttpRequest, queryset: QuerySet[Survey]) -> None:
        self._each(request, queryset, services.publish, gettext("%(count)d survey(s) published."))

    @admin.action(description=_("Close the selected surveys"))
    def close_surveys(self, request: HttpRequest, queryset: QuerySet[Survey]) -> None:
        self._each(request, queryset, services.close, gettext("%(count)d survey(s) closed."))

    @admin.action(description=_("Duplicate the selected surveys as drafts"))
    def duplicate_surveys(self, request: HttpRequest, queryset: QuerySet[Survey]) -> None:
        self._each(
            request, queryset, services.duplicate, gettext("%(count)d draft copy(ies) made.")
        )
