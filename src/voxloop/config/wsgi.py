import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voxloop.config.settings")
application = get_wsgi_application()

# The dashboards' statistics, loaded at start as before decision 0064 took them out of
# Django's set-up (for workers, which alert without them): not on a user's first request.
import scipy.special  # noqa: E402
import scipy.stats  # noqa: E402, F401
