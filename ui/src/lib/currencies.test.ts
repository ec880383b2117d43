// The currency-decimals table is Stripe's, kept once in Rust (till-stripe's
// money.rs) and exported through the bindings; the UI's copy in money.ts must
// say the same for every currency, or this fails.

import { describe, expect, it } from "vitest";

import { MAX_AMOUNT, THREE_DECIMAL_CURRENCIES, ZERO_DECIMAL_CURRENCIES } from "./bindings";
import { MAXIMUM_MINOR, currencyDecimals } from "./money";

const rustDecimals = (code: string): number =>
  (ZERO_DECIMAL_CURRENCIES as readonly string[]).includes(code)
    ? 0
    : (THREE_DECIMAL_CURRENCIES as readonly string[]).includes(code)
      ? 3
      : 2;

describe("the currency decimals agree with the Rust client's table", () => {
  const codes = new Set<string>([
    ...ZERO_DECIMAL_CURRENCIES,
    ...THREE_DECIMAL_CURRENCIES,
    ...Intl.supportedValuesOf("currency").map((c) => c.toLowerCase()),
  ]);

  it("covers the currencies this runtime knows", () => {
    expect(codes.size).toBeGreaterThan(100);
  });

  it("for every one of them", () => {
    const disagree = [...codes].filter(
      (code) =>
        currencyDecimals(code) !== rustDecimals(code) ||
        currencyDecimals(code.toUpperCase()) !== rustDecimals(code),
    );
    expect(disagree).toEqual([]);
  });

  it("and on Stripe's largest amount", () => {
    expect(MAXIMUM_MINOR).toBe(MAX_AMOUNT);
  });
});
