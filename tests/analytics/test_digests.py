"""Weekly digests: one per manager (and viewer) per week, through a real SMTP server, scoped
to them."""

from datetime import UTC, datetime, timedelta

from tests.analytics.support import respond
from voxloop.analytics import digests, services
from voxloop.analytics.models import DigestSubscription
from voxloop.schedule.registry import registered

NOW = datetime(2026, 11, 30, 8, tzinfo=UTC)


def test_managers_get_their_own_scope_once_a_week(world, survey, smtp_settings):
    acme = world.acme
    for i in range(5):
        respond(
            survey,
            acme.units["c1r1s1"],
            nps=2,
            at=NOW - timedelta(days=2),
            comment=f"<b>queue</b> too long {i}",
        )
    respond(survey, acme.units["c1r1s2"], nps=10, at=NOW - timedelta(days=3), comment="sibling joy")
    services.rebuild(organization_id=acme.root.organization_id)

    sent = digests.send_due_digests(now=NOW)
    managers = {
        "a-regional",
        "a-store",
        "a-sibling_store",
        "a-viewer",
        "b-regional",
        "b-store",
        "b-sibling_store",
        "b-viewer",
    }
    assert sent == len(managers)
    mail = {m.recipients[0].split("@")[0]: m for m in smtp_settings.wait_for(sent)}
    assert set(mail) == managers
    store = mail["a-store"].part("text/plain")
    assert "queue</b> too long" in store and "sibling joy" not in store
    assert "low sample" in store
    html = mail["a-store"].part("text/html")
    assert "&lt;b&gt;queue&lt;/b&gt;" in html
    regional = mail["a-regional"].part("text/plain")
    assert "Store 1.1.1" in regional and "sibling joy" in regional
    # The viewer of the same region gets the figures, never a comment (a record).
    viewer = mail["a-viewer"].part("text/plain") + mail["a-viewer"].part("text/html")
    assert "Region 1.1" in viewer and "NPS: -66.7" in viewer
    assert "sibling joy" not in viewer and "too long" not in viewer
    # A week has not passed: nothing more; after a week, again.
    assert digests.send_due_digests(now=NOW + timedelta(days=3)) == 0
    assert digests.send_due_digests(now=NOW + timedelta(days=7)) == len(managers)


def test_opted_out_manager_gets_nothing(world, smtp_settings):
    DigestSubscription.objects.create(membership=world.acme.members["store"], enabled=False)
    digests.send_due_digests(now=NOW)
    recipients = {m.recipients[0] for m in smtp_settings.wait_for(5)}
    assert "a-store@example.test" not in recipients


def test_digest_is_a_registered_periodic_task():
    assert "analytics.weekly_digests" in {p.name for p in registered()}


def test_each_manager_reads_the_digest_in_their_own_language(world, smtp_settings):
    from voxloop.accounts import services as account_services

    acme = world.acme
    account_services.set_language(user=acme.user("store"), language="zh-hans")
    account_services.set_language(user=acme.user("regional"), language="en")
    digests.send_due_digests(now=NOW)
    mail = {m.recipients[0]: m for m in smtp_settings.wait_for(6)}
    store, regional = mail["a-store@example.test"], mail["a-regional@example.test"]
    subject = str(store.message["Subject"]).strip()
    assert subject.startswith("Store 1.1.1 本周概览") and "11月23日" in subject  # Chinese dates
    assert "Store 1.1.1 的反馈" in store.part("text/plain")
    assert "打开仪表板" in store.part("text/html") and "Open your dashboard" not in subject
    assert str(regional.message["Subject"]).strip().startswith("Your week at Region 1.1")
    assert "Feedback at Region 1.1" in regional.part("text/plain")
    # Without a preference: the installation's language.
    sibling = str(mail["a-sibling_store@example.test"].message["Subject"]).strip()
    assert sibling.startswith("Your week at")
