import { describe, expect, it } from "vitest";
import type { PaymentSummary } from "./bindings";
import { expiringSoon, lapsed, lapsedText, totalsPerCurrency } from "./holds.svelte";

function hold(id: string, currency: string, amountCapturable: number, captureBefore: number | null): PaymentSummary {
  return {
    id,
    created: 0,
    amount: amountCapturable,
    amountCapturable,
    amountReceived: 0,
    currency,
    status: "requires_capture",
    customerEmail: null,
    description: null,
    cardBrand: null,
    cardLast4: null,
    captureBefore,
    amountRefunded: 0,
  };
}

describe("holds", () => {
  it("count those lapsing within 24 hours, not those already lapsed", () => {
    const now = 1_000_000;
    const list = [hold("a", "usd", 1, now + 3600), hold("b", "usd", 1, now + 90_000), hold("c", "usd", 1, now - 1), hold("d", "usd", 1, null)];
    expect(expiringSoon(list, now)).toBe(1);
  });

  it("add up a selection per currency for the one confirmation", () => {
    const list = [hold("a", "usd", 1000, null), hold("b", "eur", 500, null), hold("c", "usd", 250, null)];
    expect(totalsPerCurrency(list)).toEqual([
      { currency: "eur", amount: 500, count: 1 },
      { currency: "usd", amount: 1250, count: 2 },
    ]);
  });

  it("say in words when a lapsed hold lapsed, at the local time", () => {
    const at = new Date(2026, 4, 3, 14, 10).getTime() / 1000;
    expect(lapsedText(at, "en-GB")).toBe(
      "This hold lapsed on 3 May at 14:10; the card can no longer be charged for it. Release is automatic.",
    );
    expect(lapsed(hold("a", "usd", 1, at), at)).toBe(true);
    expect(lapsed(hold("a", "usd", 1, at), at - 1)).toBe(false);
    expect(lapsed(hold("a", "usd", 1, null), at)).toBe(false);
  });
});
