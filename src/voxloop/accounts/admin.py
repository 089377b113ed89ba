"""Admin view of personal API tokens: read-only, with a scoped "revoke" action."""

from __future__ import annotations

from itertools import groupby

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from voxloop.accounts import services
from voxloop.accounts.models import ApiToken
from voxloop.tenancy.admin import ScopedAdmin
from voxloop.tenancy.scoping import Capability


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin[ApiToken]):
    scope_path_field = "membership__unit__path"
    scope_org_field = "membership__organization_id"
    view_capability = Capability.CONFIGURE
    list_display = (
        "name",
        "user",
        "masked",
        "membership",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user", "membership__unit", "membership__user")
    # The digest is useless to a reader and the secret is never stored.
    fields = list_display
    readonly_fields = fields
    actions = ("revoke",)

    @admin.display(description=_("token"))
    def masked(self, token: ApiToken) -> str:
        return f"vxl_{token.prefix}_…"

    # Tokens are made by their owners on their own page; here they are only read or revoked.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or self._scope_can(request, Capability.CONFIGURE)

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        tokens = queryset.filter(revoked_at__isnull=True).select_related("membership__unit")
        revoked = 0
        # One actor per organisation: a superuser may have picked tokens of several.
        by_org = sorted(tokens, key=lambda token: token.membership.organization_id)
        for org_id, group in groupby(by_org, key=lambda token: token.membership.organization_id):
            revoked += services.revoke_tokens(actor=self.actor(request, org_id), tokens=list(group))
        self.message_user(
            request,
            ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", revoked) % {"n": revoked},
            messages.SUCCESS,
        )
