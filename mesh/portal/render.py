"""The portal as a static site: `index.html`, `mesh.json`, `portal.css`, `portal.js` and each
domain's own dbt docs under `domains/<domain>/`.

The page works offline and from any static server: the data is inlined as JSON (and also
written to `mesh.json` for machines), the lineage graph is inline SVG, and nothing is loaded
from another origin. Every string from YAML or the artifacts is escaped by Jinja's autoescape;
the page's script only ever sets `textContent`. The site is written to a temporary folder next
to `out` and swapped in at the end, so a failure leaves the previous site as it was.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from mesh.portal.collect import Portal
from mesh.portal.lineage import PALETTE, domain_order, render_svg
from mesh.portal.prune import consumer_catalog, consumer_manifest, invocation_ids, scrub
from mesh.portal.quality import HISTORY_FILE, history_json
from mesh.portal.redact import REDACTED, redact_fields, redact_json, redact_text
from publish.errors import BadInputError

ASSETS = Path(__file__).parent / "assets"
MARKER = ".mesh-portal"  # in every site this module writes; only such a folder is replaced

_CODE = re.compile(r"`([^`]+)`")
_DATA_SLOT = "__mesh_portal_data__"  # where the page's JSON goes, after the page is scrubbed


def render_site(portal: Portal, out: Path) -> Path:
    """Write the site to `out` (replacing a site written before) and return its index.html."""
    out = out.resolve()
    _check_replaceable(out)
    portal = redact_fields(portal)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as exc:  # a file on the way, no permission, a read-only file system
        raise BadInputError(
            f"cannot create the site's folder ({exc.strerror}: {exc.filename})",
            file=out,
            fix="pass --out a folder you can write, new or written by `mesh docs portal` "
            "(default: site/ in the repository)",
        ) from None
    try:
        _write(portal, tmp)
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out / "index.html"


def render_index(portal: Portal, data: dict[str, Any] | None = None) -> str:
    """The page; `data` is `redact_json(portal.to_json())` when the caller already has it."""
    env = Environment(
        loader=FileSystemLoader(ASSETS),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["rich"] = _rich_text
    env.filters["when"] = _when
    env.filters["slug"] = _slug
    colours = domain_colours(portal)
    hrefs = {m.key: f"#model-{m.key}" for m in portal.models}
    with_docs = {d.name for d in portal.domains if d.docs_href}
    for node in portal.nodes:  # the served docs hold public models only (mesh.portal.prune)
        if node.key not in hrefs and node.domain in with_docs and node.access == "public":
            hrefs[node.key] = f"domains/{node.domain}/index.html#!/model/{node.unique_id}"
    if data is None:
        data = redact_json(portal.to_json())
    html = env.get_template("index.html.j2").render(
        portal=portal,
        colours=colours,
        svg=render_svg(portal.nodes, portal.edges, hrefs),
        terms_used=_terms_used(portal),
        data_json=Markup(_DATA_SLOT),
        stats=_stats(portal),
    )
    # the page's own text is scrubbed again, as a last guard; the data, redacted as JSON
    # (secret-named keys blanked too), goes in after: half the page of a large mesh
    # (the slot is the page's last text after every model's: a description that happens to
    # hold the slot's name keeps it)
    head, _, tail = redact_text(html).rpartition(_DATA_SLOT)
    return f"{head}{_script_json(data)}{tail}"


def domain_colours(portal: Portal) -> dict[str, int]:
    """Domain -> index in the palette, in the lineage graph's order (so colours match it)."""
    order = [d for generation in domain_order(portal.nodes, portal.edges) for d in generation]
    order += sorted({d.name for d in portal.domains} - set(order))
    return {domain: index % len(PALETTE) for index, domain in enumerate(order)}


def palette_css() -> str:
    rules = [
        f".dc-{i} {{ --c: {stroke}; --bg: {fill}; }}" for i, (fill, stroke) in enumerate(PALETTE)
    ]
    return "\n".join(["/* domain colours (generated from mesh.portal.lineage.PALETTE) */", *rules])


def _write(portal: Portal, dest: Path) -> None:
    (dest / MARKER).write_text("written by `mesh docs portal`; replaced on every run\n")
    data = redact_json(portal.to_json())
    (dest / "index.html").write_text(render_index(portal, data), encoding="utf-8")
    (dest / HISTORY_FILE).write_text(
        redact_text(history_json({m.key: m.quality for m in portal.models})), encoding="utf-8"
    )
    (dest / "mesh.json").write_text(json.dumps(data, indent=1, ensure_ascii=False), "utf-8")
    css = (ASSETS / "portal.css").read_text(encoding="utf-8")
    (dest / "portal.css").write_text(f"{css}\n{palette_css()}\n", encoding="utf-8")
    shutil.copyfile(ASSETS / "portal.js", dest / "portal.js")
    for domain, source in portal.docs_dirs.items():
        _write_docs(source, dest / "domains" / domain)


def _write_docs(source: Path, target: Path) -> None:
    """A domain's dbt docs site for consumers: public models only, redacted (see prune.py)."""
    target.mkdir(parents=True)
    raw = {"manifest.json": json.loads((source / "manifest.json").read_bytes())}
    if (source / "catalog.json").is_file():
        raw["catalog.json"] = json.loads((source / "catalog.json").read_bytes())
    manifest = consumer_manifest(raw["manifest.json"])
    documents = {"manifest.json": manifest}
    if "catalog.json" in raw:
        documents["catalog.json"] = consumer_catalog(raw["catalog.json"], manifest["nodes"])
    # audit columns compile the run's id into the SQL: the ids of every artifact of the domain
    runs = invocation_ids(
        *raw.values(),
        *(
            json.loads(path.read_bytes())
            for path in (source / "run_results.json", source / "sources.json")
            if path.is_file()
        ),
    )
    for name, document in documents.items():
        clean = redact_json(scrub(document, runs, REDACTED))
        (target / name).write_text(json.dumps(clean), encoding="utf-8")
    shutil.copyfile(source / "index.html", target / "index.html")


def _check_replaceable(out: Path) -> None:
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise BadInputError(
            "the output folder exists and was not written by `mesh docs portal`; refusing to "
            "replace it",
            file=out,
            fix="pass --out an empty or new folder (default: site/ in the repository)",
        )


def _swap(tmp: Path, out: Path) -> None:
    os.chmod(tmp, 0o755)  # mkdtemp makes it private; a site is for reading
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(old)
    tmp.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _script_json(data: Any) -> str:
    """JSON that is safe inside `<script type="application/json">` (no `</script>` breakout)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _rich_text(text: str | None) -> Markup:
    """Escaped text with `code` spans (descriptions are Markdown-ish)."""
    escaped = str(escape(text or ""))
    return Markup(_CODE.sub(r"<code>\1</code>", escaped))


def _when(stamp: str | None) -> str:
    if not stamp:
        return "—"
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _terms_used(portal: Portal) -> Mapping[str, list[str]]:
    used: dict[str, list[str]] = {}
    for model in portal.models:
        for term in (*model.glossary_terms, *model.column_terms):
            used.setdefault(term, []).append(model.key)
    return used


def _stats(portal: Portal) -> dict[str, Any]:
    tests = [m.tests for m in portal.models if m.tests.total]
    return {
        "domains": len(portal.domains),
        "models": len(portal.models),
        "products": len(portal.products),
        "tests_total": sum(t.total for t in tests),
        "tests_passed": sum(t.passed for t in tests),
        "cross_edges": sum(1 for e in portal.edges if e.cross_domain),
    }
