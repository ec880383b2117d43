// Objects as the core sends them, for component tests.
import type { Account, Done, PaymentSummary } from "../bindings";

export function account(overrides: Partial<Account> = {}): Account {
  return {
    id: "acct_1",
    displayName: "Ada's Café",
    livemode: false,
    restricted: false,
    keyLast4: "4242",
    addedAt: 0,
    isDemo: false,
    capabilities: { readPayments: true, capture: true, refund: true, createCheckouts: true, export: true },
    ...overrides,
  };
}

export function payment(overrides: Partial<PaymentSummary> = {}): PaymentSummary {
  return {
    id: "pi_1",
    created: 1_800_000_000,
    amount: 12000,
    amountCapturable: 0,
    amountReceived: 12000,
    currency: "eur",
    status: "succeeded",
    customerEmail: "ada@example.com",
    description: null,
    cardBrand: "visa",
    cardLast4: "4242",
    captureBefore: null,
    amountRefunded: 0,
    ...overrides,
  };
}

export function done(p: PaymentSummary, refundId: string | null = null): Done {
  return { operationId: "op_1", payment: p, refundId };
}
