"""Organisations, their unit tree, who may see what, frontline staff and the audit log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

PATH_SEGMENT_WIDTH = 10


def path_segment(pk: int) -> str:
    """A unit's own segment of the materialized path: its id, zero padded, digits only.

    Digits only (no separators) so that "this subtree" is the range [path, next_path) under
    any database collation, an indexable range scan on SQLite and PostgreSQL alike.
    """
    return str(pk).zfill(PATH_SEGMENT_WIDTH)


def path_upper_bound(path: str) -> str:
    """The smallest digit string of the same length greater than every string prefixed by path."""
    return str(int(path) + 1).zfill(len(path))


def subtree_q(path: str, field: str = "path") -> models.Q:
    """Rows whose path lies in the subtree rooted at `path`: one indexable range."""
    return models.Q(**{f"{field}__gte": path, f"{field}__lt": path_upper_bound(path)})


def ancestor_paths(path: str) -> list[str]:
    """The paths of every unit above the one with this path, root first."""
    return [path[:end] for end in range(PATH_SEGMENT_WIDTH, len(path), PATH_SEGMENT_WIDTH)]


def repathed(old_path: str, new_path: str, field: str = "path") -> models.Func:
    """An update expression that swaps a moved subtree's old path prefix for the new one."""
    from django.db.models.functions import Concat, Length, Substr

    return Concat(
        models.Value(new_path),
        Substr(field, len(old_path) + 1, Length(field)),
        output_field=models.CharField(),
    )


def repath_copies(
    queryset: models.QuerySet, old_path: str, new_path: str, field: str = "unit_path"
) -> int:
    """Rewrite the copied unit paths of rows under a moved subtree; the owning app calls this
    on its own rows when tenancy sends `unit_moved`."""
    return queryset.filter(subtree_q(old_path, field)).update(
        **{field: repathed(old_path, new_path, field)}
    )


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    COMPANY = "company", _("Company")
    DIVISION = "division", _("Division")
    COUNTRY = "country", _("Country")
    REGION = "region", _("Region")
    AREA = "area", _("Area")
    STORE = "store", _("Store")
    BRANCH = "branch", _("Branch")
    DEPARTMENT = "department", _("Department")
    TEAM = "team", _("Team")


class OrgUnit(models.Model):
    """A node of the organisation tree: the company, a country, a region, a store, a team."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="units")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    code = models.CharField(
        _("external code"), max_length=64, help_text=_("Unique in the organisation, e.g. S-0042.")
    )
    path = models.CharField(max_length=255, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    # An IANA zone ("Asia/Tokyo"); empty: the parent's, and at the root the server's. Days,
    # weeks and hours of the unit's figures are counted in it (analytics).
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        default="",
        help_text=_("Empty: the same as the parent unit."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="orgunit_code_unique"),
        ]
        indexes = [
            models.Index(fields=["organization", "path"], name="orgunit_org_path"),
            models.Index(fields=["organization", "kind", "path"], name="orgunit_org_kind_path"),
        ]
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def is_within(self, ancestor: "OrgUnit") -> bool:
        """True when this unit is the ancestor itself or anywhere below it."""
        return (
            self.organization_id == ancestor.organization_id
            and bool(ancestor.path)
            and self.path.startswith(ancestor.path)
        )

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this unit, read off the path without a query."""
        width = PATH_SEGMENT_WIDTH
        return [int(self.path[i : i + width]) for i in range(0, len(self.path), width)]


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    ANALYST = "analyst", _("Analyst")
    MANAGER = "manager", _("Manager")
    AGENT = "agent", _("Agent")
    VIEWER = "viewer", _("Viewer")


class Membership(models.Model):
    """A user's role at one unit of one organisation: they see that unit's subtree, no more."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    title = models.CharField(_("job title"), max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_user_org"),
        ]
        indexes = [models.Index(fields=["organization", "role"], name="membership_org_role")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} @ {self.unit}"


class Staff(models.Model):
    """A frontline employee at a unit, so feedback can name who served the customer."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="staff")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="staff")
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("employee code"), max_length=64)
    email = models.EmailField(_("email"), blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_profiles",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="staff_code_unique"),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AuditEntry(models.Model):
    """One change a user made: who, what, to which object, from where, and the values."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="audit"
    )
    unit_path = models.CharField(max_length=255, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=80)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organization", "-at"], name="audit_org_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"
