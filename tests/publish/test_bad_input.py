"""Bad input through the CLI: one clear paragraph naming the file, exit code 2, nothing written."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.publish.cli_helpers import LF_TAGS, document, run_publish
from tests.publish.harness import GlueLikeMotoServer

pytestmark = pytest.mark.integration


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _old_schema(path: Path) -> None:
    text = path.read_text().replace("/manifest/v12.json", "/manifest/v8.json", 1)
    path.write_text(text)


def _unknown_sensitivity(path: Path) -> None:
    manifest = json.loads(path.read_text())
    column = manifest["nodes"]["model.tiny.fct_orders"]["columns"]["amount"]
    column["meta"]["sensitivity"] = "top-secret"
    column["config"]["meta"]["sensitivity"] = "top-secret"
    path.write_text(json.dumps(manifest))


def _unknown_tier(path: Path) -> None:
    manifest = json.loads(path.read_text())
    node = manifest["nodes"]["model.tiny.dim_customers.v2"]
    node["meta"]["tier"] = "platinum"
    node["config"]["meta"]["tier"] = "platinum"
    path.write_text(json.dumps(manifest))


def _gzipped(path: Path) -> None:
    path.write_bytes(gzip.compress(path.read_bytes()))


def _folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


CASES: dict[str, tuple[str, Callable[[Path], None], list[str]]] = {
    # before: UnicodeDecodeError traceback
    "gzip-compressed manifest": (
        "manifest.json",
        _gzipped,
        ["manifest.json", "is gzip-compressed", "gunzip -c FILE.gz > manifest.json"],
    ),
    # before: IsADirectoryError traceback
    "catalog that is a folder": (
        "catalog.json",
        _folder,
        ["catalog.json", "is a folder, not the dbt catalog file", "dbt docs generate"],
    ),
    "truncated manifest": (
        "manifest.json",
        _truncate,
        ["manifest.json", "not valid JSON", "truncated", "Fix:"],
    ),
    "truncated run results": (
        "run_results.json",
        _truncate,
        ["run_results.json", "not valid JSON", "Fix:"],
    ),
    "unsupported manifest version": (
        "manifest.json",
        _old_schema,
        [
            "manifest.json",
            "schema version v8",
            "written by dbt-core 1.4 and older, before model access, groups, contracts",
            "reads manifest v9, v10, v11, v12, v20",
            "dbt-core 1.5 to 1.11 and dbt Fusion",
        ],
    ),
    "missing catalog": (
        "catalog.json",
        lambda p: p.unlink(),
        ["catalog.json", "missing", "dbt docs generate"],
    ),
    "catalog given as manifest": (
        "manifest.json",
        lambda p: p.write_bytes((p.parent / "catalog.json").read_bytes()),
        ["manifest.json", "catalog artifact", "manifest was expected"],
    ),
    "unknown LF-tag value on a column": (
        "manifest.json",
        _unknown_sensitivity,
        [
            "domains/tiny/models/marts/_marts__models.yml",
            "column `amount` of model.tiny.fct_orders",
            "sensitivity: top-secret",
            "allowed: public, internal, confidential, pii",
            "lf_tags.yml",
        ],
    ),
    "unknown LF-tag value on a table": (
        "manifest.json",
        _unknown_tier,
        ["model.tiny.dim_customers.v2", "tier: platinum", "allowed: gold, silver, bronze"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_artifacts(case: str, production: Path, aws: GlueLikeMotoServer) -> None:
    file, damage, expected = CASES[case]
    damage(production / "tiny" / file)

    result = run_publish(production)

    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())  # one paragraph, however the console wrapped it
    assert message.startswith("error: ")
    for fragment in expected:
        assert fragment in message, (fragment, message)
    assert result.stdout == ""
    assert aws.calls() == []  # validated before the first AWS call: nothing read, nothing written


def test_unknown_domain(production: Path, aws: GlueLikeMotoServer) -> None:
    result = run_publish(production, "--domain", "nope")

    assert result.exit_code == 2
    assert "no artifacts for domain(s) nope" in result.stderr
    assert "found: tiny" in result.stderr
    assert aws.calls() == []


@pytest.mark.parametrize("given", ["missing", "file"])
def test_artifacts_that_are_no_directory(
    tmp_path: Path, aws: GlueLikeMotoServer, given: str
) -> None:
    path = tmp_path / "manifest.json"
    if given == "file":
        path.write_text("{}")  # a careless --artifacts pointing at one artifact
    result = run_publish(path)

    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    expected = "is a file, not the artifacts directory" if given == "file" else "does not exist"
    assert f"{path}: " in message and expected in message, message
    assert "<dir>/<domain>/manifest.json" in message
    assert aws.calls() == []


def test_artifacts_of_another_target(production: Path, aws: GlueLikeMotoServer) -> None:
    result = run_publish(production, "--target", "qa")

    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert "built for the dbt target `prod`, not `qa`" in message
    assert "run_results.json" in message
    assert aws.calls() == []


def test_broken_ontology(production: Path, tmp_path: Path, aws: GlueLikeMotoServer) -> None:
    ontology = tmp_path / "lf_tags.yml"
    ontology.write_text("tags:\n  - key: sensitivity\n    applies_to: row\n    meta_key: s\n")

    result = run_publish(production, lf_tags=ontology)

    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert str(ontology) in message and "tags.0.applies_to" in message
    assert aws.calls() == []


def test_unreachable_aws_is_an_error_not_bad_input(
    production: Path, monkeypatch: pytest.MonkeyPatch, aws: Any
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")

    result = run_publish(production)

    assert result.exit_code == 1
    assert "could not read the Glue Data Catalog" in result.stderr


def test_an_unknown_target_is_refused_when_the_artifacts_cannot_tell(
    production: Path, aws: GlueLikeMotoServer
) -> None:
    """Issue 13 row 4: `--target nope` published (exit 0) when run_results.json, which records
    the target of the build, was not there to compare with."""
    (production / "tiny" / "run_results.json").unlink()

    result = run_publish(production, "--target", "nope")

    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert "unknown target 'nope'" in message
    assert "profiles.yml" in message
    assert aws.calls() == []


# --- careless options and environment: refused before the first AWS call ---------------------

CARELESS: dict[str, tuple[list[str], dict[str, str], list[str]]] = {
    # before: ValueError traceback ("Invalid endpoint: localhost:5050")
    "an AWS_ENDPOINT_URL without its scheme": (
        [],
        {"AWS_ENDPOINT_URL": "localhost:5050"},
        ["AWS_ENDPOINT_URL is 'localhost:5050'", "a URL with its scheme"],
    ),
    "an AWS_ENDPOINT_URL_GLUE without its scheme": (
        [],
        {"AWS_ENDPOINT_URL_GLUE": "glue.local"},
        ["AWS_ENDPOINT_URL_GLUE is 'glue.local'"],
    ),
}


@pytest.mark.parametrize("case", list(CARELESS))
def test_careless_options_and_environment(
    case: str, production: Path, aws: GlueLikeMotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    args, env, expected = CARELESS[case]
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    result = run_publish(production, *args)

    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert message.startswith("error: ") and "Fix: " in message, message
    for fragment in expected:
        assert fragment in message, (fragment, message)
    assert result.stdout == ""
    assert aws.calls() == []


@pytest.mark.parametrize("given", ["duplicate key", "misspelt key"])
def test_a_careless_ontology_is_one_paragraph(
    production: Path, tmp_path: Path, aws: GlueLikeMotoServer, given: str
) -> None:
    """Before: a key given twice was read as the second and then blamed every column's value; a
    misspelt key read as a missing one."""
    ontology = tmp_path / "lf_tags.yml"
    text = LF_TAGS.read_text()
    if given == "duplicate key":
        tier = "    meta_key: tier\n"
        ontology.write_text(text.replace(tier, f"{tier}    key: x\n"))
    else:
        ontology.write_text(text.replace("applies_to: column", "applies_too: column"))

    result = run_publish(production, lf_tags=ontology)

    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert message.startswith(f"error: {ontology}: the LF-tag ontology "), message
    expected = {
        "duplicate key": "the key 'key' is given twice",
        "misspelt key": "unknown key `applies_too` (did you mean `applies_to`?)",
    }[given]
    assert expected in message
    assert aws.calls() == []


@pytest.mark.parametrize("blank", ["", " "])
def test_a_blank_domain_names_no_domain(
    production: Path, aws: GlueLikeMotoServer, blank: str
) -> None:
    """Before: "no artifacts for domain(s)  (expected ...)", an empty name in the sentence."""
    result = run_publish(production, "--select", blank)

    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert f"--select (or --domain) {blank!r} names no domain" in message
    assert "found: tiny" in message
    assert aws.calls() == []


def test_artifacts_of_one_domain_or_gzipped_are_named_as_such(
    production: Path, tmp_path: Path, aws: GlueLikeMotoServer
) -> None:
    """Before: both "no domain artifacts found", whatever the folder held."""
    one_domain = production / "tiny"
    result = run_publish(one_domain)
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert f"{one_domain}: holds a manifest.json itself: one domain's artifacts" in message

    zipped = tmp_path / "zipped"
    (zipped / "tiny").mkdir(parents=True)
    for path in one_domain.glob("*.json"):
        (zipped / "tiny" / f"{path.name}.gz").write_bytes(gzip.compress(path.read_bytes()))
    result = run_publish(zipped)
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert f"{zipped}: holds gzip-compressed artifacts (tiny/" in message
    assert "gunzip -k" in message
    assert aws.calls() == []


@pytest.mark.parametrize(
    ("docs_url", "expected"),
    [
        ("https://docs.example.com/{model}", "has the placeholder(s) {model}"),
        ("https://docs.example.com/{domain", "is not a valid template (expected '}'"),
        ("https://docs.example.com/{0}", "has the placeholder(s) {0}"),
        ("docs.example.com", "is not an http(s) address"),
    ],
)
def test_a_docs_url_the_publisher_cannot_fill_in(
    production: Path, aws: GlueLikeMotoServer, docs_url: str, expected: str
) -> None:
    """A typo in `--docs-url` failed with a traceback (KeyError, IndexError, ValueError) once
    the first model's link was made."""
    result = run_publish(production, "--docs-url", docs_url)

    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert message.startswith(f"error: --docs-url (or MESH_DOCS_URL) {docs_url!r} {expected}")
    assert "{domain} and {unique_id}" in message
    assert aws.calls() == []


def test_an_empty_docs_url_means_no_links(production: Path, aws: GlueLikeMotoServer) -> None:
    """An unset CI variable arrives as MESH_DOCS_URL=""; the tables get no docs link."""
    result = run_publish(production, "--docs-url", "", "--dry-run")

    assert result.exit_code == 0, result.output
    assert "mesh:docs_url" not in result.stdout


def test_choices_are_taken_in_any_case(production: Path, aws: GlueLikeMotoServer) -> None:
    """Before: `-o JSON` and `--on-drift KEEP` were refused ("'JSON' is not one of ...")."""
    result = run_publish(production, "--dry-run", "--output", "JSON", "--on-drift", "KEEP")

    assert result.exit_code == 0, result.output
    assert document(result)["dry_run"] is True
