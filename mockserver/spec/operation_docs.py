"""The catalogue of operations (``operations.py``) as people and programs read it: the
answer of ``GET /_mock/operations``, and docs/scenarios.md's table (``python -m
mockserver.spec.operation_docs`` prints it) and reference (``--reference``);
tests check the files have them."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from mockserver.domain.operations import CATALOGUE, Param


def param_json(p: Param) -> dict[str, Any]:
    out: dict[str, Any] = {"name": p.name, "type": p.kind, "description": p.about}
    if p.default:
        out["default"] = p.default
    if p.choices and p.kind == "choice":
        out["choices"] = list(p.choices)
    if p.kind == "int":
        out["minimum"], out["maximum"] = p.lo, p.hi
    if p.nullable:
        out["nullable"] = True
    if p.kind == "list":
        out["items"] = [param_json(f) | ({"required": True} if f.required else {}) for f in p.fields]
        if p.pick:
            out["items_name_one_of"] = list(p.pick)
        if p.one_of:
            out["items_exclusive"] = [list(group) for group in p.one_of]
    return out


def catalogue_json() -> list[dict[str, Any]]:
    """``GET /_mock/operations``: every operation, its parameters, what it sends and returns."""
    return [{"name": op.name, "description": op.about, "params": [param_json(p) for p in op.params],
             "exclusive": [list(group) for group in op.one_of],
             "emits": [{"type": e.type, "when": e.when} for e in op.emits],
             "returns": list(op.returns), "note": op.note} for op in CATALOGUE]


def _names(params: tuple[Param, ...], groups: tuple[tuple[str, ...], ...]) -> str:
    """Parameters by name, those that exclude each other joined by "or"."""
    out: list[str] = []
    done: set[str] = set()
    for p in params:
        if p.name in done:
            continue
        group = next((g for g in groups if p.name in g), (p.name,))
        done.update(group)
        out.append(" or ".join(_cell(next(q for q in params if q.name == name)) for name in group))
    return ", ".join(out)


def _cell(p: Param) -> str:
    text = f"`{p.name}`"
    if p.kind == "choice":
        text += " (" + ", ".join(f"`{c}`" for c in p.choices) + ")"
    elif p.kind == "list":
        required = ", ".join(f"`{f.name}`" for f in p.fields if f.required)
        optional = _names(tuple(f for f in p.fields if not f.required), (p.pick, *p.one_of))
        text += " [{" + "; ".join(part for part in (optional, required and f"{required} required") if part) + "}]"
    elif p.nullable:
        text += " (or `null`)"
    return text


def operations_table() -> str:
    """docs/scenarios.md's table of operations, one row each."""
    rows = ["| operation | parameters (each optional; left out, the shop chooses) | sends, and when |", "|---|---|---|"]
    for op in CATALOGUE:
        sends = "; ".join(f"`{e.type}` {e.when}" for e in op.emits) + (f". {op.note}" if op.note else "")
        rows.append(f"| `{op.name}`: {op.about} | {_names(op.params, op.one_of)} | {sends} |")
    return "\n".join(rows) + "\n"


def _kind(p: Param) -> str:
    if p.kind == "choice":
        return "one of " + ", ".join(f"`{c}`" for c in p.choices)
    if p.kind == "int":
        return f"whole number, {p.lo:,} to {p.hi:,}"
    words = {"id": "SalesPlay id", "code": "product code (digits)", "barcode": "EAN-13", "number": "receipt number",
             "text": "text", "email": "email address", "country": "ISO 3166 code", "money": "amount, 2 decimals",
             "percent": "0 to 100", "flag": "true or false", "list": "list"}
    return words[p.kind] + (" or `null`" if p.nullable else "")


def reference() -> str:
    """docs/scenarios.md's reference: each operation, its parameters and what it sends."""
    out = []
    for op in CATALOGUE:
        out += [f"### `{op.name}`", "", op.about + (f" {op.note}" if op.note else ""), "",
                "| parameter | type | what | without it |", "|---|---|---|---|"]
        for p in op.params:
            out.append(f"| `{p.name}` | {_kind(p)} | {p.about} | {p.default or '-'} |")
            out += [f"| `{p.name}[].{f.name}` | {_kind(f)} | {f.about} | {'required' if f.required else '-'} |"
                    for f in p.fields]
        groups = [*op.one_of, *(g for p in op.params for g in (p.pick, *p.one_of) if g)]
        sends = "; ".join(f"`{e.type}` {e.when}" for e in op.emits)
        out += ["", f"Sends: {sends}. Returns in `made`: " + ", ".join(f"`{k}`" for k in op.returns) + "."]
        if groups:
            out.append("At most one of each: " + "; ".join(" or ".join(f"`{n}`" for n in g) for g in groups)
                       + " (a list's items name their record by exactly one).")
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mockserver.spec.operation_docs",
                                     description="print docs/scenarios.md's table of operations (or its reference)")
    parser.add_argument("--reference", action="store_true", help="each operation's parameters and what it sends")
    args = parser.parse_args(argv)
    print(reference() if args.reference else operations_table(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
