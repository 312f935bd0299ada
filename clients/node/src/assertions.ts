// Assertions on what SalesPlay did, with messages that say what happened instead, and
// waitFor for the scaled and real clocks, where attempts happen on their own.

import { AssertionError } from "node:assert";
import { idOf, Reads } from "./reads.js";
import type { Delivery, DeliveryDetail, DeliveryStatus, Webhook } from "./types.js";

export interface WaitOptions {
  /** the statuses to wait for (default: any but pending: the delivery is done) */
  status?: DeliveryStatus | DeliveryStatus[];
  /** or wait until it has had at least this many attempts */
  attempts?: number;
  /** give up after this many milliseconds of real time (default 10000) */
  timeout?: number;
}

function summary(d: Delivery): string {
  return `${d.id} (${d.kind ?? "event"}) ${d.status} after ${d.attempt_count} attempt(s)${d.last_error ? `, last: ${d.last_error}` : ""}`;
}

function fail(message: string): never {
  throw new AssertionError({ message });
}

export class Assertions extends Reads {
  /** One delivery succeeded (after exactly `attempts` attempts, if given); returns it with its attempts. */
  async assertDelivered(delivery: string | { id: string }, options: { attempts?: number } = {}): Promise<DeliveryDetail> {
    const d = await this.delivery(delivery);
    if (d.status !== "succeeded") fail(`delivery ${d.id} is ${d.status}, not succeeded: ${summary(d)}`);
    if (options.attempts !== undefined && d.attempt_count !== options.attempts) {
      fail(`delivery ${d.id} took ${d.attempt_count} attempt(s), not ${options.attempts}: ${answers(d)}`);
    }
    return d;
  }

  /** One delivery was retried: it failed at least once and was attempted again (exactly
   * `attempts` times in all, if given). Returns it with its attempts. */
  async assertRetried(delivery: string | { id: string }, options: { attempts?: number } = {}): Promise<DeliveryDetail> {
    const d = await this.delivery(delivery);
    if (d.attempt_count < 2) fail(`delivery ${d.id} was not retried: ${summary(d)}`);
    if (options.attempts !== undefined && d.attempt_count !== options.attempts) {
      fail(`delivery ${d.id} was attempted ${d.attempt_count} time(s), not ${options.attempts}: ${answers(d)}`);
    }
    return d;
  }

  /** The receiver answered 2xx to this event exactly once, counting duplicates and
   * redeliveries, for each webhook subscribed (or only `webhookId`). Returns its deliveries. */
  async assertDeliveredOnce(event: string | { id: string }, options: { webhookId?: string } = {}): Promise<Delivery[]> {
    const eventId = idOf(event);
    if (eventId.startsWith("dlv_")) {
      throw new TypeError(`assertDeliveredOnce takes an event (or its id, evt_...), not the delivery ${eventId}; use assertDelivered`);
    }
    const sent = await this.deliveries({ event_id: eventId, webhook_id: options.webhookId });
    if (sent.length === 0) fail(`event ${eventId} was sent to no webhook (is one subscribed to its type?)`);
    for (const hook of new Set(sent.map((d) => d.webhook_id))) {
      const mine = sent.filter((d) => d.webhook_id === hook);
      const ok = mine.filter((d) => d.status === "succeeded");
      if (ok.length !== 1) {
        fail(`event ${eventId} got ${ok.length} 2xx answer(s) from webhook ${hook}, not 1; its deliveries: ${mine.map(summary).join("; ")}`);
      }
    }
    return sent;
  }

  /** The webhook is disabled (SalesPlay's rule after the last failed attempt, or a PUT). */
  async assertDisabled(webhook: string | { id: string }): Promise<Webhook> {
    const hook = await this.webhook(idOf(webhook));
    if (hook.status !== "disabled") {
      const [last] = await this.deliveries({ webhook_id: hook.id, limit: 1 });
      fail(`webhook ${hook.id} is ${hook.status}, not disabled${last ? `; its latest delivery: ${summary(last)}` : ""}`);
    }
    return hook;
  }

  /** The webhook is enabled: it receives events. */
  async assertEnabled(webhook: string | { id: string }): Promise<Webhook> {
    const hook = await this.webhook(idOf(webhook));
    if (hook.status !== "enabled") fail(`webhook ${hook.id} is disabled: ${hook.disabled_reason ?? "no reason given"}`);
    return hook;
  }

  /** Wait until a delivery is done (or reaches `status`, or has had `attempts` attempts);
   * for the scaled and real clocks, where attempts happen on their own. On the manual
   * clock a trigger or an advance returns after the attempts it made. */
  async waitFor(delivery: string | { id: string }, options: WaitOptions = {}): Promise<DeliveryDetail> {
    const wanted = options.status === undefined ? undefined : [options.status].flat();
    const deadline = Date.now() + (options.timeout ?? 10_000);
    for (;;) {
      const d = await this.delivery(delivery);
      const done = options.attempts !== undefined ? d.attempt_count >= options.attempts
        : wanted === undefined ? d.status !== "pending" : wanted.includes(d.status);
      if (done) return d;
      if (Date.now() > deadline) {
        const goal = options.attempts !== undefined ? `${options.attempts} attempt(s)` : wanted?.join(" or ") ?? "done";
        fail(`delivery ${d.id} was not ${goal} within ${options.timeout ?? 10_000} ms: ${summary(d)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

function answers(d: DeliveryDetail): string {
  return d.attempts.map((a) => `#${a.number} ${a.response_status ?? a.error_kind ?? a.state}`).join(", ");
}
