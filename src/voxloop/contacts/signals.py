"""Events other apps subscribe to."""

from django.dispatch import Signal

# Sent after the transaction that stored new interactions commits; kwargs: organization_id
# and interaction_ids (a list). Distribution's triggers listen to it.
interactions_recorded = Signal()
