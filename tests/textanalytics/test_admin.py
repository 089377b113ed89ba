"""The Django admin for text analytics: scoped to the staff user's part of the organisation,
and every save of a theme or its terms goes through the services into the audit log."""

from __future__ import annotations

import pytest

from tests.factories import make_member
from tests.tenancy.test_admin import changelist, staffify
from voxloop.tenancy.models import AuditEntry
from voxloop.textanalytics import analysis, services
from voxloop.textanalytics.models import Taxonomy, Theme, ThemeTerm

ADMIN = "/admin/textanalytics"


@pytest.fixture
def taxonomies(world):
    acme, other = world.acme, world.other
    company = services.install_default_taxonomy(scope=acme.system, kind="retail")
    b2b = services.install_default_taxonomy(scope=acme.system, kind="b2b", unit=acme.units["c2"])
    foreign = services.install_default_taxonomy(scope=other.system, kind="retail")
    return company, b2b, foreign


@pytest.fixture
def country_admin_client(client, world):
    member = make_member(world.acme.system, "country-admin", world.acme.units["c1"], "admin")
    client.force_login(staffify(member.user))
    return client


def test_staff_see_the_taxonomies_that_apply_to_their_units(country_admin_client, taxonomies):
    company, _, foreign = taxonomies
    assert changelist(country_admin_client, "textanalytics/taxonomy") == [company]
    themes = changelist(country_admin_client, "textanalytics/theme")
    assert {t.taxonomy_id for t in themes} == {company.pk}
    assert country_admin_client.get(f"{ADMIN}/taxonomy/{foreign.pk}/change/").status_code in (
        302,
        404,
    )


def test_a_whole_org_admin_edits_terms_through_the_services(client, world, taxonomies):
    company, _, _ = taxonomies
    admin = staffify(world.acme.user("admin"))
    client.force_login(admin)
    theme = Theme.objects.get(taxonomy=company, key="queue")
    terms = list(theme.terms.all())
    form = {
        "taxonomy": company.pk,
        "key": theme.key,
        "name": "Queues and lines",
        "parent": theme.parent_id,
        "position": theme.position,
        "terms-TOTAL_FORMS": len(terms) + 1,
        "terms-INITIAL_FORMS": len(terms),
        "terms-MIN_NUM_FORMS": 0,
        "terms-MAX_NUM_FORMS": 1000,
    }
    for i, term in enumerate(terms):
        form.update({f"terms-{i}-id": term.pk, f"terms-{i}-theme": theme.pk,
                     f"terms-{i}-language": term.language, f"terms-{i}-kind": term.kind,
                     f"terms-{i}-text": term.text})  # fmt: skip
    form[f"terms-{len(terms) - 1}-DELETE"] = "on"
    n = len(terms)
    form.update({f"terms-{n}-theme": theme.pk, f"terms-{n}-language": "ro",
                 f"terms-{n}-kind": "keyword", f"terms-{n}-text": "rând la casă"})  # fmt: skip
    answer = client.post(f"{ADMIN}/theme/{theme.pk}/change/", form)
    assert answer.status_code == 302, answer.content[:500]
    theme.refresh_from_db()
    assert theme.name == "Queues and lines"
    assert ThemeTerm.objects.filter(theme=theme, text="rând la casă").exists()
    assert not ThemeTerm.objects.filter(pk=terms[-1].pk).exists()
    actions = list(AuditEntry.objects.filter(action__startswith="textanalytics.t").values_list(
        "action", flat=True))  # fmt: skip
    assert {"textanalytics.theme.update", "textanalytics.term.add",
            "textanalytics.term.remove"} <= set(actions)  # fmt: skip
    assert Taxonomy.objects.get(pk=company.pk).version > company.version


def test_stored_results_are_read_only_and_scoped(client, world, taxonomies):
    from tests.closedloop.support import submit
    from tests.surveys.builders import store_visit_survey

    acme = world.acme
    survey = store_visit_survey(acme)
    mine = submit(survey, {"nps": 9, "comment": "Lovely"}, unit=acme.units["c1r1s1"])
    theirs = submit(survey, {"nps": 9, "comment": "Nice"}, unit=acme.units["c1r1s2"])
    analysis.analyse_responses(response_ids=[mine.pk, theirs.pk])
    member = make_member(acme.system, "store-admin", acme.units["c1r1s1"], "admin")
    client.force_login(staffify(member.user))
    rows = changelist(client, "textanalytics/commentanalysis")
    assert [r.response_id for r in rows] == [mine.pk]
    assert client.get(f"{ADMIN}/commentanalysis/add/").status_code == 403
