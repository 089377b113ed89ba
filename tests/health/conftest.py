from tests.health.support import *  # noqa: F403 - fixtures live in support.py
