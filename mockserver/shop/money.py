"""Money in integer cents, so totals add up exactly; emitted as 2-decimal numbers."""

from __future__ import annotations

from typing import Any


def out(cents: int) -> float:
    return round(cents / 100, 2)


def tax_on(net: int, rate: float) -> int:
    basis_points = round(rate * 10000)
    return (net * basis_points + 5000) // 10000


def line(product: dict[str, Any], qty: int, unit_price: int, discount: int, tax_rate: float) -> dict[str, Any]:
    """An internal line: cents throughout."""
    net = qty * unit_price - discount
    tax = tax_on(net, tax_rate)
    return {**product, "qty": qty, "unit_price": unit_price, "discount": discount,
            "tax_rate": tax_rate, "tax": tax, "total": net + tax}


def public_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "line_number": n,
            "product_id": ln["product_id"],
            "product_code": ln["product_code"],
            "product_name": ln["product_name"],
            "quantity": ln["qty"],
            "unit_price": out(ln["unit_price"]),
            "discount": out(ln["discount"]),
            "tax_rate": ln["tax_rate"],
            "tax": out(ln["tax"]),
            "line_total": out(ln["total"]),
        }
        for n, ln in enumerate(lines, start=1)
    ]


def totals(lines: list[dict[str, Any]]) -> dict[str, float]:
    return {
        "subtotal": out(sum(ln["qty"] * ln["unit_price"] for ln in lines)),
        "discount_total": out(sum(ln["discount"] for ln in lines)),
        "tax_total": out(sum(ln["tax"] for ln in lines)),
        "total": out(sum(ln["total"] for ln in lines)),
    }
