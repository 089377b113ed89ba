"""The optional summaries from an organisation's own OpenAI-compatible endpoint: asked for
with masked text, tolerated when down, and sent only where the outbound guard allows."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from voxloop.errors import InvalidInput
from voxloop.textanalytics import outbound
from voxloop.textanalytics.engine.llm import OpenAICompatibleSummaries
from voxloop.textanalytics.engine.pipeline import FastAnalyzer


class FakeModel(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def do_POST(self):  # http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeModel.seen.append({"path": self.path, "auth": self.headers["Authorization"], **body})
        if body["messages"][-1]["content"].startswith("fail"):
            self.send_response(500)
            self.end_headers()
            return
        answer = {"choices": [{"message": {"content": "  The customer waited too long.  "}}]}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def endpoint(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]  # the fake model runs on loopback
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeModel)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    FakeModel.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_summaries_come_from_the_endpoint_with_masked_text(endpoint):
    analyzer = OpenAICompatibleSummaries(
        FastAnalyzer(), endpoint, "local-model", "secret", outbound.post_json
    )
    result = analyzer.analyse_one("Waited 40 minutes, call me on 07700 900123", "en")
    assert result.summary == "The customer waited too long."
    assert result.sentiment == "negative" and "+summary:local-model" in result.model_version
    [call] = FakeModel.seen
    assert call["path"] == "/v1/chat/completions" and call["auth"] == "Bearer secret"
    assert call["model"] == "local-model" and "900123" not in json.dumps(call)


def test_a_failing_endpoint_leaves_the_summary_empty(endpoint):
    analyzer = OpenAICompatibleSummaries(FastAnalyzer(), endpoint, "m", "", outbound.post_json)
    result = analyzer.analyse_one("fail please", "en")
    assert result.summary == "" and result.language == "en"


@pytest.mark.parametrize(
    "url",
    ["http://10.1.2.3/v1/chat", "http://169.254.169.254/v1", "ftp://127.0.0.1/", "http:///x"],
)
def test_the_outbound_guard_refuses_private_metadata_and_odd_addresses(url):
    with pytest.raises(InvalidInput) as refused:
        outbound.post_json(url, {})
    assert refused.value.field == "llm_base_url"


@pytest.mark.django_db
def test_an_organisation_turns_summaries_on(world, endpoint):
    from voxloop.textanalytics import analysis, services

    scope = world.acme.scope("admin")
    org = scope.organization_id
    assert isinstance(analysis.analyzer_for(organization_id=org), FastAnalyzer)  # off by default
    services.update_settings(
        scope=scope, llm_enabled=True, llm_base_url=endpoint, llm_model="m", llm_api_key="k"
    )
    analyzer = analysis.analyzer_for(organization_id=org)
    assert analyzer.analyse_one("Too slow", "en").summary == "The customer waited too long."
