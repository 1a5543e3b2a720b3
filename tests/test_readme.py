"""The README's examples run as written."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
README = (Path(__file__).parents[1] / "README.md").read_text()


def test_pytest_plugin_example_passes(pytester: pytest.Pytester) -> None:
    start = README.index("import io, zipfile, urllib.request, json")
    example = README[start : README.index("```", start)]
    pytester.makepyfile(test_example=example)
    pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "-p", "no:playwright", "-p", "no:base_url"
    ).assert_outcomes(passed=1)
