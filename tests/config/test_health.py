import pytest


@pytest.mark.django_db
def test_healthz_reports_database_and_task_queue(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "tasks": "ok"}


@pytest.mark.django_db
def test_healthz_is_503_when_the_task_queue_is_unreachable(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    # A port nothing listens on: the queue is down, the database is fine.
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0", "DEFAULT_TIMEOUT": 5}}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["tasks"] == "unreachable"
    assert response.json()["database"] == "ok"


def test_livez_answers_without_a_database(client):
    response = client.get("/livez")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
