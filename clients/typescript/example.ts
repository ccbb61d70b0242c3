// A buyer's purchase typed by schema.d.ts, with nothing but fetch: quote two seats of an offering, buy them at the
// quoted price under the quoted terms, then mint a download token for the entitlement. `tsc --noEmit` checks it
// (tests/test_clients.py), so it fails to compile when the API it uses changes shape.
import type { components, operations } from "./schema";

type Schemas = components["schemas"];
type Problem = Schemas["Problem"];
type Json<T> = { "application/json": T };

// An operation's JSON request body and its body for one status, by the document's operation id.
type Body<Op extends keyof operations> = operations[Op] extends { requestBody?: { content: Json<infer B> } } ? B : never;
type Answer<Op extends keyof operations, Status extends number> = operations[Op]["responses"] extends {
  [S in Status]: { content: Json<infer R> };
}
  ? R
  : never;

export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.title}: ${problem.detail ?? ""}`);
  }
}

async function call<Op extends keyof operations, Status extends number>(
  market: string,
  apiKey: string,
  method: "GET" | "POST",
  path: string,
  expected: Status,
  body?: Body<Op>,
  idempotencyKey?: string,
): Promise<Answer<Op, Status>> {
  const headers: Record<string, string> = { Authorization: `Bearer ${apiKey}`, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (idempotencyKey !== undefined) headers["Idempotency-Key"] = idempotencyKey;
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(`${market}${path}`, init);
  if (response.status !== expected) throw new ProblemError((await response.json()) as Problem);
  return (await response.json()) as Answer<Op, Status>;
}

export async function buySeats(
  market: string,
  apiKey: string,
  offeringId: string,
  seats: number,
): Promise<{ order: Schemas["PlacedOrder"]; token: Schemas["IssuedToken"] | null }> {
  const path = `/api/v1/offerings/${encodeURIComponent(offeringId)}/quote`;
  const quoteRequest: Body<"offerings_quote"> = { side: "buy", quantity: seats };
  const quote = await call<"offerings_quote", 200>(market, apiKey, "POST", path, 200, quoteRequest);
  console.log(`${quote.quantity} seats at ${quote.price} ${quote.currency}: ${quote.amount_incl_tax} with tax`);

  const orderRequest: Body<"orders_place"> = {
    offering: quote.offering,
    side: "buy",
    type: "limit",
    quantity: quote.quantity,
    price: quote.price,
    accepted_terms_sha256: quote.terms_sha256,
  };
  const order = await call<"orders_place", 201>(
    market,
    apiKey,
    "POST",
    "/api/v1/orders",
    201,
    orderRequest,
    crypto.randomUUID(),
  );
  const settlement = order.trades[0]?.settlement;
  if (order.status !== "filled" || !settlement) return { order, token: null };

  // The settlement runs in the background; an entitlement exists once its payment is authorised.
  const entitlements = await call<"entitlements_list", 200>(market, apiKey, "GET", "/api/v1/entitlements", 200);
  const contract = (await call<"settlements_retrieve", 200>(market, apiKey, "GET", `/api/v1/settlements/${settlement}`, 200))
    .contract;
  const entitlement = entitlements.results.find((e) => e.contract === contract && e.status === "active");
  if (!entitlement) return { order, token: null };
  const tokenPath = `/api/v1/entitlements/${entitlement.id}/tokens`;
  const token = await call<"entitlements_mint_token", 201>(market, apiKey, "POST", tokenPath, 201, {});
  return { order, token };
}

// What the types refuse: an order side the API does not know, and a quote without its quantity.
// @ts-expect-error "hold" is not a side
export const wrongSide: Body<"orders_place"> = { offering: "", side: "hold", quantity: 1 };
// @ts-expect-error quantity is required
export const noQuantity: Body<"offerings_quote"> = { side: "buy" };
