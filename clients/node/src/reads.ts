// What a test reads: webhooks, events, deliveries, the clock, SalesPlay's REST API, schemas
// and fixtures. Lists of the mock's own records are followed to their last page.

import { Http } from "./http.js";
import type { Clock, Delivery, DeliveryDetail, DeliveryKind, DeliveryStatus, Event, EventType, ListQuery, PageOf,
  RecordOf, Resource, Schedule, Webhook } from "./types.js";

const PAGE = 1000; // items asked for per page when following a list to its end

export interface DeliveryFilters {
  webhook_id?: string;
  status?: DeliveryStatus;
  event_type?: EventType;
  kind?: DeliveryKind;
  event_id?: string;
  /** at most this many, newest first (default: all) */
  limit?: number;
}

export class Reads {
  /** Typed calls to any operation of the OpenAPI document, as this merchant. */
  readonly http: Http;

  constructor(readonly url: string, readonly token: string) {
    this.http = new Http(url, token);
  }

  /** The base URL to give a receiver's integration code instead of https://api.salesplaypos.com/v1.0. */
  get apiUrl(): string {
    return `${this.url}/v1.0`;
  }

  /** This merchant's webhooks, oldest first. */
  async webhooks(): Promise<Webhook[]> {
    return (await this.http.call("get", "/v1.0/webhook")).data;
  }

  /** One webhook: its status (`enabled`/`disabled`), `disabled_reason`, `warnings`... */
  async webhook(id: string): Promise<Webhook> {
    return this.http.call("get", "/v1.0/webhook/{id}", { params: { id } });
  }

  /** Every event the shop sent (or `limit` of them), newest first, each with its payload. */
  async events(filters: { type?: EventType; limit?: number } = {}): Promise<Event[]> {
    return this.everyPage<Event>("/_mock/events", { type: filters.type }, filters.limit);
  }

  /** Every delivery (or `limit` of them), newest first, narrowed by the filters given. */
  async deliveries(filters: DeliveryFilters = {}): Promise<Delivery[]> {
    const { limit, ...query } = filters;
    return this.everyPage<Delivery>("/_mock/deliveries", query, limit);
  }

  /** A delivery with its event and every attempt (status, error, headers, bodies, timing). */
  async delivery(id: string | { id: string }): Promise<DeliveryDetail> {
    return (await this.http.call("get", "/_mock/deliveries/{id}", { params: { id: idOf(id) } })) as DeliveryDetail;
  }

  /** A page of one of SalesPlay's REST resources, as a receiver's integration code reads it. */
  async list<R extends Resource>(resource: R, query?: ListQuery<R>): Promise<PageOf<R>> {
    return (await this.http.raw("get", `/v1.0/${resource}`, query as Record<string, unknown>)) as PageOf<R>;
  }

  /** One record of a REST resource by its SalesPlay id: `await shop.read("products", id)`. */
  async read<R extends Resource>(resource: R, id: string): Promise<RecordOf<R>> {
    return (await this.http.raw("get", `/v1.0/${resource}/${encodeURIComponent(id)}`)) as RecordOf<R>;
  }

  /** The clock: mode, scale, simulated time (this merchant's own on the manual clock). */
  async clock(): Promise<Clock> {
    return this.http.call("get", "/_mock/clock");
  }

  /** The simulated time in epoch seconds (this merchant's, on the manual clock). */
  async now(): Promise<number> {
    return (await this.clock()).now_epoch;
  }

  /** The retry schedule: when each attempt of a failing delivery is due. */
  async schedule(): Promise<Schedule> {
    return this.http.call("get", "/_mock/schedule");
  }

  /** The JSON Schema (2020-12) the payloads of an event type follow. */
  async schema(type: EventType): Promise<Record<string, unknown>> {
    return this.http.call("get", "/_mock/schemas/{type}", { params: { type } });
  }

  /** The fixture payloads that ship with the mock (the same as `salesplay-mock fixtures`). */
  async fixtures(type: EventType): Promise<Record<string, unknown>[]> {
    return (await this.http.call("get", "/_mock/fixtures/{type}", { params: { type } })).data;
  }

  private async everyPage<T>(path: string, query: Record<string, unknown>, limit?: number): Promise<T[]> {
    const items: T[] = [];
    const q: Record<string, unknown> = { ...query };
    while (limit === undefined || items.length < limit) {
      q.limit = limit === undefined ? PAGE : Math.min(PAGE, limit - items.length);
      const page = (await this.http.raw("get", path, q)) as { data: T[]; next: string | null };
      items.push(...page.data);
      if (page.next === null) break;
      q.cursor = page.next;
    }
    return items;
  }
}

/** An id, or a record that has one. */
export function idOf(thing: string | { id: string }): string {
  return typeof thing === "string" ? thing : thing.id;
}
