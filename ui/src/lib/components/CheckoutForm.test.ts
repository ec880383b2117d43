// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { commands, type CheckoutDetail } from "../bindings";
import { emptyDraft } from "../checkouts";
import { account } from "../test/fixtures";
import CheckoutForm from "./CheckoutForm.svelte";

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
vi.mock("../bindings", () => ({
  commands: { checkoutCatalog: vi.fn(), checkoutSettings: vi.fn(), jump: vi.fn(), createCheckout: vi.fn() },
  events: { cacheChanged: { listen: () => Promise.resolve(() => undefined) } },
}));

const createCheckout = vi.mocked(commands.createCheckout);
const detail: CheckoutDetail = {
  checkout: {
    id: "cs_1",
    status: "open",
    paymentStatus: "unpaid",
    amountTotal: 4250,
    currency: "eur",
    created: 1_800_000_000,
    expiresAt: 1_800_003_600,
    customerId: null,
    customerEmail: null,
    clientReference: null,
    paymentId: null,
    paymentState: null,
    url: "https://checkout.stripe.com/c/pay/cs_1",
    lines: [],
  },
  qrSvg: null,
};
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  locale.current = "en-US";
  vi.mocked(commands.checkoutCatalog).mockResolvedValue({ status: "ok", data: [] });
  vi.mocked(commands.checkoutSettings).mockResolvedValue({ status: "ok", data: { successUrl: "https://cafe.example/thanks", cancelUrl: null } });
  vi.mocked(commands.jump).mockResolvedValue({ status: "ok", data: { targets: [], incomplete: false, problem: null } });
  createCheckout.mockReset();
  createCheckout.mockResolvedValue({ status: "ok", data: { operationId: "op_1", detail } });
});

async function show() {
  const ondone = vi.fn();
  render(CheckoutForm, { account: account(), initial: emptyDraft(), ondone, oncancel: vi.fn() });
  await settle();
  return {
    ondone,
    name: screen.getByLabelText("Name, line 1"),
    price: screen.getByLabelText<HTMLInputElement>("Unit price, line 1"),
    create: screen.getByRole("button", { name: "Create checkout" }),
  };
}

describe("the new checkout form", () => {
  it("refuses a price that is no amount, with its line marked, and creates nothing", async () => {
    const user = userEvent.setup();
    const { name, price, create } = await show();
    await user.type(name, "Birthday cake");
    await user.type(price, "-5");
    expect(screen.getByTestId("amount-reason").textContent).toBe("The amount must be more than zero");
    await user.click(create);
    expect(createCheckout).not.toHaveBeenCalled();
    expect(screen.getByTestId("checkout-error").textContent).toContain("A price must be more than zero");
    expect(screen.getByTestId("checkout-line").getAttribute("aria-invalid")).toBe("true");
    // Fixed: the refusal goes with the old price.
    await user.clear(price);
    expect(screen.queryByTestId("checkout-error")).toBeNull();
  });

  it("sends each typed price once, as minor units read in the person's locale", async () => {
    locale.current = "de-DE";
    const user = userEvent.setup();
    const { name, price, create, ondone } = await show();
    await user.type(name, "Birthday cake");
    await user.type(price, "42,50");
    await user.selectOptions(screen.getByLabelText("Currency, line 1"), "eur");
    expect(screen.getByTestId("checkout-total").textContent).toContain("42,50\u00a0€");
    await user.click(create);
    expect(createCheckout).toHaveBeenCalledOnce();
    const [accountId, draft] = createCheckout.mock.calls[0] ?? [];
    expect(accountId).toBe("acct_1");
    expect(draft?.items).toEqual([{ kind: "adhoc", name: "Birthday cake", unitAmount: 4250, currency: "eur", quantity: 1 }]);
    expect(ondone).toHaveBeenCalledOnce();
  });

  it("puts a catalog line in place of the empty line it starts with, so nothing blocks Create", async () => {
    vi.mocked(commands.checkoutCatalog).mockResolvedValue({
      status: "ok",
      data: [{ id: "price_1", productName: "Coffee", nickname: null, unitAmount: 350, currency: "eur" }],
    });
    const user = userEvent.setup();
    const { create } = await show();
    await user.click(screen.getByRole("button", { name: "Add from catalog" }));
    expect(screen.getAllByTestId("checkout-line")).toHaveLength(1);
    expect(screen.getByLabelText("Catalog price, line 1")).toBeTruthy();
    await user.click(create);
    expect(createCheckout.mock.calls[0]?.[1]?.items).toEqual([{ kind: "price", priceId: "price_1", quantity: 1 }]);
    // A second catalog line is added beside it.
    await user.click(screen.getByRole("button", { name: "Add from catalog" }));
    expect(screen.getAllByTestId("checkout-line")).toHaveLength(2);
  });

  it("says that Till keeps one of Stripe's 50 metadata keys", async () => {
    await show();
    expect(screen.getByTestId("metadata-limit").textContent).toContain("Stripe takes 50 and Till keeps one of them for its own till_operation_id");
  });
});

describe("the owner's journey", () => {
  it("opens on the first line's name, and the first time asks where customers go after paying: five interactions with New checkout", async () => {
    vi.mocked(commands.checkoutSettings).mockResolvedValue({ status: "ok", data: { successUrl: null, cancelUrl: null } });
    createCheckout.mockResolvedValue({ status: "ok", data: { operationId: "op_1", detail } });
    const user = userEvent.setup();
    const ondone = vi.fn();
    render(CheckoutForm, { account: account(), initial: emptyDraft(), ondone, oncancel: vi.fn() });
    await settle();
    // Focused: typing goes into the first line's name.
    expect(document.activeElement).toBe(screen.getByLabelText("Name, line 1"));
    await user.keyboard("Birthday cake");
    await user.type(screen.getByLabelText("Unit price, line 1"), "42.50");
    await user.type(screen.getByLabelText("After paying, go to"), "https://cafe.example/thanks");
    await user.click(screen.getByRole("button", { name: "Create checkout" }));
    expect(createCheckout).toHaveBeenCalledOnce();
    const sent = createCheckout.mock.calls[0]?.[1];
    expect(sent?.items).toEqual([{ kind: "adhoc", name: "Birthday cake", unitAmount: 4250, currency: "usd", quantity: 1 }]);
    expect(sent?.successUrl).toBe("https://cafe.example/thanks");
    expect(ondone).toHaveBeenCalledOnce();
  });
});

describe("the options", () => {
  it("are folded away under the lines, and unfolded for a copy that has some", async () => {
    await show();
    expect(screen.getByTestId<HTMLDetailsElement>("checkout-options").open).toBe(false);
    cleanup();
    render(CheckoutForm, { account: account(), initial: { ...emptyDraft(), clientReference: "Order 12" }, ondone: vi.fn(), oncancel: vi.fn() });
    await settle();
    expect(screen.getByTestId<HTMLDetailsElement>("checkout-options").open).toBe(true);
    expect(screen.getByLabelText<HTMLInputElement>("Your reference").value).toBe("Order 12");
  });
});
