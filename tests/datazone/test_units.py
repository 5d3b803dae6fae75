"""Fast unit tests: token buckets, configuration overrides, glossary ordering, client tokens."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from publish.datazone.api import client_token, paginate
from publish.datazone.config import load_config
from publish.datazone.glossary import TermSpec, load_glossary, split_record, term_request
from publish.datazone.ratelimit import RateLimiter, TokenBucket
from publish.errors import BadInputError

REPO = Path(__file__).resolve().parents[2]


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.lock = threading.Lock()

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


@pytest.mark.parametrize(("rate", "calls", "expected"), [(5, 5, 0.0), (5, 6, 0.2), (20, 60, 2.0)])
def test_token_bucket_paces_to_its_rate(rate: float, calls: int, expected: float) -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate, clock=clock.time, sleep=clock.sleep)
    for _ in range(calls):
        bucket.acquire()
    # a burst of `rate` calls is free; every further call waits 1/rate
    assert clock.now == pytest.approx(expected)


def test_token_bucket_is_thread_safe() -> None:
    bucket = TokenBucket(200.0, burst=1)
    threads = [
        threading.Thread(target=lambda: [bucket.acquire() for _ in range(10)]) for _ in range(4)
    ]
    import time

    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert time.monotonic() - start >= 39 / 200 * 0.9  # 40 tokens at 200/s, one free


def test_rate_limiter_uses_the_operation_rate_or_the_default() -> None:
    limiter = RateLimiter({"default": 10, "CreateGlossary": 4})
    assert limiter.bucket("CreateGlossary").rate == 4
    assert limiter.bucket("CreateAsset").rate == 10


def test_config_environment_overrides() -> None:
    config = load_config(
        REPO / "catalog" / "datazone.yml",
        env={
            "MESH_DATAZONE_DOMAIN_ID": "dzd_abc123",
            "MESH_DATAZONE_REGION": "eu-west-1",
            "MESH_DATAZONE_PROJECT_SALES": "commerce",
        },
    )
    assert config.domain.id == "dzd_abc123"
    assert config.region == "eu-west-1"
    assert config.projects == {
        "customers": "customers",
        "sales": "commerce",
        "marketing": "marketing",
    }


def test_config_errors_name_the_file_and_the_key(tmp_path: Path) -> None:
    path = tmp_path / "datazone.yml"
    path.write_text("domain: {name: x}\ngovernance_project: g\nprojects: {}\nregion: moon\n")
    with pytest.raises(BadInputError) as err:
        load_config(path, env={})
    assert str(path) in err.value.paragraph() and "`region`" in err.value.paragraph()


def test_glossary_terms_are_created_after_the_terms_they_relate_to() -> None:
    spec = load_glossary(REPO / "catalog" / "glossary.yml")
    order = [t.name for t in spec.creation_order()]
    for term in spec.terms:
        for target in [*term.is_a, *term.classifies]:
            assert order.index(target) < order.index(term.name)


def test_glossary_relation_to_unknown_term(tmp_path: Path) -> None:
    path = tmp_path / "glossary.yml"
    path.write_text("glossary: {name: G}\nterms:\n  - {name: A, is_a: [B]}\n")
    with pytest.raises(BadInputError, match="'B'"):
        load_glossary(path)


def test_client_tokens_are_deterministic_and_content_derived() -> None:
    assert client_token("CreateAsset", {"a": 1, "b": 2}) == client_token(
        "CreateAsset", {"b": 2, "a": 1}
    )
    assert client_token("CreateAsset", {"a": 1}) != client_token("CreateAsset", {"a": 2})
    assert len(client_token("x")) == 64


def _rendered(markdown: str, *, html: bool) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": html}).render(markdown)


@pytest.mark.parametrize("long", ["", "Money **received** from a customer.", "x" * (4096 - 128)])
def test_a_terms_written_record_round_trips_and_no_markdown_renderer_shows_it(long: str) -> None:
    """The record of what the publisher wrote rides on the term's long description: it reads
    back, fits DataZone's 4,096 characters, and renders as nothing whether the renderer allows
    HTML or escapes it (an HTML comment shows as text where HTML is escaped)."""
    term = TermSpec(name="Revenue", short_description="Money in.", long_description=long)
    sent = term_request(term, {})["longDescription"]
    assert len(sent) <= 4096
    text, written = split_record(sent)
    assert text.strip() == long
    assert written is not None and set(written) == {"short description", "long description"}
    for html in (True, False):
        assert "mesh:written" not in _rendered(sent, html=html)
    old = f"{long}\n\n<!-- mesh:written {json.dumps(written)} -->"
    assert "mesh:written" in _rendered(old, html=False)  # why the record moved


def test_a_record_in_the_html_comment_written_before_is_still_read() -> None:
    text, written = split_record('Money in.\n\n<!-- mesh:written {"long description":"ab"} -->')
    assert (text, written) == ("Money in.", {"long description": "ab"})
    assert split_record("Money in. [//]: # (not ours)") == ("Money in. [//]: # (not ours)", None)


class _Pages:
    """A client of two pages that records each request."""

    def __init__(self) -> None:
        self.requests: list[dict[str, object]] = []

    def search(self, **params: object) -> dict[str, object]:
        self.requests.append(params)
        return {"items": [1]} if "nextToken" in params else {"items": [0], "nextToken": "t"}


def test_pages_are_requested_at_the_documented_maximum_size() -> None:
    """The default page size is not documented, and each page is one paced request."""
    client = _Pages()
    assert list(paginate(client, "Search", domainIdentifier="d")) == [0, 1]
    assert [r["maxResults"] for r in client.requests] == [50, 50]  # Search's documented maximum
    assert client.requests[1]["nextToken"] == "t"
    client.requests.clear()
    list(paginate(client, "Search", domainIdentifier="d", maxResults=7))  # a caller's own size
    assert {r["maxResults"] for r in client.requests} == {7}
