"""GET /healthz: is the database reachable, and the task queue?"""

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        return False


def _task_queue_ok() -> bool:
    backend = str(settings.TASKS["default"]["BACKEND"])
    try:
        if backend.startswith("django_tasks_rq"):
            import django_rq

            return bool(django_rq.get_connection("default").ping())
        if backend.startswith("django_tasks_db"):
            from django_tasks_db.models import DBTaskResult

            DBTaskResult.objects.exists()
        return True
    except Exception:
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "tasks": _task_queue_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable"}
    body.update({name: "ok" if ok else "unreachable" for name, ok in checks.items()})
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
@require_GET
def livez(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers, without touching the database (for probes and as the
    bare-endpoint baseline of the submission benchmark)."""
    return JsonResponse({"status": "ok"})
