"""Reads of SalesPlay's REST API resources: a page of a list, or one record, from the
merchant's simulated shop (what its world holds) or its ledger (receipts, goods received
notes). The same shop emits the webhook events, so the two views agree."""

from __future__ import annotations

import json
from collections.abc import Mapping
from itertools import islice
from typing import Any

from mockserver.domain.errors import NotFound
from mockserver.domain.paging import Page, page_of
from mockserver.rest.resources import RESOURCES, ListQuery, Resource, check_id, parse_list_query
from mockserver.service.shops import Shops
from mockserver.shop import views
from mockserver.store import Store

Record = dict[str, Any]


class Catalog:
    def __init__(self, store: Store, shops: Shops) -> None:
        self.store, self.shops = store, shops

    def page(self, owner: str, name: str, query: Mapping[str, str]) -> Page[Record]:
        """One page of a resource's records, oldest first, narrowed by ``query``'s filters."""
        resource = RESOURCES[name]
        q = parse_list_query(resource, query)
        if resource.ledger:
            return self._ledger_page(owner, resource, q)
        view = views.VIEWS[name]
        world = self.shops.get(owner).world
        # A cursor is a position in the world's list, where deleted records keep their
        # place: deleting one does not move the others between two pages.
        rows: list[tuple[int, Record]] = []
        for position, item in enumerate(islice(view.items(world), q.after, None), start=q.after):
            if view.live is not None and not q.include_deleted and not view.live(item):
                continue
            record = view.render(world, item)
            if q.matches(record):
                rows.append((position + 1, record))  # the next page starts after it
                if len(rows) > q.limit:
                    break
        return page_of(name, rows, q.limit)

    def _ledger_page(self, owner: str, resource: Resource, q: ListQuery) -> Page[Record]:
        bound = dict(((f, side), t) for f, side, t in q.bounds)
        rows = self.store.shop_records.page(owner, resource.name, after=q.after, limit=q.limit + 1,
                                            equals=q.equals, created_min=bound.get(("created_at", "min")),
                                            created_max=bound.get(("created_at", "max")))
        page = page_of(resource.name, rows, q.limit)  # the row read past the page is never parsed
        return Page([json.loads(body) for body in page.items], page.next)

    def one(self, owner: str, name: str, record_id: str) -> Record:
        """The record with this id (for inventory: a product's levels in every shop)."""
        resource = RESOURCES[name]
        check_id(record_id, field=resource.id_field)
        if resource.ledger:
            body = self.store.shop_records.get(owner, name, record_id)
            found: Record | None = None if body is None else json.loads(body)
        else:
            found = views.find(self.shops.get(owner).world, name, record_id)
        if found is None:
            raise NotFound(f"no {resource.noun} with {resource.id_field} {record_id!r} in this merchant's shop; "
                           f"GET /v1.0/{name} lists them", field=resource.id_field)
        return found
