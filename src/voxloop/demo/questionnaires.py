"""The demo's four surveys, in English with Chinese, Japanese and Romanian translations,
designed and published through the survey services like an admin would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from voxloop.demo.org_tree import DemoTree
from voxloop.surveys import services
from voxloop.surveys.models import Survey
from voxloop.tenancy.scoping import Scope

LOCALES = ["zh-hans", "ja", "ro"]
REVIEW_LINK = "https://example.com/review"
# Store "what should we improve?" options double as the comment themes of store visits.
STORE_ISSUES = ("queue", "staff", "price", "cleanliness", "availability", "checkout")
RELATIONSHIP_REASONS = ("price", "quality", "service", "range", "online")


def t(en: str, zh: str, ja: str, ro: str) -> dict[str, str]:
    return {"en": en, "zh-hans": zh, "ja": ja, "ro": ro}


@dataclass
class DemoSurveys:
    relationship: Survey
    support: Survey
    store_visit: Survey
    pulse: Survey

    def all(self) -> list[Survey]:
        return [self.relationship, self.support, self.store_visit, self.pulse]


CLOSED = t(
    "This survey has closed. Thank you for your interest.",
    "本调查已结束，感谢您的关注。",
    "このアンケートは終了しました。ご関心をお寄せいただきありがとうございました。",
    "Acest sondaj s-a încheiat. Vă mulțumim pentru interes.",
)
AGREE_SCALE = {
    "low": t("Strongly disagree", "非常不同意", "まったくそう思わない", "Dezacord total"),
    "high": t("Strongly agree", "非常同意", "強くそう思う", "Acord total"),
}
RECOMMEND_SCALE = {
    "low": t("Not at all likely", "完全不可能", "まったく勧めない", "Deloc probabil"),
    "high": t("Extremely likely", "极有可能", "強く勧める", "Foarte probabil"),
}


def _choices(labels: dict[str, dict[str, str]]) -> list[dict]:
    return [{"key": key, "label": label} for key, label in labels.items()]


def build_surveys(system: Scope, tree: DemoTree, live_since: datetime) -> DemoSurveys:
    surveys = DemoSurveys(
        relationship=_relationship(system, tree),
        support=_support(system, tree),
        store_visit=_store_visit(system, tree),
        pulse=_pulse(system, tree),
    )
    for survey in surveys.all():
        services.publish(actor=system, survey=survey, live_since=live_since)
    return surveys


def _relationship(system: Scope, tree: DemoTree) -> Survey:
    survey = services.create_survey(
        actor=system,
        unit=tree.root,
        name="Relationship NPS",
        kind="relationship",
        locales=LOCALES,
        texts={
            "title": t(
                "How are we doing?",
                "我们做得怎么样？",
                "私たちはお役に立てていますか？",
                "Cum ne descurcăm?",
            ),
            "intro": t(
                "Two minutes to help Northwind serve you better.",
                "花两分钟，帮助 Northwind 为您提供更好的服务。",
                "2分間で、Northwindのサービス向上にご協力ください。",
                "Două minute ca să ne ajutați să vă servim mai bine.",
            ),
            "thank_you": t(
                "Thank you, {{first_name}}! We read every answer.",
                "谢谢您，{{first_name}}！每一条回答我们都会认真阅读。",
                "{{first_name}}様、ありがとうございました。すべてのご回答を拝読します。",
                "Vă mulțumim, {{first_name}}! Citim fiecare răspuns.",
            ),
            "closed": CLOSED,
        },
    )
    services.update_survey(
        actor=system,
        survey=survey,
        branding={
            "colour": "#1f5f8b",
            "sender_name": t(
                "Catherine Hughes, CX director",
                "Catherine Hughes，客户体验总监",
                "CXディレクター Catherine Hughes",
                "Catherine Hughes, director CX",
            ),
        },
    )
    recommend = t(
        "How likely are you to recommend Northwind to a friend or colleague?",
        "您向朋友或同事推荐 Northwind 的可能性有多大？",
        "Northwindを友人や同僚に勧める可能性はどのくらいありますか？",
        "Cât de probabil este să recomandați Northwind unui prieten sau coleg?",
    )
    services.add_question(
        actor=system,
        survey=survey,
        key="nps",
        type="nps",
        texts={"title": recommend, **RECOMMEND_SCALE},
        required=True,
    )
    reasons = {
        "price": t(
            "Prices and value", "价格与性价比", "価格とお得感", "Prețuri și raport calitate-preț"
        ),
        "quality": t("Product quality", "产品质量", "商品の品質", "Calitatea produselor"),
        "service": t(
            "Service in our stores", "门店服务", "店舗での接客", "Serviciile din magazine"
        ),
        "range": t("Choice of products", "商品种类", "品揃え", "Varietatea produselor"),
        "online": t(
            "App, website and delivery",
            "应用、网站与配送",
            "アプリ・ウェブサイト・配送",
            "Aplicația, site-ul și livrarea",
        ),
    }
    services.add_question(
        actor=system,
        survey=survey,
        key="reason",
        type="single_choice",
        texts={
            "title": t(
                "What is the main reason for your score?",
                "您给出这个分数的主要原因是什么？",
                "この点数をつけた一番の理由は何ですか？",
                "Care este motivul principal pentru nota acordată?",
            )
        },
        config={"choices": _choices(reasons), "allow_other": True},
    )
    services.add_question(
        actor=system,
        survey=survey,
        key="improve",
        type="long_text",
        texts={
            "title": t(
                "What could we do better?",
                "我们哪些方面可以做得更好？",
                "改善すべき点を教えてください。",
                "Ce am putea face mai bine?",
            )
        },
        show_if={"all": [{"question": "nps", "op": "lte", "value": 8}]},
    )
    services.add_question(
        actor=system,
        survey=survey,
        key="comment",
        type="long_text",
        texts={
            "title": t(
                "Anything else you would like to tell us?",
                "您还有什么想告诉我们的吗？",
                "その他、ご意見がありましたらお聞かせください。",
                "Mai doriți să ne spuneți ceva?",
            )
        },
    )
    return survey


def _support(system: Scope, tree: DemoTree) -> Survey:
    if tree.division is None:
        raise ValueError("the demo tree has no support division yet")
    survey = services.create_survey(
        actor=system,
        unit=tree.division,
        name="Post-support survey",
        kind="transactional",
        locales=LOCALES,
        texts={
            "title": t(
                "Your recent support request",
                "关于您最近的支持请求",
                "最近のサポートのお問い合わせについて",
                "Solicitarea dvs. recentă de asistență",
            ),
            "intro": t(
                "{{staff}} helped you recently. How did it go?",
                "{{staff}} 最近为您提供了帮助。体验如何？",
                "先日は{{staff}}が対応いたしました。いかがでしたか？",
                "{{staff}} v-a ajutat recent. Cum a decurs?",
            ),
            "thank_you": t(
                "Thank you. Your support team lead reads every response.",
                "谢谢。支持团队负责人会阅读每一条回复。",
                "ありがとうございました。サポートチームのリーダーがすべて確認します。",
                "Vă mulțumim. Șeful echipei de suport citește fiecare răspuns.",
            ),
            "closed": CLOSED,
        },
    )
    csat = t(
        "How satisfied are you with the support you received?",
        "您对获得的支持服务满意吗？",
        "今回のサポートにどの程度満足されましたか？",
        "Cât de mulțumit(ă) sunteți de asistența primită?",
    )
    satisfied = {
        "low": t("Very dissatisfied", "非常不满意", "非常に不満", "Foarte nemulțumit(ă)"),
        "high": t("Very satisfied", "非常满意", "非常に満足", "Foarte mulțumit(ă)"),
    }
    services.add_question(
        actor=system,
        survey=survey,
        key="csat",
        type="csat",
        texts={"title": csat, **satisfied},
        required=True,
    )
    easy = t(
        "Northwind made it easy to resolve my issue.",
        "Northwind 让我的问题很容易就得到了解决。",
        "Northwindのおかげで問題を簡単に解決できた。",
        "Northwind mi-a rezolvat problema cu ușurință.",
    )
    services.add_question(
        actor=system,
        survey=survey,
        key="ces",
        type="ces",
        texts={"title": easy, **AGREE_SCALE},
        required=True,
    )
    recommend = t(
        "How likely are you to recommend Northwind to a colleague?",
        "您向同事推荐 Northwind 的可能性有多大？",
        "Northwindを同僚に勧める可能性はどのくらいありますか？",
        "Cât de probabil este să recomandați Northwind unui coleg?",
    )
    services.add_question(
        actor=system,
        survey=survey,
        key="nps",
        type="nps",
        texts={"title": recommend, **RECOMMEND_SCALE},
    )
    tell = t(
        "Tell us about your experience",
        "请告诉我们您的体验",
        "ご感想をお聞かせください",
        "Spuneți-ne cum a fost experiența dvs.",
    )
    services.add_question(
        actor=system, survey=survey, key="comment", type="long_text", texts={"title": tell}
    )
    return survey


def _store_visit(system: Scope, tree: DemoTree) -> Survey:
    survey = services.create_survey(
        actor=system,
        unit=tree.root,
        name="Store visit (QR)",
        kind="transactional",
        locales=LOCALES,
        texts={
            "title": t(
                "Your visit to {{unit}}",
                "您在 {{unit}} 的购物体验",
                "{{unit}}へのご来店について",
                "Vizita dvs. la {{unit}}",
            ),
            "intro": t(
                "Three quick questions about today's visit.",
                "关于今天的购物，只有三个简单的问题。",
                "本日のご来店について、簡単な質問が3つあります。",
                "Trei întrebări rapide despre vizita de azi.",
            ),
            "thank_you": t(
                "Thank you! The store team sees your feedback today.",
                "谢谢！门店团队今天就会看到您的反馈。",
                "ありがとうございました。店舗スタッフが本日中に拝見します。",
                "Vă mulțumim! Echipa magazinului vă vede părerea chiar azi.",
            ),
            "closed": CLOSED,
        },
    )
    recommend = t(
        "How likely are you to recommend this store to a friend?",
        "您向朋友推荐这家门店的可能性有多大？",
        "この店舗を友人に勧める可能性はどのくらいありますか？",
        "Cât de probabil este să recomandați acest magazin unui prieten?",
    )
    services.add_question(
        actor=system,
        survey=survey,
        key="nps",
        type="nps",
        texts={"title": recommend, **RECOMMEND_SCALE},
        required=True,
    )
    friendly = {
        "title": t(
            "How friendly were our staff?",
            "我们员工的态度如何？",
            "スタッフの対応はいかがでしたか？",
            "Cât de amabil a fost personalul nostru?",
        ),
        "low": t("Not friendly", "不友好", "不親切", "Deloc amabil"),
        "high": t("Very friendly", "非常友好", "とても親切", "Foarte amabil"),
    }
    services.add_question(
        actor=system,
        survey=survey,
        key="friendliness",
        type="rating",
        texts=friendly,
        config={"scale": 5, "style": "stars"},
    )
    issues = {
        "queue": t(
            "Waiting time at the till",
            "收银排队时间",
            "レジの待ち時間",
            "Timpul de așteptare la casă",
        ),
        "staff": t("Help from staff", "员工的帮助", "スタッフの対応", "Ajutorul personalului"),
        "price": t("Prices", "价格", "価格", "Prețurile"),
        "cleanliness": t("Cleanliness", "整洁卫生", "清潔さ", "Curățenia"),
        "availability": t("Products in stock", "商品库存", "商品の在庫", "Produsele pe stoc"),
        "checkout": t(
            "Self-checkout and payment",
            "自助结账与支付",
            "セルフレジと支払い",
            "Casele self-service și plata",
        ),
    }
    improve = t(
        "What should we improve?",
        "我们应该改进哪些方面？",
        "改善すべき点はどれですか？",
        "Ce ar trebui să îmbunătățim?",
    )
    services.add_question(
        actor=system,
        survey=survey,
        key="improve",
        type="multiple_choice",
        texts={"title": improve},
        config={"choices": _choices(issues)},
        show_if={"all": [{"question": "nps", "op": "lte", "value": 6}]},
    )
    more = t(
        "Tell us more about your visit",
        "请详细说说您这次的购物体验",
        "ご来店の感想を詳しくお聞かせください",
        "Spuneți-ne mai multe despre vizita dvs.",
    )
    services.add_question(
        actor=system, survey=survey, key="comment", type="long_text", texts={"title": more}
    )
    review = {
        "when": {"all": [{"question": "nps", "op": "gte", "value": 9}]},
        "text": t(
            "We're so glad! Would you share your experience in a public review?",
            "很高兴您满意！愿意在公开评价中分享您的体验吗？",
            "ありがとうございます！よろしければ口コミでご感想を共有していただけますか？",
            "Ne bucurăm! Ne-ați împărtăși experiența într-o recenzie publică?",
        ),
        "link": REVIEW_LINK,
        "link_text": t("Write a review", "撰写评价", "口コミを書く", "Scrieți o recenzie"),
    }
    return services.update_survey(actor=system, survey=survey, thank_you_branches=[review])


def _pulse(system: Scope, tree: DemoTree) -> Survey:
    survey = services.create_survey(
        actor=system,
        unit=tree.root,
        name="Employee pulse",
        kind="employee",
        locales=LOCALES,
        texts={
            "title": t("Monthly pulse", "每月脉搏调查", "月次パルスサーベイ", "Sondajul lunar"),
            "intro": t(
                "Anonymous: your answers are never linked to you.",
                "匿名调查：您的回答绝不会与您本人关联。",
                "匿名です。回答があなたと結び付けられることはありません。",
                "Anonim: răspunsurile nu sunt niciodată asociate cu dvs.",
            ),
            "thank_you": t(
                "Thank you for your honesty.",
                "感谢您的坦诚。",
                "率直なご回答ありがとうございました。",
                "Vă mulțumim pentru sinceritate.",
            ),
            "closed": CLOSED,
        },
    )
    enps = t(
        "How likely are you to recommend Northwind as a place to work?",
        "您向他人推荐 Northwind 作为工作单位的可能性有多大？",
        "Northwindを働く場所として勧める可能性はどのくらいありますか？",
        "Cât de probabil este să recomandați Northwind ca loc de muncă?",
    )
    services.add_question(
        actor=system,
        survey=survey,
        key="enps",
        type="nps",
        texts={"title": enps, **RECOMMEND_SCALE},
        required=True,
    )
    tools = t(
        "I have the tools I need to do my job well.",
        "我拥有做好工作所需的工具。",
        "仕事をうまく進めるために必要な道具がそろっている。",
        "Am instrumentele de care am nevoie ca să-mi fac bine treaba.",
    )
    recognition = t(
        "My manager recognises good work.",
        "我的上级会认可出色的工作。",
        "上司は良い仕事を認めてくれる。",
        "Managerul meu apreciază munca bine făcută.",
    )
    for key, title in (("tools", tools), ("recognition", recognition)):
        services.add_question(
            actor=system,
            survey=survey,
            key=key,
            type="rating",
            texts={"title": title, **AGREE_SCALE},
            config={"scale": 5},
        )
    return survey
