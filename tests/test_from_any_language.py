"""What other languages get stays true: the docs' code is the code CI runs, the Express
example's set-up stays short, the README's container lines are the ones CI runs, and the
Node package's README names every method of its handle."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MARKED = re.compile(r"<!-- (file|from): (\S+) -->\n```\w*\n(.*?)```\n", re.S)
DOCS = [ROOT / "docs" / "containers.md", ROOT / "clients" / "node" / "README.md"]
SHOWN = [(doc.relative_to(ROOT), how, path, code) for doc in DOCS for how, path, code in MARKED.findall(doc.read_text())]


@pytest.mark.parametrize(("doc", "how", "path", "code"), SHOWN, ids=lambda v: str(v)[:40])
def test_each_recipe_in_the_docs_is_the_file_ci_runs(doc: Path, how: str, path: str, code: str) -> None:
    text = (ROOT / path).read_text(encoding="utf-8")
    assert (code == text) if how == "file" else (code in text), f"{doc}'s part of {path} is not in the file"


def test_the_docs_show_the_node_python_and_java_recipes() -> None:
    shown = {path for _, _, path, _ in SHOWN}
    assert {"examples/testcontainers-node/salesplay.test.js", "examples/testcontainers-python/test_salesplay.py",
            "examples/testcontainers-java/src/test/java/example/SalesPlayMockTest.java"} <= shown


def test_the_express_suites_set_up_is_at_most_15_lines() -> None:
    """Start, wait, stop, the client and the per-test set-up: everything before the first test,
    imports included, blank lines and comments not."""
    suite = (ROOT / "examples" / "node-express" / "test" / "receiver.test.js").read_text()
    glue = [line for line in suite[:suite.index("\ntest(")].splitlines()
            if line.strip() and not line.lstrip().startswith("//")]
    assert len(glue) <= 15, "\n".join(glue)


def test_the_readmes_two_docker_blocks_are_marked_for_ci() -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"<!-- ci: scripts/container-recipes runs this block -->\n```sh\n(.*?)```", readme, re.S)
    assert [[line.split()[:2] for line in block.splitlines()] for block in blocks] == [
        [["docker", "build"], ["docker", "run"], ["docker", "inspect"]],
        [["podman", "build"], ["podman", "run"], ["podman", "healthcheck"]]]
    assert "--format docker" in blocks[1]  # podman's default format drops the HEALTHCHECK


def test_the_node_readme_names_every_method_of_the_handle() -> None:
    source = "".join((ROOT / "clients" / "node" / "src" / name).read_text()
                     for name in ("merchant.ts", "assertions.ts", "reads.ts"))
    table = (ROOT / "clients" / "node" / "README.md").read_text()
    methods = set(re.findall(r"^  async (\w+)\(", source, re.M))
    assert methods and all(f"`{m}(" in table or f" {m}(" in table for m in methods), methods
