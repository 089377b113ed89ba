"""The theme editor (admins): a taxonomy's themes with their names, keywords and examples per
language; add and remove terms, seeing live which recent comments a draft term matches;
rename, merge, split and delete themes; accept a suggested (emerging) theme; re-read the
comments. Every write goes through `services`/`editing` (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from voxloop.analytics import selectors as analytics_selectors
from voxloop.errors import InvalidInput
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.textanalytics import editing, explorer, insights, selectors, services
from voxloop.textanalytics.models import Language, TermKind, Theme, ThemeTerm
from voxloop.textanalytics.web import scope_of
from voxloop.web.access import admin_required

LANGUAGES = list(Language.choices)
KINDS = [(TermKind.KEYWORD, TermKind.KEYWORD.label), (TermKind.EXAMPLE, TermKind.EXAMPLE.label)]
THEME_ACTIONS = ("add_term", "rename", "merge", "split", "delete")
TAXONOMY_ACTIONS = ("add_theme", "accept", "reread")


def _back(taxonomy_id: int, anchor: str = "") -> HttpResponse:
    url = f"{reverse('textanalytics:themes')}?taxonomy={taxonomy_id}"
    return redirect(f"{url}#{anchor}" if anchor else url)


@admin_required
def themes_page(request: ScopedRequest) -> HttpResponse:
    scope = scope_of(request)
    taxonomies = list(selectors.visible_taxonomies(scope))
    chosen = None
    raw = request.GET.get("taxonomy", "")
    if raw:
        if not raw.isdigit():
            raise InvalidInput("'taxonomy' is a taxonomy's id.", "taxonomy")
        chosen = selectors.taxonomy(scope, int(raw))
    elif taxonomies:
        chosen = taxonomies[0]
    context: dict[str, Any] = {"taxonomies": taxonomies, "taxonomy": chosen, "languages": LANGUAGES}
    if chosen is not None:
        _, themes = selectors.taxonomy_with_themes(scope, chosen.pk)
        context.update(tree=_tree(themes), themes=themes, kinds=KINDS)
        ctx = analytics_selectors.context_from(scope, {"period": "90d"}, role_defaults=False)
        context["suggestions"] = insights.emerging_themes(ctx, limit=5, examples=2)["groups"]
    return render(request, "textanalytics/themes.html", context)


def _tree(themes: list[Theme]) -> list[tuple[int, Theme, dict[str, list[ThemeTerm]]]]:
    """(depth, theme, terms by language) in taxonomy order, children under their parent."""
    by_parent: dict[int | None, list[Theme]] = {}
    for theme in themes:
        by_parent.setdefault(theme.parent_id, []).append(theme)
    out, stack = [], [(0, t) for t in reversed(by_parent.get(None, []))]
    while stack:
        depth, theme = stack.pop()
        terms: dict[str, list[ThemeTerm]] = {}
        for term in theme.terms.all():
            terms.setdefault(term.language, []).append(term)
        out.append((depth, theme, terms))
        stack += [(depth + 1, c) for c in reversed(by_parent.get(theme.pk, []))]
    return out


@admin_required
def theme_matches(request: ScopedRequest, theme_id: int) -> HttpResponse:
    """Which recent comments the theme matches with the draft term added (a fragment for the
    editor's live preview, or a page without JavaScript)."""
    theme = selectors.theme(scope_of(request), theme_id)
    found = editing.live_matches(
        scope_of(request),
        theme,
        language=request.GET.get("language", ""),
        kind=request.GET.get("kind", TermKind.KEYWORD),
        text=request.GET.get("text", ""),
    )
    names = {theme.key: theme.name}
    for match in found["matches"]:
        match["html"] = explorer.highlighted(match["row"], names)
    template = "_matches.html" if request.GET.get("fragment") else "matches.html"
    return render(
        request,
        f"textanalytics/{template}",
        {"theme": theme, "found": found, "draft": request.GET.get("text", "")},
    )


@admin_required
@require_POST
def theme_action(request: ScopedRequest, theme_id: int, action: str) -> HttpResponse:
    if action not in THEME_ACTIONS:
        raise InvalidInput("Unknown action.", "action")
    scope, post = scope_of(request), request.POST
    theme = selectors.theme(scope, theme_id)
    taxonomy_id = theme.taxonomy_id
    if action == "add_term":
        services.add_term(
            scope=scope,
            theme=theme,
            language=post.get("language", ""),
            kind=post.get("kind", ""),
            text=post.get("text", ""),
        )
        messages.success(request, _("Added. Re-read the comments to apply it to past ones."))
    elif action == "rename":
        services.update_theme(scope=scope, theme=theme, name=post.get("name", ""))
    elif action == "merge":
        target = selectors.theme(scope, _id(post.get("into"), "into"))
        editing.merge_themes(scope=scope, source=theme, target=target)
        messages.success(request, _("Merged into “%(name)s”.") % {"name": target.name})
        return _back(taxonomy_id, f"theme-{target.pk}")
    elif action == "split":
        term_ids = [_id(v, "term_ids") for v in post.getlist("term_ids")]
        created = editing.split_theme(
            scope=scope, theme=theme, name=post.get("name", ""), term_ids=term_ids
        )
        return _back(taxonomy_id, f"theme-{created.pk}")
    elif action == "delete":
        if post.get("confirm") != "yes":
            raise InvalidInput("Tick the box to confirm the deletion.", "confirm")
        services.delete_theme(scope=scope, theme=theme)
        messages.success(request, _("Theme deleted."))
        return _back(taxonomy_id)
    return _back(taxonomy_id, f"theme-{theme.pk}")


@admin_required
@require_POST
def term_remove(request: ScopedRequest, term_id: int) -> HttpResponse:
    term = selectors.term(scope_of(request), term_id)
    theme = term.theme
    services.remove_term(scope=scope_of(request), term=term)
    return _back(theme.taxonomy_id, f"theme-{theme.pk}")


@admin_required
@require_POST
def taxonomy_action(request: ScopedRequest, taxonomy_id: int, action: str) -> HttpResponse:
    if action not in TAXONOMY_ACTIONS:
        raise InvalidInput("Unknown action.", "action")
    scope, post = scope_of(request), request.POST
    taxonomy = selectors.taxonomy(scope, taxonomy_id)
    parent = selectors.theme(scope, _id(post["parent"], "parent")) if post.get("parent") else None
    if action == "add_theme":
        theme = services.create_theme(
            scope=scope, taxonomy=taxonomy, name=post.get("name", ""), parent=parent
        )
        return _back(taxonomy.pk, f"theme-{theme.pk}")
    if action == "accept":
        keywords = {
            code: [w.strip() for w in post.get(f"keywords_{code}", "").split(",") if w.strip()]
            for code, _name in LANGUAGES
        }
        theme = editing.accept_suggestion(
            scope=scope, taxonomy=taxonomy, name=post.get("name", ""), keywords=keywords
        )
        messages.success(request, _("Theme added. Re-read the comments to find it in them."))
        return _back(taxonomy.pk, f"theme-{theme.pk}")
    services.require_editable(scope, taxonomy)
    from voxloop.textanalytics.tasks import backfill

    backfill.enqueue(scope.organization_id)
    messages.success(request, _("The comments are being re-read in the background."))
    return _back(taxonomy.pk)


def _id(raw: object, field: str) -> int:
    if not raw or not str(raw).isdigit() or len(str(raw)) > 12:
        raise InvalidInput("Choose one from the list.", field)
    return int(str(raw))
