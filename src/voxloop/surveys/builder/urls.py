from django.urls import path

from voxloop.surveys.builder import import_views, preview, questions, translations, views

app_name = "surveys"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.survey_create, name="create"),
    path("import/", import_views.survey_import, name="import"),
    path(
        "<int:survey_id>/responses/import/", import_views.responses_import, name="responses_import"
    ),
    path("<int:survey_id>/", views.survey_edit, name="edit"),
    path("<int:survey_id>/settings/", views.survey_settings, name="settings"),
    path("<int:survey_id>/publish/", views.survey_publish, name="publish"),
    path("<int:survey_id>/close/", views.survey_close, name="close"),
    path("<int:survey_id>/duplicate/", views.survey_duplicate, name="duplicate"),
    path("<int:survey_id>/preview/", preview.preview, name="preview"),
    path("<int:survey_id>/translations/", translations.translations, name="translations"),
    path("<int:survey_id>/thank-you/", translations.thank_you, name="thank_you"),
    path("<int:survey_id>/questions/add/", questions.question_add, name="question_add"),
    path("<int:survey_id>/questions/<slug:key>/", questions.question_edit, name="question"),
    path("<int:survey_id>/logic-count/", questions.logic_count, name="logic_count"),
    path(
        "<int:survey_id>/questions/<slug:key>/move/", questions.question_move, name="question_move"
    ),
    path(
        "<int:survey_id>/questions/<slug:key>/delete/",
        questions.question_delete,
        name="question_delete",
    ),
]
