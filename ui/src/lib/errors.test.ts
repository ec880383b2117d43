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

  it("never repeats the title in the detail", () => {
    const text = describeError({ code: "amountRefused", reason: "notPositive", detail: "the amount must be more than zero." });
    expect(text.title).toBe("The amount must be more than zero");
    expect(text.detail).toBe("");
    expect(describeError({ code: "amountRefused", reason: "notPositive", detail: "0.00 is not above zero" }).detail).toBe(
      "0.00 is not above zero",
    );
  });

  it("says Stripe's maximum as money in the currency at hand, not as 99999999", () => {
    const text = describeError({ code: "amountRefused", reason: "aboveMaximum", detail: "1000000.00 is above 99999999" }, { currency: "usd" });
    expect(text.title).toBe("That is more than Stripe accepts in one payment: at most $999,999.99");
    expect(text.detail).toBe("1000000.00 is above $999,999.99");
    expect(
      describeError({ code: "checkoutRefused", reason: "totalTooLarge", item: null, detail: "x" }, { currency: "jpy" }).title,
    ).toContain("at most ¥99,999,999");
  });

  it("says the metadata limit with the key Till keeps", () => {
    const text = describeError({ code: "checkoutRefused", reason: "metadataInvalid", item: null, detail: "51 keys" });
    expect(text.fix).toContain("Stripe takes 50 and Till keeps one of them for its own till_operation_id");
  });

  it("says a live key kept from another host was not sent, never that Stripe failed", () => {
    const text = describeError({ code: "liveKeyNotSent", host: "proxy.example.com" });
    expect(text.title).toBe("Till did not send this live key");
    expect(text.detail).toContain("proxy.example.com is neither. Stripe was not contacted.");
    expect(`${text.title} ${text.detail}`).not.toContain("Stripe could not complete");
  });
});
