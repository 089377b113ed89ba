"""SMS invitations: sending through the provider, its delivery reports and replies."""
