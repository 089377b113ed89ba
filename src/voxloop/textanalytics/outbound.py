"""The one door through which text analytics calls out (an organisation's own language
model endpoint): through the installation's outbound guard (`voxloop.outbound`: public
addresses or the operator's allowed networks only, the checked address pinned, no redirect)."""

from __future__ import annotations

import json

from voxloop import outbound
from voxloop.errors import InvalidInput

TIMEOUT_SECONDS = 20
MAX_RESPONSE = 2_000_000


def post_json(url: str, payload: dict, headers: dict | None = None) -> dict:
    try:
        answer = outbound.send(
            "POST",
            url,
            json.dumps(payload).encode("utf-8"),
            {"Content-Type": "application/json", **(headers or {})},
            timeout=TIMEOUT_SECONDS,
            max_body=MAX_RESPONSE + 1,
        )
    except outbound.RefusedDestination as refused:
        raise InvalidInput(f"The endpoint is refused: {refused}", field="llm_base_url") from None
    if len(answer.body) > MAX_RESPONSE:
        raise ValueError("The endpoint's answer is too large.")
    if not 200 <= answer.status < 300:
        raise ValueError(f"The endpoint answered {answer.status}.")
    return json.loads(answer.body)
