"""Events other apps subscribe to (closed loop, analytics, text analytics)."""

from django.dispatch import Signal

# Sent after the transaction that completed a response commits; kwarg: response_id.
response_submitted = Signal()
