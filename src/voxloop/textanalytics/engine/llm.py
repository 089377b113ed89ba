"""An optional analyzer stage that asks an organisation's own OpenAI-compatible endpoint
(`POST {base}/chat/completions`) for a one-sentence summary of each comment. Off by
default; the offline analysis stands on its own, and a failing endpoint only leaves the
summary empty. Comments are sent with personal data already masked."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from voxloop.textanalytics.engine.pipeline import Analysis, Analyzer, TextInput
from voxloop.textanalytics.engine.themes import ThemeMatcher

log = logging.getLogger(__name__)
PROMPT = (
    "Summarise this customer comment in one short sentence, in the comment's own language. "
    "Answer with the sentence only."
)
MAX_SUMMARY = 300

Post = Callable[[str, dict, dict], dict]


class OpenAICompatibleSummaries:
    """Wraps another analyzer and adds `summary` to its results."""

    name = "llm-summary"

    def __init__(
        self, inner: Analyzer, base_url: str, model: str, api_key: str, post: Post
    ) -> None:
        self.inner = inner
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.post = post

    @property
    def version(self) -> str:
        return f"{self.inner.version}+summary:{self.model}"

    def analyse(
        self, items: Sequence[TextInput], matcher: ThemeMatcher | None = None
    ) -> list[Analysis]:
        results = self.inner.analyse(items, matcher)
        for result in results:
            result.summary = self.summarise(result.text)
            result.model_version = self.version
        return results

    def analyse_one(
        self, text: str, locale: str = "", matcher: ThemeMatcher | None = None
    ) -> Analysis:
        return self.analyse([TextInput(text, locale)], matcher)[0]

    def summarise(self, text: str) -> str:
        if not text.strip():
            return ""
        body = {
            "model": self.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": PROMPT},
                {"role": "user", "content": text},
            ],
        }
        try:
            answer = self.post(self.url, body, self.headers)
            content = answer["choices"][0]["message"]["content"]
        except Exception as error:  # the endpoint is optional: never fail the analysis
            log.warning("text analytics: summary endpoint failed: %s", error)
            return ""
        return " ".join(str(content).split())[:MAX_SUMMARY]
