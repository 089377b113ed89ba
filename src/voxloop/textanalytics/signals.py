"""Events of text analytics other apps subscribe to (the closed loop's text conditions)."""

from django.dispatch import Signal

# Sent after the comments of newly submitted responses were analysed and stored (never for
# backfills, imports or edits: those must not open cases about old answers); kwargs:
# response_ids (those with a stored analysis now).
comments_analysed = Signal()
