"""The category↔scope table and which single scope an Add consumes (reference §5.1)."""

from __future__ import annotations

import pytest

from mockserver.portability.rules import ScopeRefused, decide, effective_categories

ALL_S, ALL_O = "portability.all.single", "portability.all.ongoing"
ACT_S, ACT_O = "portability.activity.single", "portability.activity.ongoing"
DM_S = "portability.directmessages.single"
PP_S, PP_O = "portability.postsandprofile.single", "portability.postsandprofile.ongoing"


@pytest.mark.parametrize(
    ("categories", "granted", "consumed", "expected"),
    [
        (["activity", "video"], [ALL_S, ACT_S], [], (ALL_S,)),  # TikTok's documented example
        (["activity"], [ALL_S, ACT_S], [ALL_S], (ACT_S,)),  # ... and the later activity request
        (["activity"], [ACT_S], [], (ACT_S,)),
        (["video", "profile"], [PP_S], [], (PP_S,)),
        (["direct_message"], [DM_S, ALL_S], [], (ALL_S,)),  # the broadest covering scope
        (["activity", "video"], [ACT_S, PP_S], [], (ACT_S, PP_S)),  # no one scope covers both
        (["activity"], [ACT_O, ACT_S], [], ()),  # ongoing first: singles are not spent needlessly
        (["all_data"], [ALL_O], [], ()),
        (["activity", "video"], [ACT_O, PP_S], [], (PP_S,)),
        (["all_data", "activity"], [ALL_S], [], (ALL_S,)),
    ],
)
def test_scope_consumed(
    categories: list[str], granted: list[str], consumed: list[str], expected: tuple[str, ...]
) -> None:
    assert decide(categories, granted, consumed).consume == expected


@pytest.mark.parametrize(
    ("categories", "granted", "consumed", "words"),
    [
        (["direct_message"], [ACT_S, PP_S], [], "did not grant"),
        (["all_data"], [ACT_S, PP_S, DM_S], [], "portability.all.*"),
        (["activity"], [ACT_S], [ACT_S], "already used"),
        (["activity", "video"], [ALL_S], [ALL_S], "already used"),
        (["video"], ["user.info.basic"], [], "granted: none"),
    ],
)
def test_refusals_name_the_category(
    categories: list[str], granted: list[str], consumed: list[str], words: str
) -> None:
    with pytest.raises(ScopeRefused) as err:
        decide(categories, granted, consumed)
    assert f"`{categories[0]}`" in str(err.value) and words in str(err.value)


def test_all_data_takes_precedence() -> None:
    assert effective_categories(["video", "all_data", "activity"]) == ("all_data",)
    assert effective_categories(["video", "activity", "video"]) == ("video", "activity")


def test_rules_and_archive_agree_on_the_categories() -> None:
    from mockserver.portability.archive import CATEGORIES as ARCHIVE_CATEGORIES
    from mockserver.portability.rules import CATEGORIES

    assert set(CATEGORIES) == set(ARCHIVE_CATEGORIES)
