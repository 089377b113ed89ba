import pytest

from tests.surveys.builders import store_visit_survey


@pytest.fixture
def survey(world):
    return store_visit_survey(world.acme)
