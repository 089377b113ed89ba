"""Django admin for idea boards and ideas: scoped to the staff user's subtree and read-only
(every change goes through the services, which check the role and write the audit log).
Voters are never listed: a vote's key is a keyed hash, and the admin shows counts only."""

from __future__ import annotations

from django.contrib import admin

from voxloop.ideas.models import Board, Idea
from voxloop.tenancy.admin import ReadOnlyScopedAdmin


@admin.register(Board)
class BoardAdmin(ReadOnlyScopedAdmin[Board]):
    list_display = ("name", "audience", "unit", "is_open", "moderate_first", "created_at")
    list_filter = ("audience", "is_open")
    search_fields = ("name",)
    exclude = ("public_key",)


@admin.register(Idea)
class IdeaAdmin(ReadOnlyScopedAdmin[Idea]):
    list_display = ("id", "title", "board", "status", "visibility", "votes_count", "created_at")
    list_filter = ("status", "visibility")
    search_fields = ("title",)
    exclude = ("author_key",)
