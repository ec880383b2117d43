// Stripe's refusals in the merchant's words: every kind the core sends has
// words of its own, a declined card says why, and a code Till does not know
// still shows Stripe's message and the request id.
import { describe, expect, it } from "vitest";
import type { StripeFailure, StripeProblem, StripeRefusal, TillError } from "./bindings";
import { describeError } from "./errors";

// Every kind, checked by the compiler: a kind added to the core and missing
// here (or one that no longer exists) fails `npm run check`.
const EVERY_KIND: Record<StripeProblem, true> = {
  cardDeclined: true,
  authenticationRequired: true,
  chargeExpiredForCapture: true,
  chargeAlreadyCaptured: true,
  chargeAlreadyRefunded: true,
  chargeDisputed: true,
  amountTooLarge: true,
  amountTooSmall: true,
  resourceMissing: true,
  unexpectedState: true,
  permissionMissing: true,
  keyNotAccepted: true,
  rateLimited: true,
  idempotencyError: true,
  other: true,
};
const KINDS = Object.keys(EVERY_KIND) as StripeProblem[];

function refused(kind: StripeProblem, fields: Partial<StripeRefusal> = {}): TillError {
  return {
    code: "stripeRefused",
    refusal: {
      kind,
      stripeType: "invalid_request_error",
      stripeCode: null,
      declineCode: null,
      param: null,
      permission: null,
      message: "Stripe's own sentence.",
      requestId: "req_123",
      request: null,
      status: null,
      ...fields,
    },
  };
}

describe("Stripe's refusals", () => {
  it("word every kind on its own, never with the fallback", () => {
    const fallback = describeError(refused("other")).title;
    expect(fallback).toBe("Stripe refused the request");
    const titles = new Map<string, StripeProblem>();
    for (const kind of KINDS.filter((k) => k !== "other")) {
      const text = describeError(refused(kind));
      expect(text.title, kind).not.toBe(fallback);
      expect(text.title.length, kind).toBeGreaterThan(10);
      expect(text.fix, kind).toBeTruthy();
      expect(titles.get(text.title), `${kind} says what ${titles.get(text.title)} says`).toBeUndefined();
      titles.set(text.title, kind);
      // Stripe's own words and the request id stay beneath, for support.
      expect(text.detail, kind).toContain("Stripe's own sentence.");
      expect(text.detail, kind).toContain("req_123");
    }
    expect(titles.size).toBe(KINDS.length - 1);
  });

  it("say why a card was declined, each common reason in its own words", () => {
    const reasons = [
      ["card_declined", "insufficient_funds", "The card was declined: there is not enough money on the card"],
      ["card_declined", "lost_card", "The card was declined: the card was reported lost"],
      ["card_declined", "stolen_card", "The card was declined: the card was reported stolen"],
      ["expired_card", "expired_card", "The card was declined: the card has expired"],
      ["incorrect_cvc", "incorrect_cvc", "The card was declined: the security code (CVC) is wrong"],
      ["processing_error", "processing_error", "The card was declined: an error occurred while processing the card"],
      ["card_declined", "do_not_honor", "The card was declined: the bank gave no reason"],
      ["card_declined", "generic_decline", "The card was declined: the bank gave no reason"],
      ["card_declined", "fraudulent", "The card was declined: it looks like fraud"],
      ["card_declined", "card_velocity_exceeded", "The card was declined: the card is over its limit"],
    ] as const;
    for (const [code, decline, title] of reasons) {
      const text = describeError(
        refused("cardDeclined", { stripeType: "card_error", stripeCode: code, declineCode: decline, message: "Your card was declined." }),
      );
      expect(text.title, decline).toBe(title);
      expect(text.fix, decline).toBeTruthy();
      expect(text.detail, decline).toContain(code);
      expect(text.detail, decline).toContain("req_123");
      if (decline !== code) expect(text.detail, decline).toContain(decline);
    }
    // The issuer's reason decides, not Stripe's generic code.
    expect(
      describeError(refused("cardDeclined", { stripeCode: "card_declined", declineCode: "lost_card" })).fix,
    ).toContain("Do not try this card again");
    // An issuer's reason Till does not know: declined, with Stripe's message.
    const unknown = describeError(
      refused("cardDeclined", { stripeCode: "card_declined", declineCode: "new_reason", message: "Your card was declined for a new reason." }),
    );
    expect(unknown.title).toBe("The card was declined");
    expect(unknown.detail).toBe("Your card was declined for a new reason. (card_declined, new_reason; request req_123)");
  });

  it("name the permission a restricted key lacks", () => {
    const text = describeError(refused("permissionMissing", { permission: "rak_refund_write" }));
    expect(text.title).toBe("This account's key does not allow that: it lacks rak_refund_write");
    expect(text.fix).toContain("API keys");
    expect(describeError(refused("permissionMissing")).title).toBe("This account's key does not allow that");
  });

  it("show Stripe's message, code and request id for a code Till does not know", () => {
    const text = describeError(
      refused("other", {
        stripeCode: "refund_window_closed",
        message: "Refunds for this charge are no longer possible.",
        requestId: "req_unknown_1",
      }),
    );
    expect(text.title).toBe("Stripe refused the request");
    expect(text.detail).toBe("Refunds for this charge are no longer possible. (refund_window_closed; request req_unknown_1)");
    expect(text.fix).toBeUndefined();
    // Without a request id, or a code, Stripe's message still reads alone.
    expect(describeError(refused("other", { requestId: null, message: "Nope." })).detail).toBe("Nope.");
  });
});

describe("a Stripe error names what Till was doing and the request (issue 17, 5)", () => {
  it("puts the request before Stripe's words, and what Till was doing before that", () => {
    const error = refused("resourceMissing", {
      request: "GET /v1/account",
      status: 404,
      message: "Unrecognized request URL (GET: /v1/account).",
    });
    const text = describeError(error, { doing: "Checking the key with Stripe" });
    expect(text.detail).toBe(
      "Checking the key with Stripe: GET /v1/account: Unrecognized request URL (GET: /v1/account). (request req_123)",
    );
  });

  it("calls nothing offline unless nothing answered", () => {
    const failed = (kind: StripeFailure): TillError => ({
      code: "stripe",
      detail: "GET /v1/balance: Stripe answered HTTP 503: busy",
      requestId: null,
      request: "GET /v1/balance",
      kind,
    });
    expect(describeError(failed({ kind: "unreachable" })).title).toBe("Stripe could not be reached");
    expect(describeError(failed({ kind: "serverError", status: 503 })).title).toBe("Stripe is having trouble");
    expect(describeError(failed({ kind: "serverError", status: 503 }), { doing: "Refunding" }).detail).toBe(
      "Refunding: GET /v1/balance: Stripe answered HTTP 503: busy",
    );
  });
});
