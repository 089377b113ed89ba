"""Events other apps subscribe to, so they can keep their own tables right."""

from django.dispatch import Signal

# Sent inside the move's transaction with organization_id, old_path, new_path.
unit_moved = Signal()

# Sent inside the change's transaction with organization_id, path: the unit's time zone (and
# so that of every unit below it that inherits it) changed.
unit_time_zone_changed = Signal()
