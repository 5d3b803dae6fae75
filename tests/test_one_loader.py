"""No module outside `publish/artifacts/` parses a dbt artifact: they all read the typed model.

An AST scan of the product code (publish, mesh, the stand-ins, ci scripts) looks for JSON decoding
(`json.load(s)`, msgspec, orjson, pydantic's `*_validate_json`) in a function, or module-level
statement, that names an artifact: one of the four file names (directly or through a module
constant), or something called manifest / run_results / catalog / artifact / sources_path.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PRODUCT = ("publish", "mesh", "standins/mesh_standins", "ci")
LOADER = REPO / "publish" / "artifacts"
ARTIFACT_FILES = ("manifest.json", "catalog.json", "run_results.json", "sources.json")
ARTIFACT_NAMES = re.compile(r"manifest|run_results|catalog|artifact|sources_path", re.IGNORECASE)
#: module -> why it may decode an artifact without the loader
EXEMPT = {
    "mesh/portal/render.py": "writes each domain's dbt docs JSON for consumers: the raw documents "
    "pruned to public models (mesh/portal/prune.py) and every string scrubbed; dbt's docs app "
    "reads the full untyped documents, which the typed model does not keep",
}

_JSON_CALLS = {("json", "load"), ("json", "loads"), ("orjson", "loads"), ("ujson", "loads")}
_METHODS = {"model_validate_json", "validate_json"}


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _mentions_artifact_file(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in ARTIFACT_FILES
        for n in ast.walk(node)
    )


def parsing_sites(source: str) -> Iterator[tuple[int, str]]:
    """(line, call) of every decoding call whose scope names an artifact."""
    tree = ast.parse(source)
    constants: set[str] = set()  # module names bound to values that name an artifact file
    decoders: set[str] = set()  # module names bound to msgspec decoders
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            names = {t.id for t in targets if isinstance(t, ast.Name)}
            if _mentions_artifact_file(stmt.value):
                constants |= names
            if isinstance(stmt.value, ast.Call) and _dotted(stmt.value.func).endswith(
                "json.Decoder"
            ):
                decoders |= names
    scopes: list[ast.AST] = [
        n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    scopes += [s for s in tree.body if not isinstance(s, ast.FunctionDef | ast.ClassDef)]
    for scope in scopes:
        names_artifact = _mentions_artifact_file(scope) or any(
            (isinstance(n, ast.Name) and (n.id in constants or ARTIFACT_NAMES.search(n.id)))
            or (isinstance(n, ast.Attribute) and ARTIFACT_NAMES.search(n.attr))
            or (isinstance(n, ast.FunctionDef) and ARTIFACT_NAMES.search(n.name))
            for n in ast.walk(scope)
        )
        if not names_artifact:
            continue
        for call in (n for n in ast.walk(scope) if isinstance(n, ast.Call)):
            name = _dotted(call.func)
            parts = tuple(name.rsplit(".", 1)) if "." in name else ("", name)
            if (
                parts in _JSON_CALLS
                or name.endswith(("msgspec.json.decode", "json.Decoder"))
                or (parts[1] == "decode" and parts[0] in decoders)
                or parts[1] in _METHODS
            ):
                yield call.lineno, name


def product_modules() -> list[Path]:
    return sorted(
        path for top in PRODUCT for path in (REPO / top).rglob("*.py") if LOADER not in path.parents
    )


def test_no_module_outside_the_loader_parses_an_artifact() -> None:
    found = {
        str(path.relative_to(REPO)): sorted(parsing_sites(path.read_text(encoding="utf-8")))
        for path in product_modules()
    }
    found = {module: sites for module, sites in found.items() if sites}
    assert set(found) - set(EXEMPT) == set(), found
    # an exemption that no longer parses anything must go
    assert set(EXEMPT) <= set(found), set(EXEMPT) - set(found)


# The scan itself is tested on the readers it replaced, so it cannot pass by finding nothing.
PARSERS = {
    "governance": """
        def check_domain(domain):
            manifest = json.loads(domain.manifest_path.read_text(encoding="utf-8"))
        """,
    "slim": """
        def _manifest(path):
            return json.loads(path.read_text(encoding="utf-8"))
        """,
    "breaking": """
        def load_manifests(folders):
            return {d: json.loads((f / "manifest.json").read_text()) for d, f in folders.items()}
        """,
    "portal groups": """
        _GROUPS_DECODER = msgspec.json.Decoder(_GroupsOnly)

        def _groups(domain):
            data = (domain.artifacts_dir / "manifest.json").read_bytes()
            return _GROUPS_DECODER.decode(data).groups
        """,
    "a catalog passed in": """
        def load_catalog(path):
            return msgspec.json.decode(path.read_bytes())
        """,
    "a file list constant": """
        FILES = ("index.html", "catalog.json")

        def copy(source):
            for name in FILES:
                document = json.load(open(source / name))
        """,
}
NOT_PARSERS = {
    "a DataZone form": """
        def forms(item):
            return json.loads(item.get("forms") or "{}")
        """,
    "an artifact named but not decoded": """
        def upload(folder):
            return (folder / "manifest.json").read_bytes()
        """,
}


@pytest.mark.parametrize("case", list(PARSERS))
def test_the_scan_finds_artifact_parsing(case: str) -> None:
    assert list(parsing_sites(textwrap.dedent(PARSERS[case])))


@pytest.mark.parametrize("case", list(NOT_PARSERS))
def test_the_scan_leaves_other_json_alone(case: str) -> None:
    assert not list(parsing_sites(textwrap.dedent(NOT_PARSERS[case])))
