"""The review pages: scoped lists and details (a neighbouring store and another organisation
get "not found"), replies drafted from a playbook in the review's language and posted to a
connector that takes them (faked) or handed over for the others, the admin's source pages
without JSON, and erasure of a reviewer's name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import YES
from tests.reviews.corpus import samples
from tests.reviews.support import make_source
from voxloop import sealing
from voxloop.closedloop import services as closedloop_services
from voxloop.reviews import fetching, services
from voxloop.reviews.models import ReplyStatus, Review, ReviewSource, SourceLocation
from voxloop.tenancy.models import AuditEntry

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LOCATION = "accounts/1/locations/9"


def _csv(rows: list[tuple]) -> bytes:
    lines = ["id,location,rating,date,author,text,language"]
    lines += [",".join(f'"{v}"' for v in row) for row in rows]
    return "\n".join(lines).encode()


@pytest.fixture
def reviews(world):
    """Reviews at store c1r1s1 (en, zh) and c1r1s2 (ro), and one in the other organisation."""
    source = make_source(world.acme, "file", locations={"s1": "c1r1s1", "s2": "c1r1s2"})
    en, zh, ro = samples("en")[0], samples("zh")[0], samples("ro")[0]
    rows = [
        ("a", "s1", en.stars, "2026-10-01T10:00:00Z", "Ann Lee", en.text, "en"),
        ("b", "s1", zh.stars, "2026-10-02T10:00:00Z", "王芳", zh.text, "zh"),
        ("c", "s2", ro.stars, "2026-10-03T10:00:00Z", "Ion Pop", ro.text, "ro"),
    ]
    services.import_file(
        scope=world.acme.scope("admin"), source=source, name="r.csv", data=_csv(rows), now=T0
    )
    theirs = make_source(world.other, "file", locations={"x": "c1r1s1"})
    services.import_file(
        scope=world.other.scope("admin"),
        source=theirs,
        name="r.csv",
        data=_csv([("z", "x", 1, "2026-10-01", "Zed", "secret other text", "en")]),
        now=T0,
    )
    return {r.external_id: r for r in Review.objects.all()}


def test_the_list_shows_the_members_subtree_only(world, client, reviews):
    client.force_login(world.acme.user("store"))
    page = client.get("/reviews/").content.decode()
    assert samples("en")[0].text[:30] in page and samples("ro")[0].text[:30] not in page
    assert "secret other text" not in page
    client.force_login(world.acme.user("regional"))
    page = client.get("/reviews/", {"rating": samples("zh")[0].stars, "by": "source"})
    assert page.status_code == 200
    client.force_login(world.acme.user("viewer"))
    page = client.get("/reviews/").content.decode()  # figures, no individual reviews
    assert 'data-testid="review-figures"' in page and 'data-testid="review-row"' not in page


@pytest.mark.parametrize(
    ("who", "status"),
    [("store", 200), ("sibling_store", 404), ("viewer", 403), ("other_admin", 404)],
)
def test_a_review_is_not_found_outside_the_subtree_or_tenant(world, client, reviews, who, status):
    user = world.other.user("admin") if who == "other_admin" else world.acme.user(who)
    client.force_login(user)
    assert client.get(f"/reviews/{reviews['a'].pk}/").status_code == status
    if who != "store":
        assert client.post(f"/reviews/{reviews['a'].pk}/reply/", {"text": "x"}).status_code in (
            403,
            404,
        )


def test_a_bad_filter_is_a_form_error_not_a_crash(world, client, reviews):
    client.force_login(world.acme.user("admin"))
    for query in ({"rating": "9"}, {"start": "2026-13-01"}, {"source": "x"}, {"theme": "nope"}):
        assert client.get("/reviews/", query).status_code == 200


def test_a_reply_drafted_in_the_reviews_language_is_handed_over_for_a_file_source(
    world, client, reviews
):
    scope = world.acme.scope("admin")
    for language, body in (
        ("zh", "{{first_name}}您好，感谢您的评价。"),
        ("en", "Thanks {{first_name}}"),
    ):
        closedloop_services.create_playbook(
            actor=scope,
            unit=world.acme.root,
            name=f"reply {language}",
            kind="review_reply",
            language=language,
            subject="-",
            body=body,
        )
    client.force_login(world.acme.user("store"))
    page = client.get(f"/reviews/{reviews['b'].pk}/").content.decode()
    assert "reply zh" in page and "reply en" not in page  # only the review's language
    from voxloop.closedloop.models import Playbook

    zh_id = Playbook.objects.get(language="zh").pk
    drafted = client.post(
        f"/reviews/{reviews['b'].pk}/reply/", {"action": "draft", "playbook": zh_id}
    ).content.decode()
    assert "王芳您好，感谢您的评价。" in drafted
    sent = client.post(f"/reviews/{reviews['b'].pk}/reply/", {"action": "send", "text": "谢谢！"})
    assert sent.status_code == 302
    (reply,) = reviews["b"].replies.all()
    assert reply.status == ReplyStatus.COPIED and reply.author == world.acme.user("store")
    assert AuditEntry.objects.filter(action="reviews.reply").exists()
    # An agent reads but does not reply.
    client.force_login(world.acme.user("agent"))
    assert client.post(f"/reviews/{reviews['b'].pk}/reply/", {"text": "x"}).status_code == 403


def test_a_reply_is_posted_through_google_business(world, provider, client):
    source = make_source(
        world.acme,
        "google_business",
        base_url=f"{provider.url}/v4",
        locations={LOCATION: "c1r1s1"},
        credentials={"access_token": "ya29.t"},
    )
    from tests.reviews.payloads import google_page, google_review

    provider.pages[(f"/v4/{LOCATION}/reviews", "")] = google_page(
        [google_review("g1", samples("ro")[1], created="2026-10-01T10:00:00Z", name="Ion")]
    )
    fetching.fetch(source.pk, now=T0)
    review = Review.objects.get(external_id="g1")
    client.force_login(world.acme.user("store"))
    client.post(f"/reviews/{review.pk}/reply/", {"action": "send", "text": "Ne pare rău!"})
    (put,) = [r for r in provider.requests if r.method == "PUT"]
    assert put.path == f"/v4/{LOCATION}/reviews/g1/reply" and put.body == {
        "comment": "Ne pare rău!"
    }
    review.refresh_from_db()
    assert review.reply_text == "Ne pare rău!" and review.replies.get().status == ReplyStatus.POSTED


def test_erasing_a_reviewers_name_needs_confirmation_and_survives_a_refetch(world, client, reviews):
    client.force_login(world.acme.user("admin"))
    url = f"/reviews/{reviews['a'].pk}/erase-author/"
    client.post(url)  # no confirmation: nothing changes
    assert Review.objects.get(pk=reviews["a"].pk).author_name == "Ann Lee"
    client.post(url, YES)
    assert Review.objects.get(pk=reviews["a"].pk).author_name == fetching.ERASED
    source = reviews["a"].source
    en = samples("en")[0]
    services.import_file(
        scope=world.acme.scope("admin"),
        source=source,
        name="again.csv",
        data=_csv([("a", "s1", en.stars, "2026-10-01T10:00:00Z", "Ann Lee", en.text + "!", "en")]),
    )
    assert Review.objects.get(pk=reviews["a"].pk).author_name == fetching.ERASED
    client.force_login(world.acme.user("store"))
    assert client.post(url, YES).status_code == 403


def test_a_contacts_erasure_erases_their_name_as_a_reviewer(world, reviews):
    """The erasure's `contact_erasing` signal names the person; their full name goes."""
    from voxloop.privacy.redaction import KnownPerson
    from voxloop.privacy.signals import contact_erasing
    from voxloop.reviews.receivers import forget_person

    answers = contact_erasing.send(
        sender=None,
        organization_id=world.acme.root.organization_id,
        contact_id=0,
        person=KnownPerson.of("Ann", "Lee", "ann@example.test", "", ""),
        response_ids=[],
        now=T0,
    )
    assert [r for f, r in answers if f is forget_person] == [{"reviews": 1}]
    assert Review.objects.get(pk=reviews["a"].pk).author_name == fetching.ERASED
    assert Review.objects.get(pk=reviews["c"].pk).author_name == "Ion Pop"


