"""What other languages get stays true: the docs show the recipes CI runs (tests/test_readme.py
checks that their code is those files), the Express example's set-up stays short, the
container lines of docs/docker.md are the ones CI runs, and the Node package's README names
every method of its handle."""

from __future__ import annotations

import re
from pathlib import Path

from tests.test_readme import SHOWN

ROOT = Path(__file__).resolve().parent.parent


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


def test_the_docker_pages_two_blocks_are_marked_for_ci() -> None:
    page = (ROOT / "docs" / "docker.md").read_text()
    blocks = re.findall(r"<!-- ci: scripts/container-recipes runs this block -->\n```sh\n(.*?)```", page, re.S)
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
