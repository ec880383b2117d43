// @vitest-environment jsdom
// A hold whose lapse time Stripe did not send (issue 17, 4): it is Stripe's
// silence, unless the sync found that this key may not read charges.
import { render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { accounts } from "../accounts.svelte";
import type { HoldsLoader } from "../holds.svelte";
import { sync } from "../sync.svelte";
import { account, payment } from "../test/fixtures";
import Holds from "./Holds.svelte";

vi.mock("../bindings", () => ({ commands: { captureHold: vi.fn(), releaseHold: vi.fn() } }));

const now = Math.floor(Date.now() / 1000);
const unknown = payment({ id: "pi_x", status: "requires_capture", amount: 900, amountCapturable: 900, amountReceived: 0, captureBefore: null, created: now - 600 });
const holds = { data: [unknown], state: "ready", error: null, reload: () => Promise.resolve() } as unknown as HoldsLoader;

beforeEach(() => {
  accounts.list = [account()];
  accounts.selectedId = "acct_1";
  sync.byAccount = {};
});

describe("a hold without its lapse time", () => {
  it("says Stripe did not say, not that the key is at fault", () => {
    render(Holds, { holds });
    expect(screen.getByText("Lapse time unknown").getAttribute("title")).toBe("Stripe did not say when this hold lapses");
    expect(screen.getByTestId("holds-count").textContent).not.toContain("key");
  });

  it("blames the key only when the sync found it may not read charges", () => {
    sync.byAccount = {
      acct_1: {
        accountId: "acct_1",
        phase: "live",
        done: 0,
        remaining: null,
        rate: 0,
        lastSyncedAt: now,
        problem: null,
        kinds: [{ kind: "charges", state: "notPermitted", permission: "rak_charge_read" }],
        clockSkew: null,
      },
    };
    render(Holds, { holds });
    expect(screen.getByText("Lapse time unknown").getAttribute("title")).toContain("key cannot read charges");
  });
});

describe("lapse times on Stripe's clock (issue 17, 6)", () => {
  it("reads a hold's countdown on Stripe's clock and says this one is off", () => {
    const soon = payment({ id: "pi_soon", status: "requires_capture", amount: 500, amountCapturable: 500, amountReceived: 0, captureBefore: now + 3 * 3600, created: now - 600 });
    sync.byAccount = {
      acct_1: {
        accountId: "acct_1",
        phase: "live",
        done: 0,
        remaining: null,
        rate: 0,
        lastSyncedAt: now,
        problem: null,
        kinds: [],
        // Stripe is two hours ahead: the hold lapses in one hour, not three.
        clockSkew: 7200,
      },
    };
    render(Holds, { holds: { ...holds, data: [soon] } as unknown as HoldsLoader });
    expect(screen.getByTestId("holds-clock").textContent).toContain("This computer's clock is 2 h behind Stripe's");
    expect(screen.getByText(/^(in )?(1 h|59 min|60 min)/u)).toBeTruthy();
  });
});
