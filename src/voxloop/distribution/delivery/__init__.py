"""Sending invitations: the batches, the email, the contact policy and reminders."""
