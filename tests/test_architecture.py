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
# The packages from the bottom up: a module imports only from its own layer or those below.
LAYERS: list[tuple[str, ...]] = [
    ("domain",),  # words, records, errors, time, the rules: no I/O
    ("shop",),  # the simulated shop and its payloads
    ("rest",),  # SalesPlay's REST API, read side
    ("spec",),  # the OpenAPI document, the Postman collection
    ("store",),  # one repository per table
    ("engine",),  # what happens on the wire and in time
    ("check",),  # the receiver check, over the engine's sender
    ("service",),  # every workflow, once
    ("api", "ui"),  # the adapters of a running server, which never import each other
    ("server",),  # the app and its wiring: the only place that knows how the parts meet
    ("fidelity",),  # record, compare, replay: beside the server
    ("cli", "testing"),  # the shell's and the tests' ways in
    ("pytest_plugin", "__main__"),
]
LAYER = {package: level for level, packages in enumerate(LAYERS) for package in packages}
HTTP_FREE_LAYERS = ("domain", "shop", "rest", "spec", "store", "engine", "check", "service")
HTTP_FREE = [m for m in MODULES if m.split(".")[1] in HTTP_FREE_LAYERS]
# The one way up: handlers find the running parts through the server's typed app keys.
KEYS = "mockserver.server.keys"


def _source(module: str) -> Path:
    path = ROOT.joinpath(*module.split(".")[1:])
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def _imports(module: str) -> set[str]:
    """The modules ``module`` imports, by name (``from a import b`` imports ``a.b`` when that
    is a module, else ``a``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(_source(module).read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                found.add(name if name in MODULES else node.module)
    return found


def _package(module: str) -> str:
    return module.split(".")[1]


def test_every_package_has_its_layer() -> None:
    packages = {_package(m) for m in MODULES} | {p.stem for p in ROOT.glob("*.py") if p.stem != "__init__"}
    assert packages - {"_version"} == set(LAYER), "a package of mockserver/ is missing from LAYERS, or gone"


@pytest.mark.parametrize("module", [m for m in MODULES if _package(m) in LAYER])
def test_imports_point_down_the_layers(module: str) -> None:
    level = LAYER[_package(module)]
    upward = {i for i in _imports(module) if i.startswith("mockserver.") and _package(i) in LAYER
              and LAYER[_package(i)] > level and not (i == KEYS and _package(module) in ("api", "ui"))}
    assert not upward, f"{module} ({_package(module)}) imports from a higher layer: {sorted(upward)}"


@pytest.mark.parametrize("module", [m for m in MODULES if _package(m) not in ("cli", "testing", "pytest_plugin")])
def test_nothing_of_the_project_is_imported_inside_a_function(module: str) -> None:
    """Every module a server runs is imported at start, never at request time: a running
    server keeps answering while its files change (pip install beside it). The command
    line and the test handle may import what one command or one method needs."""
    late = [node.lineno for fn in ast.walk(ast.parse(_source(module).read_text()))
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) for node in ast.walk(fn)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mockserver")
            or isinstance(node, ast.Import) and any(a.name.startswith("mockserver") for a in node.names)]
    assert not late, f"{module} imports the project inside a function, at line(s) {late}"


def test_the_server_keys_lead_only_down() -> None:
    """The keys adapters import must not bring the server's wiring with them."""
    reached = {i for i in _imports(KEYS) if i.startswith("mockserver.")} - {"mockserver.server.running"}
    assert all(LAYER[_package(i)] <= LAYER["api"] for i in reached), reached


def test_the_domain_store_engine_and_service_never_load_aiohttp_web() -> None:
    """Imported on their own, in a fresh interpreter: not even indirectly."""
    assert {"mockserver.domain.clock", "mockserver.service", "mockserver.engine.scheduler", "mockserver.check.runner",
            "mockserver.spec.postman"} <= set(HTTP_FREE)
    code = (f"import importlib, json, sys\nfor m in {HTTP_FREE!r}: importlib.import_module(m)\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('aiohttp.web'))))")
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                       check=True).stdout)
    assert loaded == [], f"aiohttp.web is loaded by the domain, the store, the engine or the service: {loaded}"


def test_the_engine_and_the_service_say_what_changed_only_through_notices() -> None:
    """Who listens (the page's change feed) is the adapters' business."""
    for module in MODULES:
        if module.split(".")[1] in ("engine", "service", "store"):
            crossing = {i for i in _imports(module) if i.startswith(("mockserver.ui.changes", "mockserver.ui"))}
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
        if _package(module) in ("ui", "api") or module == "mockserver.server.routes":
            tree = ast.parse(_source(module).read_text())
            touched = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)} & {"conn", "execute", "store"}
            assert not touched, f"{module} reaches the database ({touched})"


@pytest.mark.parametrize("module", MODULES)
def test_every_module_says_its_one_job_first(module: str) -> None:
    tree = ast.parse(_source(module).read_text())
    doc = ast.get_docstring(tree)
    assert doc and tree.body and isinstance(tree.body[0], ast.Expr), f"{module} has no docstring first"
    assert len(doc.splitlines()[0]) > 20, f"{module}: {doc.splitlines()[0]!r} says too little"


def test_no_class_name_is_defined_twice() -> None:
    """A name in an import or a stack trace says which class it is."""
    where: dict[str, list[str]] = {}
    for module in MODULES:
        for node in ast.parse(_source(module).read_text()).body:
            if isinstance(node, ast.ClassDef):
                where.setdefault(node.name, []).append(module)
    assert {name: mods for name, mods in where.items() if len(mods) > 1} == {}
