from django.urls import include, path

from voxloop.distribution.campaigns import views
from voxloop.distribution.onsite import kiosk_views, printables
from voxloop.distribution.sms import public as public_sms
from voxloop.distribution.tracking import public
from voxloop.distribution.widget import public as widget_public
from voxloop.distribution.widget import views as widget_views

app_name = "distribution"
# Public, reached from emails: /o/...
public = [
    path("c/<str:key>", public.click, name="click"),
    path("p/<str:key>.gif", public.opened, name="opened"),
    path("u/<str:token>", public.unsubscribe, name="unsubscribe"),
    path("webhooks/email", public.tracking_webhook, name="tracking_webhook"),
    path("hooks/sms/<str:token>/status", public_sms.status, name="sms_status"),
    path("hooks/sms/<str:token>/inbound", public_sms.inbound, name="sms_inbound"),
]
# Public, reached from a customer's own site: /w/...
widget = [
    path("f/<str:token>", widget_public.frame, name="widget_frame"),
    path("f/<str:token>/done", widget_public.frame_done, name="widget_done"),
    path("<str:key>.js", widget_public.loader, name="widget_loader"),
    path("<str:key>/check", widget_public.check, name="widget_check"),
]
# Staff pages: /outreach/...
staff = [
    path("", views.home, name="home"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:campaign_id>/preview/", views.campaign_preview, name="campaign_preview"),
    path(
        "campaigns/<int:campaign_id>/preview/email/",
        views.campaign_preview_email,
        name="campaign_preview_email",
    ),
    path(
        "campaigns/<int:campaign_id>/test-send/",
        views.campaign_test_send,
        name="campaign_test_send",
    ),
    path(
        "campaigns/<int:campaign_id>/non-responders.csv",
        views.non_responders_csv,
        name="non_responders_csv",
    ),
    path(
        "campaigns/<int:campaign_id>/<slug:action>/", views.campaign_action, name="campaign_action"
    ),
    path("triggers/", views.trigger_list, name="triggers"),
    path("triggers/new/", views.trigger_create, name="trigger_create"),
    path("widgets/", widget_views.widget_list, name="widgets"),
    path("widgets/new/", widget_views.widget_create, name="widget_create"),
    path("widgets/<int:widget_id>/", widget_views.widget_detail, name="widget"),
    path("widgets/<int:widget_id>/edit/", widget_views.widget_edit, name="widget_edit"),
    path(
        "widgets/<int:widget_id>/<slug:action>/",
        widget_views.widget_action,
        name="widget_action",
    ),
    path("kiosks/", kiosk_views.kiosk_list, name="kiosks"),
    path("kiosks/new/", kiosk_views.kiosk_create, name="kiosk_create"),
    path("kiosks/<int:kiosk_id>/revoke/", kiosk_views.kiosk_revoke, name="kiosk_revoke"),
    path("qr/", printables.qr_index, name="qr"),
    path("qr/<int:unit_id>.<str:kind>", printables.qr_image, name="qr_image"),
    path("qr/<int:unit_id>/sheet/", printables.qr_sheet, name="qr_sheet"),
    path("qr/<int:unit_id>/poster/", printables.qr_poster, name="qr_poster"),
]

urlpatterns = [
    path("o/", include(public)),
    path("w/", include(widget)),
    path("outreach/", include(staff)),
]
