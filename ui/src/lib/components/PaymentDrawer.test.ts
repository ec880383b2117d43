// @vitest-environment jsdom
import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { commands, type PaymentDetail, type PaymentSummary } from "../bindings";
import { account, done, payment } from "../test/fixtures";
import PaymentDrawer from "./PaymentDrawer.svelte";
import { movements, settledNow } from "../movements.svelte";

vi.mock("../locale", async (importOriginal) => ({ ...(await importOriginal<typeof import("../locale")>()), LOCALE: "en-US" }));
vi.mock("../bindings", () => ({
  commands: { paymentDetail: vi.fn(), captureHold: vi.fn(), releaseHold: vi.fn(), refundPayment: vi.fn(), openInDashboard: vi.fn() },
  events: { cacheChanged: { listen: () => Promise.resolve(() => undefined) } },
}));

const paymentDetail = vi.mocked(commands.paymentDetail);
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function detailOf(p: PaymentSummary): PaymentDetail {
  const refundable = p.status === "succeeded" ? p.amountReceived - p.amountRefunded : 0;
  return {
    payment: p,
    amountCapturable: p.amountCapturable,
    captured: p.amountReceived,
    refunded: p.amountRefunded,
    refundable,
    fee: { state: "none" },
    customerId: null,
    customerName: null,
    cancellationReason: null,
    metadata: [],
    timeline: [],
    refunds: [],
    rawJson: "{}",
    dashboardUrl: null,
  };
}

const hold = payment({ id: "pi_1", status: "requires_capture", amount: 12000, amountCapturable: 12000, amountReceived: 0 });
const captured = { ...hold, status: "succeeded", amountCapturable: 0, amountReceived: 5000 };

beforeEach(() => {
  paymentDetail.mockReset();
  vi.mocked(commands.captureHold).mockReset();
  vi.mocked(commands.refundPayment).mockReset();
});

/** Nothing that moves money is focused, and no amount field holds an amount. */
function noMoneyActionReady() {
  const focused = document.activeElement;
  expect(focused?.getAttribute("data-testid")).toBe("drawer-done");
  for (const field of screen.queryAllByRole<HTMLInputElement>("textbox")) {
    if (field.classList.contains("amount-input")) expect(field.value).toBe("");
  }
}

describe("the payment drawer after a money movement", () => {
  it("after a capture shows the result and the new state, with no refund prefilled or focused", async () => {
    paymentDetail.mockResolvedValueOnce({ status: "ok", data: detailOf(hold) }).mockResolvedValue({ status: "ok", data: detailOf(captured) });
    vi.mocked(commands.captureHold).mockResolvedValue({ status: "ok", data: done(captured) });
    const user = userEvent.setup();
    render(PaymentDrawer, { account: account(), paymentId: "pi_1", onclose: vi.fn() });
    await settle();
    const field = screen.getByLabelText<HTMLInputElement>("Capture");
    await user.clear(field);
    await user.type(field, "50");
    await user.click(screen.getByRole("button", { name: "Capture" }));
    await settle();
    await settle();
    expect(screen.getByTestId("drawer-done").textContent).toBe(
      "Captured €50.00; €70.00 released to the customer. The payment is now succeeded.",
    );
    // The refund form is there, for a later decision: empty, not focused.
    expect(screen.getByTestId("refund-form")).toBeTruthy();
    expect(screen.getByLabelText<HTMLInputElement>("Amount").value).toBe("");
    noMoneyActionReady();
    // Enter now (the key that just captured) does nothing.
    await user.keyboard("{Enter}");
    expect(commands.refundPayment).not.toHaveBeenCalled();
  });

  it("after a refund leaves the next refund empty, not prefilled with the last amount", async () => {
    const paid = payment({ id: "pi_1", amountReceived: 12000 });
    const refunded = { ...paid, amountRefunded: 500 };
    paymentDetail.mockResolvedValueOnce({ status: "ok", data: detailOf(paid) }).mockResolvedValue({ status: "ok", data: detailOf(refunded) });
    vi.mocked(commands.refundPayment).mockResolvedValue({ status: "ok", data: done(refunded, "re_1") });
    const user = userEvent.setup();
    render(PaymentDrawer, { account: account(), paymentId: "pi_1", onclose: vi.fn() });
    await settle();
    await user.type(screen.getByLabelText("Amount"), "5");
    await user.click(screen.getByRole("button", { name: "Refund" }));
    await settle();
    await settle();
    expect(screen.getByTestId("drawer-done").textContent).toBe("Refund re_1 made: €5.00. The payment is now partially refunded.");
    expect(screen.getByTestId("refund-refundable").textContent).toBe("€115.00");
    expect(screen.getByLabelText<HTMLInputElement>("Amount").value).toBe("");
    noMoneyActionReady();
  });
});

describe("a payment with a movement Stripe did not confirm", () => {
  beforeEach(() => {
    [movements.accountId, movements.unsettled, movements.settled] = ["acct_1", [], []];
  });

  it("says so in the drawer with no refund offered, then what happened once settled", async () => {
    const paid = payment({ id: "pi_1", amountReceived: 12000 });
    paymentDetail.mockResolvedValue({ status: "ok", data: detailOf(paid) });
    const at = new Date();
    at.setHours(14, 2, 0, 0);
    const asked = { operationId: "op_r", kind: "refund" as const, target: "pi_1", amount: 500, currency: "eur", askedAt: 0, detail: null };
    movements.unsettled = [asked];
    render(PaymentDrawer, { account: account(), paymentId: "pi_1", onclose: vi.fn() });
    await settle();
    expect(screen.getByTestId("movement-unconfirmed").textContent).toBe(
      "Stripe did not confirm this refund. Till will check with Stripe and tell you; nothing will be refunded twice.",
    );
    expect(screen.queryByTestId("refund-form")).toBeNull();
    settledNow({ ...asked, accountId: "acct_1", outcome: "succeeded", settledAt: Math.floor(at.getTime() / 1000), resultId: "re_1", detail: null });
    await settle();
    expect(screen.queryByTestId("movement-unconfirmed")).toBeNull();
    expect(screen.getByTestId("movement-settled").textContent).toContain("Refunded €5.00; Stripe confirmed it at 2:02 PM.");
    // The next refund starts afresh.
    expect(screen.getByLabelText<HTMLInputElement>("Amount").value).toBe("");
  });
});