def test_an_admin_configures_a_source_with_forms(world, client):
    client.force_login(world.acme.user("admin"))
    created = client.post(
        "/reviews/sources/",
        {
            "name": "Yelp SF",
            "kind": "yelp",
            "unit_code": world.acme.units["c1"].code,
            "interval_minutes": 60,
            "is_active": "on",
            "cred_api_key": "yelp-secret-key-1",
        },
    )
    source = ReviewSource.objects.get(name="Yelp SF")
    assert created.status_code == 302
    assert sealing.unseal(source.credentials) == {"api_key": "yelp-secret-key-1"}
    page = client.get(f"/reviews/sources/{source.pk}/").content.decode()
    assert "yelp-secret-key-1" not in page and "…ey-1" in page
    mapped = client.post(
        f"/reviews/sources/{source.pk}/locations/",
        {"external_id": "acme-sf", "unit_code": world.acme.units["c1r1s1"].code},
    )
    assert mapped.status_code == 302
    assert SourceLocation.objects.get(source=source).unit == world.acme.units["c1r1s1"]
    outside = client.post(
        f"/reviews/sources/{source.pk}/locations/",
        {"external_id": "acme-ro", "unit_code": world.acme.units["c2"].code},
    )
    assert outside.status_code == 400  # c2 is not under the source's unit c1
    client.post(f"/reviews/sources/{source.pk}/delete/")
    assert ReviewSource.objects.filter(pk=source.pk).exists()
    client.post(f"/reviews/sources/{source.pk}/delete/", YES)
    assert not ReviewSource.objects.filter(pk=source.pk).exists()


def test_a_file_is_imported_from_the_source_page(world, client):
    source = make_source(world.acme, "file", locations={"s1": "c1r1s1"})
    client.force_login(world.acme.user("admin"))
    upload = SimpleUploadedFile(
        "r.csv", _csv([("q", "s1", 4, "2026-10-01", "", "Good coffee", "en")]), "text/csv"
    )
    client.post(f"/reviews/sources/{source.pk}/import/", {"file": upload})
    assert Review.objects.filter(source=source, external_id="q").exists()


@pytest.mark.parametrize("who", ["country_admin", "store", "other_admin"])
def test_source_pages_are_for_admins_over_the_source(world, client, who):
    source = make_source(world.acme, "file", locations={"s1": "c1r1s1"})
    location = SourceLocation.objects.get(source=source)
    user = world.other.user("admin") if who == "other_admin" else world.acme.user(who)
    client.force_login(user)
    expected = 403 if who == "store" else 404
    assert client.get(f"/reviews/sources/{source.pk}/").status_code == expected
    assert client.post(f"/reviews/sources/{source.pk}/delete/", YES).status_code == expected
    assert client.post(f"/reviews/locations/{location.pk}/remove/", YES).status_code == expected
    assert ReviewSource.objects.filter(pk=source.pk).exists()
