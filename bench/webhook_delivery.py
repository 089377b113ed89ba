"""Benchmark: how many event webhook deliveries one worker process sends per second to a local
receiver, and how fast events are recorded as deliveries.

Sets up an organisation with one subscription at its top unit pointing at a loopback HTTP
receiver (allowed through OUTBOUND_ALLOWED_NETWORKS, as in the tests), records `--events`
events through `webhooks.services.publish` (the receivers' path), then sends them all with
`webhooks.delivery.sweep` (claim, sign, POST through `voxloop.outbound`, mark). The baseline,
measured in the same run, is the bare POST (a new `http.client` connection and one POST of
the same body per message to the same receiver) and the floor of a delivery that survives a
crash: the same POST between two committed writes of its row (claimed, then marked). Prints
events/s recorded, deliveries/s sent, both baselines and the ratios.

SQLite in a temporary folder, or PostgreSQL when DATABASE_URL is set (a scratch database).

    .venv/bin/python bench/webhook_delivery.py [--events 2000]
"""

from __future__ import annotations

import argparse
import http.client
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent / "src"),
                str(Path(__file__).resolve().parent.parent)]  # fmt: skip
from bench.common import scratch_database, start_django  # noqa: E402 - after the path


class Handler(BaseHTTPRequestHandler):
    received = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Handler.received += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    with scratch_database("vx_bench_webhooks") as env:
        start_django(env, tasks="database")
        from django.conf import settings

        from voxloop.tenancy import services as tenancy
        from voxloop.tenancy.scoping import Scope
        from voxloop.webhooks import delivery, services

        settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
        root = tenancy.create_organization(name="Bench", slug="bench")
        store = tenancy.create_unit(
            actor=Scope.system(root), parent=root, name="Store", kind="store", code="S-1"
        )
        services.create_subscription(
            actor=Scope.system(root), unit=root, name="bench", url=url,
            events=["response.completed"],
        )  # fmt: skip
        data = {"anonymous": False, "survey": {"id": 1},
                "response": {"id": 1, "nps": 3, "answers": {"comment": "x" * 200}}}  # fmt: skip
        started = time.perf_counter()
        for n in range(args.events):
            services.publish(organization_id=root.organization_id, unit_path=store.path,
                             event_type="response.completed", key=str(n), data=data)  # fmt: skip
        recorded = args.events / (time.perf_counter() - started)
        started = time.perf_counter()
        sent = 0
        while sent < args.events:
            done = delivery.sweep()
            if not done:
                break
            sent += done
        rate = sent / (time.perf_counter() - started)
        from voxloop.webhooks.models import Delivery

        body = b'{"type":"response.completed","data":' + b"x" * 300 + b"}"
        started = time.perf_counter()
        for _ in range(args.events):
            connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1])
            connection.request("POST", "/hook", body, {"Content-Type": "application/json"})
            connection.getresponse().read()
            connection.close()
        baseline = args.events / (time.perf_counter() - started)
        # The floor of a delivery that survives a crash: the same POST between two committed
        # writes of its row (claimed, then marked).
        some = Delivery.objects.values_list("pk", flat=True).first()
        started = time.perf_counter()
        for n in range(args.events):
            Delivery.objects.filter(pk=some).update(attempts=n % 100)
            connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1])
            connection.request("POST", "/hook", body, {"Content-Type": "application/json"})
            connection.getresponse().read()
            connection.close()
            Delivery.objects.filter(pk=some).update(last_status_code=204)
        floor = args.events / (time.perf_counter() - started)
        assert Delivery.objects.filter(status="delivered").count() == args.events
    print(f"events recorded: {recorded:,.0f}/s")
    print(f"deliveries sent: {rate:,.0f}/s ({sent} of {args.events})")
    print(f"baseline (bare POST, new connection each): {baseline:,.0f}/s")
    print(f"baseline (the same POST between two committed row writes): {floor:,.0f}/s")
    print(
        f"ratio to the bare POST: {rate / baseline:.2f}; to the POST with two writes: "
        f"{rate / floor:.2f}"
    )
    server.shutdown()


if __name__ == "__main__":
    main()
