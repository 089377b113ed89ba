from tests.surveys.api_client import as_member
from tests.surveys.builders import store_visit_survey
from voxloop.surveys.models import Survey
from voxloop.tenancy.models import AuditEntry


def test_design_publish_close_duplicate_through_the_api(world):
    admin = as_member(world.acme, "admin")
    created = admin.post(
        "/surveys",
        {
            "name": "Post-support",
            "kind": "transactional",
            "locales": ["ja"],
            "texts": {"title": {"en": "Your support call", "ja": "サポートについて"}},
        },
    )
    assert created.status_code == 201, created.content
    survey_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert created.json()["locales"] == ["en", "ja"]
    assert created.json()["public_url"].endswith("/s/" + created.json()["public_slug"])

    csat = admin.post(
        f"/surveys/{survey_id}/questions",
        {"key": "csat", "type": "csat", "required": True, "texts": {"title": {"en": "Happy?"}}},
    )
    assert csat.status_code == 201, csat.content
    why = admin.post(
        f"/surveys/{survey_id}/questions",
        {
            "key": "why",
            "type": "long_text",
            "texts": {"title": {"en": "Why?"}},
            "show_if": {"all": [{"question": "csat", "op": "lte", "value": 3}]},
        },
    )
    assert why.status_code == 201, why.content
    ces = admin.post(
        f"/surveys/{survey_id}/questions",
        {"key": "ces", "type": "ces", "texts": {"title": {"en": "Easy?"}}},
    )
    assert ces.status_code == 201

    edited = admin.patch(
        f"/surveys/{survey_id}/questions/ces",
        {"required": True, "texts": {"title": {"en": "Easy?", "ja": "簡単でしたか？"}}},
    )
    assert edited.status_code == 200 and edited.json()["required"] is True
    # Logic may only look backwards: moving 'why' above 'csat' is refused, naming the field.
    refused = admin.post(f"/surveys/{survey_id}/reorder", {"keys": ["why", "csat", "ces"]})
    assert refused.status_code == 400 and refused.json()["error"]["field"].startswith("show_if")
    moved = admin.post(f"/surveys/{survey_id}/reorder", {"keys": ["csat", "ces", "why"]})
    assert [q["key"] for q in moved.json()] == ["csat", "ces", "why"]

    patched = admin.patch(
        f"/surveys/{survey_id}",
        {
            "name": "Post-support CSAT",
            "branding": {"colour": "#1a7f5a", "sender_name": {"en": "Ana, CEO"}},
            "thank_you_branches": [
                {
                    "when": {"all": [{"question": "csat", "op": "gte", "value": 4}]},
                    "text": {"en": "Thanks!"},
                }
            ],
        },
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["branding"]["colour"] == "#1a7f5a"
    assert patched.json()["thank_you_branches"][0]["when"]["all"][0]["question"] == "csat"

    assert admin.delete(f"/surveys/{survey_id}/questions/why").status_code == 204
    detail = admin.get(f"/surveys/{survey_id}").json()
    assert [q["key"] for q in detail["questions"]] == ["csat", "ces"]

    assert admin.post(f"/surveys/{survey_id}/publish").json()["status"] == "live"
    assert admin.post(f"/surveys/{survey_id}/close").json()["status"] == "closed"
    copy = admin.post(f"/surveys/{survey_id}/duplicate", {"name": "Copy"})
    assert copy.status_code == 201 and copy.json()["status"] == "draft"
    assert [q["key"] for q in copy.json()["questions"]] == ["csat", "ces"]
    assert copy.json()["public_slug"] != detail["public_slug"]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"survey.create", "question.create", "survey.publish", "survey.duplicate"} <= actions


def test_bad_survey_input_is_refused_naming_the_field(world):
    admin = as_member(world.acme, "admin")
    survey = store_visit_survey(world.acme, publish=False)
    cases = [
        ("post", "/surveys", {"name": "x", "kind": "nope"}, "kind"),
        ("post", "/surveys", {"name": "x", "kind": "kiosk", "colour": "red"}, "colour"),
        ("post", "/surveys", {"name": "x", "kind": "kiosk", "default_locale": "xx"}, None),
        ("post", "/surveys", {"name": "x", "kind": "kiosk", "unit_code": "BC1"}, "unit_code"),
        ("patch", f"/surveys/{survey.pk}", {"branding": {"colour": "red"}}, "branding.colour"),
        ("patch", f"/surveys/{survey.pk}", {"name": None}, "name"),
        (
            "patch",
            f"/surveys/{survey.pk}",
            {"thank_you_branches": [{"when": {"all": [{"question": "ghost"}]}}]},
            "thank_you_branches.0.when",
        ),
        (
            "post",
            f"/surveys/{survey.pk}/questions",
            {"key": "nps", "type": "nps", "texts": {}},
            "key",
        ),
        (
            "post",
            f"/surveys/{survey.pk}/questions",
            {"key": "r", "type": "rating", "texts": {}, "config": {"scale": 40}},
            "config.scale",
        ),
        ("patch", f"/surveys/{survey.pk}/questions/ghost", {"required": True}, "key"),
        ("delete", f"/surveys/{survey.pk}/questions/nps", None, "key"),
    ]
    before = AuditEntry.objects.count()
    for method, path, body, field in cases:
        answer = admin.call(method, path, body)
        assert 400 <= answer.status_code < 500, (path, body, answer.content)
        error = answer.json()["error"]
        if field:
            assert error["field"] == field, (body, error)
        else:
            assert error["field"]
    assert AuditEntry.objects.count() == before
    assert Survey.objects.filter(organization=world.acme.root.organization).count() == 1


def test_malformed_json_is_a_400(world):
    admin = as_member(world.acme, "admin")
    answer = admin.call("post", "/surveys", raw="{not json")
    assert answer.status_code == 400
    assert answer.json()["error"]["message"]
    assert not Survey.objects.exists()


def test_lists_and_reads_stay_inside_the_organisation(world):
    acme_survey = store_visit_survey(world.acme)
    other_survey = store_visit_survey(world.other)
    listed = as_member(world.acme, "store").get("/surveys").json()
    assert [s["id"] for s in listed] == [acme_survey.pk]
    assert as_member(world.acme, "admin").get(f"/surveys/{other_survey.pk}").status_code == 404
    # A country admin sees the company survey but cannot change it.
    country = as_member(world.acme, "country_admin")
    assert country.get(f"/surveys/{acme_survey.pk}").status_code == 200
    assert country.post(f"/surveys/{acme_survey.pk}/close").status_code == 403
    acme_survey.refresh_from_db()
    assert acme_survey.status == "live"
