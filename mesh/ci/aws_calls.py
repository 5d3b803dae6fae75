"""Which AWS operations the code can call, from its source: every boto3 client call site.

The packages' source is read with `ast` (nothing is imported or run). A call site is a method call
on a value the scan knows to be a boto3 client of one service, because it was built by
`<session or clients>.client("<service>")` or is annotated with a boto3-stubs client type
(`GlueClient`, `DataZoneClient`, ...), directly or through a project class's attribute, a
function's parameter or return value; a parameter or dataclass field typed `Any` takes the type
of what its callers pass (a few rounds of propagation, until nothing new is learnt). The method
name is mapped to the operation by botocore's service model (`get_tables` -> `GetTables`,
`get_paginator("get_tables")` -> `GetTables`); boto3's S3 transfer methods (`upload_file`,
`download_file`, ...) to the operations s3transfer calls. A project function that forwards an
operation name to `getattr(client, ...)` is a dispatcher, and each call of it with a literal name
is a call site too.

Which call sites a role needs follows from a call graph: a function reaches every project
function it calls or passes on (a callback, a method bound to `self`), so the operations of a CLI
command are those of the functions it reaches. A call of a method through a base class (or a
protocol the classes subclass) reaches that method of every subclass too, since any of them may
be the receiver. Where the scan cannot tell (a client method called
on a value of unknown type whose name is an operation of a service the code builds clients for,
a dynamic `getattr` on a client), it reports the site as unresolved rather than guessing, and the
IAM check fails until the receiver is typed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

#: boto3's injected S3 transfer methods -> the operations s3transfer calls for them
#: (boto3/s3/inject.py; s3transfer uploads in parts above its 8 MB threshold and aborts a failed
#: multipart upload; downloads HEAD the object first)
S3_TRANSFER = {
    "upload_file": (
        "PutObject",
        "CreateMultipartUpload",
        "UploadPart",
        "CompleteMultipartUpload",
        "AbortMultipartUpload",
    ),
    "download_file": ("HeadObject", "GetObject"),
}
S3_TRANSFER["upload_fileobj"] = S3_TRANSFER["upload_file"]
S3_TRANSFER["download_fileobj"] = S3_TRANSFER["download_file"]
#: rounds of type propagation (attribute <- constructor argument <- return value ...)
MAX_ROUNDS = 8
#: client attributes that are not API calls
CLIENT_NON_CALLS = {"meta", "exceptions", "close", "can_paginate", "generate_presigned_url"}


@dataclass(frozen=True, order=True)
class CallSite:
    service: str  # botocore's service name (glue, datazone, s3, ...)
    operation: str  # botocore's operation name (GetTables)
    function: str  # qualified name of the function holding the call
    where: str  # path:line


@dataclass(frozen=True, order=True)
class Unresolved:
    function: str
    where: str
    why: str


# --- botocore's service models --------------------------------------------------------------


@cache
def _session() -> Any:
    import botocore.session  # here, not at import: `mesh --help` stays fast (tests/test_startup)

    return botocore.session.get_session()


@cache
def available_services() -> frozenset[str]:
    return frozenset(_session().get_available_services())


@cache
def operations_of(service: str) -> Mapping[str, str]:
    """snake_case method name -> operation name, for one service."""
    from botocore import xform_name

    model = _session().get_service_model(service)
    return {xform_name(op): op for op in model.operation_names}


def _operation(service: str, name: str) -> str | None:
    ops = operations_of(service)
    if name in ops:
        return ops[name]
    return name if name in ops.values() else None


# --- types the scan tracks ------------------------------------------------------------------


@dataclass(frozen=True)
class Client:
    service: str


@dataclass(frozen=True)
class Instance:
    cls: str  # qualified name of a project class


Type = Client | Instance | None


@dataclass
class ClassInfo:
    qualname: str
    module: str
    node: ast.ClassDef
    bases: list[str] = field(default_factory=list)
    attrs: dict[str, Type] = field(default_factory=dict)


@dataclass
class FunctionInfo:
    qualname: str
    module: str
    node: ast.FunctionDef | ast.AsyncFunctionDef
    cls: str | None
    where: str


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    names: dict[str, str] = field(default_factory=dict)  # local name -> qualified name


@dataclass
class Dispatcher:
    """A function that calls `getattr(<client>, <its parameter>)` (possibly via another)."""

    service: str
    param: str
    index: int  # position of the parameter (self excluded for methods)


# --- the scan -------------------------------------------------------------------------------


@dataclass
class Scan:
    """Call sites, the call graph and what could not be resolved, for a set of packages."""

    sites: list[CallSite] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    graph: dict[str, set[str]] = field(default_factory=dict)
    functions: dict[str, FunctionInfo] = field(default_factory=dict)

    def reachable(self, entries: Iterable[str]) -> set[str]:
        """Every function reachable from `entries` (qualified names), entries included."""
        missing = sorted(set(entries) - set(self.functions))
        if missing:
            raise KeyError(f"no such function in the scanned code: {', '.join(missing)}")
        seen: set[str] = set()
        stack = list(entries)
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            stack.extend(self.graph.get(name, ()))
        return seen

    def sites_of(self, entries: Iterable[str]) -> list[CallSite]:
        functions = self.reachable(entries)
        return sorted(s for s in self.sites if s.function in functions)

    def unresolved_of(self, entries: Iterable[str]) -> list[Unresolved]:
        functions = self.reachable(entries)
        return sorted(u for u in self.unresolved if u.function in functions)


def scan_packages(root: Path, packages: Iterable[str]) -> Scan:
    """Scan every module of the packages (folder names under `root`, e.g. `publish`, `mesh`)."""
    modules = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            modules.append(Module(name, path.relative_to(root), tree))
    return _Scanner(modules).run()


class _Scanner:
    def __init__(self, modules: list[Module]) -> None:
        self.modules = {m.name: m for m in modules}
        self.classes: dict[str, ClassInfo] = {}
        self.functions: dict[str, FunctionInfo] = {}
        self.dispatchers: dict[str, Dispatcher] = {}
        self.built_services: set[str] = set()
        #: parameter types learnt from the call sites (`def upload(s3: Any)` called with a client)
        self.param_types: dict[str, dict[str, Type]] = {}
        self._returns: dict[str, Type] = {}
        #: class -> its subclasses (every level), once the classes' bases are known
        self._subclasses: dict[str, list[str]] | None = None
        self.scan = Scan(functions=self.functions)

    # --- indexing ---------------------------------------------------------------------------

    def run(self) -> Scan:
        for module in self.modules.values():
            self._index(module)
        for _ in range(MAX_ROUNDS):  # types flow through attributes, parameters, returns
            self._returns.clear()
            grew = False
            for info in self.classes.values():
                grew |= self._class_attrs(info)
            for function in self.functions.values():
                grew |= self._learn_from_calls(function)
            if not grew:
                break
        for _ in range(len(self.functions) + 1):  # dispatchers forward to dispatchers
            if not self._find_dispatchers():
                break
        for function in self.functions.values():
            self._scan_function(function)
        return self.scan

    def _index(self, module: Module) -> None:
        package = (
            module.name if module.path.name == "__init__.py" else module.name.rpartition(".")[0]
        )
        for node in module.tree.body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    module.names[alias.asname or alias.name.split(".")[0]] = (
                        alias.name if alias.asname else alias.name.split(".")[0]
                    )
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(
                        [*package.split(".")[: len(package.split(".")) - node.level + 1], base]
                    ).strip(".")
                for alias in node.names:
                    module.names[alias.asname or alias.name] = f"{base}.{alias.name}"
        # imports under `if TYPE_CHECKING:` and inside functions (deferred imports) count too,
        # where they do not shadow a module-level name
        for found in ast.walk(module.tree):
            if isinstance(found, ast.ImportFrom) and found.module and not found.level:
                for alias in found.names:
                    module.names.setdefault(
                        alias.asname or alias.name, f"{found.module}.{alias.name}"
                    )
        for statement in module.tree.body:
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
                self._add_function(module, statement, None)
            elif isinstance(statement, ast.ClassDef):
                qualname = f"{module.name}.{statement.name}"
                module.names[statement.name] = qualname
                self.classes[qualname] = ClassInfo(qualname, module.name, statement)
                for item in statement.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        self._add_function(module, item, qualname)
        for found in ast.walk(module.tree):
            if isinstance(found, ast.Call):
                service = _client_literal(found)
                if service:
                    self.built_services.add(service)

    def _add_function(
        self, module: Module, node: ast.FunctionDef | ast.AsyncFunctionDef, cls: str | None
    ) -> None:
        qualname = f"{cls or module.name}.{node.name}"
        if cls is None:
            module.names[node.name] = qualname
        self.functions[qualname] = FunctionInfo(
            qualname, module.name, node, cls, f"{module.path}:{node.lineno}"
        )

    def _class_attrs(self, info: ClassInfo) -> bool:
        """Attribute types from annotations and `self.x = ...`; True when one was learnt."""
        module = self.modules[info.module]
        before = dict(info.attrs)
        info.bases = [q for b in info.node.bases if (q := self._qualname(module, b))]
        for item in info.node.body:
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                found = self._annotation(module, item.annotation)
                if found or item.target.id not in info.attrs:
                    info.attrs[item.target.id] = found or info.attrs.get(item.target.id)
        for item in info.node.body:
            if not isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            env = self._params(self.functions[f"{info.qualname}.{item.name}"])
            for node in ast.walk(item):
                target, value, annotation = _assignment(node)
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "self"
                ):
                    found = self._assigned(module, env, value, annotation)
                    if found and not info.attrs.get(target.attr):
                        info.attrs[target.attr] = found
        return info.attrs != before

    def _learn_from_calls(self, info: FunctionInfo) -> bool:
        """Types of the arguments this function passes to project functions and classes."""
        module = self.modules[info.module]
        env = self._env(info)
        grew = False
        for node in _walk_body(info.node):
            if not isinstance(node, ast.Call):
                continue
            target = self._callee(module, env, node.func)
            if target is None:
                continue
            bound: dict[str, ast.expr]
            if target in self.classes:
                init = self._method(target, "__init__")
                if init is None:  # a dataclass: its fields, in order
                    fields = _fields(self.classes[target].node)
                    bound = _bind(node, fields)
                    for name, argument in bound.items():
                        found = self._type(module, env, argument)
                        attrs = self.classes[target].attrs
                        if found and not attrs.get(name):
                            attrs[name] = found
                            grew = True
                    continue
                target = init
            params = _param_names(self.functions[target])
            learnt = self.param_types.setdefault(target, {})
            for name, argument in _bind(node, params).items():
                found = self._type(module, env, argument)
                if found and not learnt.get(name):
                    learnt[name] = found
                    grew = True
        return grew

    # --- names and types --------------------------------------------------------------------

    def _qualname(self, module: Module, node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            return module.names.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self._qualname(module, node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def _annotation(self, module: Module, node: ast.expr | None) -> Type:
        if node is None:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                return self._annotation(module, ast.parse(node.value, mode="eval").body)
            except SyntaxError:
                return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self._annotation(module, node.left) or self._annotation(module, node.right)
        if isinstance(node, ast.Subscript):  # Optional[X]
            return self._annotation(module, node.slice)
        qualname = self._qualname(module, node)
        if qualname is None:
            return None
        if qualname in self.classes:
            return Instance(qualname)
        stub, _, name = qualname.partition(".")
        if stub.startswith("mypy_boto3_") and name.endswith("Client"):
            service = stub[len("mypy_boto3_") :].replace("_", "-")
            if service in available_services():
                return Client(service)
        return None

    def _assigned(
        self,
        module: Module,
        env: Mapping[str, Type],
        value: ast.expr | None,
        annotation: ast.expr | None,
    ) -> Type:
        """The type a (possibly annotated) assignment gives its target."""
        found = self._annotation(module, annotation) if annotation is not None else None
        if found is None and value is not None:
            found = self._type(module, env, value)
        return found

    def _params(self, info: FunctionInfo) -> dict[str, Type]:
        module = self.modules[info.module]
        args = info.node.args
        env: dict[str, Type] = {}
        positional = [*args.posonlyargs, *args.args]
        learnt = self.param_types.get(info.qualname, {})
        for arg in [*positional, *args.kwonlyargs]:
            env[arg.arg] = self._annotation(module, arg.annotation) or learnt.get(arg.arg)
        if info.cls and positional and not _is_static(info.node):
            env[positional[0].arg] = Instance(info.cls)
        return env

    def _lineage(self, cls: str) -> Iterator[str]:
        """`cls` and its known base classes, nearest first (each once)."""
        seen: set[str] = set()
        queue = [cls]
        while queue:
            current = queue.pop(0)
            if current in seen or current not in self.classes:
                continue
            seen.add(current)
            yield current
            queue.extend(self.classes[current].bases)

    def _attr(self, cls: str, name: str) -> Type:
        return next(
            (found for c in self._lineage(cls) if (found := self.classes[c].attrs.get(name))),
            None,
        )

    def _method(self, cls: str, name: str) -> str | None:
        return next(
            (f"{c}.{name}" for c in self._lineage(cls) if f"{c}.{name}" in self.functions), None
        )

    def _type(self, module: Module, env: Mapping[str, Type], node: ast.expr) -> Type:
        if isinstance(node, ast.Name):
            return env.get(node.id)
        if isinstance(node, ast.Attribute):
            owner = self._type(module, env, node.value)
            return self._attr(owner.cls, node.attr) if isinstance(owner, Instance) else None
        if isinstance(node, ast.Call):
            service = _client_literal(node)
            if service:
                return Client(service)
            target = self._callee(module, env, node.func)
            if target in self.classes:
                return Instance(target)
            if target in self.functions:
                return self._returns_of(target)
        return None

    def _returns_of(self, qualname: str) -> Type:
        if qualname in self._returns:
            return self._returns[qualname]
        self._returns[qualname] = None  # recursion guard
        info = self.functions[qualname]
        module = self.modules[info.module]
        found = self._annotation(module, info.node.returns)
        if found is None:
            env = self._env(info)
            for node in ast.walk(info.node):
                if isinstance(node, ast.Return) and node.value is not None:
                    found = self._type(module, env, node.value)
                    if found:
                        break
        self._returns[qualname] = found
        return found

    def _env(self, info: FunctionInfo) -> dict[str, Type]:
        """Parameter types, then local names assigned a known type (two passes: order-free).

        A loop variable takes the type of what it iterates: a container annotated
        `Sequence[X]` is typed as its items (see `_annotation`).
        """
        module = self.modules[info.module]
        env = self._params(info)
        for _ in range(2):
            for node in ast.walk(info.node):
                target, value, annotation = _assignment(node)
                if isinstance(node, ast.For | ast.comprehension):
                    target, value, annotation = node.target, node.iter, None
                if isinstance(target, ast.Name):
                    found = self._assigned(module, env, value, annotation)
                    if found:
                        env[target.id] = found
        return env

    def _callee(self, module: Module, env: Mapping[str, Type], func: ast.expr) -> str | None:
        """The project function or class a call or reference names, if the scan can tell."""
        if isinstance(func, ast.Name):
            if func.id in env:
                owner = env[func.id]  # `cls(...)` in a classmethod
                return owner.cls if isinstance(owner, Instance) and func.id == "cls" else None
            qualname = module.names.get(func.id)
            return qualname if qualname in self.functions or qualname in self.classes else None
        if isinstance(func, ast.Attribute):
            owner = self._type(module, env, func.value)
            if isinstance(owner, Instance):
                return self._method(owner.cls, func.attr)
            qualname = self._qualname(module, func)
            if qualname in self.functions or qualname in self.classes:
                return qualname
            base = self._qualname(module, func.value)
            if base in self.classes:  # Class.method (classmethod, staticmethod)
                return self._method(base, func.attr)
        return None

    # --- dispatchers ------------------------------------------------------------------------

    def _find_dispatchers(self) -> bool:
        grew = False
        for info in self.functions.values():
            if info.qualname in self.dispatchers:
                continue
            module = self.modules[info.module]
            env = self._env(info)
            params = _param_names(info)
            for node in ast.walk(info.node):
                if not isinstance(node, ast.Call):
                    continue
                found: Dispatcher | None = None
                if _is_getattr(node):
                    owner = self._type(module, env, node.args[0])
                    param = _param_in(node.args[1], params)
                    if isinstance(owner, Client) and param:
                        found = Dispatcher(owner.service, param, params.index(param))
                else:
                    target = self._callee(module, env, node.func)
                    inner = self.dispatchers.get(target or "")
                    if inner is not None:
                        argument = _argument(node, inner, self.functions[target or ""])
                        param = _param_in(argument, params) if argument is not None else None
                        if param:
                            found = Dispatcher(inner.service, param, params.index(param))
                if found:
                    self.dispatchers[info.qualname] = found
                    grew = True
                    break
        return grew

    # --- call sites and edges ---------------------------------------------------------------

    def _scan_function(self, info: FunctionInfo) -> None:
        module = self.modules[info.module]
        env = self._env(info)
        edges = self.scan.graph.setdefault(info.qualname, set())
        edges.update(self._overrides(info.qualname))  # a call of it may run any of them
        dispatcher = self.dispatchers.get(info.qualname)

        def site(service: str, operation: str, node: ast.AST) -> None:
            where = f"{module.path}:{getattr(node, 'lineno', info.node.lineno)}"
            self.scan.sites.append(CallSite(service, operation, info.qualname, where))

        def unresolved(node: ast.AST, why: str) -> None:
            where = f"{module.path}:{getattr(node, 'lineno', info.node.lineno)}"
            self.scan.unresolved.append(Unresolved(info.qualname, where, why))

        for node in _walk_body(info.node):
            if isinstance(node, ast.Name | ast.Attribute) and isinstance(node.ctx, ast.Load):
                target = self._callee(module, env, node)
                if target in self.classes:
                    for method in ("__init__", "__post_init__"):
                        if found := self._method(target, method):
                            edges.add(found)
                elif target in self.functions:
                    edges.add(target)
            if not isinstance(node, ast.Call):
                continue
            if _is_getattr(node):
                owner = self._type(module, env, node.args[0])
                if isinstance(owner, Client) and not isinstance(node.args[1], ast.Constant):
                    if dispatcher is None:
                        unresolved(
                            node, f"getattr on a {owner.service} client with a computed name"
                        )
                elif isinstance(owner, Client):
                    name = str(node.args[1].value)  # type: ignore[attr-defined]
                    if operation := _operation(owner.service, name):
                        site(owner.service, operation, node)
                continue
            target = self._callee(module, env, node.func)
            if target in self.dispatchers:
                inner = self.dispatchers[target]
                argument = _argument(node, inner, self.functions[target])
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    operation = _operation(inner.service, argument.value)
                    if operation:
                        site(inner.service, operation, node)
                    else:
                        unresolved(node, f"{argument.value!r} is no {inner.service} operation")
                elif dispatcher is None or _param_in(argument, _param_names(info)) is None:
                    unresolved(node, f"{target} called with a computed operation name")
                continue
            if not isinstance(node.func, ast.Attribute):
                continue
            method = node.func.attr
            owner = self._type(module, env, node.func.value)
            if isinstance(owner, Client):
                self._client_call(owner.service, method, node, site, unresolved)
            elif owner is None and "_" in method and not self._is_module_or_class(module, node):
                services = [
                    s
                    for s in sorted(self.built_services)
                    if method in operations_of(s) or (s == "s3" and method in S3_TRANSFER)
                ]
                if services:
                    unresolved(
                        node,
                        f".{method}() names a {'/'.join(services)} operation on a value of "
                        "unknown type (annotate the client: boto3-stubs type)",
                    )

    def _overrides(self, qualname: str) -> list[str]:
        """The methods of subclasses that override method `qualname`."""
        cls = self.functions[qualname].cls
        if cls is None:
            return []
        if self._subclasses is None:
            self._subclasses = {}
            for name in self.classes:
                for ancestor in self._ancestors(name):
                    self._subclasses.setdefault(ancestor, []).append(name)
        method = qualname.rsplit(".", 1)[1]
        return [
            f"{sub}.{method}"
            for sub in self._subclasses.get(cls, ())
            if f"{sub}.{method}" in self.functions
        ]

    def _ancestors(self, cls: str) -> set[str]:
        seen: set[str] = set()
        stack = list(self.classes[cls].bases)
        while stack:
            current = stack.pop()
            if current not in seen and current in self.classes:
                seen.add(current)
                stack.extend(self.classes[current].bases)
        return seen

    def _is_module_or_class(self, module: Module, call: ast.Call) -> bool:
        """`botocore.session.get_session()`, `Class.method()`: not a call on a client."""
        assert isinstance(call.func, ast.Attribute)
        return self._qualname(module, call.func.value) is not None

    def _client_call(self, service, method, node, site, unresolved) -> None:  # type: ignore[no-untyped-def]
        if method == "get_paginator":
            argument = node.args[0] if node.args else None
            if isinstance(argument, ast.Constant) and (
                operation := _operation(service, str(argument.value))
            ):
                site(service, operation, node)
            else:
                unresolved(node, f"{service} paginator of a computed or unknown operation")
        elif operation := _operation(service, method):
            site(service, operation, node)
        elif service == "s3" and method in S3_TRANSFER:
            for operation in S3_TRANSFER[method]:
                site(service, operation, node)
        elif method not in CLIENT_NON_CALLS:
            unresolved(node, f".{method}() is no operation of a {service} client")


# --- ast helpers ------------------------------------------------------------------------------


def _client_literal(node: ast.Call) -> str | None:
    """`x.client("glue")` / `boto3.client(service_name="glue")` -> glue."""
    if not (isinstance(node.func, ast.Attribute) and node.func.attr == "client"):
        return None
    argument: ast.expr | None = node.args[0] if node.args else None
    for keyword in node.keywords:
        if keyword.arg == "service_name":
            argument = keyword.value
    if isinstance(argument, ast.Constant) and argument.value in available_services():
        return str(argument.value)
    return None


def _assignment(node: ast.AST) -> tuple[ast.expr | None, ast.expr | None, ast.expr | None]:
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        return node.targets[0], node.value, None
    if isinstance(node, ast.AnnAssign):
        return node.target, node.value, node.annotation
    return None, None, None


def _is_static(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)


def _is_getattr(node: ast.Call) -> bool:
    return isinstance(node.func, ast.Name) and node.func.id == "getattr" and len(node.args) >= 2


def _param_names(info: FunctionInfo) -> list[str]:
    args = info.node.args
    names = [a.arg for a in [*args.posonlyargs, *args.args]]
    if info.cls and names and not _is_static(info.node):
        names = names[1:]
    return names + [a.arg for a in args.kwonlyargs]


def _param_in(node: ast.expr | None, params: list[str]) -> str | None:
    """The parameter a name comes from: `operation` or `_snake(operation)`."""
    if isinstance(node, ast.Name) and node.id in params:
        return node.id
    if isinstance(node, ast.Call) and len(node.args) == 1:
        return _param_in(node.args[0], params)
    return None


def _argument(node: ast.Call, dispatcher: Dispatcher, target: FunctionInfo) -> ast.expr | None:
    for keyword in node.keywords:
        if keyword.arg == dispatcher.param:
            return keyword.value
    args = list(node.args)
    if target.cls and isinstance(node.func, ast.Name):  # an unbound method called by name
        args = args[1:]
    return args[dispatcher.index] if dispatcher.index < len(args) else None


def _fields(node: ast.ClassDef) -> list[str]:
    """A dataclass's fields in order (its class-level annotated names)."""
    return [
        item.target.id
        for item in node.body
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
    ]


def _bind(node: ast.Call, params: list[str]) -> dict[str, ast.expr]:
    """Which argument expression each named parameter receives (positional, then keywords)."""
    bound: dict[str, ast.expr] = {}
    for name, argument in zip(params, node.args, strict=False):
        if isinstance(argument, ast.Starred):
            break
        bound[name] = argument
    for keyword in node.keywords:
        if keyword.arg is not None:
            bound[keyword.arg] = keyword.value
    return bound


def _walk_body(node: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    """The function's statements (nested functions and lambdas included), not its signature."""
    for statement in node.body:
        yield from ast.walk(statement)
