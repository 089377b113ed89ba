"""Events other apps subscribe to (closed loop, analytics, text analytics)."""

from django.dispatch import Signal

# Sent after the transaction that completed a response commits; kwargs: response_id and
# response (the stored row: read it, never save it).
response_submitted = Signal()

# Sent after each committed batch of a historical import (`import_history`); kwargs:
# organization_id and response_ids. Imports page nobody (no response_submitted), but the
# analytics rollups must still count them.
responses_imported = Signal()

# Sent after a transaction that changed or erased stored responses commits; kwargs:
# organization_id and response_ids (analytics recounts them; erased ones are gone).
responses_changed = Signal()
# Sent inside the transaction that deletes stored responses because their time is up
# (privacy retention), before they go; kwargs: organization_id and response_ids. Analytics
# keeps what they counted: the dashboards' figures stay, only the raw rows go.
responses_expiring = Signal()
# Sent after the transaction that stored a new, not yet complete response from a personal
# link (an invitation) commits; kwargs as above. Outreach marks the invitation "started".
response_started = Signal()
