"""The shape stays: the domain, the store, the engine and the service know nothing of HTTP;
the API and the page never import each other; repositories never call each other; the
page runs no SQL; every module says its one job on its first line."""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import mockserver

ROOT = Path(mockserver.__file__).parent
MODULES = sorted(m.name for m in pkgutil.walk_packages([str(ROOT)], "mockserver."))
# Everything but the adapters (api, ui, cli, serve, testing, the plugin) and the wiring.
HTTP_FREE = [m for m in MODULES if m.split(".")[1] in (
    "errors", "clock", "schedule", "webhook_rules", "durations", "models", "tokens", "fault_settings",
    "sinks", "config", "options", "shop", "store", "engine", "service", "traffic", "check", "resources",
    "rest_faults", "rest_schemas", "openapi", "postman", "notices", "changes", "vocabulary", "fixture_set", "plain_json", "operations",
    "operation_docs", "operation_schemas", "scenario", "search")]


def _source(module: str) -> Path:
    path = ROOT.joinpath(*module.split(".")[1:])
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def _imports(module: str) -> set[str]:
    """The modules ``module`` imports, by name."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(_source(module).read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_the_domain_store_engine_and_service_never_load_aiohttp_web() -> None:
    """Imported on their own, in a fresh interpreter: not even indirectly."""
    assert {"mockserver.service", "mockserver.engine.scheduler", "mockserver.check.runner"} <= set(HTTP_FREE)
    code = (f"import importlib, json, sys\nfor m in {HTTP_FREE!r}: importlib.import_module(m)\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('aiohttp.web'))))")
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                       check=True).stdout)
    assert loaded == [], f"aiohttp.web is loaded by the domain, the store, the engine or the service: {loaded}"


def test_the_engine_and_the_service_say_what_changed_only_through_notices() -> None:
    """Who listens (the page's change feed) is the adapters' business."""
    for module in MODULES:
        if module.split(".")[1] in ("engine", "service", "store"):
            crossing = {i for i in _imports(module) if i.startswith(("mockserver.changes", "mockserver.ui"))}
            assert not crossing, f"{module} imports {crossing}"


@pytest.mark.parametrize(("adapter", "other"), [("api", "ui"), ("ui", "api")])
def test_the_api_and_the_page_never_import_each_other(adapter: str, other: str) -> None:
    for module in MODULES:
        if module.startswith(f"mockserver.{adapter}."):
            crossing = {i for i in _imports(module) if i.startswith(f"mockserver.{other}")}
            assert not crossing, f"{module} imports {crossing}"


def test_repositories_never_call_each_other() -> None:
    repositories = {m for m in MODULES if m.startswith("mockserver.store.")} - {"mockserver.store.db"}
    for module in repositories:
        others = {i for i in _imports(module) if any(i.startswith(r) for r in repositories)}
        assert not others, f"{module} imports {others}"


def test_the_page_and_the_api_run_no_sql() -> None:
    for module in MODULES:
        if module.split(".")[1] in ("ui", "api", "routes"):
            tree = ast.parse(_source(module).read_text())
            touched = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)} & {"conn", "execute", "store"}
            assert not touched, f"{module} reaches the database ({touched})"


@pytest.mark.parametrize("module", MODULES)
def test_every_module_says_its_one_job_first(module: str) -> None:
    tree = ast.parse(_source(module).read_text())
    doc = ast.get_docstring(tree)
    assert doc and tree.body and isinstance(tree.body[0], ast.Expr), f"{module} has no docstring first"
    assert len(doc.splitlines()[0]) > 20, f"{module}: {doc.splitlines()[0]!r} says too little"
