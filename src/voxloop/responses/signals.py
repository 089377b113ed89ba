"""Events other apps subscribe to (closed loop, analytics, text analytics)."""

from django.dispatch import Signal

# Sent after the transaction that completed a response commits; kwargs: response_id and
# response (the stored row: read it, never save it).
response_submitted = Signal()

# Sent after the transaction that stored a new, not yet complete response from a personal
# link (an invitation) commits; kwargs as above. Outreach marks the invitation "started".
response_started = Signal()
