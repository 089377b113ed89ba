from django.urls import path

from voxloop.web.views import audit, people, pickers, shell, staff, units

app_name = "web"
urlpatterns = [
    path("", shell.home, name="home"),
    path("switch/", shell.switch_membership, name="switch"),
    path("units/", units.unit_list, name="units"),
    path("units/<int:unit_id>/", units.unit_detail, name="unit"),
    path("units/<int:unit_id>/children/", units.unit_create, name="unit_create"),
    path("units/<int:unit_id>/edit/", units.unit_update, name="unit_update"),
    path("units/<int:unit_id>/move/", units.unit_move, name="unit_move"),
    path("staff/", staff.staff_list, name="staff"),
    path("staff/add/", staff.staff_add, name="staff_add"),
    path("people/", people.people_list, name="people"),
    path("people/invite/", people.people_invite, name="people_invite"),
    path("people/<int:membership_id>/", people.membership_detail, name="membership"),
    path("people/<int:membership_id>/revoke/", people.membership_revoke, name="membership_revoke"),
    path("audit/", audit.audit_log, name="audit"),
    path("pick/units/", pickers.units, name="pick_units"),
    path("pick/people/", pickers.people, name="pick_people"),
]
