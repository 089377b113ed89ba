"""Synthetic feedback for the dashboard benchmark, written in bulk.

Everything a dashboard reads is there, as the app would hold it: staff (two per store),
contacts with their churn history, raw responses (scores, comments, staff, language, origin),
cases opened on detractors, and the rollups and ledger the analytics app keeps, computed
from the same rows with pandas and written with COPY (building 10 million responses through
the app's per-response services would take days on this machine). `check_rollups` compares
the written rollups with the app's own rebuild, so the shortcut cannot drift from the app.
The raw responses also stay in memory as a frame for the DuckDB and pandas baselines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
from django.db import connection

from bench.bulk_copy import copy_frame, next_id, reset_sequence

DAYS = 365
STAFF_PER_STORE = 2
CHANNELS = ("web", "qr")
ORIGINS = ("respondent", "staff")
LOCALES = ("en", "ja", "ro")
GROUPS = ("promoter", "passive", "detractor", "")
PHRASES = (
    "Friendly staff and a quick checkout.",
    "Waited too long at the counter.",
    "Clean store, found everything.",
    "The app kept crashing when paying.",
)
COUNTERS = (
    *("n", "nps_n", "promoters", "passives", "detractors"),
    *("csat_n", "csat_sum", "csat_sq", "csat_top2"),
    *("ces_n", "ces_sum", "ces_sq", "ces_agree", "comments"),
)


@dataclass
class Feedback:
    # One row per response: store (index), region, country, day (index), hour, survey (0/1),
    # channel (0/1), origin (0/1), locale (index), staff (id), nps, csat, comment.
    raw: pd.DataFrame
    first_day: date
    surveys: list[int]
    stores: list
    rollup_rows: int = 0
    contacts: int = 0
    cases: int = 0


def _surveys(org, root) -> list[int]:
    from voxloop.surveys.models import Question, Survey

    ids = []
    for name, scale in (("Store visit", "nps"), ("Relationship", "csat")):
        survey = Survey.objects.create(
            organization=org, unit=root, unit_path=root.path, name=name, kind="transactional"
        )
        Survey.objects.filter(pk=survey.pk).update(status="live")
        Question.objects.create(survey=survey, key="nps", type="nps", position=1)
        if scale == "csat":
            Question.objects.create(survey=survey, key="csat", type="csat", position=2)
        Question.objects.create(survey=survey, key="comment", type="long_text", position=3)
        ids.append(survey.pk)
    return ids


def _staff(org, stores) -> np.ndarray:
    from voxloop.tenancy.models import Staff

    rows = [
        Staff(organization=org, unit=s, name=f"{s.code}-{i}", code=f"{s.code}-{i}")
        for s in stores
        for i in range(STAFF_PER_STORE)
    ]
    return np.array([s.pk for s in Staff.objects.bulk_create(rows, batch_size=5000)])


def synthesize(org, responses: int, contacts: int | None = None, seed: int = 7) -> Feedback:
    """`responses` answers over the last year across the organisation's stores, and
    `contacts` customers (default one per ten responses), all written to the database."""
    from voxloop.tenancy.models import OrgUnit

    rng = np.random.default_rng(seed)
    units = list(OrgUnit.objects.filter(organization=org).order_by("path"))
    by_id = {u.pk: u for u in units}
    stores = [u for u in units if u.kind == "store"]
    root = next(u for u in units if u.depth == 0)
    region_of = np.array([u.parent_id for u in stores])
    country_of = np.array([by_id[u.parent_id].parent_id for u in stores])
    surveys = _surveys(org, root)
    staff_ids = _staff(org, stores)
    store = rng.integers(0, len(stores), responses, dtype=np.int32)
    tilt = rng.normal(0, 1.2, len(stores))  # stores differ: each has its own tilt
    nps = np.clip(np.rint(rng.normal(7.6, 2.2, responses) + tilt[store]), 0, 10).astype(np.int8)
    survey = (store % 2).astype(np.int8)
    now = datetime.now(UTC).replace(microsecond=0)
    first_day = now.date() - timedelta(days=DAYS - 1)
    day = rng.integers(0, DAYS, responses, dtype=np.int16)
    second = rng.integers(0, 86_400, responses, dtype=np.int32)
    today = now.hour * 3600 + now.minute * 60 + now.second
    second = np.where(day == DAYS - 1, second % max(today, 1), second)
    raw = pd.DataFrame(
        {
            "store": store,
            "region": region_of[store].astype(np.int64),
            "country": country_of[store].astype(np.int64),
            "day": day,
            "hour": (second // 3600).astype(np.int8),
            "second": second,
            "survey": survey,
            "channel": ((store // 2) % 2).astype(np.int8),
            "origin": (rng.random(responses) < 0.04).astype(np.int8),
            "locale": rng.choice(3, responses, p=[0.7, 0.15, 0.15]).astype(np.int8),
            "staff": staff_ids[store * STAFF_PER_STORE + rng.integers(0, 2, responses)],
            "nps": nps,
            "csat": np.where(survey == 1, np.clip(np.rint(nps / 2.2), 1, 5), 0).astype(np.int8),
            "comment": rng.random(responses) < 0.35,
        }
    )
    raw = raw.sort_values(["day", "second"], kind="stable", ignore_index=True)
    feedback = Feedback(raw=raw, first_day=first_day, surveys=surveys, stores=stores)
    contact_ids = _write_contacts(org, stores, feedback, contacts, rng, now)
    _write_responses(org, feedback, contact_ids, rng)
    _write_cases(org, feedback, rng, now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return feedback


def _when(feedback: Feedback, frame: pd.DataFrame) -> pd.Series:
    start = pd.Timestamp(feedback.first_day, tz="UTC")
    return start + pd.to_timedelta(frame.day.astype(np.int64) * 86_400 + frame.second, unit="s")


def _write_contacts(org, stores, feedback, contacts, rng, now) -> np.ndarray:
    from voxloop.contacts.models import Contact, StatusChange

    count = len(feedback.raw) // 10 if contacts is None else contacts
    if not count:
        return np.zeros(0, dtype=np.int64)
    paths = np.array([s.path for s in stores], dtype=object)
    home = rng.integers(0, len(stores), count)
    first = next_id(Contact)
    ids = np.arange(first, first + count, dtype=np.int64)
    churned = rng.random(count) < 0.08
    churned_at = pd.Timestamp(now) - pd.to_timedelta(rng.integers(0, DAYS * 86_400, count), "s")
    since = pd.Timestamp(now.date()) - pd.to_timedelta(rng.integers(30, 3 * DAYS, count), "D")
    frame = pd.DataFrame(
        {
            "id": ids,
            "organization_id": org.pk,
            "home_unit_id": np.array([s.pk for s in stores])[home],
            "unit_path": paths[home],
            "external_id": [f"c{i}" for i in range(count)],
            "status": np.where(churned, "churned", "active"),
            "churned_at": pd.Series(churned_at).where(churned),
            "customer_since": since.date,
            "last_nps_group": np.array(GROUPS, dtype=object)[rng.integers(0, 4, count)],
        }
    )
    copy_frame(Contact, frame)
    reset_sequence(Contact)
    left = frame[churned]
    copy_frame(
        StatusChange,
        pd.DataFrame(
            {
                "organization_id": org.pk,
                "contact_id": left.id.values,
                "unit_path": left.unit_path.values,
                "status": "churned",
                "changed_at": left.churned_at.values,
                "source": "bench",
            }
        ),
    )
    # Written with COPY, so no service counted them: the contacts app's churn rollup
    # (decision 0048) is made from the rows, as its migration does.
    from voxloop.contacts import churn_rollup

    churn_rollup.rebuild(organization_id=org.pk)
    feedback.contacts = count
    return ids


def _write_responses(org, feedback: Feedback, contact_ids: np.ndarray, rng) -> None:
    from voxloop.responses.models import Response

    raw = feedback.raw
    paths = np.array([s.path for s in feedback.stores], dtype=object)
    units = np.array([s.pk for s in feedback.stores], dtype=np.int64)
    first = next_id(Response)
    raw["id"] = np.arange(first, first + len(raw), dtype=np.int64)
    at = _when(feedback, raw)
    phrase = pd.Series(np.array(PHRASES, dtype=object)[rng.integers(0, len(PHRASES), len(raw))])
    comment = (', "comment": "' + phrase + '"}').where(raw.comment, "}")
    answers = '{"nps": ' + raw.nps.astype(str) + comment
    surveys = np.array(feedback.surveys, dtype=np.int64)
    contact = (
        pd.array(contact_ids[rng.integers(0, len(contact_ids), len(raw))], dtype="Int64")
        if len(contact_ids)
        else pd.array([None] * len(raw), dtype="Int64")
    )
    frame = pd.DataFrame(
        {
            "id": raw.id,
            "organization_id": org.pk,
            "survey_id": surveys[raw.survey],
            "unit_id": units[raw.store],
            "unit_path": paths[raw.store],
            "staff_id": raw.staff,
            "contact_id": contact,
            "resume_token": "b" + raw.id.map("{:031x}".format),
            "channel": np.array(CHANNELS, dtype=object)[raw.channel],
            "origin": np.array(ORIGINS, dtype=object)[raw.origin],
            "locale": np.array(LOCALES, dtype=object)[raw.locale],
            "is_complete": True,
            "answers": answers,
            "nps": raw.nps,
            "nps_group": np.array(GROUPS[:3], dtype=object)[
                np.where(raw.nps >= 9, 0, np.where(raw.nps >= 7, 1, 2))
            ],
            "csat": raw.csat.astype("Int64").where(raw.csat > 0),
            "started_at": at - pd.Timedelta(seconds=90),
            "submitted_at": at,
            "updated_at": at,
        }
    )
    copy_frame(Response, frame)
    reset_sequence(Response)


def _write_cases(org, feedback: Feedback, rng, now) -> None:
    """A case on one detractor in five (nps ≤ 4), most resolved within a few days."""
    from voxloop.closedloop.models import Case

    raw = feedback.raw
    picked = raw[(raw.nps <= 4) & (rng.random(len(raw)) < 0.2)]
    if picked.empty:
        return
    created = _when(feedback, picked)
    took = pd.to_timedelta(rng.exponential(30 * 3600, len(picked)).astype(np.int64), "s")
    resolved = (created + took).where(created + took < pd.Timestamp(now))
    paths = np.array([s.path for s in feedback.stores], dtype=object)
    units = np.array([s.pk for s in feedback.stores], dtype=np.int64)
    frame = pd.DataFrame(
        {
            "organization_id": org.pk,
            "unit_id": units[picked.store],
            "unit_path": paths[picked.store],
            "response_id": picked.id.values,
            "staff_id": picked.staff.values,
            "title": "Detractor follow-up",
            "status": np.where(resolved.isna(), "in_progress", "resolved"),
            "priority": "normal",
            "created_at": created.values,
            "due_at": (created + pd.Timedelta(hours=48)).values,
            "resolved_at": resolved.values,
        }
    )
    feedback.cases = copy_frame(Case, frame)


# --- rollups and ledger, as analytics.services keeps them ------------------------------------


def _scored(raw: pd.DataFrame) -> pd.DataFrame:
    csat = raw.csat.astype(np.int32)
    has_csat = (csat > 0).astype(np.int32)
    return pd.DataFrame(
        {
            "n": np.int32(1),
            "nps_n": np.int32(1),
            "promoters": (raw.nps >= 9).astype(np.int32),
            "passives": ((raw.nps >= 7) & (raw.nps <= 8)).astype(np.int32),
            "detractors": (raw.nps <= 6).astype(np.int32),
            "csat_n": has_csat,
            "csat_sum": csat,
            "csat_sq": csat * csat,
            "csat_top2": (csat >= 4).astype(np.int32),
            "comments": raw.comment.astype(np.int32),
        },
        index=raw.index,
    )


def write_rollups(org, feedback: Feedback) -> int:
    """Rollup rows for every node from store to company in total and in total by month; per
    hour, language, 0–10 score and hour of the week by month above the store (its own are
    read from the ledger, decision 0059); per staff member (respondents' answers only) at the
    store alone; and one ledger row per response."""
    from voxloop.analytics.models import BELOW_FACETS, Counted, Rollup
    from voxloop.tenancy.models import OrgUnit

    raw = feedback.raw
    root = OrgUnit.objects.get(organization=org, depth=0)
    paths = dict(OrgUnit.objects.filter(organization=org).values_list("pk", "path"))
    store_ids = np.array([s.pk for s in feedback.stores], dtype=np.int64)
    scores = _scored(raw)
    levels = {
        "store": store_ids[raw.store],
        "region": raw.region.values,
        "country": raw.country.values,
        "root": np.full(len(raw), root.pk, dtype=np.int64),
    }
    facets = {
        "": np.zeros(len(raw), dtype=np.int64),
        "hour": raw.hour.values.astype(np.int64),
        "locale": raw.locale.values.astype(np.int64),
        "staff": raw.staff.values.astype(np.int64),
        "score": raw.nps.values.astype(np.int64),  # every generated response has a score
    }
    # Days as ordinals; a staff member's weeks and months keyed by their first day's.
    first = feedback.first_day.toordinal()
    day = first + raw.day.values.astype(np.int64)
    week = day - (day - 1) % 7  # ordinal 1 was a Monday
    month_of = {o: date.fromordinal(o).replace(day=1).toordinal() for o in set(day.tolist())}
    month = pd.Series(day).map(month_of).values
    starts = {"day": day, "staff_w": week, "staff_m": month, "hour_m": month, "total_m": month}
    facets = {**facets, "staff_w": facets["staff"], "staff_m": facets["staff"]}
    facets["hour_m"] = (day - 1) % 7 * 24 + facets["hour"]  # hour of the week, Monday 0
    facets["total_m"] = facets[""]
    written = 0
    for level, node in levels.items():
        for facet, value in facets.items():
            if facet.startswith("staff") and level != "store":
                continue  # kept at the response's own unit only (decision 0051)
            if facet in BELOW_FACETS and level == "store":
                continue  # kept at its ancestors only (decision 0059)
            keep = raw.origin.values == 0 if facet.startswith("staff") else slice(None)
            keys = pd.DataFrame(
                {
                    "node": node[keep],
                    "day": starts.get(facet, day)[keep],
                    "survey": raw.survey.values[keep],
                    "channel": raw.channel.values[keep],
                    "origin": raw.origin.values[keep],
                    "value": value[keep],
                }
            )
            summed = pd.concat([keys, scores[keep].reset_index(drop=True)], axis=1)
            summed = summed.groupby(list(keys.columns), sort=True).sum().reset_index()
            node_paths = summed.node.map(paths)
            if facet in ("", "total_m"):
                shown = pd.Series("", index=summed.index)
            elif facet == "locale":
                shown = pd.Series(np.array(LOCALES, dtype=object)[summed.value])
            else:
                shown = summed.value.astype(str)
            frame = pd.DataFrame(
                {
                    "organization_id": org.pk,
                    "node_path": node_paths,
                    "depth": node_paths.str.len() // 10 - 1,
                    "survey_id": np.array(feedback.surveys)[summed.survey],
                    "channel": np.array(CHANNELS, dtype=object)[summed.channel],
                    "day": summed.day.map(date.fromordinal),
                    "facet": facet,
                    "value": shown,
                    "origin": np.array(ORIGINS, dtype=object)[summed.origin],
                    **{c: summed.get(c, 0) for c in COUNTERS},
                }
            )
            written += copy_frame(Rollup, frame)
    copy_frame(Counted, _ledger(org, feedback, paths, store_ids))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    feedback.rollup_rows = written
    return written


def write_rollups_sql(org, feedback: Feedback) -> int:
    """The same rows by the app's own set-based rebuild (PostgreSQL, decision 0047): for
    large sizes, where the pandas grouping above takes hours and tens of GB."""
    from voxloop.analytics import services
    from voxloop.analytics.models import Rollup

    services.rebuild(organization_id=org.pk)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    feedback.rollup_rows = Rollup.objects.filter(organization=org).count()
    return feedback.rollup_rows


def _ledger(org, feedback: Feedback, paths: dict, store_ids: np.ndarray) -> pd.DataFrame:
    raw = feedback.raw
    days = pd.Series(pd.date_range(feedback.first_day, periods=DAYS, freq="D").date)
    return pd.DataFrame(
        {
            "response_id": raw.id,
            "organization_id": org.pk,
            "unit_path": pd.Series(store_ids[raw.store]).map(paths),
            "survey_id": np.array(feedback.surveys)[raw.survey],
            "channel": np.array(CHANNELS, dtype=object)[raw.channel],
            "origin": np.array(ORIGINS, dtype=object)[raw.origin],
            "day": days.values[raw.day],
            "hour": raw.hour,
            "staff_id": raw.staff,
            "locale": np.array(LOCALES, dtype=object)[raw.locale],
            "nps": raw.nps,
            "csat": raw.csat.astype("Int64").where(raw.csat > 0),
            "comment": raw.comment,
            "archived": False,
        }
    )


def check_rollups(org) -> None:
    """The bulk-written rollups equal the app's own rebuild from the same responses."""
    from voxloop.analytics import services
    from voxloop.analytics.models import Rollup

    key = ("node_path", "facet", "day", "survey_id", "channel", "value", "origin", *COUNTERS)

    def rows() -> set:
        return set(Rollup.objects.filter(organization=org).values_list(*key))

    written = rows()
    services.rebuild(organization_id=org.pk)
    rebuilt = rows()
    if written != rebuilt:
        raise SystemExit(
            f"bulk rollups differ from the app's rebuild: {len(written - rebuilt)} written rows "
            f"not rebuilt, {len(rebuilt - written)} rebuilt rows not written"
        )
    print(f"check: {len(written):,} bulk-written rollup rows equal the app's rebuild")
