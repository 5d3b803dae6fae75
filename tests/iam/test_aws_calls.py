"""The static half of the IAM check: the call-site scan and `mesh ci iam-check` (no stand-ins).

The scan is tested on small packages written here (each construct it resolves, and the ones it
refuses to guess), then on the repository: every role's code needs exactly what its policy
grants, and dropping any one needed action from a policy, or adding an unused one, fails the
check naming it. The publisher policy as it stood before issue 14 fails on the four actions it
lacked.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from mesh.ci.aws_calls import Scan, scan_packages
from mesh.ci.iam import load_roles, parse_policy, template_path, template_policy
from mesh.ci.iam_check import (
    PACKAGES,
    check_all,
    check_role,
    needed_actions,
    unassigned_sites,
)
from publish.errors import BadInputError

REPO = Path(__file__).resolve().parents[2]


def scan(tmp_path: Path, **modules: str) -> Scan:
    package = tmp_path / "pkg"
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text("")
    for name, source in modules.items():
        (package / f"{name}.py").write_text(textwrap.dedent(source))
    return scan_packages(tmp_path, ["pkg"])


def ops(result: Scan, *entries: str) -> set[tuple[str, str]]:
    return {(s.service, s.operation) for s in result.sites_of(entries)}


def test_clients_built_annotated_passed_and_returned_are_followed(tmp_path: Path) -> None:
    result = scan(
        tmp_path,
        clients="""
        from __future__ import annotations
        from typing import TYPE_CHECKING
        import boto3
        if TYPE_CHECKING:
            from mypy_boto3_lakeformation import LakeFormationClient

        class Clients:
            def __init__(self) -> None:
                self.glue = boto3.client("glue")
                self.lf: LakeFormationClient = make("lakeformation")

        def make(service):
            return boto3.client(service)

        def s3():
            return boto3.session.Session().client("s3")
        """,
        work="""
        from __future__ import annotations
        from pkg.clients import Clients, s3

        class Reader:
            def __init__(self, clients: Clients) -> None:
                self.clients = clients

            def read(self) -> None:
                for page in self.clients.glue.get_paginator("get_tables").paginate():
                    pass
                self.clients.lf.list_lf_tags()

        def upload(path: str) -> None:
            client = s3()
            client.upload_file(path, "bucket", "key")

        def run(clients: Clients) -> None:
            Reader(clients).read()

        def unrelated(clients: Clients) -> None:
            clients.glue.delete_database(Name="x")
        """,
    )
    assert ops(result, "pkg.work.run") == {("glue", "GetTables"), ("lakeformation", "ListLFTags")}
    assert ("s3", "PutObject") in ops(result, "pkg.work.upload")
    assert ("s3", "AbortMultipartUpload") in ops(result, "pkg.work.upload")
    assert ops(result, "pkg.work.unrelated") == {("glue", "DeleteDatabase")}
    assert result.unresolved == []


def test_untyped_parameters_and_fields_take_the_type_their_callers_pass(tmp_path: Path) -> None:
    result = scan(
        tmp_path,
        mod="""
        from __future__ import annotations
        from dataclasses import dataclass
        from typing import Any
        import boto3

        @dataclass
        class Api:
            client: Any
            name: str = ""

            @classmethod
            def connect(cls) -> Api:
                client = boto3.client("datazone")
                return cls(client, "x")

            def domain(self) -> None:
                self.client.get_domain(identifier="d")

        class Store:
            def put(self, s3: Any) -> None:
                s3.upload_file("f", "b", "k")

        def run() -> None:
            Api.connect().domain()
            Store().put(boto3.client("s3"))
        """,
    )
    assert ops(result, "pkg.mod.run") >= {("datazone", "GetDomain"), ("s3", "PutObject")}
    assert result.unresolved == []


def test_dispatchers_forwarding_an_operation_name_are_call_sites(tmp_path: Path) -> None:
    result = scan(
        tmp_path,
        api="""
        from __future__ import annotations
        from dataclasses import dataclass
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from mypy_boto3_datazone import DataZoneClient

        def paginate(client: DataZoneClient, operation: str, **params):
            call = getattr(client, snake(operation))
            return call(**params)

        def snake(name: str) -> str:
            return name

        @dataclass
        class Api:
            client: DataZoneClient

            def pages(self, operation: str, **params):
                return paginate(self.client, operation, **params)

        def read(api: Api) -> None:
            api.pages("ListProjects", domainIdentifier="d")
            paginate(api.client, "SearchListings", domainIdentifier="d")

        def computed(api: Api, name: str) -> None:
            api.pages(name.title())
        """,
    )
    assert ops(result, "pkg.api.read") == {
        ("datazone", "ListProjects"),
        ("datazone", "SearchListings"),
    }
    (unresolved,) = result.unresolved_of(["pkg.api.computed"])
    assert "computed operation name" in unresolved.why


def test_a_call_it_cannot_attribute_is_reported_not_guessed(tmp_path: Path) -> None:
    result = scan(
        tmp_path,
        mod="""
        import re
        import boto3

        def build():
            return boto3.client("datazone")

        def untyped(client) -> None:
            client.create_asset(name="x")

        def not_a_client(text: str) -> None:
            re.compile("x").search(text)  # `search` is a DataZone operation; a regex is not
            boto3.session.Session().get_credentials()

        def unknown_method() -> None:
            build().frobnicate()
        """,
    )
    (untyped,) = result.unresolved_of(["pkg.mod.untyped"])
    assert ".create_asset()" in untyped.why and "unknown type" in untyped.why
    assert result.unresolved_of(["pkg.mod.not_a_client"]) == []
    (unknown,) = result.unresolved_of(["pkg.mod.unknown_method"])
    assert "frobnicate" in unknown.why


# --- the repository -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def repo_scan() -> Scan:
    return scan_packages(REPO, PACKAGES)


def test_every_roles_policy_grants_exactly_what_its_code_needs() -> None:
    check = check_all(REPO)
    assert [r.role for r in check.roles] == list(load_roles())
    assert check.problems() == []
    assert check.unassigned == []  # every call site of the code is some role's


def test_a_call_site_no_role_reaches_is_reported(tmp_path: Path) -> None:
    result = scan(
        tmp_path,
        mod="""
        import boto3

        def command() -> None:
            boto3.client("glue").get_tables(DatabaseName="d")

        def forgotten() -> None:
            boto3.client("s3").delete_bucket(Bucket="b")
        """,
    )
    spec = load_roles()["docs"].model_copy(update={"entry_points": ["pkg.mod.command"]})
    (site,) = unassigned_sites(result, {"docs": spec})
    assert (site.function, site.operation) == ("pkg.mod.forgotten", "DeleteBucket")


def test_the_publishers_code_needs_the_four_actions_its_old_policy_lacked(
    repo_scan: Scan,
) -> None:
    needed = needed_actions(repo_scan.sites_of(load_roles()["publisher"].entry_points))
    sites = {a: {s.where.split(":")[0] for s in needed[a]} for a in needed}
    for action in (
        "datazone:CreateAsset",
        "datazone:UpdateGlossary",
        "datazone:UpdateGlossaryTerm",
        "datazone:CreateDataProductRevision",
    ):
        assert sites[action] == {"publish/datazone/apply.py"}, action
    # the policy as it stood before: the same grants, less those four
    document = json.loads(template_path("publisher").read_text())
    four = {
        "datazone:CreateAsset",
        "datazone:UpdateGlossary",
        "datazone:UpdateGlossaryTerm",
        "datazone:CreateDataProductRevision",
    }
    for statement in document["Statement"]:
        statement["Action"] = [a for a in statement["Action"] if a not in four]
    result = check_role(
        "publisher", load_roles()["publisher"], repo_scan, parse_policy(document, "before")
    )
    assert result.missing == sorted(four) and not result.unused


@pytest.mark.parametrize("role", sorted(load_roles()))
def test_dropping_any_needed_grant_or_adding_an_unused_one_fails(
    role: str, repo_scan: Scan
) -> None:
    spec = load_roles()[role]
    document = json.loads(template_path(role).read_text())
    granted = {
        a
        for s in document["Statement"]
        if not s["Sid"].startswith("AthenaEngine")
        for a in s["Action"]
    }
    needed = set(needed_actions(repo_scan.sites_of(spec.entry_points))) - set(spec.not_granted)
    assert needed <= granted
    for action in sorted(needed):
        trimmed = json.loads(json.dumps(document))
        for statement in trimmed["Statement"]:
            statement["Action"] = [a for a in statement["Action"] if a != action]
        result = check_role(role, spec, repo_scan, parse_policy(trimmed, role))
        assert result.missing == [action]
    extra = json.loads(json.dumps(document))
    extra["Statement"].append(
        {"Sid": "Extra", "Effect": "Allow", "Action": ["glue:DeleteDatabase"], "Resource": "*"}
    )
    result = check_role(role, spec, repo_scan, parse_policy(extra, role))
    assert result.unused == ["glue:DeleteDatabase"]
    assert "no call of the role's code needs" in result.problems()[0]


def test_a_role_naming_a_missing_entry_point_is_bad_input(repo_scan: Scan) -> None:
    spec = load_roles()["docs"].model_copy(update={"entry_points": ["mesh.commands.ci.gone"]})
    with pytest.raises(BadInputError, match=r"mesh\.commands\.ci\.gone"):
        check_role("docs", spec, repo_scan, template_policy("docs"))


def test_the_cli_reports_each_role_and_fails_on_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mesh.commands.ci_iam import iam_check

    app = typer.Typer()
    app.command("iam-check")(iam_check)
    app.command("other")(lambda: None)
    result = CliRunner().invoke(app, ["iam-check", "--calls"], env={"MESH_ROOT": str(REPO)})
    assert result.exit_code == 0, result.output
    for role in load_roles():
        assert role in result.output
    assert "datazone:CreateAsset: publish/datazone/apply.py:" in result.output
    result = CliRunner().invoke(app, ["iam-check", "--role", "nobody"])
    assert result.exit_code == 2 and "no role nobody" in result.output
    # a policy that lacks a needed action: exit 1, naming it and the call site
    document = json.loads(template_path("docs").read_text())
    document["Statement"][0]["Action"] = ["s3:GetObject"]
    monkeypatch.setattr(
        "mesh.ci.iam.template_path",
        lambda role, kind="policy": (
            tmp_path / "docs.json" if (role, kind) == ("docs", "policy") else template_path(role)
        ),
    )
    (tmp_path / "docs.json").write_text(json.dumps(document))
    result = CliRunner().invoke(app, ["iam-check", "--role", "docs"], env={"MESH_ROOT": str(REPO)})
    assert result.exit_code == 1
    assert "the code calls s3:PutObject (mesh/ci/site.py:" in result.output
    assert "grants s3:GetObject, which no call" in result.output
