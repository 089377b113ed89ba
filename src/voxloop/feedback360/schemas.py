"""What the 360 feedback API returns."""

from __future__ import annotations

from datetime import date

from ninja import Schema


class CycleOut(Schema):
    id: int
    name: str
    unit_id: int
    deadline: date
    is_open: bool
    subjects: int


class GroupCount(Schema):
    group: str
    invited: int
    answered: int


class SubjectCompletion(Schema):
    subject_id: int
    name: str
    released: bool
    groups: list[GroupCount]


class Cell(Schema):
    group: str
    value: float | None
    low: float | None
    high: float | None
    n: int
    low_sample: bool


class CompetencyRow(Schema):
    competency: str
    cells: list[Cell]


class CommentGroup(Schema):
    group: str
    comments: list[str]


class ReportOut(Schema):
    subject_id: int
    name: str
    available: bool
    groups: list[str]
    rows: list[CompetencyRow]
    comments: list[CommentGroup]
