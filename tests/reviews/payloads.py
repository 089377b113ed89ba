"""Provider payloads shaped exactly as each provider documents them, filled with the corpus's
reviews (en, zh, ro, ja)."""

from __future__ import annotations

from typing import Any

from tests.reviews.corpus import Sample

STAR_WORDS = {1: "ONE", 2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE"}


def google_review(
    review_id: str, sample: Sample, *, created: str, updated: str = "", reply: str = "",
    name: str = "Reviewer", anonymous: bool = False, location: str = "accounts/1/locations/9",
) -> dict[str, Any]:  # fmt: skip
    row: dict[str, Any] = {
        "name": f"{location}/reviews/{review_id}",
        "reviewId": review_id,
        "reviewer": {
            "profilePhotoUrl": "https://lh3.googleusercontent.com/a/x",
            "displayName": name,
            "isAnonymous": anonymous,
        },
        "starRating": STAR_WORDS[sample.stars],
        "comment": sample.text,
        "createTime": created,
        "updateTime": updated or created,
    }
    if reply:
        row["reviewReply"] = {"comment": reply, "updateTime": updated or created}
    return row


def google_page(reviews: list[dict], next_token: str = "", total: int = 0) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reviews": reviews,
        "averageRating": 3.5,
        "totalReviewCount": total or len(reviews),
    }
    if next_token:
        body["nextPageToken"] = next_token
    return body


def apple_page(
    items: list[tuple[str, Sample, str, str]], next_link: str = "", replies: dict | None = None
) -> dict[str, Any]:
    """items: (id, sample, nickname, createdDate); replies: review id → response body."""
    replies = replies or {}
    data, included = [], []
    for review_id, sample, nickname, created in items:
        row: dict[str, Any] = {
            "type": "customerReviews",
            "id": review_id,
            "attributes": {
                "rating": sample.stars,
                "title": sample.title or sample.text[:20],
                "body": sample.text,
                "reviewerNickname": nickname,
                "createdDate": created,
                "territory": "USA",
            },
            "relationships": {"response": {"links": {"self": "x"}}},
            "links": {
                "self": f"https://api.appstoreconnect.apple.com/v1/customerReviews/{review_id}"
            },
        }
        if review_id in replies:
            response_id = f"r-{review_id}"
            row["relationships"]["response"]["data"] = {
                "type": "customerReviewResponses",
                "id": response_id,
            }
            included.append(
                {
                    "type": "customerReviewResponses",
                    "id": response_id,
                    "attributes": {
                        "responseBody": replies[review_id],
                        "lastModifiedDate": created,
                        "state": "PUBLISHED",
                    },
                }
            )
        data.append(row)
    links = {"self": "https://api.appstoreconnect.apple.com/v1/apps/1/customerReviews"}
    if next_link:
        links["next"] = next_link
    return {
        "data": data,
        "included": included,
        "links": links,
        "meta": {"paging": {"total": 9, "limit": 200}},
    }


def play_review(review_id: str, sample: Sample, seconds: int, author: str, reply: str = "") -> dict:
    comments: list[dict] = [
        {
            "userComment": {
                "text": "\t" + sample.text,
                "lastModified": {"seconds": str(seconds), "nanos": 0},
                "starRating": sample.stars,
                "reviewerLanguage": {"zh": "zh_CN", "ro": "ro", "ja": "ja", "en": "en_US"}.get(
                    sample.language, "en"
                ),
                "device": "a10",
                "androidOsVersion": 33,
                "appVersionCode": 120,
                "appVersionName": "1.2.0",
                "thumbsUpCount": 0,
                "thumbsDownCount": 0,
            }
        }
    ]
    if reply:
        comments.append(
            {
                "developerComment": {
                    "text": reply,
                    "lastModified": {"seconds": str(seconds + 60), "nanos": 0},
                }
            }
        )
    return {"reviewId": review_id, "authorName": author, "comments": comments}


def play_page(reviews: list[dict], next_token: str = "") -> dict:
    body: dict[str, Any] = {
        "reviews": reviews,
        "pageInfo": {"totalResults": len(reviews), "resultPerPage": 100, "startIndex": 0},
    }
    if next_token:
        body["tokenPagination"] = {"nextPageToken": next_token}
    return body


def trustpilot_review(
    review_id: str,
    sample: Sample,
    created: str,
    name: str,
    reply: str = "",
    updated: str | None = None,
) -> dict:
    row: dict[str, Any] = {
        "id": review_id,
        "consumer": {"id": f"c{review_id}", "displayName": name, "numberOfReviews": 3},
        "businessUnit": {"id": "bu1", "identifyingName": "acme.example", "displayName": "Acme"},
        "stars": sample.stars,
        "title": sample.title or sample.text[:30],
        "text": sample.text,
        "language": sample.language,
        "createdAt": created,
        "updatedAt": updated,
        "status": "active",
        "isVerified": True,
        "numberOfLikes": 0,
        "companyReply": None,
    }
    if reply:
        row["companyReply"] = {"text": reply, "createdAt": created, "updatedAt": None}
    return row


def trustpilot_page(reviews: list[dict], page: int, more: bool) -> dict:
    links = [
        {
            "href": f"https://api.trustpilot.com/v1/business-units/bu1/reviews?page={page}",
            "method": "GET",
            "rel": "self",
        }
    ]
    if more:
        links.append(
            {
                "href": f"https://api.trustpilot.com/v1/business-units/bu1/reviews?page={page + 1}",
                "method": "GET",
                "rel": "next-page",
            }
        )
    return {"links": links, "reviews": reviews}


def yelp_page(items: list[tuple[str, Sample, str, str]], total: int) -> dict:
    return {
        "reviews": [
            {
                "id": review_id,
                "url": f"https://www.yelp.com/biz/acme?hrid={review_id}",
                "text": sample.text[:160],
                "rating": sample.stars,
                "time_created": created,
                "user": {
                    "id": f"u{review_id}",
                    "profile_url": "https://www.yelp.com/user_details?userid=x",
                    "image_url": None,
                    "name": name,
                },
            }
            for review_id, sample, name, created in items
        ],
        "total": total,
        "possible_languages": ["en", "zh"],
    }
