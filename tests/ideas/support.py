"""Builders for idea-board tests, through the services."""

from __future__ import annotations

from voxloop.ideas import identity, services
from voxloop.ideas.models import Board


def employee_board(org, unit_key: str = "root", name: str = "Ideas from the floor") -> Board:
    return services.create_board(
        actor=org.system, unit=org.units[unit_key], name=name, audience="employees"
    )


def customer_board(org, unit_key: str = "root", name: str = "Tell us") -> Board:
    return services.create_board(
        actor=org.system, unit=org.units[unit_key], name=name, audience="customers"
    )


def member(org, name: str) -> identity.Person:
    user = org.user(name)
    return identity.member(user.pk, user.get_username(), user.email)
