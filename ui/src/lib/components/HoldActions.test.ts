// @vitest-environment jsdom
import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { commands, type PaymentSummary } from "../bindings";
import { account, done, payment } from "../test/fixtures";
import HoldActions from "./HoldActions.svelte";

const locale = vi.hoisted(() => ({ current: "en-US" }));
vi.mock("../locale", async (importOriginal) => {
  const real = await importOriginal<typeof import("../locale")>();
  return {
    ...real,
    get LOCALE() {
      return locale.current;
    },
  };
});
vi.mock("../bindings", () => ({ commands: { captureHold: vi.fn(), releaseHold: vi.fn() } }));

const captureHold = vi.mocked(commands.captureHold);
const releaseHold = vi.mocked(commands.releaseHold);
const nobody = { operator: null, note: null };
const hold = payment({ id: "pi_hold", status: "requires_capture", currency: "usd", amount: 12000, amountCapturable: 12000, amountReceived: 0 });

function show(h: PaymentSummary = hold) {
  const ondone = vi.fn();
  const view = render(HoldActions, { account: account(), hold: h, ondone });
  const field = screen.getByLabelText<HTMLInputElement>("Capture");
  const capture = screen.getByRole<HTMLButtonElement>("button", { name: "Capture" });
  return { ...view, ondone, field, capture };
}

beforeEach(() => {
  locale.current = "en-US";
  captureHold.mockReset();
  releaseHold.mockReset();
  captureHold.mockResolvedValue({ status: "ok", data: done({ ...hold, status: "succeeded", amountReceived: 5000 }) });
  releaseHold.mockResolvedValue({ status: "ok", data: done({ ...hold, status: "canceled" }) });
});

describe("the capture form", () => {
  it("is prefilled with what is held, as the person writes it", () => {
    expect(show().field.value).toBe("120.00");
  });

  it("is prefilled in the person's own format", () => {
    locale.current = "de-DE";
    expect(show().field.value).toBe("120,00");
  });

  it("captures all that is held, saying nothing is released", async () => {
    const user = userEvent.setup();
    const { capture, ondone } = show();
    expect(screen.queryByTestId("remainder")).toBeNull();
    await user.click(capture);
    expect(captureHold.mock.calls).toEqual([["acct_1", "pi_hold", { minor: 12000, currency: "usd" }, nobody]]);
    expect(ondone).toHaveBeenCalledOnce();
  });

  it("can be edited down, and says the rest goes back to the customer", async () => {
    const user = userEvent.setup();
    const { field, capture } = show();
    await user.clear(field);
    await user.type(field, "50");
    expect(screen.getByTestId("remainder").textContent).toBe("The remaining $70.00 will be released to the customer.");
    await user.type(screen.getByLabelText("Note"), "two of three shipped");
    await user.click(capture);
    expect(captureHold.mock.calls).toEqual([
      ["acct_1", "pi_hold", { minor: 5000, currency: "usd" }, { operator: null, note: "two of three shipped" }],
    ]);
  });

  it("takes nothing above the hold, and says why", async () => {
    const user = userEvent.setup();
    const { field, capture } = show();
    await user.clear(field);
    await user.type(field, "120.01{Enter}");
    expect(screen.getByTestId("amount-reason").textContent).toBe("That is more than the $120.00 held");
    expect(capture.disabled).toBe(true);
    expect(captureHold).not.toHaveBeenCalled();
  });

  it("asks for an amount when the field is cleared, and sends nothing", async () => {
    const user = userEvent.setup();
    const { field, capture } = show();
    await user.clear(field);
    expect(screen.getByTestId("amount-reason").textContent).toBe("Type the amount to capture");
    await user.click(capture);
    expect(captureHold).not.toHaveBeenCalled();
  });

  it("keeps what was typed when a reload brings the same hold back", async () => {
    const user = userEvent.setup();
    const { field, rerender } = show();
    await user.clear(field);
    await user.type(field, "50");
    await rerender({ hold: { ...hold } });
    expect(field.value).toBe("50");
  });

  it("releases the whole hold with its reason", async () => {
    const user = userEvent.setup();
    show();
    await user.click(screen.getByRole("button", { name: "Release…" }));
    await user.selectOptions(screen.getByLabelText("Reason"), "abandoned");
    await user.click(screen.getByRole("button", { name: "Release $120.00 to the customer" }));
    expect(releaseHold.mock.calls).toEqual([["acct_1", "pi_hold", "abandoned", nobody]]);
    expect(captureHold).not.toHaveBeenCalled();
  });
});

