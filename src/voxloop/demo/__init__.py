"""A realistic, deterministic demo organisation ("Northwind Group"), built through the services.

One module per domain: `org_tree` (units), `people` (logins and frontline staff), `customers`
(B2B accounts and contacts), `feedback` (the surveys of `questionnaires` and a year of responses
drawn by `streams` at the moments `timing` gives, with `comments`); `seed` runs them in order
and `reset` removes a previous demo.
"""

from voxloop.demo.seed import DEMO_PASSWORD, DEMO_SLUG, DemoResult, DemoSize, seed_demo

__all__ = ["DEMO_PASSWORD", "DEMO_SLUG", "DemoResult", "DemoSize", "seed_demo"]
