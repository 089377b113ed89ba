"""`voxloop privacy …`: see and apply an organisation's retention periods."""

from __future__ import annotations

import click

from voxloop.cli import base

LINES = (
    ("response_days", "responses", "raw responses (answers and comments) from before {day}"),
    ("comment_days", "comments", "responses whose comments go, from before {day}"),
    ("contact_days", "contacts", "contacts inactive since {day}, erased"),
    ("audit_days", "audit_entries", "audit entries from before {day}"),
)


@click.group()
def privacy() -> None:
    """Retention of personal data."""


@privacy.command()
@click.option("--org", "org_slug", required=True, help="The organisation's slug.")
@click.option("--dry-run", is_flag=True, help="Print what would be deleted; delete nothing.")
def retention(org_slug: str, dry_run: bool) -> None:
    """Apply ORG's retention periods now (the worker does it hourly), or show what would go."""
    base.django_ready()
    base.require_migrated()
    from voxloop.privacy import retention as service
    from voxloop.privacy.selectors import policy_of

    org = base.organization(org_slug)
    policy = policy_of(org.pk)
    if not any(policy.periods.values()):
        click.echo(f"{org.slug} keeps everything: no retention period is set.")
        return
    if dry_run:
        report = service.report(organization_id=org.pk)
        click.echo(f"Retention of {org.slug}, dry run: nothing is deleted.")
    else:
        report = service.apply(organization_id=org.pk)
        click.echo(f"Retention of {org.slug} applied.")
    verb = "would go" if dry_run else "went"
    for period, count, text in LINES:
        cutoff = report.cutoffs.get(period)
        if cutoff is None:
            continue
        what = text.format(day=cutoff.date().isoformat())
        click.echo(f"  {getattr(report, count):>8}  {what}: {verb}")
    if not report.finished:
        click.echo("More is due than one run removes; the rest goes at the next run.")
