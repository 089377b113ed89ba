from django.urls import path

from voxloop.surveys.respondent import views

app_name = "respondent"
urlpatterns = [
    path("<str:key>", views.survey_page, name="page"),
    path("<str:key>/done", views.thanks, name="done"),
    path("<str:key>/nps/<int:score>", views.one_click, name="one_click"),
]
