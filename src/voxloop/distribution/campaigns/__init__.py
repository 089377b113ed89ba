"""Outreach pages: campaigns, their confirmations and previews, and triggers."""
