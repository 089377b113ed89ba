from django.urls import path

from voxloop.closedloop import config_views, plan_views, views

app_name = "closedloop"
urlpatterns = [
    path("", views.inbox_page, name="inbox"),
    path("bulk/", views.bulk, name="bulk"),
    path("open/", plan_views.open_from_response, name="open"),
    path("<int:case_id>/", views.case_detail, name="case"),
    path("<int:case_id>/<slug:action>/", views.case_action, name="case_action"),
    path("rules/", config_views.rule_list, name="rules"),
    path("rules/new/", config_views.rule_new, name="rule_new"),
    path("rules/count/", config_views.rule_count, name="rule_count"),
    path("rules/<int:rule_id>/", config_views.rule_edit, name="rule"),
    path("rules/<int:rule_id>/delete/", config_views.rule_delete, name="rule_delete"),
    path("playbooks/", config_views.playbook_list, name="playbooks"),
    path("playbooks/<int:playbook_id>/", config_views.playbook_edit, name="playbook"),
    path("root-causes/", config_views.root_cause_list, name="root_causes"),
    path("sla/", plan_views.sla_page, name="sla"),
    path("praise/", plan_views.praise_page, name="praise"),
    path("plans/", plan_views.plan_list, name="plans"),
    path("plans/<int:plan_id>/", plan_views.plan_detail, name="plan"),
    path("plans/<int:plan_id>/status/", plan_views.plan_status, name="plan_status"),
    path("plans/<int:plan_id>/tasks/<int:task_id>/", plan_views.task_done, name="task_done"),
]
