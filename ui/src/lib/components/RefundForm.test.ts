// @vitest-environment jsdom
import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { commands } from "../bindings";
import { account, done, payment } from "../test/fixtures";
import RefundForm from "./RefundForm.svelte";

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
vi.mock("../bindings", () => ({ commands: { refundPayment: vi.fn() } }));

const refundPayment = vi.mocked(commands.refundPayment);
const nobody = { operator: null, note: null };

function show(overrides: { refundable?: number; currency?: string } = {}) {
  const ondone = vi.fn();
  render(RefundForm, {
    account: account(),
    paymentId: "pi_1",
    refundable: overrides.refundable ?? 12000,
    currency: overrides.currency ?? "eur",
    customer: "Ada Lovelace",
    ondone,
  });
  const field = screen.getByLabelText<HTMLInputElement>("Amount");
  const refund = screen.getByRole<HTMLButtonElement>("button", { name: "Refund" });
  return { ondone, field, refund };
}

beforeEach(() => {
  locale.current = "en-US";
  refundPayment.mockReset();
  refundPayment.mockResolvedValue({ status: "ok", data: done(payment({ amountRefunded: 1250 }), "re_1") });
});

describe("the refund form", () => {
  it("starts empty, with Refund all as a button of its own", () => {
    const { field, refund } = show();
    expect(field.value).toBe("");
    expect(refund.disabled).toBe(true);
    expect(screen.getByTestId("refund-all").textContent?.trim()).toBe("Refund all (€120.00)");
    expect(screen.getByTestId("refund-refundable").textContent).toBe("€120.00");
  });

  it("sends null for Refund all: everything refundable", async () => {
    const user = userEvent.setup();
    const { ondone } = show();
    await user.click(screen.getByTestId("refund-all"));
    expect(refundPayment.mock.calls).toEqual([["acct_1", "pi_1", null, "requestedByCustomer", nobody]]);
    expect(ondone).toHaveBeenCalledOnce();
  });

  it("sends what a German types, in minor units of the payment's currency", async () => {
    locale.current = "de-DE";
    const user = userEvent.setup();
    const { field, refund } = show();
    expect(screen.getByTestId("refund-all").textContent?.trim()).toBe("Refund all (120,00\u00a0€)");
    await user.type(field, "12,50");
    await user.selectOptions(screen.getByLabelText("Reason"), "duplicate");
    await user.type(screen.getByLabelText("Note"), " wrong size ");
    await user.click(refund);
    expect(refundPayment.mock.calls).toEqual([
      ["acct_1", "pi_1", { minor: 1250, currency: "eur" }, "duplicate", { operator: null, note: "wrong size" }],
    ]);
  });

  it("sends on Enter in the amount field", async () => {
    const user = userEvent.setup();
    const { field } = show({ refundable: 200_000 });
    await user.type(field, "1,250.00{Enter}");
    expect(refundPayment.mock.calls).toEqual([["acct_1", "pi_1", { minor: 125000, currency: "eur" }, "requestedByCustomer", nobody]]);
  });

  it("says why too many decimals are no amount, and sends nothing", async () => {
    locale.current = "de-DE";
    const user = userEvent.setup();
    const { field, refund } = show();
    await user.type(field, "12,505");
    expect(screen.getByTestId("amount-reason").textContent).toBe("EUR takes at most 2 decimals");
    expect(field.getAttribute("aria-invalid")).toBe("true");
    expect(refund.disabled).toBe(true);
    await user.type(field, "{Enter}");
    expect(refundPayment).not.toHaveBeenCalled();
    await user.click(refund);
    expect(refundPayment).not.toHaveBeenCalled();
    // Fixed, the reason goes.
    await user.type(field, "{Backspace}");
    expect(screen.queryByTestId("amount-reason")).toBeNull();
    expect(refund.disabled).toBe(false);
  });

  it("refuses \"12,50\" where a comma groups thousands, saying how to write it", async () => {
    const user = userEvent.setup();
    const { field, refund } = show();
    await user.type(field, "12,50");
    expect(screen.getByTestId("amount-reason").textContent).toBe("That could be read two ways: type it like 1,234.50");
    expect(refund.disabled).toBe(true);
  });

  it("never sends more than is refundable", async () => {
    const user = userEvent.setup();
    const { field, refund } = show({ refundable: 1000 });
    await user.type(field, "10.01");
    expect(screen.getByTestId("amount-reason").textContent).toBe("That is more than the €10.00 still refundable");
    await user.type(field, "{Enter}");
    await user.click(refund);
    expect(refundPayment).not.toHaveBeenCalled();
  });

  it("shows the core's refusal in words until the amount changes", async () => {
    refundPayment.mockResolvedValue({ status: "error", error: { code: "amountRefused", reason: "aboveRefundable", detail: "x" } });
    const user = userEvent.setup();
    const { field, refund, ondone } = show();
    await user.type(field, "5");
    await user.click(refund);
    expect(screen.getByRole("alert").textContent).toContain("That is more than can still be refunded");
    expect(ondone).not.toHaveBeenCalled();
    await user.type(field, "0");
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

describe("the disabled Refund button", () => {
  it("says why next to it while the amount is empty", () => {
    render(RefundForm, { account: account(), paymentId: "pi_1", refundable: 1000, currency: "eur", customer: "ada@example.com", ondone: vi.fn() });
    expect(screen.getByRole<HTMLButtonElement>("button", { name: "Refund" }).disabled).toBe(true);
    expect(screen.getByTestId("amount-reason").textContent).toBe("Type the amount to refund, or refund all");
  });
});

describe("a refund whose answer is lost", () => {
  it("says in place that Stripe did not confirm it, and offers no second refund meanwhile", async () => {
    refundPayment.mockResolvedValue({ status: "error", error: { code: "outcomeUnknown", operationId: "op_9", detail: "Stripe answered HTTP 500" } });
    const user = userEvent.setup();
    const { field, refund, ondone } = show();
    await user.type(field, "5");
    await user.click(refund);
    expect(screen.getByTestId("movement-unconfirmed").textContent).toBe(
      "Stripe did not confirm this refund. Till will check with Stripe and tell you; nothing will be refunded twice.",
    );
    expect(ondone).not.toHaveBeenCalled();
    expect(screen.queryByTestId("refund-form")).toBeNull();
    expect(screen.queryByTestId("refund-all")).toBeNull();
  });
});
