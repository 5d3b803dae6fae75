"""A small inverted index for free-text search: tokens per field, prefix matching, stable order."""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Callable, Iterable, Mapping

from mesh_standins.datazone.errors import ServiceError, invalid

_WORD = re.compile(r"[a-z0-9]+")


def tokenize(text: str) -> list[str]:
    """Lower-case alphanumeric words: `fct_orders Daily` -> ['fct', 'orders', 'daily']."""
    return _WORD.findall(text.lower())


class SearchIndex:
    """Documents are ids with text per field; queries return ids in (re)indexing order.

    Sized for 100k documents: a posting is a compact array of document sequence numbers.
    Re-indexing gives the document a new number and leaves the old one as a tombstone that
    queries skip; tombstones are swept out once they outnumber the live documents.
    """

    def __init__(self) -> None:
        self._doc_seq: dict[str, int] = {}
        self._seq_doc: dict[int, str] = {}
        self._next = 0
        self._stale = 0
        self._postings: dict[str, array[int]] = {}  # "<field>\0<token>" -> sequence numbers
        self._sorted_keys: list[str] | None = None

    def __len__(self) -> int:
        return len(self._doc_seq)

    def put(self, doc_id: str, fields: Mapping[str, Iterable[str]]) -> None:
        """Index (or re-index) a document; `fields` maps a field name to its texts."""
        self.remove(doc_id)
        seq = self._next
        self._next += 1
        self._doc_seq[doc_id] = seq
        self._seq_doc[seq] = doc_id
        keys = {
            f"{field}\0{tok}"
            for field, texts in fields.items()
            for t in texts
            for tok in tokenize(t)
        }
        for key in keys:
            posting = self._postings.get(key)
            if posting is None:
                posting = self._postings[key] = array("I")
                self._sorted_keys = None
            posting.append(seq)

    def remove(self, doc_id: str) -> None:
        seq = self._doc_seq.pop(doc_id, None)
        if seq is None:
            return
        del self._seq_doc[seq]
        self._stale += 1
        if self._stale > 1000 and self._stale > len(self._seq_doc):
            self._sweep()

    def _sweep(self) -> None:
        live = self._seq_doc
        for key, posting in list(self._postings.items()):
            kept = array("I", (s for s in posting if s in live))
            if kept:
                self._postings[key] = kept
            else:
                del self._postings[key]
                self._sorted_keys = None
        self._stale = 0

    def _prefix(self, field: str, token: str) -> set[int]:
        """Documents with a word in `field` starting with `token` (so 'order' finds 'orders')."""
        if self._sorted_keys is None:
            self._sorted_keys = sorted(self._postings)
        keys = self._sorted_keys
        lo = f"{field}\0{token}"
        found: set[int] = set()
        for i in range(bisect.bisect_left(keys, lo), len(keys)):
            if not keys[i].startswith(lo):
                break
            found.update(self._postings[keys[i]])
        return found

    def query(
        self,
        text: str | None,
        fields: Iterable[str],
        predicate: Callable[[str], bool] | None = None,
    ) -> list[str]:
        """Ids matching every word of `text` in any of `fields` and the predicate, in order."""
        fields = tuple(fields)
        words = tokenize(text or "")
        live = self._seq_doc
        if words:
            hits: set[int] | None = None
            for word in words:
                per_word: set[int] = set()
                for field in fields:
                    per_word |= self._prefix(field, word)
                hits = per_word if hits is None else hits & per_word
                if not hits:
                    return []
            ids = [live[s] for s in sorted(hits or ()) if s in live]
        else:
            ids = list(live.values())
        if predicate is None:
            return ids
        return [i for i in ids if predicate(i)]


def _text_matches(needle: str, value: object) -> bool:
    words = tokenize(str(value))
    return all(any(w.startswith(q) for w in words) for q in tokenize(needle))


def _compare(actual: object, flt: dict[str, object]) -> bool:
    op = flt.get("operator") or "EQ"
    wanted = flt.get("intValue", flt.get("value"))
    if op == "TEXT_SEARCH":
        return _text_matches(str(flt.get("value", "")), actual)
    if op == "EQ":
        if isinstance(actual, bool) or isinstance(wanted, bool):
            return str(actual).lower() == str(wanted).lower()
        if isinstance(actual, int | float) and wanted is not None:
            try:
                return float(actual) == float(str(wanted))
            except ValueError:
                return False
        return str(actual).lower() == str(wanted).lower()
    try:
        a, w = float(actual), float(str(wanted))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return {"LT": a < w, "LE": a <= w, "GT": a > w, "GE": a >= w}.get(str(op), False)


#: special filter attributes the emulator does not evaluate (answered NotImplementedException)
UNEVALUATED_ATTRIBUTES = frozenset({"creationTime", "lastUpdatedTime"})
_COMPARISONS = frozenset({"LT", "LE", "GT", "GE"})


def check_clause(clause: Mapping[str, object] | None, known: frozenset[str]) -> None:
    """Refuse filters the service would not evaluate (FIDELITY.md, SE-3): attributes that are
    neither `known` nor `<FormName>.<field>`, and comparisons without an `intValue`."""
    if not clause:
        return
    for key in ("and", "or"):
        for sub in clause.get(key) or ():  # type: ignore[attr-defined]
            check_clause(sub, known)
    flt = clause.get("filter")
    if not isinstance(flt, Mapping):
        return
    attribute = str(flt.get("attribute"))
    if attribute in UNEVALUATED_ATTRIBUTES:
        raise ServiceError(
            "NotImplementedException",
            f"DataZone emulator does not evaluate filters on {attribute}",
        )
    if attribute not in known and "." not in attribute.strip("."):
        names = ", ".join(sorted(known))
        raise invalid(
            f"Filter attribute {attribute} is not searchable; use one of {names} "
            "or <FormName>.<field>"
        )
    if flt.get("operator") in _COMPARISONS and flt.get("intValue") is None:
        raise invalid(f"Operator {flt['operator']} on {attribute} needs an intValue")


def matches_clause(attrs: dict[str, object], clause: dict[str, object] | None) -> bool:
    """Evaluate a DataZone `FilterClause` (filter / and / or) against a record's attributes.

    A list attribute (e.g. glossaryTerms) matches when any element does; a missing one never does.
    """
    if not clause:
        return True
    if "and" in clause:
        return all(matches_clause(attrs, c) for c in clause["and"])  # type: ignore[attr-defined]
    if "or" in clause:
        return any(matches_clause(attrs, c) for c in clause["or"])  # type: ignore[attr-defined]
    flt = clause["filter"]
    assert isinstance(flt, dict)
    actual = attrs.get(str(flt["attribute"]))
    if actual is None:
        return False
    if isinstance(actual, list):
        return any(_compare(v, flt) for v in actual)
    return _compare(actual, flt)
