"""Check digits of the numbers that identify a person or pay for something.

Pure functions over a string of ASCII digits (redaction normalises full-width digits first).
A number only counts as an identifier when its check digit holds: that is what tells a
Romanian CNP from a 13-digit order number.
"""

from __future__ import annotations

CNP_WEIGHTS = "279146358279"
CN_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CN_ID_CHECK = "10X98765432"
# Issuer prefixes of the card schemes a customer might paste (Visa 4, Mastercard 2/5, Amex
# and Diners 3, Discover and UnionPay 6): other Luhn-valid numbers are loyalty cards, parcels…
CARD_FIRST_DIGITS = frozenset("23456")


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def ean13_ok(digits: str) -> bool:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == int(digits[12])


def is_card(digits: str) -> bool:
    """A payment card number: 14–19 digits of a scheme, Luhn-valid; or an old 13-digit Visa
    (never a product's EAN-13 barcode, which Japanese and German ones start with 4 too)."""
    if len(digits) == 13:
        return digits[0] == "4" and luhn_ok(digits) and not ean13_ok(digits)
    return 14 <= len(digits) <= 19 and digits[0] in CARD_FIRST_DIGITS and luhn_ok(digits)


def _valid_day(month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31


def is_romanian_cnp(digits: str) -> bool:
    """Cod numeric personal: sex/century, YYMMDD, county (01–52, 70), serial, check digit."""
    if len(digits) != 13 or digits[0] == "0":
        return False
    county = int(digits[7:9])
    if not _valid_day(int(digits[3:5]), int(digits[5:7])):
        return False
    if not (1 <= county <= 52 or county == 70):
        return False
    check = sum(int(d) * int(w) for d, w in zip(digits[:12], CNP_WEIGHTS, strict=True)) % 11
    return (1 if check == 10 else check) == int(digits[12])


def is_chinese_resident_id(value: str) -> bool:
    """居民身份证号码: region (6), birth date YYYYMMDD, serial (3), check digit or X (ISO 7064)."""
    if len(value) != 18 or not value[:17].isdigit() or value[0] not in "12345678":
        return False
    year, month, day = int(value[6:10]), int(value[10:12]), int(value[12:14])
    if not (1900 <= year <= 2099 and _valid_day(month, day)):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], CN_ID_WEIGHTS, strict=True))
    return CN_ID_CHECK[total % 11] == value[17].upper()


def is_japanese_my_number(digits: str) -> bool:
    """個人番号 (My Number): 11 digits and a check digit (Ministry of Internal Affairs rule)."""
    if len(digits) != 12:
        return False
    body = digits[:11]
    total = 0
    for n in range(1, 12):
        weight = n + 1 if n <= 6 else n - 5
        total += int(body[-n]) * weight
    remainder = total % 11
    return (0 if remainder <= 1 else 11 - remainder) == int(digits[11])


def is_national_id(value: str) -> bool:
    return is_romanian_cnp(value) or is_chinese_resident_id(value) or is_japanese_my_number(value)
