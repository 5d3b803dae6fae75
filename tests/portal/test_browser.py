"""The portal in headless Chromium (Debian's package driven by Playwright from PyPI).

Opens the generated site from a loopback server: no console errors, no request leaves
the machine, every domain and data product is listed, search finds a model by a glossary
term, and the lineage SVG draws an edge between two domains, between public models only. Then
each domain's dbt docs, served next to the portal: its public models with their SQL, and no
private model, nor any private model's SQL. Keeps screenshots in test-artifacts/.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from mesh.portal.collect import Portal
from mesh.portal.render import render_site
from mesh.portal.serve import serve_in_thread
from tests.portal.conftest import DOMAINS

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = Path(__file__).resolve().parents[2] / "test-artifacts" / "portal.png"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.is_file() and not shutil.which("chromium"):
        pytest.fail(
            f"Chromium is not installed ({CHROMIUM} is missing); the portal's browser test needs "
            "Debian's package: run `apt-get install -y chromium` as root (`.ci/run` does)",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "Playwright is not installed: run `pip install -e '.[dev]'` (never `playwright "
            "install`; the test drives Debian's chromium)",
            pytrace=False,
        )
    executable = str(CHROMIUM) if CHROMIUM.is_file() else shutil.which("chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site_url(portal: Portal, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = render_site(portal, tmp_path_factory.mktemp("portal") / "site").parent
    server, url = serve_in_thread(site)
    yield url
    server.shutdown()
    server.server_close()


def test_portal_in_headless_chromium(
    browser: object, site_url: str, portal: Portal, docs_mesh: Path
) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    problems: list[str] = []
    outside: list[str] = []
    origin = urlsplit(site_url).netloc

    def route(request_route: object) -> None:
        request = request_route.request  # type: ignore[attr-defined]
        if urlsplit(request.url).netloc != origin and not request.url.startswith("data:"):
            outside.append(request.url)
            request_route.abort()  # type: ignore[attr-defined]
        else:
            request_route.continue_()  # type: ignore[attr-defined]

    page.route("**/*", route)
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on(
        "response",
        lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
    )
    page.goto(site_url)
    page.wait_for_load_state("networkidle")

    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # every domain, every data product (as the YAML files declare them)
    cards = page.locator(".domain-card")
    assert sorted(cards.evaluate_all("els => els.map(e => e.dataset.domain)")) == sorted(DOMAINS)
    for domain in DOMAINS:
        assert page.locator(f"#domain-{domain} h3").inner_text().lower() == domain
    declared = []
    for domain in DOMAINS:
        path = docs_mesh / "domains" / domain / "data_products.yml"
        if path.exists():
            declared += [
                (domain, p["name"]) for p in yaml.safe_load(path.read_text())["data_products"]
            ]
    assert len(declared) == len(portal.products)
    listed = page.locator(".product-card").evaluate_all(
        "els => els.map(e => [e.dataset.domain, e.dataset.product])"
    )
    assert sorted(map(tuple, listed)) == sorted(declared)
    for _, name in declared:
        assert page.locator(".product-card h3", has_text=name).first.is_visible()
    rows = page.locator(".model-row-group").evaluate_all("els => els.map(e => e.dataset.key)")
    assert sorted(rows) == sorted(m.key for m in portal.models)

    # search by a glossary term finds the model tagged with it
    page.fill("#search", "Return on Ad Spend")
    hit = page.locator('#search-results li[data-key="marketing.fct_campaign_performance"]')
    hit.wait_for(state="visible", timeout=5000)
    assert "glossary term" in hit.inner_text()
    assert page.locator("#search-results li").first.get_attribute("data-key") == (
        "marketing.fct_campaign_performance"
    )
    assert page.locator('[id="model-marketing.fct_campaign_performance"]').is_visible()
    assert not page.locator('[id="model-sales.fct_orders"]').is_visible()  # filtered out
    page.fill("#search", "")
    page.locator("#search-panel").wait_for(state="hidden", timeout=5000)

    # the lineage SVG draws an edge between nodes of two different domains
    edges = page.locator("#lineage-svg path.lineage-edge").evaluate_all(
        """els => els.map(e => [e.dataset.source, e.dataset.target,
                               e.dataset.sourceDomain, e.dataset.targetDomain,
                               e.getTotalLength()])"""
    )
    nodes = dict(
        page.locator("#lineage-svg g.lineage-node").evaluate_all(
            "els => els.map(e => [e.dataset.key, e.dataset.domain])"
        )
    )
    cross = [(s, t) for s, t, sd, td, length in edges if sd != td and length > 0]
    assert cross, edges
    for source, target in cross:
        assert nodes[source] != nodes[target]
    assert ("sales.fct_orders", "marketing.fct_campaign_performance") in cross
    assert page.locator("#lineage-svg").is_visible()
    # consumers see public models only: every node drawn is one, no private model is named
    assert set(nodes) == {m.key for m in portal.models}
    body = page.inner_text("body")
    private = _private_models(docs_mesh)
    assert private and not [name for name in private if name in body]

    assert not problems, problems
    assert not outside, f"requests left the machine: {outside}"
    page.close()


def _private_models(root: Path) -> dict[str, str]:
    """Name -> compiled SQL of every private or protected model of the built mesh."""
    found = {}
    for domain in DOMAINS:
        manifest = json.loads((root / "domains" / domain / "target" / "manifest.json").read_text())
        for node in manifest["nodes"].values():
            if (
                node["resource_type"] == "model"
                and node["package_name"] == domain
                and node["access"] != "public"
            ):
                found[node["name"]] = node.get("compiled_code") or ""
    return found


@pytest.mark.parametrize("domain", DOMAINS)
def test_served_dbt_docs_show_public_models_without_private_sql(
    browser: object, site_url: str, portal: Portal, docs_mesh: Path, domain: str
) -> None:
    """The dbt docs site the portal links (dbt's own app, reading the pruned artifacts)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    # (dbt's docs app itself requests a few unbound icon templates and a favicon that 404;
    # what matters here is that the artifacts it reads are served)
    page.on(
        "response",
        lambda r: (
            problems.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 and r.url.endswith(".json")
            else None
        ),
    )
    public = [m for m in portal.models if m.domain == domain]
    model = public[0]
    page.goto(f"{site_url}domains/{domain}/index.html#!/model/{model.unique_id}")
    page.wait_for_load_state("networkidle")
    page.get_by_text(model.name, exact=False).first.wait_for(state="visible", timeout=15000)
    # the model's page: its columns and its (public) SQL are there
    body = page.inner_text("body")
    assert model.columns[0].name in body
    page.get_by_text("Code", exact=True).first.click()
    page.get_by_text("Compiled", exact=True).first.click()
    page.wait_for_timeout(300)
    code = page.inner_text("body")
    assert "select" in code.lower()
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT.with_name(f"dbt-docs-{domain}.png")), full_page=True)
    # the project tree lists this domain's public models and no private one
    page.goto(f"{site_url}domains/{domain}/index.html#!/overview")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    tree = page.inner_text("body")
    for other in public:
        assert other.name in tree, other.name
    private = _private_models(docs_mesh)
    shown = [name for name in private if name in tree]
    assert shown == [], f"private models in {domain}'s dbt docs"
    # nor does any private model's compiled SQL reach the browser
    served = page.request.get(f"{site_url}domains/{domain}/manifest.json").text()
    for name, sql in private.items():
        assert not sql.strip() or sql.strip() not in served, name
    assert not problems, problems
    page.close()
