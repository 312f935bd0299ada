// A test's handle on one merchant of the mock (a token names its merchant): register
// webhooks, make the shop act, move the clock, switch faults on, and, from its bases,
// read and assert. The names follow the pytest plugin's handle.

import { Assertions } from "./assertions.js";
import { idOf } from "./reads.js";
import { seconds } from "./types.js";
import type { ApiFaults, Delivery, EventType, EventWithDeliveries, FaultSettings, Made, Operation, OperationInfo,
  StepResult, Webhook, WebhookCreated } from "./types.js";

export interface TriggerOptions {
  /** how many times (default 1) */
  count?: number;
  /** a named shop operation: sale, refund, product_edit, stock_count... */
  operation?: Operation;
  /** the operation's parameters (see `operations()`): `{ lines: [{ product_code: "10003", quantity: 2 }] }` */
  params?: Record<string, unknown>;
  /** your own payload, sent as an event of the type given */
  payload?: Record<string, unknown>;
  /** move the clock this far before each operation ("1s", 90): every event gets its own time */
  advance?: string | number;
}

/** A scenario's step: a trigger (with an optional `name` later steps refer to as
 * `${name.receipt_id}`), or `{ advance }` to move the clock. */
export type ScenarioStep = ({ name?: string } & TriggerOptions & { type?: EventType }) | { advance: string | number };

export class Merchant extends Assertions {
  /** Register a webhook for one event type or a list, as `POST /v1.0/webhook` does. */
  async register(url: string, events: EventType | EventType[] = "receipts.update"): Promise<WebhookCreated> {
    const body = typeof events === "string" ? { url, event: events } : { url, events };
    return this.http.call("post", "/v1.0/webhook", { body });
  }

  /** Change a webhook's url, events or status. */
  async updateWebhook(webhook: string | { id: string }, change: { url?: string; events?: EventType[]; status?: "enabled" | "disabled" }): Promise<Webhook> {
    return this.http.call("put", "/v1.0/webhook/{id}", { params: { id: idOf(webhook) }, body: change });
  }

  /** Re-enable a webhook SalesPlay's rule disabled: it receives new events again. */
  async enable(webhook: string | { id: string }): Promise<Webhook> {
    return this.updateWebhook(webhook, { status: "enabled" });
  }

  /** Delete a webhook; its pending deliveries are cancelled. */
  async deleteWebhook(webhook: string | { id: string }): Promise<void> {
    await this.http.call("delete", "/v1.0/webhook/{id}", { params: { id: idOf(webhook) } });
  }

  /** Make the shop act until it emits `type` (`count` times), run a named `operation`, or
   * send `payload` as an event of `type`. Returns every event sent, each with its deliveries;
   * on the manual clock each delivery's first attempt is made before this returns. */
  async trigger(type?: EventType, options: TriggerOptions = {}): Promise<EventWithDeliveries[]> {
    return (await this.act(type, options)).events;
  }

  /** Run one operation with parameters, all or nothing: `operate("sale", { lines: [{ product_code:
   * "10003", quantity: 2 }], payment_type: "card" })`. Returns the records it made (`made[0].receipt_id`,
   * `.receipt_number`, `.credit_note_id`, `.product_ids`...) and the events sent. */
  async operate(operation: Operation, params: Record<string, unknown> = {},
                options: { count?: number; advance?: string | number } = {}): Promise<{ made: Made[]; events: EventWithDeliveries[] }> {
    return this.act(undefined, { ...options, operation, params });
  }

  /** Every operation the shop can run, its parameters and the events it emits (`GET /_mock/operations`). */
  async operations(): Promise<OperationInfo[]> {
    return (await this.http.call("get", "/_mock/operations", {})).data as OperationInfo[];
  }

  /** Steps in order, all or nothing (`POST /_mock/scenarios`): triggers and `{ advance }`. */
  async scenario(steps: ScenarioStep[]): Promise<StepResult[]> {
    const body = { steps: steps.map((step) => "advance" in step && Object.keys(step).length === 1 ? step : trigger(undefined, step)) };
    return (await this.http.call("post", "/_mock/scenarios", { body: body as never })).steps as StepResult[];
  }

  private async act(type: EventType | undefined, options: TriggerOptions): Promise<{ made: Made[]; events: EventWithDeliveries[] }> {
    const answer = await this.http.call("post", "/_mock/events", { body: trigger(type, options) as never });
    return { made: answer.made, events: answer.events as EventWithDeliveries[] };
  }

  /** `count` sales: each sends a receipts.update and the inventory_levels.update of what it sold. */
  async sell(count = 1): Promise<EventWithDeliveries[]> {
    return this.trigger(undefined, { operation: "sale", count });
  }

  /** `count` refunds: each sends a credit_note.update and the stock it puts back. */
  async refund(count = 1): Promise<EventWithDeliveries[]> {
    return this.trigger(undefined, { operation: "refund", count });
  }

  /** Move the manual clock ("30s", "48h", "1h30m" or seconds); every attempt due on the way
   * is made before this returns. Returns how many attempts this advance made. */
  async advance(duration: string | number): Promise<number> {
    const answer = await this.http.call("post", "/_mock/clock/advance", { body: { seconds: seconds(duration) } });
    return answer.attempts_made;
  }

  /** Faults on purpose for one webhook: `{ duplicate: 1, duplicate_mode: "concurrent" }`,
   * `{ reorder: 0.5 }`, `{ delay: 1, delay_max: "30s" }`, `{ seed: 7 }`; `{}`: the server's. */
  async setFaults(webhook: string | { id: string }, settings: FaultSettings): Promise<unknown> {
    return this.http.call("put", "/_mock/webhooks/{id}/faults", { params: { id: idOf(webhook) }, body: settings });
  }

  /** Faults on purpose for this merchant's REST API reads: `{ rate_limit: 60 }`, `{ errors: 0.2 }`. */
  async setApiFaults(settings: ApiFaults): Promise<unknown> {
    return this.http.call("put", "/_mock/api-faults", { body: settings });
  }

  /** Send a delivery's event again, as a new delivery of kind `redelivery`. */
  async redeliver(delivery: string | { id: string }): Promise<Delivery> {
    return this.http.call("post", "/_mock/deliveries/{id}/redeliver", { params: { id: idOf(delivery) } });
  }

  /** Forget this merchant's webhooks, events, deliveries and shop; its manual clock starts again. */
  async reset(): Promise<void> {
    await this.http.call("post", "/_mock/reset");
  }
}

/** The JSON body of a trigger or a scenario's step, with only what was given. */
function trigger(type: EventType | undefined, options: TriggerOptions & { type?: EventType; name?: string }): Record<string, unknown> {
  const body: Record<string, unknown> = { count: options.count ?? 1 };
  for (const [key, value] of Object.entries({ ...options, type: type ?? options.type })) {
    if (value !== undefined && key !== "count") body[key] = value;
  }
  return body;
}
