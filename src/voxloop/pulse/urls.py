from django.urls import path

from voxloop.pulse import answer_views, views

app_name = "pulse"

urlpatterns = [
    path("", views.programme_list, name="programmes"),
    path("new/", views.programme_create, name="create"),
    path("<int:programme_id>/", views.results, name="results"),
    path("<int:programme_id>/edit/", views.programme_edit, name="edit"),
    path("<int:programme_id>/questions/", views.question_save, name="question"),
    path("<int:programme_id>/send/", views.send_now, name="send_now"),
    path("<int:programme_id>/reports/", views.reports, name="reports"),
    path("reports/<int:report_id>/plan/", views.report_plan, name="report_plan"),
    # An employee's own link (its unguessable token): no sign-in, no name kept.
    path("a/<str:token>/", answer_views.answer, name="answer"),
]
