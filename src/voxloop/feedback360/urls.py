from django.urls import path

from voxloop.feedback360 import public_views, rater_views, views

app_name = "feedback360"

urlpatterns = [
    path("", views.cycles, name="cycles"),
    path("new/", views.cycle_create, name="cycle_create"),
    path("<int:cycle_id>/", views.cycle, name="cycle"),
    *(
        path(f"<int:cycle_id>/{action}/", views.cycle_action, {"action": action}, name=action)
        for action in ("start", "close", "release")
    ),
    path("report/<int:subject_id>/", views.report, name="report"),
    path("raters/<int:subject_id>/", rater_views.raters, name="raters"),
    path("raters/<int:subject_id>/add/", rater_views.rater_add, name="rater_add"),
    path("raters/<int:subject_id>/remove/", rater_views.rater_remove, name="rater_remove"),
    # One's own: invitations to answer and one's own reports (no unit scope: the person's).
    path("me/", views.mine, name="mine"),
    path("me/<int:subject_id>/", views.my_report, name="my_report"),
    path("a/<int:invitation_id>/", views.answer, name="answer"),
    # Customers: the signed link from their email, no sign-in.
    path("t/<str:token>/", public_views.public_answer, name="public_answer"),
]
