"""Text analytics in the Django admin: taxonomies, themes with their names, keywords and
example sentences per language (edited here until the theme editor page exists), each
organisation's settings, and the stored results (read-only). Scoped like tenancy's admin,
and every save goes through the services, so the audit log records it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import ForeignKey, Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from voxloop.tenancy.admin import ReadOnlyScopedAdmin, ScopedAdmin, member_scope
from voxloop.tenancy.models import PATH_SEGMENT_WIDTH, subtree_q
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.textanalytics import services
from voxloop.textanalytics.models import (
    CommentAnalysis,
    Language,
    Taxonomy,
    TextSettings,
    Theme,
    ThemeTerm,
)


def _taxonomy_filter(scope: Scope, prefix: str = "") -> Q:
    ancestors = [
        scope.unit_path[:end]
        for end in range(PATH_SEGMENT_WIDTH, len(scope.unit_path) + 1, PATH_SEGMENT_WIDTH)
    ]
    return Q(**{f"{prefix}organization_id": scope.organization_id}) & (
        Q(**{f"{prefix}unit__isnull": True})
        | Q(**{f"{prefix}unit__path__in": ancestors})
        | subtree_q(scope.unit_path, f"{prefix}unit__path")
    )


@admin.register(Taxonomy)
class TaxonomyAdmin(ScopedAdmin[Taxonomy]):
    list_display = ("name", "unit", "version", "updated_at")
    fields = ("name", "unit", "version")
    readonly_fields = ("version",)
    autocomplete_fields = ("unit",)

    def scope_queryset(self, scope: Scope, queryset: QuerySet[Taxonomy]) -> QuerySet[Taxonomy]:
        return queryset.filter(_taxonomy_filter(scope))

    def get_readonly_fields(
        self, request: HttpRequest, obj: Taxonomy | None = None
    ) -> tuple[str, ...]:
        return ("unit", "version") if obj else ("version",)

    def save_model(
        self, request: HttpRequest, obj: Taxonomy, form: forms.ModelForm[Taxonomy], change: bool
    ) -> None:
        if change:
            actor = self.actor(request, obj.organization_id)
            original = Taxonomy.objects.select_related("unit").get(pk=obj.pk)
            services.rename_taxonomy(scope=actor, taxonomy=original, name=obj.name)
            return
        unit = form.cleaned_data.get("unit")
        organization_id = unit.organization_id if unit else member_scope(request).organization_id
        actor = self.actor(request, organization_id)
        created = services.create_taxonomy(scope=actor, name=obj.name, unit=unit)
        obj.pk, obj.organization_id = created.pk, created.organization_id

    def delete_model(self, request: HttpRequest, obj: Taxonomy) -> None:
        services.delete_taxonomy(scope=self.actor(request, obj.organization_id), taxonomy=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Taxonomy]) -> None:
        for taxonomy in queryset.select_related("unit"):
            self.delete_model(request, taxonomy)


class ThemeTermInline(admin.TabularInline[ThemeTerm, Theme]):
    """Names, keywords and examples per language; permissions follow the member's role like
    the scoped admins' (Django's per-model permissions are not consulted)."""

    model = ThemeTerm
    fields = ("language", "kind", "text")
    extra = 3

    @staticmethod
    def _can(request: HttpRequest, capability: Capability) -> bool:
        scope = getattr(request, "scope", None)
        return request.user.is_superuser or (scope is not None and scope.can(capability))

    def has_view_permission(self, request: HttpRequest, obj: Theme | None = None) -> bool:
        return self._can(request, Capability.VIEW)

    def has_add_permission(self, request: HttpRequest, obj: Theme | None = None) -> bool:
        return self._can(request, Capability.CONFIGURE)

    def has_change_permission(self, request: HttpRequest, obj: Theme | None = None) -> bool:
        return self._can(request, Capability.CONFIGURE)

    def has_delete_permission(self, request: HttpRequest, obj: Theme | None = None) -> bool:
        return self._can(request, Capability.CONFIGURE)


@admin.register(Theme)
class ThemeAdmin(ScopedAdmin[Theme]):
    list_display = ("name", "key", "parent", "taxonomy", "position")
    list_filter = ("taxonomy",)
    search_fields = ("name", "key", "terms__text")
    list_select_related = ("taxonomy", "parent")
    inlines = [ThemeTermInline]
    scope_org_field = "taxonomy__organization_id"

    def scope_queryset(self, scope: Scope, queryset: QuerySet[Theme]) -> QuerySet[Theme]:
        return queryset.filter(_taxonomy_filter(scope, "taxonomy__"))

    def get_fields(self, request: HttpRequest, obj: Theme | None = None) -> tuple[str, ...]:
        return ("taxonomy", "key", "name", "parent", "position")

    def get_readonly_fields(
        self, request: HttpRequest, obj: Theme | None = None
    ) -> tuple[str, ...]:
        return ("taxonomy", "key") if obj else ()

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        scope = self.request_scope(request)
        if scope is not None and not request.user.is_superuser:
            if db_field.related_model is Taxonomy:
                kwargs["queryset"] = Taxonomy.objects.filter(_taxonomy_filter(scope))
            elif db_field.related_model is Theme:
                kwargs["queryset"] = Theme.objects.filter(_taxonomy_filter(scope, "taxonomy__"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: Theme, form: forms.ModelForm[Theme], change: bool
    ) -> None:
        data = form.cleaned_data
        if not change:
            taxonomy = data["taxonomy"]
            actor = self.actor(request, taxonomy.organization_id)
            created = services.create_theme(
                scope=actor,
                taxonomy=taxonomy,
                name=data["name"],
                key=data.get("key") or "",
                parent=data.get("parent"),
                position=data.get("position") or 0,
            )
            obj.pk = created.pk
            return
        original = Theme.objects.select_related("taxonomy", "taxonomy__unit").get(pk=obj.pk)
        actor = self.actor(request, original.taxonomy.organization_id)
        services.update_theme(
            scope=actor,
            theme=original,
            name=data["name"] if "name" in form.changed_data else None,
            parent=data.get("parent") if "parent" in form.changed_data else None,
            clear_parent="parent" in form.changed_data and not data.get("parent"),
            position=data["position"] if "position" in form.changed_data else None,
        )

    def save_formset(
        self,
        request: HttpRequest,
        form: forms.ModelForm[Theme],
        formset: BaseInlineFormSet[ThemeTerm, Theme, forms.ModelForm[ThemeTerm]],
        change: bool,
    ) -> None:
        theme = Theme.objects.select_related("taxonomy", "taxonomy__unit").get(pk=form.instance.pk)
        actor = self.actor(request, theme.taxonomy.organization_id)
        # What Django's change message reads (formset.save() would set them).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline in formset.forms:
            if not inline.has_changed() and not inline.cleaned_data.get("DELETE"):
                continue
            data = inline.cleaned_data
            existing = inline.instance if inline.instance.pk else None
            if existing is not None:
                services.remove_term(scope=actor, term=ThemeTerm.objects.get(pk=existing.pk))
                formset.deleted_objects.append(existing)
            if data and not data.get("DELETE"):
                term = services.add_term(
                    scope=actor,
                    theme=theme,
                    language=data["language"],
                    kind=data["kind"],
                    text=data["text"],
                )
                formset.new_objects.append(term)

    def delete_model(self, request: HttpRequest, obj: Theme) -> None:
        theme = Theme.objects.select_related("taxonomy", "taxonomy__unit").get(pk=obj.pk)
        services.delete_theme(
            scope=self.actor(request, theme.taxonomy.organization_id), theme=theme
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Theme]) -> None:
        for theme in queryset:
            if Theme.objects.filter(pk=theme.pk).exists():  # a parent took it along
                self.delete_model(request, theme)


class TextSettingsForm(forms.ModelForm[TextSettings]):
    languages = forms.MultipleChoiceField(
        label=_("languages"), choices=Language.choices, widget=forms.CheckboxSelectMultiple
    )
    llm_base_url = forms.URLField(
        label=_("endpoint address"), required=False, assume_scheme="https"
    )

    class Meta:
        model = TextSettings
        fields = ("languages", "embeddings", "llm_enabled", "llm_base_url", "llm_model")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["languages"] = list(self.instance.language_list)


@admin.register(TextSettings)
class TextSettingsAdmin(ScopedAdmin[TextSettings]):
    form = TextSettingsForm
    list_display = ("organization", "languages", "embeddings", "llm_enabled")
    view_capability = Capability.CONFIGURE
    can_delete = False

    def scope_queryset(
        self, scope: Scope, queryset: QuerySet[TextSettings]
    ) -> QuerySet[TextSettings]:
        return queryset.filter(organization_id=scope.organization_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one per organisation, made on first change (services.update_settings)

    def save_model(
        self,
        request: HttpRequest,
        obj: TextSettings,
        form: forms.ModelForm[TextSettings],
        change: bool,
    ) -> None:
        actor = self.actor(request, obj.organization_id)
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        services.update_settings(scope=actor, **fields)


@admin.register(CommentAnalysis)
class CommentAnalysisAdmin(ReadOnlyScopedAdmin[CommentAnalysis]):
    scope_path_field = "response__unit_path"
    list_display = ("response_id", "question_key", "language", "sentiment", "score", "mixed")
    list_filter = ("sentiment", "language", "mixed")
    search_fields = ("text",)
    ordering = ("-analysed_at", "-id")
    exclude = ("sentences",)

    def scope_queryset(
        self, scope: Scope, queryset: QuerySet[CommentAnalysis]
    ) -> QuerySet[CommentAnalysis]:
        from voxloop.textanalytics import selectors

        return queryset.filter(pk__in=selectors.analyses(scope).values("pk"))

    def get_readonly_fields(
        self, request: HttpRequest, obj: CommentAnalysis | None = None
    ) -> list[str]:
        return [f.name for f in self.model._meta.fields if f.name != "sentences"]
