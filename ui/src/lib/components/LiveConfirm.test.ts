// @vitest-environment jsdom
import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { commands } from "../bindings";
import { account, done, payment } from "../test/fixtures";
import HoldActions from "./HoldActions.svelte";
import LiveConfirm from "./LiveConfirm.svelte";
import RefundForm from "./RefundForm.svelte";

vi.mock("../locale", async (importOriginal) => ({ ...(await importOriginal<typeof import("../locale")>()), LOCALE: "en-US" }));
vi.mock("../bindings", () => ({ commands: { refundPayment: vi.fn(), captureHold: vi.fn(), releaseHold: vi.fn() } }));

const refundPayment = vi.mocked(commands.refundPayment);
const captureHold = vi.mocked(commands.captureHold);
const nobody = { operator: null, note: null };
const live = account({ livemode: true });

function refundForm(which = live) {
  render(RefundForm, { account: which, paymentId: "pi_1", refundable: 12000, currency: "eur", customer: "Ada Lovelace", ondone: vi.fn() });
  return { field: screen.getByLabelText<HTMLInputElement>("Amount") };
}

const prompt = () => screen.queryByTestId("live-confirm")?.textContent?.replace(/\s+/g, " ").trim() ?? null;

beforeEach(() => {
  refundPayment.mockReset();
  captureHold.mockReset();
  refundPayment.mockResolvedValue({ status: "ok", data: done(payment(), "re_1") });
  captureHold.mockResolvedValue({ status: "ok", data: done(payment()) });
});

describe("the live confirmation", () => {
  it("asks on the first press, restating amount, currency and customer, and sends on the second", async () => {
    const user = userEvent.setup();
    const { field } = refundForm();
    await user.type(field, "12.50");
    await user.click(screen.getByRole("button", { name: "Refund" }));
    expect(refundPayment).not.toHaveBeenCalled();
    expect(prompt()).toBe("LIVE: Refund €12.50 (EUR) to Ada Lovelace? Press “Yes, refund” to confirm. Cancel");

    await user.click(screen.getByRole("button", { name: "Yes, refund" }));
    expect(refundPayment.mock.calls).toEqual([["acct_1", "pi_1", { minor: 1250, currency: "eur" }, "requestedByCustomer", nobody]]);
    expect(prompt()).toBeNull();
  });

  it("asks again when what it restated is edited", async () => {
    const user = userEvent.setup();
    const { field } = refundForm();
    await user.type(field, "12.50");
    await user.click(screen.getByRole("button", { name: "Refund" }));
    expect(prompt()).toContain("€12.50 (EUR)");

    await user.type(field, "{Backspace}5");
    expect(prompt()).toBeNull();
    await user.click(screen.getByRole("button", { name: "Refund" }));
    expect(refundPayment).not.toHaveBeenCalled();
    expect(prompt()).toContain("Refund €12.55 (EUR) to Ada Lovelace?");
  });

  it("asks again when the note or reason changes", async () => {
    const user = userEvent.setup();
    const { field } = refundForm();
    await user.type(field, "5");
    await user.click(screen.getByRole("button", { name: "Refund" }));
    await user.type(screen.getByLabelText("Note"), "x");
    expect(prompt()).toBeNull();
    expect(refundPayment).not.toHaveBeenCalled();
  });

  it("can be cancelled", async () => {
    const user = userEvent.setup();
    refundForm();
    await user.click(screen.getByTestId("refund-all"));
    expect(prompt()).toContain("LIVE: Refund all of €120.00 (EUR) to Ada Lovelace?");
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(prompt()).toBeNull();
    await user.click(screen.getByTestId("refund-all"));
    expect(refundPayment).not.toHaveBeenCalled();
    await user.click(screen.getByTestId("refund-all"));
    expect(refundPayment.mock.calls).toEqual([["acct_1", "pi_1", null, "requestedByCustomer", nobody]]);
  });

  it("is not asked on a test account", async () => {
    const user = userEvent.setup();
    const { field } = refundForm(account({ livemode: false }));
    await user.type(field, "12.50");
    await user.click(screen.getByRole("button", { name: "Refund" }));
    expect(prompt()).toBeNull();
    expect(refundPayment).toHaveBeenCalledOnce();
  });

  it("restates a capture and whom it is taken from", async () => {
    const user = userEvent.setup();
    const hold = payment({ id: "pi_hold", status: "requires_capture", currency: "jpy", amount: 5000, amountCapturable: 5000, customerEmail: "kenji@example.jp" });
    render(HoldActions, { account: live, hold, ondone: vi.fn() });
    const field = screen.getByLabelText<HTMLInputElement>("Capture");
    await user.clear(field);
    await user.type(field, "3,000{Enter}");
    expect(captureHold).not.toHaveBeenCalled();
    expect(prompt()).toContain("LIVE: Capture ¥3,000 (JPY) from kenji@example.jp?");
    await user.type(field, "{Enter}");
    expect(captureHold.mock.calls).toEqual([["acct_1", "pi_hold", { minor: 3000, currency: "jpy" }, nobody]]);
  });

  it("keeps asking when a reload brings the same question back", async () => {
    const user = userEvent.setup();
    const onconfirm = vi.fn();
    const props = { live: true, action: "Expire the checkout of", customer: "ada@example.com", label: "Expire", onconfirm };
    const { rerender } = render(LiveConfirm, { ...props, amounts: [{ minor: 4250, currency: "bhd" }] });
    await user.click(screen.getByRole("button", { name: "Expire" }));
    // (Spaces, no-break ones included, read as one space.)
    expect(prompt()).toContain("LIVE: Expire the checkout of BHD 4.250 for ada@example.com?");
    await rerender({ ...props, amounts: [{ minor: 4250, currency: "bhd" }] });
    expect(prompt()).not.toBeNull();
    await rerender({ ...props, amounts: [{ minor: 4260, currency: "bhd" }] });
    expect(prompt()).toBeNull();
    expect(onconfirm).not.toHaveBeenCalled();
  });

  it("does nothing while disabled, whatever clicks it", async () => {
    const onconfirm = vi.fn();
    render(LiveConfirm, { live: false, action: "Refund", amounts: [], customer: null, label: "Refund", disabled: true, onconfirm });
    screen.getByRole("button", { name: "Refund" }).dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(onconfirm).not.toHaveBeenCalled();
  });
});
