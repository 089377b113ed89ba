"""Staff boards (decision 0053): a preset's stored staff table equals the live read, never
shows a reader someone outside their subtree, and is worked out again once stale."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from tests.analytics.support import respond, staff_of
from tests.analytics.test_bounded_reads import TODAY, ctx_for, seeded  # noqa: F401 - fixture
from voxloop.analytics import dashboard, filters, selectors, services, staff_boards
from voxloop.analytics.models import StaffBoard
from voxloop.tenancy import selectors as tenancy_selectors

NOON = datetime(TODAY.year, TODAY.month, TODAY.day, 12, tzinfo=UTC)


def plain(board):
    """As the API sends it (JSON), without the board's time."""
    return json.loads(json.dumps({k: v for k, v in board.items() if k != "as_of"}))


@pytest.fixture
def frozen():
    with freeze_time(NOON) as clock:
        yield clock


@pytest.mark.parametrize("person", ["store", "regional", "director"])
@pytest.mark.parametrize("period", ["90d", "30d", "last_month", "this_quarter", "ytd"])
def test_the_board_equals_the_live_read(world, seeded, frozen, person, period):  # noqa: F811
    for metric, min_n in (("nps", "1"), ("csat", "2"), ("responses", "30")):
        ctx = ctx_for(world, person, period=period, metric=metric, min_n=min_n)
        live = selectors.staff_leaderboard(ctx, staff_boards.LIMIT)
        first = staff_boards.leaderboard(ctx)  # no board yet: read live, stored
        assert first["as_of"] is None and plain(first) == plain(live)
        again = staff_boards.leaderboard(ctx)  # from the board
        assert again["as_of"] == NOON.isoformat()
        assert plain(again) == plain(live), (person, period, metric)
    assert StaffBoard.objects.count() == 3


def test_the_payload_carries_the_board_and_its_time(world, seeded, frozen):  # noqa: F811
    ctx = ctx_for(world, "director", min_n="1")
    assert dashboard.payload_of(ctx, ("staff",))["staff"]["as_of"] is None
    frozen.tick(timedelta(minutes=3))
    staff = dashboard.payload_of(ctx, ("staff",))["staff"]
    assert staff["as_of"] == NOON.isoformat() and staff["ranked"]


@pytest.mark.parametrize(
    "params",
    [
        {"period": "custom", "start": "2026-10-01", "end": "2026-11-15"},
        {"channel": "sms"},
        {"origin": "respondent"},
    ],
)
def test_custom_ranges_and_filters_read_live(world, seeded, frozen, params):  # noqa: F811
    ctx = ctx_for(world, "director", min_n="1", **params)
    for _ in range(2):
        got = staff_boards.leaderboard(ctx)
        assert got["as_of"] is None
        assert plain(got) == plain(selectors.staff_leaderboard(ctx, staff_boards.LIMIT))
    assert not StaffBoard.objects.exists()


def test_a_store_manager_never_sees_another_stores_staff(world, seeded, frozen):  # noqa: F811
    store = world.acme.scope("store")
    mine = tenancy_selectors.visible_staff_ids(store)
    # The director's board of the whole company, then the store manager's of her store.
    director = staff_boards.leaderboard(ctx_for(world, "director", min_n="1"))
    staff_boards.leaderboard(ctx_for(world, "director", min_n="1"))
    everyone = {r["key"] for part in ("ranked", "too_few") for r in director[part]}
    assert everyone - mine, "the seed has other stores' staff"
    for _ in range(2):
        got = staff_boards.leaderboard(ctx_for(world, "store", min_n="1"))
        keys = {r["key"] for part in ("ranked", "too_few") for r in got[part]}
        assert keys and keys <= mine
    # Even a board stored with someone out of her reach shows her only her own people.
    row = StaffBoard.objects.get(viewer_path=store.unit_path)
    row.board["ranked"] = [*director["ranked"], *row.board["ranked"]]
    row.save()
    got = staff_boards.leaderboard(ctx_for(world, "store", min_n="1"))
    assert got["as_of"] is not None
    assert {r["key"] for r in got["ranked"]} <= mine
    # The director looking at that store is another board (her subtree decides who shows).
    store_unit = world.acme.units["c1r1s1"]
    staff_boards.leaderboard(ctx_for(world, "director", min_n="1", unit=str(store_unit.pk)))
    assert StaffBoard.objects.filter(node_path=store_unit.path).count() == 2


