"""Background work about people. Thin: each task calls a service, whatever backend runs it."""

from django_tasks import task

from voxloop.accounts import services


@task()
def send_password_email(user_id: int, purpose: str, language: str) -> bool:
    return services.send_password_email(user_id=user_id, purpose=purpose, language=language)
