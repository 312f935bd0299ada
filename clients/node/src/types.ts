// The shapes of the mock's answers by their own names, all from the generated openapi.ts.

import type { components, paths } from "./openapi.js";

type Schemas = components["schemas"];

export type EventType = Schemas["EventType"];
export type Webhook = Schemas["WebhookRead"];
export type WebhookCreated = Schemas["WebhookCreated"];
/** An event's JSON body, as POSTed: SalesPlay's envelope, and one list of records under a
 * key named for the type (`receipts`, `inventory_levels`...), described by the JSON Schema
 * `schema(type)` returns. The records are `any` here, so a test reads them without casts. */
export interface Payload {
  merchant_id: string;
  type: EventType;
  created_at: string;
  [list: string]: any;
}
export type Event = Omit<Schemas["Event"], "payload"> & { payload: Payload };
export type Delivery = Schemas["Delivery"];
export type EventWithDeliveries = Event & { deliveries: Delivery[] };
export type DeliveryDetail = Omit<Schemas["DeliveryDetail"], "event"> & { event: Event };
export type Attempt = Schemas["Attempt"];
export type Clock = Schemas["Clock"];
export type Schedule = Schemas["Schedule"];
/** A shop operation as `GET /_mock/operations` describes it: its parameters and what it emits. */
export type OperationInfo = Schemas["Operation"];
export type Operation = OperationInfo["name"];
/** The records an operation made: receipt id and number, credit note id, product ids... */
export type Made = Schemas["Made"];
export type StepResult = Omit<Schemas["StepResult"], "events"> & { events?: EventWithDeliveries[] };
export type FaultSettings = Schemas["FaultSettings"];
export type ApiFaults = Schemas["ApiFaults"];
export type DeliveryStatus = Delivery["status"];
export type DeliveryKind = NonNullable<Delivery["kind"]>;

/** SalesPlay's REST read resources: "products", "receipts", "inventory"... */
export type Resource = {
  [P in keyof paths]: P extends `/v1.0/${infer R}/{id}` ? (R extends "webhook" ? never : R) : never;
}[keyof paths];

/** One record of a resource, as `GET /v1.0/{resource}/{id}` answers it. */
export type RecordOf<R extends Resource> = `/v1.0/${R}/{id}` extends keyof paths
  ? NonNullable<paths[`/v1.0/${R}/{id}`]["get"]> extends { responses: { 200: { content: { "application/json": infer B } } } } ? B : never
  : never;

/** A page of a resource, as `GET /v1.0/{resource}` answers it: `{ data, next }`. */
export type PageOf<R extends Resource> = `/v1.0/${R}` extends keyof paths
  ? NonNullable<paths[`/v1.0/${R}`]["get"]> extends { responses: { 200: { content: { "application/json": infer B } } } } ? B : never
  : never;

/** The filters and paging a resource's list takes. */
export type ListQuery<R extends Resource> = `/v1.0/${R}` extends keyof paths
  ? NonNullable<paths[`/v1.0/${R}`]["get"]> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never
  : never;

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds from "48h", "90s", "1h30m", "500ms", "2d" or a number of seconds. */
export function seconds(duration: string | number): number {
  if (typeof duration === "number") {
    if (!Number.isFinite(duration) || duration < 0) throw new RangeError(`a duration must be 0 or more seconds, not ${duration}`);
    return duration;
  }
  const text = duration.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) {
    throw new RangeError(`${JSON.stringify(duration)} is not a duration; write 90s, 30m, 48h, 1h30m, 2d or a number of seconds`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNITS[p[2] as string] as number), 0);
}
