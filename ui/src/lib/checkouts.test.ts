import { describe, expect, it } from "vitest";
import type { CatalogPrice, DraftItem } from "./bindings";
import { checkoutState, closesIn, customerOf, draftTotal } from "./checkouts";

const catalog: CatalogPrice[] = [
  { id: "price_latte", productName: "Latte", nickname: null, unitAmount: 450, currency: "usd" },
  { id: "price_matcha", productName: "Matcha", nickname: null, unitAmount: 600, currency: "jpy" },
];
const adhoc = (unitAmount: string, currency: string, quantity = 1): DraftItem => ({
  kind: "adhoc",
  name: "x",
  unitAmount,
  currency,
  quantity,
});

describe("draftTotal", () => {
  it("adds catalog and typed-in lines in minor units", () => {
    const items: DraftItem[] = [{ kind: "price", priceId: "price_latte", quantity: 2 }, adhoc("3.50", "usd", 3)];
    expect(draftTotal(items, catalog)).toEqual({ kind: "ok", amount: 900 + 1050, currency: "usd" });
  });
  it("follows each currency's decimals", () => {
    expect(draftTotal([adhoc("1200", "jpy", 2)], catalog)).toEqual({ kind: "ok", amount: 2400, currency: "jpy" });
    expect(draftTotal([adhoc("1.250", "bhd")], catalog)).toEqual({ kind: "ok", amount: 1250, currency: "bhd" });
  });
  it("says which line cannot be read and when currencies are mixed", () => {
    expect(draftTotal([adhoc("3", "usd"), adhoc("", "usd")], catalog)).toEqual({ kind: "incomplete", line: 1 });
    expect(draftTotal([adhoc("3", "usd"), { kind: "price", priceId: "price_matcha", quantity: 1 }], catalog)).toEqual({
      kind: "mixed",
      currencies: ["usd", "jpy"],
    });
    expect(draftTotal([], catalog)).toEqual({ kind: "empty" });
    // A cleared or fractional quantity is not a total.
    expect(draftTotal([adhoc("3", "usd", 1.5)], catalog)).toEqual({ kind: "incomplete", line: 0 });
    expect(draftTotal([{ ...adhoc("3", "usd"), quantity: null as unknown as number }], catalog)).toEqual({
      kind: "incomplete",
      line: 0,
    });
  });
});

describe("the customer field", () => {
  it("takes a customer id or an email", () => {
    expect(customerOf(" cus_123 ")).toEqual({ customerId: "cus_123", customerEmail: null });
    expect(customerOf("ada@example.com")).toEqual({ customerId: null, customerEmail: "ada@example.com" });
    expect(customerOf("  ")).toEqual({ customerId: null, customerEmail: null });
  });
});

describe("the list's words", () => {
  it("counts down to the close and names the payment's state", () => {
    expect(closesIn(1000 + 42 * 60 + 5, 1000)).toBe("closes in 42 min");
    expect(closesIn(1000 + 3 * 3600 + 300, 1000)).toBe("closes in 3 h 5 min");
    expect(closesIn(999, 1000)).toBe("closed");
    expect(checkoutState("open", null, 1000, 2000)).toBe("Open");
    expect(checkoutState("open", null, 3000, 2000)).toBe("Expired");
    expect(checkoutState("complete", "requires_capture", 0, 0)).toBe("Paid · on hold");
    expect(checkoutState("complete", "succeeded", 0, 0)).toBe("Paid");
  });
});
