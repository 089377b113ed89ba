"""Slack and Microsoft Teams messages made from an event's payload: their incoming webhooks
take their own formats (Slack Block Kit; a Teams message holding an Adaptive Card), with the
score, the comment (masked), the unit and a link to the case where there is one."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from voxloop.webhooks.events import EVENTS


def _scores(data: dict) -> str:
    source = data.get("response") or {}
    parts = [
        f"{label} {source[name]}"
        for name, label in (("nps", "NPS"), ("csat", "CSAT"), ("ces", "CES"))
        if source.get(name) is not None
    ]
    return ", ".join(parts)


def summary(message: dict, language: str) -> dict[str, Any]:
    """Title, score, comment, unit and link of one event, in the subscription's language."""
    data = message.get("data") or {}
    case = data.get("case") or {}
    response = data.get("response") or {}
    with translation.override(language):
        title = str(EVENTS.get(message.get("type", ""), message.get("type", "")))
        if case:
            title = f"{title}: #{case.get('id')} {case.get('title', '')}".strip()
        elif data.get("anonymous"):
            title = _("%(title)s (anonymous survey)") % {"title": title}
        return {
            "title": title,
            "score": _scores(data),
            "comment": response.get("comment")
            or " / ".join(v for v in (response.get("answers") or {}).values()
                          if isinstance(v, str))[:500],
            "unit": case.get("unit_code") or response.get("unit_code") or "",
            "link": case.get("url") or "",
            "labels": {
                "score": _("Score"),
                "unit": _("Unit"),
                "open": _("Open the case"),
            },
        }  # fmt: skip


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(message: dict, language: str) -> dict:
    s = summary(message, language)
    lines = [f"*{_slack_escape(s['title'])}*"]
    if s["score"]:
        lines.append(f"{s['labels']['score']}: {s['score']}")
    if s["unit"]:
        lines.append(f"{s['labels']['unit']}: {_slack_escape(s['unit'])}")
    if s["comment"]:
        lines.append("> " + _slack_escape(s["comment"]).replace("\n", "\n> "))
    blocks: list[dict] = [{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}}]
    if s["link"]:
        button = {"type": "plain_text", "text": s["labels"]["open"]}
        blocks.append(
            {"type": "actions", "elements": [{"type": "button", "text": button, "url": s["link"]}]}
        )
    return {"text": s["title"], "blocks": blocks}


def teams(message: dict, language: str) -> dict:
    s = summary(message, language)
    facts = [
        {"title": s["labels"][name], "value": s[name]} for name in ("score", "unit") if s[name]
    ]
    body: list[dict] = [
        {"type": "TextBlock", "text": s["title"], "weight": "Bolder", "wrap": True},
        {"type": "FactSet", "facts": facts},
    ]
    if s["comment"]:
        body.append({"type": "TextBlock", "text": s["comment"], "wrap": True, "isSubtle": True})
    card: dict = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if s["link"]:
        card["actions"] = [{"type": "Action.OpenUrl", "title": s["labels"]["open"],
                            "url": s["link"]}]  # fmt: skip
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
             "content": card}
        ],
    }  # fmt: skip
