from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "voxloop.reviews"
    label = "reviews"
    verbose_name = _("Online reviews")

    def ready(self) -> None:
        from voxloop.analytics import hooks
        from voxloop.reviews import panel, receivers, tasks  # noqa: F401 - connect and register

        hooks.register("review_metrics", panel.dashboard_reviews)
