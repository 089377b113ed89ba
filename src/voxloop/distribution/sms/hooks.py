"""What the SMS provider tells us: delivery reports for the texts we sent, and the replies
people send back (STOP, START, HELP). Both reach /o/hooks/sms/<token>/..., the token standing
for one organisation (SmsHook); the views in public_sms.py parse, these functions act.

Delivery reports move the invitation through the tracking lifecycle (progress.advance), so a
repeated or late report changes nothing. A permanent failure (the number does not exist or
cannot take texts) marks the phone invalid, as an email hard bounce marks the address.
Replies change SMS consent through the contacts services, each change in the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from voxloop.contacts import selectors as contact_selectors
from voxloop.contacts import services as contact_services
from voxloop.distribution.models import Channel, Invitation, InvitationStatus, SmsHook
from voxloop.distribution.tracking import progress
from voxloop.errors import Forbidden, NotFound
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import PATH_SEGMENT_WIDTH
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

# Provider statuses (Twilio, Vonage, Plivo, Sinch and the like) and what they mean here.
DELIVERED = {"delivered"}
FAILED = {"failed", "undelivered", "rejected", "expired"}
IN_FLIGHT = {"accepted", "queued", "sending", "sent", "buffered", "scheduled", "unknown"}
# Error codes that say the number itself is unusable (Twilio: invalid or unknown number,
# landline or unreachable carrier, not a mobile number).
PERMANENT_ERRORS = {"21211", "21214", "21614", "30005", "30006"}

STOP = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "退订", "配信停止", "DEZABONARE"}
START = {"START", "UNSTOP"}
HELP = {"HELP", "INFO", "帮助", "ヘルプ", "AJUTOR"}


# --- the organisation's callback token ------------------------------------------------------


def _require_org_admin(actor: Scope) -> None:
    actor.require(Capability.CONFIGURE)
    if len(actor.unit_path) != PATH_SEGMENT_WIDTH:
        raise Forbidden("The SMS callbacks are the whole organisation's: ask its admins.")


def hook_for(actor: Scope) -> SmsHook:
    """The organisation's callback token, made the first time an admin asks for it."""
    _require_org_admin(actor)
    hook = SmsHook.objects.filter(organization_id=actor.organization_id).first()
    if hook is None:
        with transaction.atomic():
            hook, made = SmsHook.objects.get_or_create(organization_id=actor.organization_id)
            if made:
                record_audit(actor=actor, action="sms_hook.create", target=hook)
    return hook


def rotate_hook(actor: Scope) -> SmsHook:
    """A new token: the old callback URLs stop working at once."""
    hook = hook_for(actor)
    with transaction.atomic():
        hook.token = SmsHook._meta.get_field("token").default()
        hook.rotated_at = timezone.now()
        hook.save(update_fields=["token", "rotated_at"])
        record_audit(actor=actor, action="sms_hook.rotate", target=hook)
    return hook


def organization_for(token: str) -> int | None:
    if not token or len(token) > 64:
        return None
    return SmsHook.objects.filter(token=token).values_list("organization_id", flat=True).first()


# --- delivery reports -------------------------------------------------------------------------


def apply_status(organization_id: int, message_id: str, status: str, error_code: str) -> str:
    """'applied' when the invitation moved, 'unchanged' when it already had this news,
    'ignored' for in-flight statuses. NotFound when no text of this organisation has the id."""
    invitation = Invitation.objects.filter(
        organization_id=organization_id, channel=Channel.SMS, message_id=message_id
    ).first()
    if invitation is None:
        raise NotFound("No text message with this id.", field="message_id")
    if status in IN_FLIGHT:
        return "ignored"
    if status in DELIVERED:
        moved = progress.advance(invitation, InvitationStatus.DELIVERED)
        return "applied" if moved else "unchanged"
    permanent = error_code in PERMANENT_ERRORS
    detail = f"sms {status}" + (f" {error_code}" if error_code else "")
    moved = progress.advance(invitation, InvitationStatus.FAILED, error=detail)
    if moved and permanent:
        contact_services.mark_address_invalid(
            contact_id=invitation.contact_id, channel=Channel.SMS, reason=detail
        )
    return "applied" if moved else "unchanged"


# --- replies ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    keyword: str  # "stop", "start", "help" or "" (any other text: no answer)
    text: str
    contacts: int  # contacts with the sender's number


def keyword_of(body: str) -> str:
    word = (body or "").strip().strip(".!。！").upper()
    if word in STOP:
        return "stop"
    if word in START:
        return "start"
    if word in HELP:
        return "help"
    return ""


def handle_reply(organization_id: int, phone_e164: str, body: str) -> Reply:
    """A text from `phone_e164`: STOP withdraws SMS consent from every contact with that
    number, START gives it back, HELP explains; the answer is in the sender's language."""
    keyword = keyword_of(body)
    contacts = []
    if keyword in ("stop", "start"):
        contacts = contact_services.set_sms_consent_by_phone(
            organization_id=organization_id,
            phone_e164=phone_e164,
            allowed=keyword == "start",
            how=f"sms:{body.strip()}",
        )
    elif keyword == "help":
        contacts = contact_selectors.contacts_with_phone(organization_id, phone_e164)
    locale = contacts[0].locale if contacts and contacts[0].locale else settings.LANGUAGE_CODE
    name = tenancy_selectors.organization_name(organization_id)
    with translation.override(locale):
        text = _reply_text(keyword, name or "")
    return Reply(keyword, text, len(contacts))


def _reply_text(keyword: str, name: str) -> str:
    if keyword == "stop":
        return _("You will get no more survey texts from %(org)s. Reply START to opt back in.") % {
            "org": name
        }
    if keyword == "start":
        return _("You will get survey texts from %(org)s again. Reply STOP to opt out.") % {
            "org": name
        }
    if keyword == "help":
        return _(
            "Survey invitations from %(org)s. Reply STOP to opt out, START to opt back in."
        ) % {"org": name}
    return ""
