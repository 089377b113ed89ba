"""The events of erasure. Every app that keeps something about a person listens and scrubs
its own rows, in the transaction of the erasure, returning what it did as {name: count}."""

from django.dispatch import Signal

# Sent inside the erasure's transaction; kwargs: organization_id, contact_id, person (a
# redaction.KnownPerson: the names, ids, email and phone to find in free text), response_ids
# (the person's responses, read before anything changed) and now. A receiver returns a dict
# of counts for the audit entry (what was done, never the data).
contact_erasing = Signal()
