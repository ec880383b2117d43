// @vitest-environment jsdom
// Movements whose outcome Stripe did not confirm: the words in place and in
// the banner, and the store that follows them until the journal settles them.
import { render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { tick } from "svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { commands, type SettledMovement, type Unsettled } from "./bindings";
import { settledText, unconfirmedLine, unconfirmedText, describeError } from "./errors";
import { clockAt } from "./time";
import { followMovements, movements, settledNow, settledOn, unsettledOn } from "./movements.svelte";
import MovementsBanner from "./components/MovementsBanner.svelte";

vi.mock("./locale", async (importOriginal) => ({ ...(await importOriginal<typeof import("./locale")>()), LOCALE: "en-US" }));
const heard = vi.hoisted(() => ({ handler: null as ((event: { payload: unknown }) => void) | null }));
vi.mock("./bindings", () => ({
  commands: { unsettledMovements: vi.fn(), checkMovements: vi.fn() },
  events: {
    movementSettled: {
      listen: (handler: (event: { payload: unknown }) => void) => {
        heard.handler = handler;
        return Promise.resolve(() => undefined);
      },
    },
  },
}));

const unsettledMovements = vi.mocked(commands.unsettledMovements);
const checkMovements = vi.mocked(commands.checkMovements);

/** Today at 14:02, local time. */
function todayAt(hours: number, minutes: number): number {
  const date = new Date();
  date.setHours(hours, minutes, 0, 0);
  return Math.floor(date.getTime() / 1000);
}

const capture: Unsettled = {
  operationId: "op_c",
  kind: "capture",
  target: "pi_hold",
  amount: 6000,
  currency: "eur",
  askedAt: todayAt(14, 1),
  detail: "Stripe answered HTTP 500",
};
const refund: Unsettled = { ...capture, operationId: "op_r", kind: "refund", target: "pi_paid", amount: 500, currency: "usd" };

function settled(u: Unsettled, outcome: "succeeded" | "failed" = "succeeded"): SettledMovement {
  return {
    accountId: "acct_1",
    operationId: u.operationId,
    kind: u.kind,
    target: u.target,
    amount: u.amount,
    currency: u.currency,
    outcome,
    settledAt: todayAt(14, 2),
    resultId: u.target,
    detail: outcome === "failed" ? "not found at Stripe after the idempotency window: it did not happen" : null,
  };
}

beforeEach(async () => {
  unsettledMovements.mockReset();
  checkMovements.mockReset();
  unsettledMovements.mockResolvedValue({ status: "ok", data: [capture, refund] });
  // Another account first: following acct_1 starts from nothing.
  movements.accountId = null;
  await followMovements("acct_1");
});

describe("the words", () => {
  it("say in place that Stripe did not confirm, that Till will tell, and that nothing is done twice", () => {
    expect(unconfirmedText("capture")).toBe(
      "Stripe did not confirm this capture. Till will check with Stripe and tell you; nothing will be captured twice.",
    );
    expect(unconfirmedText("refund")).toBe(
      "Stripe did not confirm this refund. Till will check with Stripe and tell you; nothing will be refunded twice.",
    );
    expect(describeError({ code: "outcomeUnknown", operationId: "op_1", detail: "HTTP 500" }, { movement: "refund" }).title).toBe(
      unconfirmedText("refund"),
    );
  });

  it("name the movement, its money, its object and when it was asked, in the banner", () => {
    expect(unconfirmedLine(capture)).toBe(
      "Stripe did not confirm the capture of €60.00 on pi_hold (asked at 2:01 PM). Till will check with Stripe and tell you; nothing will be captured twice.",
    );
  });

  it("say what happened once settled, and when Stripe confirmed it", () => {
    expect(settledText(settled(capture))).toBe("Captured €60.00; Stripe confirmed it at 2:02 PM.");
    expect(settledText(settled(refund))).toBe("Refunded $5.00; Stripe confirmed it at 2:02 PM.");
    expect(settledText(settled(refund, "failed"))).toBe(
      "Not refunded: Stripe confirmed at 2:02 PM that the refund of $5.00 did not happen. Nothing was paid back.",
    );
  });

  it("give the day too when it was not today", () => {
    const yesterday = todayAt(14, 2) - 86_400;
    expect(clockAt(yesterday, "en-US")).toMatch(/^[A-Z][a-z]+ \d+ at 2:02 PM$/);
  });
});

describe("the movements of the account on screen", () => {
  it("are read from the journal and leave the unsettled list when an event says they settled", () => {
    expect(movements.unsettled.map((u) => u.operationId)).toEqual(["op_c", "op_r"]);
    expect(unsettledOn("pi_hold")?.kind).toBe("capture");
    heard.handler?.({ payload: settled(capture) });
    expect(unsettledOn("pi_hold")).toBeNull();
    expect(settledOn("pi_hold")?.outcome).toBe("succeeded");
    // Another account's are not ours.
    heard.handler?.({ payload: { ...settled(refund), accountId: "acct_other" } });
    expect(unsettledOn("pi_paid")?.operationId).toBe("op_r");
  });

  it("are shown in a banner until settled, then what happened, until dismissed", async () => {
    const user = userEvent.setup();
    render(MovementsBanner);
    const banner = screen.getByTestId("movements-banner");
    expect(within(banner).getAllByTestId("banner-unconfirmed").map((p) => p.textContent)).toEqual([
      expect.stringContaining("Stripe did not confirm the capture of €60.00 on pi_hold"),
      expect.stringContaining("Stripe did not confirm the refund of $5.00 on pi_paid"),
    ]);
    // Asking Stripe now settles the capture; the refund is still unknown.
    checkMovements.mockResolvedValue({ status: "ok", data: [settled(capture)] });
    unsettledMovements.mockResolvedValue({ status: "ok", data: [refund] });
    await user.click(within(banner).getByRole("button", { name: "Check with Stripe now" }));
    expect(checkMovements).toHaveBeenCalledWith("acct_1");
    expect(within(banner).getAllByTestId("banner-unconfirmed")).toHaveLength(1);
    expect(within(banner).getByTestId("banner-settled").textContent).toContain("Captured €60.00; Stripe confirmed it at 2:02 PM.");
    settledNow(settled(refund));
    await tick();
    expect(within(banner).queryAllByTestId("banner-unconfirmed")).toHaveLength(0);
    expect(within(banner).queryByRole("button", { name: "Check with Stripe now" })).toBeNull();
    for (const dismiss of within(banner).getAllByRole("button", { name: "Dismiss" })) await user.click(dismiss);
    expect(screen.queryByTestId("movements-banner")).toBeNull();
  });

  it("keep one settled while the journal was read as settled", async () => {
    unsettledMovements.mockImplementation(() => {
      // Settled while the read runs: its answer still lists it.
      settledNow(settled(capture));
      return Promise.resolve({ status: "ok", data: [capture, refund] });
    });
    movements.accountId = null;
    await followMovements("acct_1");
    expect(movements.unsettled.map((u) => u.operationId)).toEqual(["op_r"]);
  });
});
