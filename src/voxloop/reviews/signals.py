"""What the reviews app tells others.

`reviews_received` is sent once per stored page (a fetched page, a thousand rows of a file)
after its transaction commits, with the new reviews posted within `REVIEW_ALERT_DAYS` (a first
fetch of a year of history alerts nobody); kwargs: `events`, each review's plain-data form
(`events.review_event`), which is what the closed loop's rules and the event webhooks read.
One signal per page, not per review, so a receiver pays its fixed cost (a rule lookup, a task
enqueued) once per page (decision 0050)."""

from django.dispatch import Signal

reviews_received = Signal()
