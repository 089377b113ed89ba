"""`web.forms.domain_errors_on`: the one way a page shows a service's refusal on its form."""

import pytest
from django import forms

from voxloop.errors import DomainError, InvalidInput
from voxloop.web.forms import domain_errors_on


class NameForm(forms.Form):
    name = forms.CharField()
    unit_code = forms.CharField(required=False)


def _valid_form() -> NameForm:
    form = NameForm({"name": "Till queue", "unit_code": ""})
    assert form.is_valid()
    return form


def test_a_refusal_lands_next_to_the_field_it_names_and_the_code_after_runs():
    form, after = _valid_form(), []
    with domain_errors_on(form):
        raise InvalidInput("This name is taken.", field="name")
    after.append("re-render")
    assert form.errors == {"name": ["This name is taken."]}
    assert after == ["re-render"]


def test_a_refusal_naming_no_form_field_goes_to_the_top_of_the_form():
    form = _valid_form()
    with domain_errors_on(form):
        raise DomainError("The survey is closed.", field="survey_id")
    assert form.non_field_errors() == ["The survey is closed."]


def test_aliases_and_the_shared_unit_alias_map_service_fields_to_form_fields():
    form = _valid_form()
    with domain_errors_on(form, aliases={"title": "name"}):
        raise InvalidInput("Too long.", field="title")
    assert form.errors["name"] == ["Too long."]
    form = _valid_form()
    with domain_errors_on(form):
        raise InvalidInput("No such unit.", field="unit")
    assert form.errors["unit_code"] == ["No such unit."]


def test_success_returns_from_inside_the_block_and_other_errors_propagate():
    def page() -> str:
        with domain_errors_on(_valid_form()):
            return "redirect"
        return "re-render"  # pragma: no cover - not reached

    assert page() == "redirect"
    with pytest.raises(ValueError), domain_errors_on(_valid_form()):
        raise ValueError("a bug is not a refusal")
