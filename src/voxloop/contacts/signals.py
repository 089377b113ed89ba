"""Events other apps subscribe to."""

from django.dispatch import Signal

# Sent after the transaction that stored new interactions commits; kwargs: organization_id
# and interaction_ids (a list). Distribution's triggers listen to it.
interactions_recorded = Signal()

# Sent after the transaction that recorded a contact's global unsubscribe commits; kwargs:
# organization_id, contact_id, unit_path (the contact's home unit), external_id and how
# ("link", "complained", "unsubscribed"...). Event webhooks listen to it.
contact_unsubscribed = Signal()
