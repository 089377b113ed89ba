"""The masking of personal data in free text: what it finds in English, Chinese, Japanese and
Romanian comments (full-width digits, spaces and dashes inside numbers), what it must leave
alone (prices, dates, order and store numbers), and its precision and recall over the
project's own set of 228 sentences. Pure functions: no database."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.privacy.corpus import SENTENCES, parsed
from voxloop.privacy import identifiers
from voxloop.privacy.redaction import (
    CONTACT_DETAILS,
    SECRETS,
    KnownPerson,
    find,
    mask,
    mask_answers,
    mask_known,
)


def _scores() -> tuple[Counter, Counter, Counter]:
    hits, false, missed = Counter(), Counter(), Counter()
    for _language, marked in SENTENCES:
        text, spans = parsed(marked)
        found = find(text)
        for finding in found:
            right = any(
                k == finding.kind and finding.start < e and s < finding.end for k, s, e in spans
            )
            (hits if right else false)[finding.kind.value] += 1
        for kind, start, end in spans:
            if not any(f.kind == kind and f.start < end and start < f.end for f in found):
                missed[kind] += 1
    return hits, false, missed


def test_precision_and_recall_over_the_sentence_set():
    assert len(SENTENCES) >= 200
    assert {language for language, _ in SENTENCES} == {"en", "zh", "ja", "ro"}
    hits, false, missed = _scores()
    for kind in ("email", "phone", "card", "id"):
        precision = hits[kind] / (hits[kind] + false[kind])
        recall = hits[kind] / (hits[kind] + missed[kind])
        assert hits[kind] >= 10, kind
        assert precision >= 0.97 and recall >= 0.95, (kind, precision, recall)
    # Half the sentences carry nothing personal and are full of numbers that must stay.
    clean = [parsed(m)[0] for _, m in SENTENCES if "⟦" not in m]
    assert len(clean) >= 100
    assert [text for text in clean if mask(text) != text] == []


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # English and UK forms
        ("Call me on 07700 900123 please", "Call me on [phone] please"),
        ("Office +44 (0)20 7946 0018.", "Office [phone]."),
        ("call me at (415) 555-0132", "call me at [phone]"),
        ("card 4111-1111-1111-1111 twice", "card [card] twice"),
        ("NI AB 12 34 56 C", "NI [id]"),
        ("write to j.smith+cx@example.co.uk!", "write to [email]!"),
        # Chinese: no spaces around numbers, full-width digits and @
        ("电话13812345678谢谢", "电话[phone]谢谢"),
        ("手机：１５９１２３４５６７８。", "手机：[phone]。"),
        ("邮箱ｌｉ．ｍｉｎｇ＠ｅｘａｍｐｌｅ．ｃｎ，谢谢", "邮箱[email]，谢谢"),
        ("身份证44030519880104000X丢了", "身份证[id]丢了"),
        ("座机(010) 6552 9988", "座机[phone]"),
        # Japanese: full-width digits and the long-vowel mark as a dash
        ("連絡先は０９０ー１２３４ー５６７８です", "連絡先は[phone]です"),
        ("電話番号は（０３）１２３４－５６７８です", "電話番号は[phone]です"),
        ("ＶＩＳＡ４１１１ １１１１ １１１１ １１１１の返金", "ＶＩＳＡ[card]の返金"),
        ("マイナンバー9118 6252 7600を", "マイナンバー[id]を"),
        # Romanian
        ("sunați-mă la 0722.123.456", "sunați-mă la [phone]"),
        ("Numărul: +40 (0)733 987 654", "Numărul: [phone]"),
        ("CNP 1861013042271 pe bon", "CNP [id] pe bon"),
        ("din străinătate 0040 744 555 666", "din străinătate [phone]"),
    ],
)
def test_what_is_masked(text, masked):
    assert mask(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "Paid £1,299.99 on 15/03/2024 at store 0042, order #4417023.",
        "2024年3月15日に¥12,800で購入、注文番号12345678。",
        "２０２４年３月１５日の注文、金額￥３，９８０、店舗番号0815。",
        "订单号20240315001A，第123号店，3980元，邮编100080。",
        "Am plătit 1.299,99 lei pe 15.03.2024, comanda nr. 7712345, magazinul 114.",
        "Barcode 4901234567894 and 6901234567892 are products, not cards.",
        "Card 4111 1111 1111 1112 is mistyped: Luhn says it is no card.",
        "Version 10.2.3, room 1204, 09:15-17:30, ISBN 978-3-16-148410-0.",
        "Tracking 1Z999AA10123456784, SKU0722123456, JD0012345678.",
        "on 12 34 56 a sunny day",  # not a National Insurance number
    ],
)
def test_what_is_left_alone(text):
    assert mask(text) == text


def test_a_date_never_lends_its_digits_to_a_phone_number():
    assert mask("15.03.2024 0722 123 456") == "15.03.2024 [phone]"


def test_kinds_can_be_chosen():
    text = "Call 0722 123 456 or a@b.ro, card 4111111111111111, CNP 1861013042271"
    assert mask(text, SECRETS) == "Call 0722 123 456 or a@b.ro, card [card], CNP [id]"
    assert mask(text, CONTACT_DETAILS) == (
        "Call [phone] or [email], card 4111111111111111, CNP 1861013042271"
    )


def test_answers_keep_their_scores_and_choices():
    answers = {"nps": 3, "improve": ["queue"], "improve:other": "mail me: a@b.ro"}
    assert mask_answers(answers) == {
        "nps": 3,
        "improve": ["queue"],
        "improve:other": "mail me: [email]",
    }


def test_a_known_persons_name_and_ids_go_too():
    ana = KnownPerson.of("Ana", "Popescu", "ana@example.ro", "+40 722 123 456", "CRM-4711")
    text = "Ana Popescu (CRM-4711) said: call 722 123 456. Banana, Anastasia and Popescuel stay."
    assert mask_known(text, ana) == (
        "[name] ([id]) said: call [phone]. Banana, Anastasia and Popescuel stay."
    )
    wang = KnownPerson.of("芳", "王", "", "", "")
    assert mask_known("王芳说很好，王先生也来了", wang) == "[name]说很好，王先生也来了"
    assert mask_known("Ｐｏｐｅｓｃｕ　Ａｎａ来过", ana) == "[name]来过"


@pytest.mark.parametrize(
    ("check", "good", "bad"),
    [
        (identifiers.is_romanian_cnp, "1861013042271", "1861013042272"),
        (identifiers.is_chinese_resident_id, "11010519491231002X", "110105194912310021"),
        (identifiers.is_japanese_my_number, "911862527600", "911862527601"),
        (identifiers.is_card, "378282246310005", "378282246310006"),
    ],
)
def test_check_digits(check, good, bad):
    assert check(good) and not check(bad)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789０１２３ +-.()@abcXx电话 \u30fc"), max_size=60))
def test_masking_is_stable_and_never_fails(text):
    once = mask(text)
    assert mask(once) == once
    assert all(f.start < f.end for f in find(text))
