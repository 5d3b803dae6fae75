"""The package lists in both pyproject.toml files match the code, so a non-editable install ships
it all; and product code never imports the stand-ins."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: distribution folder -> the top-level packages it ships
DISTRIBUTIONS = {REPO: ("mesh", "publish"), REPO / "standins": ("mesh_standins",)}


@pytest.mark.parametrize("dist", list(DISTRIBUTIONS), ids=lambda d: d.name)
def test_listed_packages_are_exactly_the_package_folders(dist: Path) -> None:
    listed = tomllib.loads((dist / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    found = {
        ".".join(init.parent.relative_to(dist).parts)
        for top in DISTRIBUTIONS[dist]
        for init in (dist / top).rglob("__init__.py")
    }
    assert sorted(listed) == sorted(found)


@pytest.mark.parametrize("top", ["mesh", "publish", "standins/mesh_standins"])
def test_every_code_folder_is_a_package(top: str) -> None:
    for module in (REPO / top).rglob("*.py"):
        assert (module.parent / "__init__.py").is_file(), f"{module.parent} lacks __init__.py"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    ("top", "forbidden"),
    [("publish", {"mesh", "mesh_standins", "moto"}), ("mesh", {"mesh_standins", "moto"})],
)
def test_dependencies_point_one_way(top: str, forbidden: set[str]) -> None:
    """publish <- mesh <- mesh_standins: the publisher knows neither the CLI nor the stand-ins,
    and the product (publish, mesh) never imports a stand-in."""
    bad = {
        str(path.relative_to(REPO)): sorted(_imports(path) & forbidden)
        for path in (REPO / top).rglob("*.py")
        if _imports(path) & forbidden
    }
    assert not bad
