#!/usr/bin/env bash
# A receiver's test with nothing but curl and jq, against `salesplay-mock serve --clock manual`:
# register, make the shop sell, move the clock, then count what was sent with GET /_mock/stats.
# The receiver is the mock's own sink, which fails its first 2 requests: the counts checked
# below are what that makes. Your receiver's URL goes where $RECEIVER is used.
set -euo pipefail
MOCK="${MOCK:-http://127.0.0.1:8080}"
T="Authorization: Bearer ${TOKEN:-curl-and-jq}"; J='Content-Type: application/json'
RECEIVER="$MOCK/_mock/sink/curl-and-jq?fail_first=2"

post() { curl -sS --fail-with-body -X POST "$MOCK$1" -H "$T" -H "$J" -d "$2"; }
get() { curl -sS --fail-with-body "$MOCK$1" -H "$T"; }
expect() {  # expect WHAT ACTUAL WANTED: the test fails here when a count is not what it wants
  if [ "$2" != "$3" ]; then echo "FAIL: $1 is $2, not $3" >&2; exit 1; fi
  echo "ok: $1 = $2"
}

post /_mock/reset '{}' >/dev/null  # this token's webhooks, events, deliveries and shop start again
curl -sS --fail-with-body -X DELETE "$MOCK/_mock/sink/curl-and-jq" -H "$T"  # and the sink's count

# Register a webhook. SalesPlay's sample POST goes out at once: the receiver's first 500.
hook=$(post /v1.0/webhook "{\"url\": \"$RECEIVER\", \"event\": \"receipts.update\"}")
expect "the sample POST's outcome" "$(jq .verification.ok <<<"$hook")" false

# Three sales: each sends a receipts.update (to the webhook) and an inventory_levels.update
# (to no one here). The answer has every id made: events, and each event's deliveries.
sold=$(post /_mock/events '{"operation": "sale", "count": 3}')
jq -r '.events[] | "\(.id) \(.type): \(.deliveries | length) delivery(ies)"' <<<"$sold"
expect "receipts sold" "$(jq '[.events[] | select(.type == "receipts.update")] | length' <<<"$sold")" 3

# A type the operation does not send is refused (422), naming the field.
refused=$(curl -sS -X POST "$MOCK/_mock/events" -H "$T" -H "$J" -d '{"type": "receipts.update", "operation": "refund"}')
expect "the refused field" "$(jq -r .error.field <<<"$refused")" type

# One receipt met the receiver's second 500; its retry is due 5 s later. Move the clock.
expect "attempts made by the advance" "$(post /_mock/clock/advance '{"seconds": 60}' | jq .attempts_made)" 1

# Count with the totals: every type, kind and status is named, 0 when there are none.
stats=$(get /_mock/stats)
jq -c '.events.by_type["receipts.update"]' <<<"$stats"  # {"total":4,"by_kind":{"event":3,"sample":1}}
expect "receipts the shop sent" "$(jq '.events.by_type["receipts.update"].by_kind.event' <<<"$stats")" 3
expect "stock changes the shop sent" "$(jq '.events.by_type["inventory_levels.update"].total' <<<"$stats")" 3
expect "deliveries succeeded" "$(jq .deliveries.by_status.succeeded <<<"$stats")" 3
expect "deliveries failed (the sample POST is never retried)" "$(jq .deliveries.by_status.failed <<<"$stats")" 1
expect "deliveries pending" "$(jq .deliveries.by_status.pending <<<"$stats")" 0

# The shop's own events, without the sample's: kind=event.
get "/_mock/events?type=receipts.update&kind=event" | jq -r '.data[].payload.receipts[0].receipt_number'

# The same URL and event registered again would send every receipt twice: a warning says so
# (a server started with --strict refuses it with a 409).
again=$(post /v1.0/webhook "{\"url\": \"$RECEIVER\", \"event\": \"receipts.update\"}")
expect "the warning" "$(jq -r '.warnings[0].code' <<<"$again")" duplicate_webhook
curl -sS --fail-with-body -X DELETE "$MOCK/v1.0/webhook/$(jq -r .id <<<"$again")" -H "$T"
