// salesplay-mock for Node test suites: start the mock, drive its shop and clock, assert on
// deliveries. Typed from the server's OpenAPI document (src/openapi.ts, `npm run generate`).

export { connectMock, MockServer, startMock, type StartOptions } from "./mock.js";
export { Merchant, type TriggerOptions } from "./merchant.js";
export type { WaitOptions } from "./assertions.js";
export type { DeliveryFilters } from "./reads.js";
export { Http, MockError, type Answer, type Body, type Query } from "./http.js";
export type { ReadyLine } from "./process.js";
export { serve, type Receiver } from "./receivers.js";
export { seconds } from "./types.js";
export type * from "./types.js";
export type { components, paths } from "./openapi.js";
