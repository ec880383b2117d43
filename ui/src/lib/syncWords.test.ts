import { describe, expect, it } from "vitest";
import type { SyncProgress } from "./bindings";
import { clockWords, kindsSummary, kindWords, problemWords } from "./syncWords";

const NOW = 1_800_000_000;

const progress: SyncProgress = {
  accountId: "a",
  phase: "live",
  done: 0,
  remaining: null,
  rate: 0,
  lastSyncedAt: NOW - 60,
  problem: null,
  kinds: [],
  clockSkew: null,
};

describe("the sync's words (issue 17)", () => {
  it("say offline only when nothing answered", () => {
    const offline = problemWords({ kind: "offline", since: NOW - 600, detail: "connection refused" }, NOW - 700, NOW);
    expect(offline.text).toMatch(/^Offline since .*: showing what was cached\. Retrying\.$/u);
    const refused = problemWords(
      {
        kind: "refused",
        since: NOW,
        request: "GET /v1/events",
        status: 404,
        message: "Unrecognized request URL",
        requestId: "req_1",
        retryAt: NOW + 1800,
      },
      NOW - 60,
      NOW,
    );
    expect(refused.text).toContain("Stripe refused GET /v1/events: Unrecognized request URL (HTTP 404; request req_1)");
    expect(refused.text).toContain("Till asks again at");
    expect(refused.text).not.toMatch(/offline/iu);
    expect(problemWords({ kind: "slowDown", since: NOW, request: null }, null, NOW).text).toMatch(
      /^Stripe asked Till to slow down/u,
    );
    const trouble = problemWords(
      { kind: "stripeTrouble", since: NOW, request: "GET /v1/charges", status: 503, message: "busy", requestId: null },
      NOW,
      NOW,
    );
    expect(trouble.text).toBe("Stripe is having trouble (HTTP 503); showing what was cached. Retrying.");
    expect(trouble.tone).toBe("warning");
    expect(problemWords({ kind: "keyMissing" }, null, NOW).action).toBe("replaceKey");
  });

  it("name each kind's trouble while the others carry on", () => {
    expect(
      kindWords({ kind: "checkout_sessions", state: "filterRefused", filter: "created", request: "GET /v1/checkout/sessions", message: "Received unknown parameter: created[gte]" }, NOW),
    ).toBe("Checkouts: Stripe refused the date filter; reading them without it");
    expect(
      kindWords({ kind: "payment_intents", state: "unreadable", count: 3, missing: "amount_received", exampleId: "pi_1" }, NOW),
    ).toBe("Payments: 3 could not be read: missing amount_received; they are not shown");
    expect(
      kindWords(
        { kind: "refunds", state: "refused", request: "GET /v1/refunds", status: 404, message: "Not here", requestId: null, retryAt: NOW + 60 },
        NOW,
      ),
    ).toMatch(/^Refunds: Stripe refused GET \/v1\/refunds: Not here \(HTTP 404\); asking again at /u);
    expect(kindWords({ kind: "payouts", state: "notPermitted", permission: "rak_payout_read" }, NOW)).toBe(
      "Payouts: this account's key may not read them (rak_payout_read)",
    );
    expect(kindsSummary(progress, NOW)).toBeNull();
    expect(
      kindsSummary(
        {
          ...progress,
          kinds: [
            { kind: "checkout_sessions", state: "filterRefused", filter: "created", request: null, message: "x" },
            { kind: "payouts", state: "notPermitted", permission: null },
          ],
        },
        NOW,
      ),
    ).toBe("Checkouts: Stripe refused the date filter; reading them without it (+1 more in Settings)");
  });

  it("say how far this computer's clock is off, past five minutes", () => {
    expect(clockWords(null)).toBeNull();
    expect(clockWords(240)).toBeNull();
    expect(clockWords(7200)).toBe("This computer's clock is 2 h behind Stripe's");
    expect(clockWords(-600)).toBe("This computer's clock is 10 min ahead of Stripe's");
  });
});
