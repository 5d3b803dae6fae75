"""The static site on disk: escaped, free of secrets, self-contained, replaced atomically."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from typer import Typer
from typer.testing import CliRunner

from mesh.commands.portal import portal_build
from mesh.portal.collect import DataProduct, Portal, ProductItem
from mesh.portal.render import render_site
from publish.errors import BadInputError
from tests.portal.conftest import DOMAINS

pytestmark = pytest.mark.integration

FORBIDDEN = ("AKIA", "aws_secret_access_key=abc", "http://127.0.0.1", "amazonaws.com")
HOSTILE = (
    'Evil </script><script>alert("x")</script> & <img src=x onerror=alert(1)> '
    "key AKIA" + "IOSFODNN7EXAMPLE aws_secret_access_key=abc http://127.0.0.1:5000 "
    "glue.us-east-1.amazonaws.com"
)


def _files(site: Path) -> list[Path]:
    return [p for p in site.rglob("*") if p.is_file()]


def test_site_is_escaped_and_carries_no_credentials(portal: Portal, tmp_path: Path) -> None:
    hostile = DataProduct(
        domain="sales",
        name="Hostile <b>product</b>",
        description=HOSTILE,
        owner="x@retail.example",
        glossary_terms=("Order",),
        items=(ProductItem("fct_orders", "sales.fct_orders"),),
    )
    site = tmp_path / "site"
    render_site(dataclasses.replace(portal, products=(*portal.products, hostile)), site)
    html = (site / "index.html").read_text()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "Hostile &lt;b&gt;product&lt;/b&gt;" in html
    # the inline data cannot close its <script> element early
    inline = re.search(r'<script id="mesh-data" type="application/json">(.*?)</script>', html, re.S)
    assert inline is not None
    data = json.loads(inline.group(1))
    assert any(p["name"] == "Hostile <b>product</b>" for p in data["products"])
    for path in _files(site):
        text = path.read_text(errors="replace")
        for needle in FORBIDDEN:
            assert needle not in text, f"{needle} in {path.relative_to(site)}"


def test_a_description_naming_the_data_slot_stays_text(portal: Portal, tmp_path: Path) -> None:
    """The page's JSON goes into a slot after the page is scrubbed; a description holding the
    slot's name must keep it, and the JSON must still reach its <script> element."""
    from mesh.portal.render import _DATA_SLOT

    odd = DataProduct(
        domain="sales",
        name="Slot",
        description=f"before {_DATA_SLOT} after",
        owner="x@retail.example",
        glossary_terms=("Order",),
        items=(ProductItem("fct_orders", "sales.fct_orders"),),
    )
    site = tmp_path / "site"
    render_site(dataclasses.replace(portal, products=(*portal.products, odd)), site)
    html = (site / "index.html").read_text()
    assert f"before {_DATA_SLOT} after" in html
    inline = re.search(r'<script id="mesh-data" type="application/json">(.*?)</script>', html, re.S)
    assert inline is not None
    data = json.loads(inline.group(1))
    assert any(p["description"] == f"before {_DATA_SLOT} after" for p in data["products"])


def test_site_is_self_contained_with_each_domains_dbt_docs(portal: Portal, tmp_path: Path) -> None:
    site = tmp_path / "site"
    index = render_site(portal, site)
    html = index.read_text()
    # no resource from another origin (links to mailto: and in-page anchors only)
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
    for name in ("mesh.json", "portal.css", "portal.js"):
        assert (site / name).is_file()
    for domain in DOMAINS:
        for name in ("index.html", "manifest.json", "catalog.json"):
            assert (site / "domains" / domain / name).is_file(), (domain, name)
        assert f'href="domains/{domain}/index.html#!/overview"' in html
    mesh = json.loads((site / "mesh.json").read_text())
    assert {d["name"] for d in mesh["domains"]} == set(DOMAINS)
    assert "docs_dirs" not in mesh  # local paths stay out


def test_replaces_its_own_site_but_never_another_folder(portal: Portal, tmp_path: Path) -> None:
    site = tmp_path / "site"
    render_site(portal, site)
    (site / "stale.txt").write_text("from an older run")
    render_site(portal, site)
    assert not (site / "stale.txt").exists() and (site / "index.html").is_file()
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("mine")
    with pytest.raises(BadInputError, match="not written by `mesh docs portal`"):
        render_site(portal, precious)
    assert [p.name for p in precious.iterdir()] == ["notes.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folders left
    # a site under a file (a careless --out): was a FileExistsError traceback
    with pytest.raises(BadInputError, match="cannot create the site's folder") as refused:
        render_site(portal, precious / "notes.txt" / "site")
    assert "Fix: pass --out a folder you can write" in str(refused.value)
    assert (precious / "notes.txt").read_text() == "mine"


def test_cli_builds_the_portal(
    docs_mesh: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = Typer()
    app.command("portal")(portal_build)
    app.command("other")(lambda: None)  # two commands: typer keeps the subcommand name
    monkeypatch.setenv("MESH_ROOT", str(docs_mesh))
    out = tmp_path / "out"
    for width in ("40", "200"):  # what it says never depends on the terminal's width
        monkeypatch.setenv("COLUMNS", width)
        result = CliRunner().invoke(app, ["portal", "--out", str(out)])
        assert result.exit_code == 0, result.output
        said = " ".join(result.output.split())
        assert f"Portal written to {out}: {len(DOMAINS)} domains," in said
        assert (out / "index.html").is_file()
    result = CliRunner().invoke(app, ["portal", "--out", str(docs_mesh / "domains")])
    assert result.exit_code == 2
    assert "refusing to replace it" in " ".join(result.output.split())
