from django.urls import path

from voxloop.ideas import public_views, views

app_name = "ideas"

urlpatterns = [
    path("", views.board_list, name="boards"),
    path("new/", views.board_create, name="board_create"),
    path("moderation/", views.moderation, name="moderation"),
    path("<int:board_id>/", views.board_view, name="board"),
    path("<int:board_id>/post/", views.post_idea, name="post"),
    path("<int:board_id>/embed/", views.board_embed, name="embed"),
    path("<int:board_id>/promote/", views.promote, name="promote"),
    path("i/<int:idea_id>/", views.idea_view, name="idea"),
    path("i/<int:idea_id>/vote/", views.vote, name="vote"),
    path("i/<int:idea_id>/follow/", views.follow, name="follow"),
    path("i/<int:idea_id>/comment/", views.comment, name="comment"),
    # The moderators' forms on the idea page, each to its own address.
    *(
        path(f"i/<int:idea_id>/{action}/", views.moderate_idea, {"action": action}, name=action)
        for action in ("status", "merge", "plan", "theme")
    ),
    # Public (customer boards): the board's key, no sign-in.
    path("p/<str:key>/", public_views.public_board, name="public_board"),
    path("p/<str:key>/embed/", public_views.public_embed, name="public_embed"),
    path("p/<str:key>/verify/", public_views.public_verify, name="public_verify"),
    path("p/<str:key>/v/<str:token>/", public_views.public_confirm, name="public_confirm"),
    path("p/<str:key>/<int:idea_id>/", public_views.public_idea, name="public_idea"),
]
