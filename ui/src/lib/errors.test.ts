import { describe, expect, it } from "vitest";
import type { TillError } from "./bindings";
import { describeError } from "./errors";

describe("describeError", () => {
  it("passes the keychain fix through to the user", () => {
    const err: TillError = { code: "keychainUnavailable", detail: "no secret service", fix: "Install gnome-keyring" };
    expect(describeError(err)).toEqual({
      title: "Your system keychain is not available",
      detail: "no secret service",
      fix: "Install gnome-keyring",
    });
  });

  it("explains a refused key and how to fix it", () => {
    const text = describeError({ code: "keyRejected", reason: "cannotReadPayments", detail: "403" });
    expect(text.title).toBe("This restricted key cannot read payments");
    expect(text.fix).toContain("PaymentIntents: Read");
  });

  it("says a newer Till's database was left untouched", () => {
    const text = describeError({ code: "store", detail: "schema 9", newerVersion: true });
    expect(text.fix).toContain("Nothing was changed");
  });

  it("names the folder Till cannot use", () => {
    const text = describeError({ code: "dataDirUnusable", path: "/data", detail: "read-only" });
    expect(text.detail).toBe("/data: read-only");
    expect(text.fix).toContain("TILL_DATA_DIR");
  });

  it("words every refused amount, action and checkout for the merchant, with the core's detail beneath", () => {
    const cases: [TillError, string][] = [
      [{ code: "amountRefused", reason: "notPositive", detail: "0" }, "The amount must be more than zero"],
      [{ code: "amountRefused", reason: "aboveMaximum", detail: "x" }, "That is more than Stripe accepts in one payment"],
      [{ code: "amountRefused", reason: "aboveCapturable", detail: "x" }, "That is more than the hold"],
      [{ code: "amountRefused", reason: "aboveRefundable", detail: "x" }, "That is more than can still be refunded"],
      [{ code: "amountRefused", reason: "tooManyDecimals", detail: "x" }, "That currency does not have so many decimals"],
      [{ code: "amountRefused", reason: "notMultipleOfTen", detail: "x" }, "That currency takes amounts in steps of 0.010"],
      [{ code: "amountRefused", reason: "wrongCurrency", detail: "eur, not usd" }, "That amount is in another currency than the payment"],
      [{ code: "actionRefused", reason: "holdExpired", detail: "x" }, "The card's hold has expired"],
      [{ code: "actionRefused", reason: "notPermitted", detail: "x" }, "This account's key does not allow that"],
      [{ code: "actionRefused", reason: "uncapturedUseRelease", detail: "x" }, "This payment is not captured: capture less or release it instead"],
      [{ code: "notFound", id: "pi_nope" }, "Nothing with that id in this account"],
      [{ code: "checkoutRefused", reason: "mixedCurrencies", item: 1, detail: "x" }, "One checkout is paid in one currency"],
      [{ code: "checkoutRefused", reason: "expiryOutOfRange", item: null, detail: "x" }, "A checkout stays open between 30 minutes and 24 hours"],
    ];
    for (const [error, title] of cases) {
      const text = describeError(error);
      expect(text.title).toBe(title);
      expect(text.detail.length).toBeGreaterThan(0);
    }
    expect(describeError({ code: "checkoutRefused", reason: "successUrlMissing", item: null, detail: "x" }).fix).toContain(
      "remembers",
    );
    expect(describeError({ code: "outcomeUnknown", operationId: "op_1", detail: "x" }).fix).toContain("Nothing will be done twice");
  });
});
