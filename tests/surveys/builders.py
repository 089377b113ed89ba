"""A typical short survey, built through the services: NPS, a 'why' for detractors, CSAT."""

from voxloop.surveys import services


def store_visit_survey(org, publish: bool = True):
    actor = org.scope("admin")
    survey = services.create_survey(
        actor=actor,
        unit=org.root,
        name="Store visit",
        kind="transactional",
        default_locale="en",
        locales=["zh-hans"],
        texts={"title": {"en": "How was your visit?", "zh-hans": "您的到店体验如何？"}},
    )
    services.add_question(
        actor=actor,
        survey=survey,
        key="nps",
        type="nps",
        required=True,
        texts={
            "title": {
                "en": "How likely are you to recommend {{unit}}?",
                "zh-hans": "您向朋友推荐{{unit}}的可能性有多大？",
            }
        },
    )
    services.add_question(
        actor=actor,
        survey=survey,
        key="improve",
        type="multiple_choice",
        texts={"title": {"en": "What should we improve?", "zh-hans": "我们应该改进什么？"}},
        config={
            "choices": [
                {"key": "queue", "label": {"en": "Queue", "zh-hans": "排队"}},
                {"key": "staff", "label": {"en": "Staff", "zh-hans": "员工"}},
            ],
            "allow_other": True,
        },
        required=True,
        show_if={"all": [{"question": "nps", "op": "lte", "value": 6}]},
    )
    services.add_question(
        actor=actor, survey=survey, key="csat", type="csat", texts={"title": {"en": "Satisfied?"}}
    )
    services.add_question(
        actor=actor,
        survey=survey,
        key="comment",
        type="long_text",
        texts={"title": {"en": "Anything else?"}},
    )
    if publish:
        services.publish(actor=actor, survey=survey)
    return survey
