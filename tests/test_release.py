"""A release is what the README says: the workflows run its commands (and docs/docker.md's),
publish the names it gives, and the version comes from one place (the git tag) and shows everywhere."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.version import Version

import mockserver
from mockserver.cli import main
from mockserver.spec.openapi import openapi_document
from tests.helpers import Server

if sys.version_info >= (3, 11):
    import tomllib
else:  # the same library, before it joined the standard library
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCKER = (ROOT / "docs" / "docker.md").read_text(encoding="utf-8")
CHANGELOG = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
WORKFLOWS = {path.name: yaml.safe_load(path.read_text(encoding="utf-8"))
             for path in sorted((ROOT / ".github" / "workflows").glob("*.yml"))}
SOURCE = PROJECT["project"]["urls"]["Source"]
REPO = SOURCE.removeprefix("https://github.com/")  # owner/name
NAME = PROJECT["project"]["name"]
RELEASE = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", re.M)


def _commands(script: str) -> set[str]:
    """The simple commands of a shell script, as written: one per line or per `&&`, comments and
    a trailing `&` (run in the background) left out."""
    found = set()
    for line in script.replace("\\\n", " ").splitlines():
        for part in line.split("&&"):
            command = " ".join(part.split("#", 1)[0].split()).removesuffix(" &").strip()
            if command:
                found.add(command)
    return found


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def _blocks(heading: str, page: str = README) -> list[str]:
    """The ```sh blocks of one section of a page (the README's, unless told)."""
    start = page.index(f"\n{heading}\n")
    end = page.find("\n## ", start + 1)
    return re.findall(r"```sh\n(.*?)```", page[start:end], re.S)


def test_the_workflows_run_the_readmes_commands() -> None:
    run = set().union(*(_commands(step.get("run", "")) for wf in WORKFLOWS.values() for step in _steps(wf)))
    quick, docker = _blocks("## Quick start"), _blocks("## Build and run it", DOCKER)[:1]
    given = set().union(*(_commands(block) for block in quick + docker if "curl" not in block))
    assert {"pip install .", "salesplay-mock serve", "pip install -e '.[test]'", "pytest"} <= given
    assert {"docker build -t salesplay-mock ."} <= given
    assert given <= run, f"the README and docs/docker.md give commands no workflow runs: {sorted(given - run)}"


def test_ci_tests_every_supported_python() -> None:
    prefix = "Programming Language :: Python :: "
    supported = [c.removeprefix(prefix) for c in PROJECT["project"]["classifiers"] if re.match(rf"{prefix}3\.\d+$", c)]
    assert WORKFLOWS["ci.yml"]["jobs"]["tests"]["strategy"]["matrix"]["python"] == supported
    assert PROJECT["project"]["requires-python"] == f">={supported[0]}"


def test_every_action_is_pinned_to_an_exact_version() -> None:
    for name, workflow in WORKFLOWS.items():
        for step in _steps(workflow):
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@(v\d+\.\d+\.\d+|[0-9a-f]{40})", step["uses"]), \
                    f"{name}: {step['uses']} is not pinned to an exact version"


def _npm_name() -> str:
    package = ROOT / "clients" / "node" / "package.json"  # release.yml publishes the package there
    return str(json.loads(package.read_text())["name"]) if package.exists() else NAME


def test_the_readme_installs_what_the_release_publishes() -> None:
    jobs = WORKFLOWS["release.yml"]["jobs"]
    assert "ghcr.io/${{ github.repository }}" in json.dumps(jobs["image"])
    assert jobs["npm"]["defaults"]["run"]["working-directory"] == "clients/node"
    assert jobs["pypi"]["environment"]["url"].startswith(f"https://pypi.org/project/{NAME}/")
    install = "\n".join(_blocks("## Install a release"))
    for line in (f"pip install {NAME}", f"docker run -p 8080:8080 ghcr.io/{REPO}", f"npm install --save-dev {_npm_name()}"):
        assert line in install, f"the README's install lines lack: {line}"


def test_the_readmes_badges_point_at_this_project_and_its_artifacts() -> None:
    badges = README[:README.index("\n\n", README.index("[![")) + 1]
    assert f"https://github.com/{REPO}/actions/workflows/ci.yml/badge.svg" in badges
    assert (ROOT / ".github/workflows/ci.yml").exists()
    assert f"https://img.shields.io/pypi/v/{NAME})" in badges
    assert f"https://img.shields.io/npm/v/{_npm_name()})" in badges
    assert f"https://github.com/{REPO}/pkgs/container/{REPO.split('/')[1]}" in badges
    for url in re.findall(r"\]\((https://github\.com/[^)]+)\)", badges):
        assert url.startswith(f"https://github.com/{REPO}/"), url


def test_the_release_publishes_every_artifact_only_after_the_build() -> None:
    jobs = WORKFLOWS["release.yml"]["jobs"]
    assert WORKFLOWS["release.yml"][True]["push"]["tags"] == ["v[0-9]*"]  # YAML reads the key `on` as True
    for job in ("pypi", "image", "npm"):
        assert "build" in jobs[job]["needs"]
    assert jobs["pypi"]["permissions"] == {"id-token": "write"}  # trusted publishing: no stored token
    assert any(step.get("uses", "").startswith("pypa/gh-action-pypi-publish@") for step in jobs["pypi"]["steps"])
    push = next(s["with"] for s in jobs["image"]["steps"] if s.get("uses", "").startswith("docker/build-push-action@"))
    assert push["platforms"] == "linux/amd64,linux/arm64" and push["sbom"] is True and push["provenance"]
    assert {"VERSION", "REVISION", "SOURCE"} <= {arg.split("=")[0] for arg in push["build-args"].split()}
    assert "npm ci && npm run build && npm publish --provenance" in [s.get("run") for s in jobs["npm"]["steps"]]


def test_dependabot_watches_pip_npm_the_dockerfile_and_the_actions() -> None:
    updates = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text())["updates"]
    assert {(u["package-ecosystem"], u["directory"]) for u in updates} == {
        ("pip", "/"), ("npm", "/clients/node"), ("docker", "/"), ("github-actions", "/")}


def test_the_version_has_one_source_the_tag() -> None:
    assert "version" not in PROJECT["project"] and PROJECT["project"]["dynamic"] == ["version"]
    assert PROJECT["tool"]["hatch"]["version"]["source"] == "vcs"
    # Written by every build, an editable install's included; a PEP 440 version pip can compare.
    assert (ROOT / "mockserver" / "_version.py").exists() and mockserver.__version__ != "0+unknown"
    assert str(Version(mockserver.__version__)) == mockserver.__version__
    for path in (ROOT / "mockserver").rglob("*.py"):
        if path.name != "_version.py":
            assert not re.search(r"""__version__\s*=\s*["']\d+\.""", path.read_text()), f"{path} writes a version"
    shipped = json.loads((ROOT / "mockserver" / "openapi.json").read_text())
    assert shipped["info"]["version"] == "0+unknown"  # a placeholder: the served one is the package's
    assert openapi_document()["info"]["version"] == mockserver.__version__


def test_a_clone_without_tags_counts_from_the_newest_release_in_the_changelog() -> None:
    assert PROJECT["tool"]["hatch"]["version"]["fallback-version"] == RELEASE.findall(CHANGELOG)[0][0]


def test_the_changelog_keeps_a_changelog() -> None:
    assert CHANGELOG.startswith("# Changelog\n") and "\n## [Unreleased]\n" in CHANGELOG
    releases = RELEASE.findall(CHANGELOG)
    assert releases, "no released version"
    versions = [tuple(map(int, v.split("."))) for v, _ in releases]
    assert versions == sorted(versions, reverse=True) and len(set(versions)) == len(versions)
    assert [d for _, d in releases] == sorted((d for _, d in releases), reverse=True)
    for kind in re.findall(r"^### (.+)$", CHANGELOG, re.M):
        assert kind in {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}, kind
    for name in ["Unreleased", *(v for v, _ in releases)]:
        assert re.search(rf"^\[{re.escape(name)}\]: {re.escape(SOURCE)}/", CHANGELOG, re.M), f"no link for {name}"


def _notes(version: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(ROOT / "scripts" / "changelog-notes"), version],
                          capture_output=True, text=True, timeout=30)


def test_release_notes_are_the_versions_section_of_the_changelog() -> None:
    version = RELEASE.findall(CHANGELOG)[-1][0]
    notes = _notes(version)
    assert notes.returncode == 0, notes.stderr
    assert notes.stdout.startswith("### Added\n") and "\n## " not in notes.stdout and "]: https://" not in notes.stdout


def test_a_version_without_a_changelog_section_cannot_be_released() -> None:
    notes = _notes("99.0.0")
    assert notes.returncode == 1 and notes.stdout == ""
    assert "CHANGELOG.md has no section '## [99.0.0] - YYYY-MM-DD'" in notes.stderr


def test_version_flag_says_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"salesplay-mock {mockserver.__version__}\n"


async def test_healthz_and_the_pages_footer_say_the_version(client: Any) -> None:
    assert (await (await client.get("/healthz")).json())["version"] == mockserver.__version__
    footer = re.search(r"<footer>(.*?)</footer>", await (await client.get("/")).text(), re.S)
    assert footer and footer.group(1).startswith(f"salesplay-mock {mockserver.__version__} ·")


def test_the_serve_banner_says_the_version(tmp_path: Path, served: list[Server]) -> None:
    server = Server(tmp_path, "--db", ":memory:", "--clock", "manual")
    served.append(server.start())
    assert server.proc is not None and server.proc.stderr is not None
    banner = server.proc.stderr.readline().decode()
    assert banner.startswith("salesplay-mock on http://") and f"version {mockserver.__version__})" in banner


def test_the_image_is_labelled_with_the_version_the_commit_and_the_source() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f'ARG SOURCE="{SOURCE}"' in dockerfile
    for label, value in [("version", "${VERSION:-0+unknown}"), ("revision", "${REVISION}"), ("source", "${SOURCE}")]:
        assert f'org.opencontainers.image.{label}="{value}"' in dockerfile
    assert 'SETUPTOOLS_SCM_PRETEND_VERSION_FOR_SALESPLAY_MOCK="${VERSION:-0+unknown}"' in dockerfile
