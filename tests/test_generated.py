"""The generators' command line: they write what the code makes, or with --check change
nothing and exit 1 naming what is stale; a flag they do not know is an error, not a write."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mockserver.rest import rest_schemas
from mockserver.shop import schemas
from mockserver.shop.generated import generator_main
from mockserver.spec import operation_docs, operation_schemas


def test_check_names_a_stale_file_and_writes_nothing_then_a_run_writes_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target, fresh = tmp_path / "out" / "made.json", tmp_path / "fresh.json"
    fresh.write_text("same\n")
    files = {target: "new\n", fresh: "same\n"}
    assert generator_main("demo", "a demo", lambda: files, ["--check"]) == 1
    assert not target.exists() and capsys.readouterr().out == f"stale: {target} (run python -m demo)\n"
    assert generator_main("demo", "a demo", lambda: files, []) == 0
    assert target.read_text() == "new\n" and capsys.readouterr().out == f"wrote {target}\n"
    assert generator_main("demo", "a demo", lambda: files, ["--check"]) == 0


@pytest.mark.parametrize("main", [operation_schemas.main, rest_schemas.main, schemas.main])
def test_each_generator_finds_the_committed_files_current(main: Callable[[list[str]], int]) -> None:
    assert main(["--check"]) == 0


@pytest.mark.parametrize("main", [operation_schemas.main, rest_schemas.main, schemas.main, operation_docs.main])
def test_an_unknown_flag_is_an_error_not_a_write(main: Callable[[list[str]], int]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--chekc"])
    assert exc.value.code == 2
