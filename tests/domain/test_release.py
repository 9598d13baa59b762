"""Release: creation and edits."""

from uuid import uuid4

import pytest

from domain.exceptions import NothingChangedError, ValidationError
from domain.release import Release
from tests.domain.conftest import fresh, names, refused, take

PRODUCT = uuid4()


def test_create_and_edit() -> None:
    release = Release.create(PRODUCT, " 1.2 ", "2026-12-01", " Big one ", milestone=True)
    assert names(take(release)) == ["Release.Created"]
    assert (release.name, release.target, release.description, release.milestone, release.shipped) == (
        "1.2", "2026-12-01", "Big one", True, False)
    assert release.id == Release.create_id(PRODUCT, "1.2")
    release.edit(shipped=True, target="")
    (edited,) = take(release)
    assert edited.changes == {"shipped": [False, True], "target": ["2026-12-01", None]}


def test_create_refusals() -> None:
    with pytest.raises(ValidationError, match="target date must be a date"):
        Release.create(PRODUCT, "1.2", "soon")
    with pytest.raises(ValidationError, match="release name is too long"):
        Release.create(PRODUCT, "x" * 61)


@pytest.mark.parametrize(("values", "error", "message"), [
    ({"name": ""}, ValidationError, "release name must not be empty"),
    ({"target": "2026-02-30"}, ValidationError, "target date must be a date"),
    ({"milestone": False}, ValidationError, "a release has no field 'milestone'"),
    ({"description": ""}, NothingChangedError, "nothing to change"),
])
def test_edit_refusals(values: dict, error: type, message: str) -> None:
    release = fresh(lambda: Release.create(PRODUCT, "1.2"))
    with refused(release, error, message):
        release.edit(**values)
