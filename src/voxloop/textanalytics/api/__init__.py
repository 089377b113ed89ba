"""Text analytics over the API: analyse texts on demand, manage theme taxonomies, read
breakdowns. Comments' stored results appear on the responses API (`selectors`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.throttling import SimpleRateThrottle

from voxloop.api.context import actor
from voxloop.api.pages import listing
from voxloop.api.schemas import Id, ListQuery
from voxloop.errors import InvalidInput
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.textanalytics import analysis, matching, selectors, services
from voxloop.textanalytics.engine.text import base_language
from voxloop.textanalytics.models import Taxonomy, Theme
from voxloop.textanalytics.presenting import public, theme_out
from voxloop.textanalytics.schemas import (
    AnalyzeIn,
    AnalyzeOut,
    BreakdownFilters,
    BreakdownOut,
    InstallIn,
    SettingsIn,
    SettingsOut,
    TaxonomyDetail,
    TaxonomyIn,
    TaxonomyOut,
    TaxonomyPatch,
    TermIn,
    TermOut,
    ThemeIn,
    ThemeOut,
    ThemePatch,
)

router = Router(tags=["text analytics"])


class PerMember(SimpleRateThrottle):
    """TEXT_ANALYZE_RATE requests per membership (or address): analysis costs CPU."""

    def __init__(self) -> None:
        self.rate = None

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = settings.TEXT_ANALYZE_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str:
        scope = getattr(request, "scope", None)
        who = (
            f"m{scope.membership_id}" if scope and scope.membership_id else self.get_ident(request)
        )
        return f"vx:text-analyze:{who}"


@router.post("/text/analyze", response=AnalyzeOut, url_name="text_analyze", throttle=[PerMember()])
def analyze(request: HttpRequest, payload: AnalyzeIn) -> dict:
    """Analyse up to 100 texts: language, sentiment (per sentence and overall), themes of the
    taxonomy that applies to you, keywords, intents. Nothing is stored."""
    scope = actor(request)
    scope.require(Capability.VIEW)
    for index, item in enumerate(payload.texts):
        if "\x00" in item.text:
            raise InvalidInput("A text never contains a NUL character.", f"texts.{index}.text")
        if item.locale and not base_language(item.locale).replace("-", "").isalpha():
            raise InvalidInput("Not a language code.", field=f"texts.{index}.locale")
    if payload.taxonomy_id is not None:
        taxonomy = selectors.taxonomy(scope, payload.taxonomy_id)
    else:
        taxonomy = selectors.taxonomy_for_unit_path(scope.organization_id, scope.unit_path)
    engine = analysis.analyzer_for(organization_id=scope.organization_id)
    matcher = matching.matcher_for(taxonomy)
    return {
        "results": [
            public(engine.analyse_one(item.text, item.locale, matcher)) for item in payload.texts
        ]
    }


def _taxonomy_out(taxonomy: Taxonomy) -> dict:
    return {
        "id": taxonomy.pk,
        "name": taxonomy.name,
        "unit_id": taxonomy.unit_id,
        "unit_code": taxonomy.unit.code if taxonomy.unit_id else None,
        "version": taxonomy.version,
        "updated_at": taxonomy.updated_at,
    }


def _unit(scope: Scope, code: str | None) -> OrgUnit | None:
    """The unit named, or the caller's own; None (the whole organisation) for its admins."""
    if code:
        return tenancy_selectors.unit_named_by(scope, code)
    root = tenancy_selectors.scope_root(scope)
    return None if root.parent_id is None else root


@router.get("/text/taxonomies", response=list[TaxonomyOut], url_name="text_taxonomies")
def list_taxonomies(request: HttpRequest, query: Query[ListQuery]) -> list[dict]:
    taxonomies = selectors.visible_taxonomies(actor(request))
    return listing(request, taxonomies, query, _taxonomy_out)


@router.post("/text/taxonomies", response={201: TaxonomyOut}, url_name="text_taxonomy_create")
def create_taxonomy(request: HttpRequest, payload: TaxonomyIn) -> Status:
    scope = actor(request)
    scope.require(Capability.CONFIGURE)
    taxonomy = services.create_taxonomy(
        scope=scope, name=payload.name, unit=_unit(scope, payload.unit_code)
    )
    return Status(201, _taxonomy_out(taxonomy))


@router.post(
    "/text/taxonomies/install", response={201: TaxonomyOut}, url_name="text_taxonomy_install"
)
def install_taxonomy(request: HttpRequest, payload: InstallIn) -> Status:
    """Copy the built-in retail or B2B taxonomy (five languages) for your unit's subtree."""
    scope = actor(request)
    scope.require(Capability.CONFIGURE)
    taxonomy = services.install_default_taxonomy(
        scope=scope, kind=payload.kind, unit=_unit(scope, payload.unit_code), name=payload.name
    )
    return Status(201, _taxonomy_out(taxonomy))


@router.get("/text/taxonomies/{int:taxonomy_id}", response=TaxonomyDetail, url_name="text_taxonomy")
def get_taxonomy(request: HttpRequest, taxonomy_id: Id) -> dict:
    taxonomy, themes = selectors.taxonomy_with_themes(actor(request), taxonomy_id)
    return {**_taxonomy_out(taxonomy), "themes": [theme_out(t) for t in themes]}


