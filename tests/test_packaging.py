"""The package list in pyproject.toml matches the code, so a non-editable install ships it all."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_listed_packages_are_exactly_the_package_folders() -> None:
    listed = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    found = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "publish").rglob("__init__.py")
    }
    assert sorted(listed) == sorted(found)


def test_every_code_folder_is_a_package() -> None:
    for module in (REPO / "publish").rglob("*.py"):
        assert (module.parent / "__init__.py").is_file(), f"{module.parent} lacks __init__.py"
