"""The closed loop in the Django admin, scoped to the staff user's subtree like tenancy's."""
