"""Health over the API: account scores (records, scoped like accounts), one account's
history, band counts by persona and tier (figures), the model (admins) and personas."""

from __future__ import annotations

from dataclasses import asdict

from django.http import HttpRequest
from ninja import Query, Router, Status

from voxloop.api.context import actor
from voxloop.api.pages import page
from voxloop.api.schemas import Id
from voxloop.health import selectors, services
from voxloop.health.models import Audience, AudienceKind, HealthModel, HealthScore
from voxloop.health.schemas import (
    AccountHealthOut,
    AudienceIn,
    AudienceOut,
    ModelIn,
    ModelOut,
    ScorePage,
    ScoreQuery,
    SummaryOut,
)
from voxloop.tenancy.scoping import Capability, Scope

router = Router(tags=["health"])


def score_out(s: HealthScore) -> dict:
    account = s.account
    owner = account.owner if account is not None else None
    return {
        "account_id": s.account_id,
        "account_name": account.name if account is not None else "",
        "owner": owner.get_username() if owner is not None else "",
        "score": s.score,
        "band": s.band,
        "previous_score": s.previous_score,
        "computed_at": s.computed_at,
        "parts": s.parts,
        "moves": s.moves,
    }


@router.get("/health/accounts", response=ScorePage, url_name="health_accounts")
def list_scores(request: HttpRequest, query: Query[ScoreQuery]) -> dict:
    """Accounts of your subtree by health, lowest first; `mine` for your own book."""
    scope = actor(request)
    audience = selectors.audience(scope, query.audience_id) if query.audience_id else None
    scores = selectors.account_scores(
        scope, band=query.band or "", mine=query.mine, audience=audience
    )
    return page(scores, query, score_out)


@router.get(
    "/health/accounts/{int:account_id}", response=AccountHealthOut, url_name="health_account"
)
def account_health(request: HttpRequest, account_id: Id) -> dict:
    """An account's score with its parts, a year of daily history and its calls to action."""
    scope = actor(request)
    scope.require(Capability.READ_RECORDS)
    found = selectors.account_health(scope, account_id)
    return {
        "score": score_out(found.score) if found.score is not None else None,
        "history": [{"day": h.day, "score": h.score, "band": h.band} for h in found.history],
        "calls_to_action": [
            {
                "day": c.day,
                "from_band": c.from_band,
                "to_band": c.to_band,
                "score": c.score,
                "case_id": c.case_id,
            }
            for c in found.calls
        ],
    }


@router.get("/health/summary", response=SummaryOut, url_name="health_summary")
def summary(request: HttpRequest) -> dict:
    """Accounts per band in your subtree, and per persona and per tier."""
    scope = actor(request)

    def rows(kind: str) -> list[dict]:
        return [{"id": a.pk, "name": a.name, "bands": counts}
                for a, counts in selectors.breakdown(scope, kind)]  # fmt: skip

    return {
        "bands": selectors.band_counts(scope),
        "personas": rows(AudienceKind.PERSONA),
        "tiers": rows(AudienceKind.TIER),
    }


def model_out(scope: Scope, model: HealthModel) -> dict:
    checked = selectors.separation(scope)
    return {
        "name": model.name,
        "window_days": model.window_days,
        "red_below": model.red_below,
        "amber_below": model.amber_below,
        "sla_hours": model.sla_hours,
        "playbook_id": model.playbook_id,
        "version": model.version,
        "signals": [
            {
                "kind": s.kind,
                "param": s.param,
                "weight": s.weight,
                "mapping": s.mapping,
                "bad": s.bad,
                "good": s.good,
            }
            for s in model.signals.all()
        ],
        "validation": asdict(checked.result)
        | {"stayed_mean": checked.stayed_mean, "left_mean": checked.left_mean},
    }


@router.get("/health/model", response=ModelOut, url_name="health_model")
def get_model(request: HttpRequest) -> dict:
    """The signals, weights and bands, and how well the score separated last year's churn
    from renewals (AUC with its 95% interval)."""
    scope = actor(request)
    scope.require(Capability.CONFIGURE)
    return model_out(scope, services.model_of(organization_id=scope.organization_id))


@router.put("/health/model", response=ModelOut, url_name="health_model_update")
def put_model(request: HttpRequest, payload: ModelIn) -> dict:
    """Replace the model (admins of the whole organisation); scores follow on the next run."""
    scope = actor(request)
    fields = payload.dict()
    signals = fields.pop("signals")
    model = services.save_model(actor=scope, signals=signals, **fields)
    return model_out(scope, model)


def audience_out(a: Audience) -> dict:
    return {"id": a.pk, "kind": a.kind, "name": a.name, "segment_id": a.segment_id,
            "segment_name": a.segment.name, "description": a.description}  # fmt: skip


@router.get("/health/audiences", response=list[AudienceOut], url_name="health_audiences")
def list_audiences(request: HttpRequest) -> list[dict]:
    """Personas and service tiers, each the segment that defines it."""
    return [audience_out(a) for a in selectors.audiences(actor(request))]


@router.post("/health/audiences", response={201: AudienceOut}, url_name="health_audience_create")
def create_audience(request: HttpRequest, payload: AudienceIn) -> Status:
    found = services.save_audience(actor=actor(request), **payload.dict())
    return Status(201, audience_out(found))
