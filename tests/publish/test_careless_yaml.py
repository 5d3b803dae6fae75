"""The catalog's YAML files as a careless hand leaves them: each is refused with one paragraph
naming the file, what is wrong and where, and the fix (a BadInputError, exit code 2).

Every loader goes through `publish.yamlfile`, so each damage is tried on each file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from publish.datazone.config import load_config
from publish.datazone.glossary import load_glossary
from publish.desired import load_ontology
from publish.errors import BadInputError
from publish.products import load_products

REPO = Path(__file__).resolve().parents[2]
CATALOG = REPO / "catalog"

#: file -> (its loader, a key of it to misspell, the misspelling)
FILES: dict[str, tuple[Callable[[Path], Any], str, str]] = {
    "lf_tags.yml": (load_ontology, "    applies_to:", "    aplies_to:"),
    "datazone.yml": (lambda p: load_config(p, env={}), "glossary:", "glosary:"),
    "glossary.yml": (load_glossary, "terms:", "trems:"),
}


def _refused(load: Callable[[Path], Any], path: Path) -> str:
    with pytest.raises(BadInputError) as raised:
        load(path)
    paragraph = raised.value.paragraph()
    assert paragraph.startswith(f"{path}: "), paragraph
    assert "Fix: " in paragraph
    assert "\n" not in paragraph
    return paragraph


@pytest.mark.parametrize("name", list(FILES))
def test_a_misspelt_key_is_named_with_the_key_it_resembles(tmp_path: Path, name: str) -> None:
    """Before: "Extra inputs are not permitted", or (lf_tags.yml) "`applies_to`: Field required"
    for the key that was there, misspelt."""
    load, key, typo = FILES[name]
    path = tmp_path / name
    path.write_text((CATALOG / name).read_text().replace(key, typo, 1))

    paragraph = _refused(load, path)

    wrong, right = typo.strip().rstrip(":"), key.strip().rstrip(":")
    assert f"unknown key `{wrong}` (did you mean `{right}`?)" in paragraph


@pytest.mark.parametrize("name", list(FILES))
def test_a_key_given_twice_is_refused_with_both_lines(tmp_path: Path, name: str) -> None:
    """Before: PyYAML kept the second value without a word (a pasted block, a second region)."""
    load, _, _ = FILES[name]
    lines = (CATALOG / name).read_text().splitlines()
    first = next(i for i, line in enumerate(lines) if line[:1].isalpha())  # a top-level key
    key = lines[first].split(":")[0]
    path = tmp_path / name
    path.write_text("\n".join([*lines, f"{key}: {{}}"]) + "\n")  # pasted again at the end

    paragraph = _refused(load, path)

    assert f"the key '{key}' is given twice" in paragraph
    assert f"(lines {first + 1} and {len(lines) + 1})" in paragraph


@pytest.mark.parametrize("name", list(FILES))
def test_a_binary_file_a_folder_and_an_empty_file_are_refused(tmp_path: Path, name: str) -> None:
    """Before: UnicodeDecodeError and IsADirectoryError tracebacks; an empty lf_tags.yml published
    no LF-tag at all (exit 0)."""
    load, _, _ = FILES[name]
    binary = tmp_path / "binary" / name
    binary.parent.mkdir()
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00\xd0\xcf\x11\xe0")
    assert "is not UTF-8 text" in _refused(load, binary)

    folder = tmp_path / "folder" / name
    folder.mkdir(parents=True)
    assert "this is a directory, not" in _refused(load, folder)

    empty = tmp_path / "empty" / name
    empty.parent.mkdir()
    empty.write_text("")
    paragraph = _refused(load, empty)
    assert "is empty" in paragraph or "Field required" in paragraph


def test_an_empty_data_products_file_declares_none(tmp_path: Path) -> None:
    """Like an absent one (a domain may have no data product yet)."""
    path = tmp_path / "data_products.yml"
    path.write_text("")
    assert load_products(path).data_products == []


def test_merge_keys_may_be_overridden(tmp_path: Path) -> None:
    """`<<: *anchor` then an explicit key is no duplicate: YAML's merge lets the key win."""
    path = tmp_path / "lf_tags.yml"
    path.write_text(
        "base: &base {applies_to: column, meta_key: sensitivity, values: [a]}\n"
        "tags:\n  - <<: *base\n    key: sensitivity\n    values: [a, b]\n"
    )
    with pytest.raises(BadInputError, match="unknown key `base`"):
        load_ontology(path)  # `base` itself is no key of the ontology; the merge was accepted


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "data_products: domains/{domain}/data_products.yml",
            "data_products: domains/{dom}/data_products.yml",
            "only placeholder is {domain}",
        ),
        ("  default: 10", "  default: .nan", "rate_limits must be positive numbers"),
        ("  default: 10", "  default: .inf", "rate_limits must be positive numbers"),
    ],
)
def test_datazone_values_that_would_fail_mid_publish(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    """Before: `{dom}` was a KeyError traceback once DataZone was read; `.nan` was accepted."""
    path = tmp_path / "datazone.yml"
    text = (CATALOG / "datazone.yml").read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))

    assert expected in _refused(lambda p: load_config(p, env={}), path)


@pytest.mark.parametrize("field", ["items", "glossary_terms"])
def test_a_data_product_listing_a_thing_twice_is_refused(tmp_path: Path, field: str) -> None:
    """Before: `items: [fct_orders, fct_orders]` passed `mesh check` and was sent to DataZone."""
    text = "data_products:\n  - name: Orders\n    items: [fct_orders]\n    glossary_terms: [O]\n"
    path = tmp_path / "data_products.yml"
    path.write_text(text.replace(f"{field}: [", f"{field}: [twice, twice, "))
    paragraph = _refused(load_products, path)
    assert f"{field} lists twice more than once" in paragraph
