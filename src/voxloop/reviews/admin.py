"""Django admin for review sources, their locations, reviews and replies (credentials are
never shown: only whether some are stored)."""

from __future__ import annotations

from django.contrib import admin

from voxloop.reviews.models import Review, ReviewReply, ReviewSource, SourceLocation


class LocationInline(admin.TabularInline):
    model = SourceLocation
    extra = 0
    fields = ("external_id", "unit", "label", "public_url")
    raw_id_fields = ("unit",)


@admin.register(ReviewSource)
class ReviewSourceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "organization", "unit", "is_active", "last_fetched_at")
    list_filter = ("kind", "is_active", "is_competitor")
    search_fields = ("name",)
    readonly_fields = ("has_credentials", "cursor", "last_fetched_at", "failures", "last_error")
    exclude = ("credentials",)
    raw_id_fields = ("unit",)
    inlines = [LocationInline]

    @admin.display(boolean=True)
    def has_credentials(self, obj: ReviewSource) -> bool:
        return bool(obj.credentials)


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("id", "source", "unit", "rating", "sentiment", "posted_at", "removed_at")
    list_filter = ("rating", "sentiment", "source__kind")
    search_fields = ("external_id", "title")
    raw_id_fields = ("unit", "source", "location")
    readonly_fields = ("digest", "analysed_digest", "seen_at", "created_at")


@admin.register(ReviewReply)
class ReviewReplyAdmin(admin.ModelAdmin):
    list_display = ("id", "review", "status", "author", "created_at", "posted_at")
    list_filter = ("status",)
    raw_id_fields = ("review", "author")