describe("a lapsed hold", () => {
  it("offers no Capture and says in words when it lapsed and that release is automatic", () => {
    const at = Math.floor(Date.now() / 1000) - 3600;
    render(HoldActions, { account: account(), hold: { ...hold, captureBefore: at }, ondone: vi.fn() });
    expect(screen.queryByRole("button", { name: "Capture" })).toBeNull();
    expect(screen.queryByLabelText("Capture")).toBeNull();
    const text = screen.getByTestId("hold-lapsed").textContent ?? "";
    expect(text).toMatch(/^This hold lapsed on .+ at .+; the card can no longer be charged for it\. Release is automatic\.$/);
    expect(text).not.toMatch(/\d{10}/);
  });

  it("says the same in words when Stripe refuses a capture because the hold lapsed", async () => {
    const at = Math.floor(Date.now() / 1000) + 3600;
    captureHold.mockResolvedValue({ status: "error", error: { code: "actionRefused", reason: "holdExpired", detail: `capture_before ${at}` } });
    const user = userEvent.setup();
    const { capture } = show({ ...hold, captureBefore: at });
    await user.click(capture);
    expect(screen.getByTestId("hold-lapsed").textContent).toContain("; the card can no longer be charged for it. Release is automatic.");
    expect(screen.getByRole("alert").textContent).not.toContain(String(at));
  });
});

describe("a disabled capture", () => {
  it("says why next to it", async () => {
    const user = userEvent.setup();
    const { field, capture } = show();
    await user.clear(field);
    expect(capture.disabled).toBe(true);
    expect(screen.getByTestId("amount-reason").textContent).toBe("Type the amount to capture");
  });
});

describe("opened from the Overview to capture", () => {
  it("focuses the amount with the held amount selected, so typing replaces it", async () => {
    const user = userEvent.setup();
    render(HoldActions, { account: account(), hold, ondone: vi.fn(), focusAmount: true });
    const field = screen.getByLabelText<HTMLInputElement>("Capture");
    expect(document.activeElement).toBe(field);
    expect([field.selectionStart, field.selectionEnd]).toEqual([0, "120.00".length]);
    await user.keyboard("60");
    expect(field.value).toBe("60");
    await user.click(screen.getByRole("button", { name: "Capture" }));
    expect(captureHold).toHaveBeenCalledWith("acct_1", "pi_hold", { minor: 6000, currency: "usd" }, nobody);
  });

  it("opened from the list, it waits to be clicked", () => {
    const { field } = show();
    expect(document.activeElement).not.toBe(field);
  });
});

describe("a capture whose answer is lost", () => {
  it("says in place that Stripe did not confirm it, and offers nothing more meanwhile", async () => {
    captureHold.mockResolvedValue({ status: "error", error: { code: "outcomeUnknown", operationId: "op_9", detail: "Stripe answered HTTP 500" } });
    const user = userEvent.setup();
    const { capture, ondone } = show();
    await user.click(capture);
    expect(screen.getByTestId("movement-unconfirmed").textContent).toBe(
      "Stripe did not confirm this capture. Till will check with Stripe and tell you; nothing will be captured twice.",
    );
    expect(ondone).not.toHaveBeenCalled();
    expect(screen.queryByRole("button", { name: "Capture" })).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
