"""The IAM check: each role's policy grants exactly what the code its workflow steps run calls.

For each role of `iam/roles.yml`, the call sites its entry points reach (`mesh.ci.aws_calls`)
give the IAM actions the code needs. The check fails on

* an action the code needs that the policy does not grant (unless `not_granted` says why),
* an action the policy grants that neither the code nor a listed library call needs (statements
  whose Sid starts `AthenaEngineOnBehalfOfCaller` are Athena's engine acting for the caller, and
  not the code's: they are exempt),
* a call site whose client the scan cannot resolve, and a stale `not_granted` entry,
* a call site no role's entry points reach (a new command calling AWS that no role runs).

This is the static half; tests/iam records every call of end-to-end runs against the stand-ins
and proves the other half: each needed action was reached, each call is allowed on its resource.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mesh.ci.aws_calls import CallSite, Scan, Unresolved, scan_packages
from mesh.ci.iam import (
    ROLES_FILE,
    Policy,
    RoleSpec,
    iam_actions,
    load_roles,
    match,
    template_policy,
)
from publish.errors import BadInputError

#: the packages whose code the roles run (the stand-ins never run in CI)
PACKAGES = ("publish", "mesh")


@dataclass
class RoleCheck:
    role: str
    needed: dict[str, list[CallSite]] = field(default_factory=dict)  # action -> call sites
    missing: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unused or self.unresolved or self.stale)

    def problems(self) -> list[str]:
        out = []
        for action in self.missing:
            sites = ", ".join(sorted({s.where for s in self.needed[action]}))
            out.append(
                f"{self.role}: the code calls {action} ({sites}) but the role's policy does not "
                f"grant it: add it to iam/{self.role}-role.policy.json, or to `not_granted` in "
                "iam/roles.yml with the reason"
            )
        for action in self.unused:
            out.append(
                f"{self.role}: the policy grants {action}, which no call of the role's code needs "
                "and no library under `libraries` in iam/roles.yml calls: remove the grant"
            )
        for item in self.unresolved:
            out.append(
                f"{self.role}: {item.where} ({item.function}): {item.why}; the scan cannot tell "
                "which AWS operation it calls"
            )
        out += [f"{self.role}: {text}" for text in self.stale]
        return out


def needed_actions(sites: Iterable[CallSite]) -> dict[str, list[CallSite]]:
    needed: dict[str, list[CallSite]] = {}
    for site in sites:
        for action in iam_actions(site.service, site.operation):
            needed.setdefault(action, []).append(site)
    return needed


def check_role(role: str, spec: RoleSpec, scan: Scan, policy: Policy) -> RoleCheck:
    unknown = sorted(set(spec.entry_points) - set(scan.functions))
    if unknown:
        raise BadInputError(
            f"role {role}: entry point(s) {', '.join(unknown)} are no function of "
            + ", ".join(f"{p}/" for p in PACKAGES),
            file=ROLES_FILE,
            fix="name the functions the role's workflow steps run, as module.function or "
            "module.Class.method",
        )
    result = RoleCheck(role, needed_actions(scan.sites_of(spec.entry_points)))
    result.unresolved = scan.unresolved_of(spec.entry_points)
    result.missing = sorted(
        a
        for a in result.needed
        if a not in spec.not_granted and not policy.grants(a, include_engine=False)
    )
    justified = [*result.needed, *spec.libraries]
    result.unused = sorted(
        pattern
        for pattern in policy.actions(include_engine=False)
        if not any(match(pattern, action, case=False) for action in justified)
    )
    for action, why in spec.not_granted.items():
        if action not in result.needed:
            result.stale.append(
                f"`not_granted` lists {action} ({why}), which the role's code no longer calls: "
                "remove the entry from iam/roles.yml"
            )
        elif policy.grants(action, include_engine=False):
            result.stale.append(
                f"`not_granted` lists {action}, yet the policy grants it: remove one of the two"
            )
    return result


@dataclass
class IamCheck:
    roles: list[RoleCheck]
    #: call sites no role's entry points reach: a command calling AWS that no role runs, or
    #: a call the scan's call graph does not connect (checked when every role is)
    unassigned: list[CallSite] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems()

    def problems(self) -> list[str]:
        out = [p for result in self.roles for p in result.problems()]
        out += [
            f"{site.where} ({site.function}) calls {site.service}:{site.operation}, which no "
            "role's entry points reach: add the function that runs it to a role's entry_points "
            "in iam/roles.yml"
            for site in self.unassigned
        ]
        return out


def unassigned_sites(scan: Scan, specs: Mapping[str, RoleSpec]) -> list[CallSite]:
    reached: set[str] = set()
    for spec in specs.values():
        reached |= scan.reachable(spec.entry_points)
    return sorted(site for site in scan.sites if site.function not in reached)


def check_all(root: Path, roles: Iterable[str] | None = None) -> IamCheck:
    """Every role (or the named ones) checked against the shipped policies."""
    specs = load_roles()
    unknown = sorted(set(roles or ()) - set(specs))
    if unknown:
        raise BadInputError(
            f"no role {', '.join(unknown)} in iam/roles.yml",
            file=ROLES_FILE,
            fix="pass --role one of " + ", ".join(specs),
        )
    scan = scan_packages(root, PACKAGES)
    results = [check_role(r, specs[r], scan, template_policy(r)) for r in (roles or specs)]
    return IamCheck(results, [] if roles else unassigned_sites(scan, specs))
