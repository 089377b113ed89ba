"""The demo's idea boards: an employee board at the company (ideas from the demo logins, in
the four languages) and a customer board with a public link, a few hundred ideas and
thousands of votes spread over the year (customers proven by email, generated addresses),
some of them in bursts, and shown on the web shop by its widget; statuses with reasons,
duplicates merged, and two ideas turned into action plans. Built through the services;
deterministic for a seed."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.conf import settings

from voxloop.ideas import embedding, identity, services
from voxloop.ideas.models import Board, Idea, Status
from voxloop.origins import normal_origin
from voxloop.tenancy.models import Membership, OrgUnit
from voxloop.tenancy.scoping import Scope

# (en, zh_Hans, ja, ro): what customers and staff of a shop ask for.
CUSTOMER_IDEAS = (
    (
        "Open earlier on Saturdays",
        "周六提早开门",
        "土曜日は早く開店してほしい",
        "Deschideți mai devreme sâmbăta",
    ),
    (
        "More self-checkout tills",
        "增加自助收银台",
        "セルフレジを増やしてほしい",
        "Mai multe case de autoservire",
    ),
    (
        "Paper receipts only on request",
        "只在需要时打印纸质小票",
        "紙のレシートは希望者だけに",
        "Bon de hârtie doar la cerere",
    ),
    (
        "Click and collect lockers",
        "自提柜",
        "受け取りロッカーの設置",
        "Dulapuri pentru ridicarea comenzilor",
    ),
    (
        "A quiet hour for sensitive shoppers",
        "为敏感顾客设立安静时段",
        "静かな買い物時間を設けてほしい",
        "O oră liniștită pentru clienții sensibili",
    ),
    (
        "Refill station for detergents",
        "洗涤剂补充站",
        "洗剤の量り売りコーナー",
        "Stație de reumplere pentru detergenți",
    ),
    (
        "Price labels in bigger print",
        "价签字体放大",
        "値札の文字を大きく",
        "Etichete de preț cu litere mai mari",
    ),
    (
        "Free water for cyclists",
        "为骑行者提供免费饮用水",
        "自転車利用者に無料の水を",
        "Apă gratuită pentru bicicliști",
    ),
    (
        "Loyalty points in the app",
        "在应用中累积积分",
        "アプリでポイントを貯めたい",
        "Puncte de fidelitate în aplicație",
    ),
    ("Baskets with wheels", "带轮子的购物篮", "キャスター付きの買い物かご", "Coșuri cu roți"),
    ("Local produce corner", "本地农产品专区", "地元の野菜コーナー", "Colț cu produse locale"),
    ("Seats near the tills", "收银台旁设座椅", "レジの近くに椅子を", "Scaune lângă case"),
)
EMPLOYEE_IDEAS = (
    ("Swap shifts in the app", "在应用里换班", "アプリでシフト交換", "Schimb de ture în aplicație"),
    (
        "A second handheld scanner per store",
        "每家店再配一台手持扫描枪",
        "店舗ごとにハンディスキャナーをもう一台",
        "Un al doilea scanner portabil în fiecare magazin",
    ),
    (
        "Shorter weekly stock count",
        "缩短每周盘点时间",
        "週次棚卸しを短く",
        "Inventar săptămânal mai scurt",
    ),
    (
        "Thank-you cards from customers on the staff board",
        "把顾客感谢卡贴在员工公告栏",
        "お客様の感謝カードを休憩室に掲示",
        "Cărțile de mulțumire de la clienți la avizierul personalului",
    ),
    (
        "Training on the new tills before launch",
        "新收银机上线前先培训",
        "新レジ導入前の研修",
        "Instruire pe casele noi înainte de lansare",
    ),
    ("A quiet break room", "安静的休息室", "静かな休憩室", "O cameră de pauză liniștită"),
)
LANGUAGES = ("en", "zh-hans", "ja", "ro")
REASONS = {
    Status.DECLINED: "Our leases do not allow changes to opening hours this year.",
    Status.UNDER_REVIEW: "We are costing it with the store teams.",
    Status.IN_PROGRESS: "Piloting in three stores.",
    Status.DONE: "Live in every store since last month.",
}


def _customer(n: int) -> identity.Person:
    return identity.public_person(f"customer{n}@demo.voxloop.invalid", f"Customer {n}")


def _when(anchor: datetime, rng: random.Random, days: int = 360) -> datetime:
    return anchor - timedelta(days=rng.randrange(1, days), minutes=rng.randrange(0, 1440))


def _post(board: Board, author: identity.Person, texts: tuple, n: int, when: datetime) -> Idea:
    language_index = n % len(LANGUAGES)
    title = texts[language_index]
    if n >= len(texts) * 4:  # later variants: same wish, a different store or detail
        title = f"{title} ({n})"
    return services.post_idea(
        board=board, author=author, title=title, language=LANGUAGES[language_index], when=when
    )


def add_ideas(
    system: Scope,
    root: OrgUnit,
    memberships: list[Membership],
    rng: random.Random,
    anchor: datetime,
    customer_ideas: int = 240,
) -> dict[str, Board]:
    customers = services.create_board(
        actor=system,
        unit=root,
        name="Northwind ideas",
        audience="customers",
        description="Tell us what would make your shop better, and vote for what others ask.",
    )
    # The web shop may show the board (the widget), as it shows the survey widget.
    base = normal_origin(settings.BASE_URL) or "http://127.0.0.1:8000"
    embedding.set_allowed_origins(
        actor=system, board=customers, origins=[base, "https://shop.example.com"]
    )
    employees = services.create_board(
        actor=system,
        unit=root,
        name="Ideas from the shop floor",
        audience="employees",
        moderate_first=False,
    )
    posted: list[Idea] = []
    for n in range(customer_ideas):
        texts = CUSTOMER_IDEAS[n % len(CUSTOMER_IDEAS)]
        idea = _post(customers, _customer(n), texts, n, _when(anchor, rng))
        services.moderate_idea(actor=system, idea=idea, publish=rng.random() > 0.03)
        posted.append(idea)
    # Votes: most ideas a few, some many over the year, two pushed by a burst in one day.
    voter = customer_ideas
    for idea in posted:
        if idea.visibility != "published":
            continue
        count = min(150, int(rng.paretovariate(1.3)) * 2)
        votes = [(_customer(voter + k), _when(anchor, rng)) for k in range(count)]
        services.add_votes(idea=idea, votes=votes)
        voter += count
    for idea in rng.sample([i for i in posted if i.visibility == "published"], 2):
        day = _when(anchor, rng, 20)
        services.add_votes(idea=idea, votes=[(_customer(voter + k), day) for k in range(80)])
        voter += 80
    staff_ideas = []
    people = [identity.of_user(m.user) for m in memberships]
    for n in range(60):
        texts = EMPLOYEE_IDEAS[n % len(EMPLOYEE_IDEAS)]
        idea = _post(employees, people[n % len(people)], texts, n, _when(anchor, rng))
        voters = rng.sample(people, min(len(people), rng.randrange(0, 6)))
        services.add_votes(idea=idea, votes=[(p, _when(anchor, rng)) for p in voters])
        staff_ideas.append(idea)
    _decide(system, posted, staff_ideas, rng)
    return {"customers": customers, "employees": employees}


def _decide(system: Scope, posted: list[Idea], staff_ideas: list[Idea], rng: random.Random) -> None:
    live = [i for i in posted if i.visibility == "published"]
    for idea in rng.sample(live, min(24, len(live) // 3)):
        status = rng.choice(list(REASONS))
        services.set_status(actor=system, idea=idea, status=status, reason=REASONS[status])
    # Duplicates: the same wish posted twice (the variants of one text) merged into the first.
    by_title: dict[str, Idea] = {}
    merged = 0
    for idea in live:
        key = idea.title.split(" (")[0]
        first = by_title.setdefault(key, idea)
        if first is not idea and merged < 6 and idea.status == Status.NEW:
            services.merge(actor=system, duplicate=idea, into=first)
            merged += 1
    # The most supported open idea of each board becomes an action plan (the ideas in hand
    # hold the counts of when they were posted: read them again).
    for board_id in {posted[0].board_id, staff_ideas[0].board_id}:
        top = (
            Idea.objects.filter(board_id=board_id, status__in=(Status.NEW, Status.UNDER_REVIEW))
            .filter(visibility="published", plan__isnull=True)
            .order_by("-votes_count", "id")
            .first()
        )
        if top is not None:
            services.turn_into_plan(actor=system, idea=top)
