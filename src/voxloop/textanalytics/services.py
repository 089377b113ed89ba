"""Every write to taxonomies, themes and their terms (audited), and to an organisation's text
settings. What the engine finds in comments is written by `analysis.py`."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.text import slugify

from voxloop.errors import Conflict, Forbidden, InvalidInput
from voxloop.tenancy.models import PATH_SEGMENT_WIDTH, OrgUnit
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit
from voxloop.textanalytics.models import (
    Language,
    Taxonomy,
    TermKind,
    TextSettings,
    Theme,
    ThemeTerm,
)

MAX_DEPTH = 3
EXAMPLE_MAX = 500
KEYWORD_MAX = 80


def _require_editable(scope: Scope, taxonomy: Taxonomy) -> None:
    scope.require(Capability.CONFIGURE)
    if taxonomy.organization_id != scope.organization_id:
        raise Forbidden("This taxonomy belongs to another organisation.")
    path = taxonomy.unit.path if taxonomy.unit_id else ""
    if not path and len(scope.unit_path) != PATH_SEGMENT_WIDTH:
        raise Forbidden("Only admins of the whole organisation edit its taxonomy.")
    if path and not path.startswith(scope.unit_path):
        raise Forbidden("This taxonomy applies outside your part of the organisation.")


def _bump(taxonomy: Taxonomy) -> None:
    Taxonomy.objects.filter(pk=taxonomy.pk).update(version=F("version") + 1)
    taxonomy.refresh_from_db(fields=["version", "updated_at"])


def create_taxonomy(*, scope: Scope, name: str, unit: OrgUnit | None = None) -> Taxonomy:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("A taxonomy needs a name.", field="name")
    if unit is not None and unit.organization_id != scope.organization_id:
        raise InvalidInput("No such unit.", field="unit_id")
    taxonomy = Taxonomy(organization_id=scope.organization_id, unit=unit, name=name[:120])
    _require_editable(scope, taxonomy)
    try:
        with transaction.atomic():
            taxonomy.save()
    except IntegrityError:
        raise Conflict("This unit already has a taxonomy.", field="unit_id") from None
    record_audit(
        actor=scope, action="textanalytics.taxonomy.create", target=taxonomy, changes={"name": name}
    )
    return taxonomy


def rename_taxonomy(*, scope: Scope, taxonomy: Taxonomy, name: str) -> Taxonomy:
    _require_editable(scope, taxonomy)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("A taxonomy needs a name.", field="name")
    old = taxonomy.name
    taxonomy.name = name[:120]
    taxonomy.save(update_fields=["name", "updated_at"])
    record_audit(
        actor=scope,
        action="textanalytics.taxonomy.rename",
        target=taxonomy,
        changes={"name": [old, name]},
    )
    return taxonomy


def delete_taxonomy(*, scope: Scope, taxonomy: Taxonomy) -> None:
    _require_editable(scope, taxonomy)
    record_audit(
        actor=scope,
        action="textanalytics.taxonomy.delete",
        target=taxonomy,
        changes={"name": taxonomy.name},
    )
    taxonomy.delete()


def _depth(theme: Theme | None) -> int:
    depth = 0
    while theme is not None:
        depth += 1
        theme = theme.parent
    return depth


def create_theme(
    *,
    scope: Scope,
    taxonomy: Taxonomy,
    name: str,
    key: str = "",
    parent: Theme | None = None,
    position: int = 0,
) -> Theme:
    _require_editable(scope, taxonomy)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("A theme needs a name.", field="name")
    key = slugify(key or name)[:60]
    if not key:
        raise InvalidInput("Give the theme a key in Latin letters, e.g. 'queue'.", field="key")
    if parent is not None:
        if parent.taxonomy_id != taxonomy.pk:
            raise InvalidInput("The parent theme is in another taxonomy.", field="parent_id")
        if _depth(parent) >= MAX_DEPTH:
            raise InvalidInput(f"Themes nest at most {MAX_DEPTH} deep.", field="parent_id")
    try:
        with transaction.atomic():
            theme = Theme.objects.create(
                taxonomy=taxonomy, parent=parent, key=key, name=name[:120], position=position
            )
            _bump(taxonomy)
    except IntegrityError:
        raise Conflict("This taxonomy already has a theme with this key.", field="key") from None
    record_audit(
        actor=scope,
        action="textanalytics.theme.create",
        target=theme,
        changes={"key": key, "name": name},
    )
    return theme


def update_theme(
    *,
    scope: Scope,
    theme: Theme,
    name: str | None = None,
    parent: Theme | None = None,
    clear_parent: bool = False,
    position: int | None = None,
) -> Theme:
    taxonomy = theme.taxonomy
    _require_editable(scope, taxonomy)
    changes: dict = {}
    if name is not None:
        if not name.strip():
            raise InvalidInput("A theme needs a name.", field="name")
        changes["name"] = [theme.name, name.strip()]
        theme.name = name.strip()[:120]
    if clear_parent or parent is not None:
        if parent is not None:
            if parent.taxonomy_id != taxonomy.pk:
                raise InvalidInput("The parent theme is in another taxonomy.", field="parent_id")
            ancestor: Theme | None = parent
            while ancestor is not None:
                if ancestor.pk == theme.pk:
                    raise InvalidInput("A theme cannot sit under itself.", field="parent_id")
                ancestor = ancestor.parent
            if _depth(parent) >= MAX_DEPTH:
                raise InvalidInput(f"Themes nest at most {MAX_DEPTH} deep.", field="parent_id")
        changes["parent"] = [theme.parent_id, parent.pk if parent else None]
        theme.parent = parent
    if position is not None:
        changes["position"] = [theme.position, position]
        theme.position = position
    if changes:
        with transaction.atomic():
            theme.save()
            _bump(taxonomy)
        record_audit(
            actor=scope, action="textanalytics.theme.update", target=theme, changes=changes
        )
    return theme


def delete_theme(*, scope: Scope, theme: Theme) -> None:
    taxonomy = theme.taxonomy
    _require_editable(scope, taxonomy)
    with transaction.atomic():
        record_audit(
            actor=scope,
            action="textanalytics.theme.delete",
            target=theme,
            changes={"key": theme.key},
        )
        theme.delete()
        _bump(taxonomy)


def add_term(*, scope: Scope, theme: Theme, language: str, kind: str, text: str) -> ThemeTerm:
    _require_editable(scope, theme.taxonomy)
    if language not in Language.values:
        raise InvalidInput(f"Language is one of {', '.join(Language.values)}.", field="language")
    if kind not in TermKind.values:
        raise InvalidInput(f"Kind is one of {', '.join(TermKind.values)}.", field="kind")
    text = " ".join((text or "").split())
    limit = EXAMPLE_MAX if kind == TermKind.EXAMPLE else KEYWORD_MAX
    if not text:
        raise InvalidInput("The text is empty.", field="text")
    if len(text) > limit:
        raise InvalidInput(f"At most {limit} characters.", field="text")
    try:
        with transaction.atomic():
            term = ThemeTerm.objects.create(theme=theme, language=language, kind=kind, text=text)
            _bump(theme.taxonomy)
    except IntegrityError:
        raise Conflict("The theme already has this term.", field="text") from None
    record_audit(
        actor=scope,
        action="textanalytics.term.add",
        target=theme,
        changes={"language": language, "kind": kind, "text": text},
    )
    return term


def remove_term(*, scope: Scope, term: ThemeTerm) -> None:
    theme = term.theme
    _require_editable(scope, theme.taxonomy)
    with transaction.atomic():
        record_audit(
            actor=scope,
            action="textanalytics.term.remove",
            target=theme,
            changes={"language": term.language, "kind": term.kind, "text": term.text},
        )
        term.delete()
        _bump(theme.taxonomy)


def settings_for(*, organization_id: int) -> TextSettings:
    """The organisation's settings; the defaults are stored on first use, so admins find a
    row to change in the Django admin."""
    found = TextSettings.objects.filter(organization_id=organization_id).first()
    if found is None:
        found, _ = TextSettings.objects.get_or_create(organization_id=organization_id)
    return found


def update_settings(*, scope: Scope, **fields: Any) -> TextSettings:
    scope.require(Capability.CONFIGURE)
    if len(scope.unit_path) != PATH_SEGMENT_WIDTH:
        raise Forbidden("Only admins of the whole organisation change text analytics settings.")
    current = settings_for(organization_id=scope.organization_id)
    languages = fields.get("languages")
    if languages is not None:
        if isinstance(languages, str):
            languages = [code for code in languages.split(",") if code]
        unknown = [code for code in languages if code not in Language.values]
        if unknown or not languages:
            raise InvalidInput(
                f"Languages are some of {', '.join(Language.values)}.", field="languages"
            )
        fields["languages"] = ",".join(languages)
    changes = {}
    for name, value in fields.items():
        if value is None:
            continue
        old = getattr(current, name)
        if old != value:
            changes[name] = "(changed)" if name == "llm_api_key" else [old, value]
            setattr(current, name, value)
    if changes:
        current.save()
        record_audit(
            actor=scope, action="textanalytics.settings.update", target=current, changes=changes
        )
    return current


def install_default_taxonomy(
    *, scope: Scope, kind: str, unit: OrgUnit | None = None, name: str = ""
) -> Taxonomy:
    """Copy the built-in retail or B2B taxonomy (themes, names, keywords and examples in
    every language) into the organisation, for the subtree of `unit`."""
    from voxloop.textanalytics.default_taxonomies import DEFAULTS

    if kind not in DEFAULTS:
        raise InvalidInput(f"Kind is one of {', '.join(DEFAULTS)}.", field="kind")
    default_name, rows = DEFAULTS[kind]
    with transaction.atomic():
        taxonomy = create_taxonomy(scope=scope, name=name or default_name, unit=unit)
        themes: dict[str, Theme] = {}
        for position, (key, parent, names, _, _) in enumerate(rows):
            themes[key] = Theme.objects.create(
                taxonomy=taxonomy,
                parent=themes.get(parent),
                key=key,
                name=names["en"],
                position=position,
            )
        terms = []
        for key, _, names, keywords, examples in rows:
            for language, label in names.items():
                terms.append(
                    ThemeTerm(theme=themes[key], language=language, kind="label", text=label)
                )
            for kind_, table in ((TermKind.KEYWORD, keywords), (TermKind.EXAMPLE, examples)):
                for language, texts in table.items():
                    terms.extend(
                        ThemeTerm(theme=themes[key], language=language, kind=kind_, text=text)
                        for text in dict.fromkeys(texts)
                    )
        ThemeTerm.objects.bulk_create(terms)
        record_audit(
            actor=scope,
            action="textanalytics.taxonomy.install",
            target=taxonomy,
            changes={"kind": kind, "themes": len(rows)},
        )
    return taxonomy


require_editable = _require_editable  # for the editor's pages


def analyse_texts(*, organization_id: int, items: list[tuple[str, str, str]]) -> list[dict]:
    """What the organisation's engine reads in texts that are not survey comments (online
    reviews): for each (unit path, text, locale), the same analysis a comment gets, with the
    deepest taxonomy above that unit — language, sentiment, themes (with their ancestors'
    keys) — as plain data. Nothing is stored here; the caller keeps what it needs. Keywords,
    intents, emotions and an endpoint's summary are not read (no caller kept them)."""
    from voxloop.textanalytics import analysis, matching

    engine = analysis.core_analyzer_for(organization_id=organization_id)
    taxonomies = analysis._Taxonomies(organization_id)
    found = []
    for unit_path, text, locale in items:
        matcher = matching.matcher_for(taxonomies.for_path(unit_path))
        result = engine.analyse_one(text, locale, matcher)
        found.append(
            {
                "language": result.language,
                "sentiment": result.sentiment,
                "score": result.score,
                "themes": [
                    {"key": t.key, "name": t.name, "path": t.path, "sentiment": t.sentiment}
                    for t in result.themes
                ],
                "engine": engine.version,
            }
        )
    return found
