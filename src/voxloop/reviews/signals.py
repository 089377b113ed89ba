"""What the reviews app tells others.

`review_received` is sent after the storing transaction commits, once per new review posted
within `REVIEW_ALERT_DAYS` (a first fetch of a year of history alerts nobody); kwargs:
`review` (the stored row, analysed) and `event` (its plain-data form, `events.review_event`),
which is what the closed loop's rules and the event webhooks read."""

from django.dispatch import Signal

review_received = Signal()
