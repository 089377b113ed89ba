"""Events other apps subscribe to, so they can keep their own tables right."""

from django.dispatch import Signal

# Sent inside the move's transaction with organization_id, old_path, new_path.
unit_moved = Signal()
