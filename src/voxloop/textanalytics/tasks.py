"""Background work of text analytics: thin, each calls a service."""

from django_tasks import task

from voxloop.textanalytics import analysis, embeddings


@task()
def analyse_responses(response_ids: list[int]) -> int:
    return analysis.analyse_responses(response_ids)


@task()
def embed_comments(analysis_ids: list[int]) -> int:
    return embeddings.embed_analyses(analysis_ids)
