from django.urls import path

from voxloop.health import views

app_name = "health"

urlpatterns = [
    path("", views.at_risk, name="at_risk"),
    path("accounts/<int:account_id>/", views.account, name="account"),
    path("model/", views.model_editor, name="model"),
    path("personas/", views.audiences, name="audiences"),
    path("personas/<int:audience_id>/delete/", views.audience_delete, name="audience_delete"),
]
