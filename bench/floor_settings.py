"""Voxloop's settings plus one bench-only URL, `POST /bench/floor` (bench/submit.py starts the
server with these when it measures the floor; nothing in the product serves that URL)."""

from voxloop.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