def test_a_stale_board_is_worked_out_again(world, survey, seeded, frozen):  # noqa: F811
    ctx = ctx_for(world, "director", min_n="1")
    staff_boards.leaderboard(ctx)
    before = StaffBoard.objects.get()
    # New answers: the board still shows what it counted until it is refreshed.
    store_unit = world.acme.units["c2r1s1"]
    for _ in range(5):
        hour_ago = NOON - timedelta(hours=1)
        respond(survey, store_unit, nps=10, at=hour_ago, staff=staff_of(store_unit))
    services.rebuild(organization_id=store_unit.organization_id)
    assert plain(staff_boards.leaderboard(ctx)) == plain(before.board)
    frozen.tick(staff_boards.REFRESH_AFTER + timedelta(minutes=1))
    assert staff_boards.refresh_due() >= 1
    after = StaffBoard.objects.get(pk=before.pk)
    assert after.computed_at == timezone.now()
    assert plain(after.board) == plain(selectors.staff_leaderboard(ctx, staff_boards.LIMIT))
    assert plain(after.board) != plain(before.board)
    # A board past its use (no worker) is not shown: the page reads live.
    frozen.tick(staff_boards.USABLE_FOR + timedelta(minutes=1))
    assert staff_boards.leaderboard(ctx)["as_of"] is None


def test_a_new_day_is_not_read_from_yesterdays_board(world, seeded, frozen):  # noqa: F811
    staff_boards.leaderboard(ctx_for(world, "director", min_n="1"))
    frozen.tick(timedelta(minutes=5))
    tomorrow = filters.parse({"period": "90d", "min_n": "1"}, today=TODAY + timedelta(days=1))
    ctx = selectors.context(world.acme.scope("director"), tomorrow)
    assert staff_boards.leaderboard(ctx)["as_of"] is None
    assert StaffBoard.objects.get().end == TODAY + timedelta(days=1)


def test_unread_boards_are_dropped_and_busy_units_seeded(
    world,
    seeded,  # noqa: F811
    frozen,
    monkeypatch,
):
    staff_boards.leaderboard(ctx_for(world, "store", min_n="1"))
    frozen.tick(staff_boards.FORGET_AFTER + timedelta(minutes=1))
    monkeypatch.setattr(staff_boards, "SEED_MIN_STAFF", 4)  # the companies and countries
    staff_boards.refresh_due()
    paths = set(StaffBoard.objects.values_list("node_path", flat=True))
    org_id = world.acme.root.organization_id
    busy = {p for _, p in tenancy_selectors.units_with_many_staff(org_id, 4)}
    assert world.acme.root.path in busy and paths >= busy
    assert world.acme.units["c1r1s1"].path not in paths
    assert StaffBoard.objects.filter(node_path=world.acme.root.path).count() == len(
        staff_boards.PRESETS
    )
    seeded_board = StaffBoard.objects.get(node_path=world.acme.root.path, period="90d")
    today = filters.parse({"period": "90d"})  # a week on; the default minimum n, as seeded
    ctx = selectors.context(world.acme.scope("director"), today)
    got = staff_boards.leaderboard(ctx)
    assert got["as_of"] == seeded_board.computed_at.isoformat()
    assert plain(got) == plain(selectors.staff_leaderboard(ctx, staff_boards.LIMIT))


@pytest.mark.parametrize("lang", ["en", "ja", "ro", "zh-hans", "zh-hant"])
def test_the_page_says_when_the_board_was_worked_out(world, seeded, lang):  # noqa: F811
    from tests.analytics.test_pages import client_for

    client = client_for(world.acme, "director")
    query = "/analytics/?period=90d&min_n=1"
    first = client.get(query, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert 'data-testid="staff-as-of"' not in first  # read live, stored
    page = client.get(query, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    at = StaffBoard.objects.get().computed_at
    assert 'data-testid="staff-as-of"' in page
    assert f'datetime="{at.isoformat()}"' in page and f"{at:%Y-%m-%d %H:%M} UTC" in page
    if lang != "en":
        assert "Ranked as of" not in page  # translated
