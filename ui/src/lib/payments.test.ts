import { describe, expect, it } from "vitest";
import {
  ariaSort,
  cardBrand,
  countdown,
  dateRange,
  nextSort,
  paymentState,
  statusLabel,
  urgency,
  visibleWindow,
} from "./payments";

describe("visibleWindow", () => {
  it("renders only what is in view plus the overscan", () => {
    expect(visibleWindow(0, 720, 36, 100_000)).toEqual({ start: 0, end: 30 });
    const deep = visibleWindow(36 * 50_000, 720, 36, 100_000);
    expect(deep).toEqual({ start: 49_990, end: 50_030 });
    expect(deep.end - deep.start).toBeLessThan(200);
  });

  it("stops at the last row", () => {
    expect(visibleWindow(36 * 99_990, 720, 36, 100_000)).toEqual({ start: 99_980, end: 100_000 });
    expect(visibleWindow(0, 720, 36, 0)).toEqual({ start: 0, end: 0 });
  });
});

describe("statusLabel", () => {
  it("uses the merchant's words", () => {
    expect(statusLabel("requires_capture")).toBe("Hold");
    expect(statusLabel("requires_payment_method")).toBe("Failed");
    expect(statusLabel("something_new")).toBe("something_new");
  });
});

describe("paymentState", () => {
  const paid = { status: "succeeded", amountReceived: 1000, amountRefunded: 0 };
  it("says a refund changed a paid payment", () => {
    expect(paymentState(paid)).toEqual({ key: "succeeded", label: "Succeeded" });
    expect(paymentState({ ...paid, amountRefunded: 250 })).toEqual({ key: "partially_refunded", label: "Partially refunded" });
    expect(paymentState({ ...paid, amountRefunded: 1000 })).toEqual({ key: "refunded", label: "Refunded" });
  });
  it("leaves other states as they are", () => {
    expect(paymentState({ status: "requires_capture", amountReceived: 0, amountRefunded: 0 }).label).toBe("Hold");
  });
});

describe("hold countdown", () => {
  it("reads in days, hours and minutes and turns amber then red", () => {
    expect(countdown(1000 + 2 * 86_400 + 4 * 3600, 1000)).toBe("expires in 2 d 4 h");
    expect(countdown(1000 + 3 * 3600 + 120, 1000)).toBe("expires in 3 h 2 min");
    expect(countdown(1000, 1000)).toBe("expired");
    expect(urgency(1000 + 30 * 3600, 1000)).toBe("calm");
    expect(urgency(1000 + 20 * 3600, 1000)).toBe("amber");
    expect(urgency(1000 + 3 * 3600, 1000)).toBe("red");
  });
});

describe("date chips", () => {
  const now = new Date(2026, 10, 22, 15, 30);
  const at = (y: number, m: number, d: number) => Math.floor(new Date(y, m, d).getTime() / 1000);

  it("start at local midnights, counting today", () => {
    expect(dateRange("any", now)).toEqual({ from: null, before: null });
    expect(dateRange("today", now)).toEqual({ from: at(2026, 10, 22), before: null });
    expect(dateRange("7d", now)).toEqual({ from: at(2026, 10, 16), before: null });
    expect(dateRange("year", now)).toEqual({ from: at(2026, 0, 1), before: null });
  });

  it("include both custom days and ignore what is not a date", () => {
    expect(dateRange("custom", now, "2026-11-01", "2026-11-03")).toEqual({
      from: at(2026, 10, 1),
      before: at(2026, 10, 4),
    });
    expect(dateRange("custom", now, "", "nope")).toEqual({ from: null, before: null });
  });
});

describe("column sorting", () => {
  it("toggles within a column and starts each column its natural way", () => {
    expect(nextSort("newestFirst", "created")).toBe("oldestFirst");
    expect(nextSort("oldestFirst", "created")).toBe("newestFirst");
    expect(nextSort("newestFirst", "amount")).toBe("largestFirst");
    expect(nextSort("largestFirst", "amount")).toBe("smallestFirst");
    expect(ariaSort("smallestFirst", "amount")).toBe("ascending");
    expect(ariaSort("smallestFirst", "created")).toBe("none");
  });
});

describe("card brands", () => {
  it("read as printed on the card", () => {
    expect(cardBrand("mastercard")).toBe("Mastercard");
    expect(cardBrand("amex")).toBe("American Express");
    expect(cardBrand("newbrand")).toBe("Newbrand");
    expect(cardBrand(null)).toBe("Card");
  });
});