@router.patch(
    "/text/taxonomies/{int:taxonomy_id}", response=TaxonomyOut, url_name="text_taxonomy_rename"
)
def rename_taxonomy(request: HttpRequest, taxonomy_id: Id, payload: TaxonomyPatch) -> dict:
    scope = actor(request)
    taxonomy = selectors.taxonomy(scope, taxonomy_id)
    return _taxonomy_out(
        services.rename_taxonomy(scope=scope, taxonomy=taxonomy, name=payload.name)
    )


@router.delete(
    "/text/taxonomies/{int:taxonomy_id}", response={204: None}, url_name="text_taxonomy_delete"
)
def delete_taxonomy(request: HttpRequest, taxonomy_id: Id) -> Status:
    scope = actor(request)
    services.delete_taxonomy(scope=scope, taxonomy=selectors.taxonomy(scope, taxonomy_id))
    return Status(204, None)


def _parent(scope: Scope, taxonomy: Taxonomy, parent_id: int | None) -> Theme | None:
    if not parent_id:
        return None
    parent = selectors.theme(scope, parent_id)
    if parent.taxonomy_id != taxonomy.pk:
        raise InvalidInput("The parent theme is in another taxonomy.", field="parent_id")
    return parent


@router.post(
    "/text/taxonomies/{int:taxonomy_id}/themes", response={201: ThemeOut}, url_name="text_themes"
)
def create_theme(request: HttpRequest, taxonomy_id: Id, payload: ThemeIn) -> Status:
    scope = actor(request)
    scope.require(Capability.CONFIGURE)
    taxonomy = selectors.taxonomy(scope, taxonomy_id)
    with transaction.atomic():
        theme = services.create_theme(
            scope=scope,
            taxonomy=taxonomy,
            name=payload.name,
            key=payload.key,
            parent=_parent(scope, taxonomy, payload.parent_id),
            position=payload.position,
        )
        for index, term in enumerate(payload.terms):
            try:
                services.add_term(scope=scope, theme=theme, **term.dict())
            except InvalidInput as error:
                error.field = f"terms.{index}.{error.field}"
                raise
    return Status(201, theme_out(selectors.theme(scope, theme.pk)))


@router.patch("/text/themes/{int:theme_id}", response=ThemeOut, url_name="text_theme")
def update_theme(request: HttpRequest, theme_id: Id, payload: ThemePatch) -> dict:
    scope = actor(request)
    theme = selectors.theme(scope, theme_id)
    fields = payload.dict(exclude_unset=True)
    parent = None
    if fields.get("parent_id"):
        parent = _parent(scope, theme.taxonomy, fields["parent_id"])
    services.update_theme(
        scope=scope,
        theme=theme,
        name=fields.get("name"),
        parent=parent,
        clear_parent="parent_id" in fields and not fields["parent_id"],
        position=fields.get("position"),
    )
    return theme_out(selectors.theme(scope, theme_id))


@router.delete("/text/themes/{int:theme_id}", response={204: None}, url_name="text_theme_delete")
def delete_theme(request: HttpRequest, theme_id: Id) -> Status:
    scope = actor(request)
    services.delete_theme(scope=scope, theme=selectors.theme(scope, theme_id))
    return Status(204, None)


@router.post("/text/themes/{int:theme_id}/terms", response={201: TermOut}, url_name="text_terms")
def add_term(request: HttpRequest, theme_id: Id, payload: TermIn) -> Status:
    scope = actor(request)
    theme = selectors.theme(scope, theme_id)
    term = services.add_term(scope=scope, theme=theme, **payload.dict())
    return Status(
        201, {"id": term.pk, "language": term.language, "kind": term.kind, "text": term.text}
    )


@router.delete("/text/terms/{int:term_id}", response={204: None}, url_name="text_term")
def remove_term(request: HttpRequest, term_id: Id) -> Status:
    scope = actor(request)
    services.remove_term(scope=scope, term=selectors.term(scope, term_id))
    return Status(204, None)


def _settings_out(found: Any) -> dict:
    return {
        "languages": list(found.language_list),
        "embeddings": found.embeddings,
        "llm_enabled": found.llm_enabled,
        "llm_base_url": found.llm_base_url,
        "llm_model": found.llm_model,
        "llm_api_key_set": bool(found.llm_api_key),
    }


@router.get("/text/settings", response=SettingsOut, url_name="text_settings")
def get_settings(request: HttpRequest) -> dict:
    scope = actor(request)
    scope.require(Capability.CONFIGURE)
    return _settings_out(services.settings_for(organization_id=scope.organization_id))


@router.patch("/text/settings", response=SettingsOut, url_name="text_settings_update")
def update_settings(request: HttpRequest, payload: SettingsIn) -> dict:
    scope = actor(request)
    return _settings_out(services.update_settings(scope=scope, **payload.dict(exclude_unset=True)))


@router.get("/text/breakdown", response=BreakdownOut, url_name="text_breakdown")
def breakdown(request: HttpRequest, filters: Query[BreakdownFilters]) -> dict:
    """Comments by sentiment and mentions by theme and sentiment, over the responses you may
    read."""
    scope = actor(request)
    given = {k: v for k, v in filters.dict().items() if v is not None}
    if "survey" in given:
        given["survey_id"] = given.pop("survey")
    return {
        "sentiment": selectors.sentiment_counts(scope, **given),
        "themes": [
            {
                "theme_id": row["theme_id"],
                "key": row["theme__key"],
                "name": row["theme__name"],
                "sentiment": row["sentiment"],
                "n": row["n"],
            }
            for row in selectors.theme_counts(scope, **given)
        ],
    }


# The product pages' reads and writes (explorer, impact, editor), mounted beside these.
from voxloop.textanalytics.api.product import router as product_router  # noqa: E402, F401
