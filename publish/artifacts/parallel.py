"""Load a large mesh's domains in two processes.

Decoding and converting dbt artifacts is CPU-bound Python (msgspec holds the GIL while it
decodes): 0.6 s on one core for a 10,000-model mesh. The domains are independent, so where a
second core is free a forked child loads part of them and sends them back as MessagePack, which
the parent decodes in a quarter of the time loading them took. Measured on synthetic meshes of
five domains (bench/bench_publish_glue.py's artifacts), sequential against two processes:
10,000 models 0.61 s against 0.49 s, 5,000 models 0.31 s against 0.25 s, 2,000 models no gain.

The child is forked only where that is safe and pays: on Linux (macOS system frameworks do not
survive a fork without exec), with no other thread running (a lock another thread holds at the
fork would stay held in the child), with two CPUs to run on, and with enough artifact bytes to
load (below `MIN_BYTES` the fork and the round trip cost what they save). Whatever goes wrong
in the child (a bad artifact, a crash, a kill) makes the parent load the child's domains itself,
so every error is raised as a sequential load raises it, in domain order.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from contextlib import suppress
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

import msgspec

from publish.artifacts.discover import DomainArtifacts
from publish.artifacts.files import FILE_NAMES, ArtifactKind
from publish.model import Domain

#: artifact bytes (manifests, catalogs, run results) from which a second process is used: about
#: 3,000 models of the benchmark's (no gain at 2,000 models, 20 MB; 0.06 s at 5,000, 49 MB)
MIN_BYTES = 32 << 20
#: the share of the bytes the parent loads itself: it also decodes what the child sends
PARENT_SHARE = 0.55

Loader = Callable[[DomainArtifacts], Domain]
_LOADED: tuple[ArtifactKind, ...] = ("manifest", "catalog", "run-results")


def load_all(found: Sequence[DomainArtifacts], load: Loader) -> list[Domain]:
    """`[load(f) for f in found]`, in two processes when it pays and is safe (module docstring)."""
    sizes = [_bytes(f.directory) for f in found]
    if len(found) < 2 or sum(sizes) < MIN_BYTES or not can_fork():
        return [load(f) for f in found]
    cut = _cut(sizes)
    return load_forked(found[:cut], found[cut:], load)


def can_fork() -> bool:
    """Whether a fork without exec is safe here and has a second CPU to run on."""
    return (
        sys.platform == "linux"
        and threading.active_count() == 1
        and len(os.sched_getaffinity(0)) >= 2
    )


def load_forked(
    mine: Sequence[DomainArtifacts], theirs: Sequence[DomainArtifacts], load: Loader
) -> list[Domain]:
    """Load `mine` here while a forked child loads `theirs`; the domains in that order."""
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no process to spare (EAGAIN, ENOMEM): load them all here
        os.close(read_end)
        os.close(write_end)
        return [load(f) for f in (*mine, *theirs)]
    if pid == 0:
        _child(theirs, load, read_end, write_end)
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as pipe:
            loaded = [load(f) for f in mine]
            sent = pipe.read()
    except BaseException:  # an error in our share (or Ctrl-C): the child's work is not wanted
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    _, status = os.waitpid(pid, 0)
    shipped = _received(sent, len(theirs)) if os.waitstatus_to_exitcode(status) == 0 else None
    if shipped is None:  # the child failed: load its share here, raising what it raised
        shipped = [load(f) for f in theirs]
    return loaded + shipped


def _child(
    theirs: Sequence[DomainArtifacts], load: Loader, read_end: int, write_end: int
) -> NoReturn:
    """Load `theirs`, send them through `write_end`, exit without running the parent's exit
    handlers or flushing its buffers (os._exit). Any failure is only an exit status: the parent
    loads the share again and reports the error itself."""
    code = 1
    try:
        os.close(read_end)
        data = _ENCODER.encode([load(f) for f in theirs])
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
        code = 0
    except BaseException:
        pass  # the parent loads the share again and raises what was raised here
    finally:
        os._exit(code)


def _received(data: bytes, expected: int) -> list[Domain] | None:
    try:
        domains = _DECODER.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return domains if len(domains) == expected else None


def _cut(sizes: Sequence[int]) -> int:
    """How many of the domains (in order) the parent loads: the prefix whose bytes come closest
    to `PARENT_SHARE` of the total, leaving the child at least one."""
    total, running = sum(sizes), 0
    best, best_gap = 1, float("inf")
    for i, size in enumerate(sizes[:-1], start=1):
        running += size
        gap = abs(running / total - PARENT_SHARE)
        if gap < best_gap:
            best, best_gap = i, gap
    return best


def _bytes(directory: Path) -> int:
    total = 0
    for kind in _LOADED:
        with suppress(OSError):  # missing or unreadable: the load reports it
            total += (directory / FILE_NAMES[kind]).stat().st_size
    return total


def _encode(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, MappingProxyType):
        return dict(value)
    raise NotImplementedError(f"cannot send a {type(value).__name__} between processes")


def _decode(kind: type, value: Any) -> Any:
    if kind is Path:
        return Path(value)
    raise NotImplementedError(f"cannot receive a {kind.__name__}")


_ENCODER = msgspec.msgpack.Encoder(enc_hook=_encode)
_DECODER = msgspec.msgpack.Decoder(list[Domain], dec_hook=_decode)
