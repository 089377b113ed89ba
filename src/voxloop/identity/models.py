"""How people of an organisation sign in: its identity provider (OpenID Connect or SAML 2.0),
the mapping of the provider's groups to a role at a unit, the people it provisioned (single
sign-on just in time, or SCIM), SCIM bearer tokens (hashed), and two-factor devices of local
accounts (decision 0037)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Protocol(models.TextChoices):
    OIDC = "oidc", _("OpenID Connect")
    SAML = "saml", _("SAML 2.0")


class SignInPolicy(models.Model):
    """One per organisation: its identity provider and the rules for signing in."""

    organization = models.OneToOneField(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="sign_in_policy"
    )
    protocol = models.CharField(
        _("protocol"), max_length=10, choices=Protocol.choices, default=Protocol.OIDC
    )
    sso_enabled = models.BooleanField(_("single sign-on enabled"), default=False)
    # Lower case, comma separated; the sign-in page finds the organisation by them.
    email_domains = models.CharField(_("email domains"), max_length=500, blank=True, default="")
    sso_required = models.BooleanField(_("single sign-on required"), default=False)
    break_glass_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("break-glass admin"),
    )
    jit_provisioning = models.BooleanField(_("create people at first sign-in"), default=True)
    default_role = models.CharField(_("default role"), max_length=20, blank=True, default="")
    default_unit = models.ForeignKey(
        "tenancy.OrgUnit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default unit"),
    )
    # OpenID Connect
    issuer = models.URLField(_("issuer"), max_length=500, blank=True, default="")
    client_id = models.CharField(_("client ID"), max_length=255, blank=True, default="")
    sealed_secret = models.TextField(blank=True, default="")  # voxloop.sealing
    groups_claim = models.CharField(_("groups claim"), max_length=100, default="groups")
    discovery = models.JSONField(default=dict, blank=True)
    jwks = models.JSONField(default=dict, blank=True)
    # SAML 2.0
    metadata_url = models.URLField(_("metadata URL"), max_length=500, blank=True, default="")
    metadata_xml = models.TextField(_("metadata XML"), blank=True, default="")
    groups_attribute = models.CharField(
        _("groups attribute"), max_length=200, blank=True, default="groups"
    )
    # Unsolicited responses (sign-in started at the provider's portal); off by default.
    idp_initiated = models.BooleanField(
        _("sign-in started at the identity provider"), default=False
    )
    # Our signing and encryption keys and certificates as a SAML service provider, sealed
    # (voxloop.sealing) like every other credential; made when SAML is first configured.
    sealed_sp_keys = models.TextField(blank=True, default="")
    # Two-factor for local (password) accounts
    two_factor_required = models.BooleanField(_("two-factor required"), default=False)
    # Comma separated roles; empty: every role.
    two_factor_roles = models.CharField(_("for roles"), max_length=100, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sign-in policy")
        verbose_name_plural = _("sign-in policies")

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_protocol_display()})"

    def domains(self) -> list[str]:
        return [d.strip().lower() for d in self.email_domains.split(",") if d.strip()]

    def two_factor_role_list(self) -> list[str]:
        return [r.strip() for r in self.two_factor_roles.split(",") if r.strip()]


class GroupMapping(models.Model):
    """An identity-provider group that gives a role at a unit. A group with `{code}` in it
    (store-{code}-managers) matches a family of groups; the unit is then the one whose code is
    `unit_code` with the same `{code}` filled in (S-{code})."""

    policy = models.ForeignKey(SignInPolicy, on_delete=models.CASCADE, related_name="mappings")
    group = models.CharField(_("group"), max_length=200)
    role = models.CharField(_("role"), max_length=20)
    unit_code = models.CharField(_("unit code"), max_length=100)

    class Meta:
        verbose_name = _("group mapping")
        verbose_name_plural = _("group mappings")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "group"], name="groupmapping_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.group} → {self.role} @ {self.unit_code}"


class Source(models.TextChoices):
    SSO = "sso", _("Single sign-on")
    SCIM = "scim", _("SCIM")


class ExternalIdentity(models.Model):
    """A person as the organisation's identity provider knows them."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="external_identities"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    # The provider's stable name of the person: OIDC `sub`, SAML NameID, SCIM userName.
    subject = models.CharField(max_length=255)
    user_name = models.CharField(max_length=255, blank=True, default="")
    external_id = models.CharField(max_length=255, blank=True, default="")
    source = models.CharField(max_length=10, choices=Source.choices)
    active = models.BooleanField(default=True)
    groups = models.JSONField(default=list, blank=True)
    display_name = models.CharField(max_length=255, blank=True, default="")
    # Kept so that SCIM can give back what it was sent (name, emails) as clients expect.
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "subject"], name="extid_subject"),
            models.UniqueConstraint(fields=["organization", "user"], name="extid_user"),
        ]

    def __str__(self) -> str:
        return self.user_name or self.subject


class ScimGroup(models.Model):
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="scim_groups"
    )
    display_name = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255, blank=True, default="")
    members = models.ManyToManyField(ExternalIdentity, related_name="scim_groups", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "display_name"], name="scimgroup_name"),
        ]

    def __str__(self) -> str:
        return self.display_name


class ScimToken(models.Model):
    """A provisioning client's bearer token, stored as a SHA-256 digest, shown once."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="scim_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (scim_{self.prefix}_…)"


class SeenAssertion(models.Model):
    """Ids of SAML assertions and OIDC tokens already used, until they expire: a replay of
    one is refused."""

    organization = models.ForeignKey("tenancy.Organization", on_delete=models.CASCADE)
    assertion_id = models.CharField(max_length=255)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "assertion_id"], name="seenassertion_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.assertion_id


class TwoFactorDevice(models.Model):
    """A person's TOTP authenticator (RFC 6238); its secret is sealed (voxloop.sealing)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor"
    )
    sealed_secret = models.TextField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last time step accepted: a code is good once (RFC 6238 §5.2).
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"TOTP of user {self.user_id}"


class RecoveryCode(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code of user {self.user_id}"


class SsoSession(models.Model):
    """A session signed in through the organisation's provider, so that the provider's
    back-channel logout (by `sid` or `sub`) finds the sessions it ends."""

    organization = models.ForeignKey("tenancy.Organization", on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=64)
    subject = models.CharField(max_length=255)
    sid = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "subject"], name="ssosession_subject"),
            models.Index(fields=["organization", "sid"], name="ssosession_sid"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.sid or 'no sid'})"
