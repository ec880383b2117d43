import { describe, expect, it } from "vitest";
import type { CatalogPrice } from "./bindings";
import { checkoutState, closesIn, customerOf, draftItems, draftTotal, formLines, type FormLine } from "./checkouts";

const catalog: CatalogPrice[] = [
  { id: "price_latte", productName: "Latte", nickname: null, unitAmount: 450, currency: "usd" },
  { id: "price_matcha", productName: "Matcha", nickname: null, unitAmount: 600, currency: "jpy" },
];
const adhoc = (price: string, currency: string, quantity = 1): FormLine => ({
  kind: "adhoc",
  name: "x",
  price,
  currency,
  quantity,
});

describe("draftTotal", () => {
  it("adds catalog and typed-in lines in minor units", () => {
    const items: FormLine[] = [{ kind: "price", priceId: "price_latte", quantity: 2 }, adhoc("3.50", "usd", 3)];
    expect(draftTotal(items, catalog, "en-US")).toEqual({ kind: "ok", amount: 900 + 1050, currency: "usd" });
  });
  it("follows each currency's decimals", () => {
    expect(draftTotal([adhoc("1200", "jpy", 2)], catalog, "en-US")).toEqual({ kind: "ok", amount: 2400, currency: "jpy" });
    expect(draftTotal([adhoc("1.250", "bhd")], catalog, "en-US")).toEqual({ kind: "ok", amount: 1250, currency: "bhd" });
  });
  it("says which line cannot be read and when currencies are mixed", () => {
    expect(draftTotal([adhoc("3", "usd"), adhoc("", "usd")], catalog)).toEqual({ kind: "incomplete", line: 1 });
    // Read in the person's locale: "3,50" is a price in de-DE, not in en-US.
    expect(draftTotal([adhoc("3,50", "eur", 2)], catalog, "de-DE")).toEqual({ kind: "ok", amount: 700, currency: "eur" });
    expect(draftTotal([adhoc("3,50", "eur", 2)], catalog, "en-US")).toEqual({ kind: "incomplete", line: 0 });
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

describe("draftItems", () => {
  it("sends typed-in prices as minor units, read once in the person's locale", () => {
    const lines: FormLine[] = [adhoc("12,50", "eur", 2), { kind: "price", priceId: "price_latte", quantity: 1 }];
    expect(draftItems(lines, "de-DE")).toEqual({
      ok: true,
      items: [
        { kind: "adhoc", name: "x", unitAmount: 1250, currency: "eur", quantity: 2 },
        { kind: "price", priceId: "price_latte", quantity: 1 },
      ],
    });
  });
  it("refuses a price it cannot read, with its line and the core's reason, and sends nothing", () => {
    expect(draftItems([adhoc("3", "usd"), adhoc("-5", "usd")], "en-US")).toEqual({
      ok: false,
      line: 1,
      reason: "priceNotPositive",
      amountReason: "notPositive",
    });
    expect(draftItems([adhoc("12.5", "jpy")], "en-US")).toEqual({
      ok: false,
      line: 0,
      reason: "priceInvalid",
      amountReason: "tooManyDecimals",
    });
  });
  it("sends a cleared or fractional quantity as 0 for the core to refuse with its line", () => {
    const result = draftItems([adhoc("3", "usd", 1.5)], "en-US");
    expect(result.ok && result.items[0]?.quantity).toBe(0);
  });
  it("shows a duplicated checkout's prices as the person types them", () => {
    const draft = [{ kind: "adhoc" as const, name: "Cake", unitAmount: 4250, currency: "eur", quantity: 1 }];
    expect(formLines(draft, "usd", "de-DE")).toEqual([{ kind: "adhoc", name: "Cake", price: "42,50", currency: "eur", quantity: 1 }]);
    expect(formLines([], "usd")).toEqual([{ kind: "adhoc", name: "", price: "", currency: "usd", quantity: 1 }]);
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
    expect(closesIn(999, 1000)).toBe("closing now");
    expect(checkoutState("open", null)).toBe("Open");
    // Stripe says open: open, whatever this computer's clock says (issue 17, 6).
    expect(checkoutState("expired", null)).toBe("Expired");
    expect(checkoutState("complete", "requires_capture")).toBe("Paid · on hold");
    expect(checkoutState("complete", "succeeded")).toBe("Paid");
  });
});
