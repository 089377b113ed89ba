"""Background work of text analytics: thin, each calls a service."""

from django_tasks import task

from voxloop.textanalytics import analysis, embeddings


@task()
def analyse_responses(response_ids: list[int], fresh: bool = False) -> int:
    """`fresh`: newly submitted responses, whose alert rules on what was written are then
    evaluated (the `comments_analysed` signal)."""
    done = analysis.analyse_responses(response_ids=response_ids)
    if fresh:
        from voxloop.textanalytics import selectors
        from voxloop.textanalytics.signals import comments_analysed

        analysed = selectors.analysed_response_ids(response_ids)
        if analysed:
            comments_analysed.send(sender=None, response_ids=analysed)
    return done


@task()
def embed_comments(analysis_ids: list[int]) -> int:
    return embeddings.embed_analyses(analysis_ids)


@task()
def backfill(organization_id: int) -> int:
    """Re-read an organisation's stale comments (after its taxonomy changed)."""
    return analysis.backfill(organization_id=organization_id)[1]
