// @vitest-environment jsdom
import { render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { accounts } from "../accounts.svelte";
import { commands, type CheckoutSummary } from "../bindings";
import { account } from "../test/fixtures";
import Checkouts from "./Checkouts.svelte";

vi.mock("../locale", async (importOriginal) => ({ ...(await importOriginal<typeof import("../locale")>()), LOCALE: "en-US" }));
vi.mock("../bindings", () => ({
  commands: { listCheckouts: vi.fn(), checkoutDetail: vi.fn(), duplicateCheckout: vi.fn(), expireCheckout: vi.fn() },
  events: { cacheChanged: { listen: () => Promise.resolve(() => undefined) } },
}));
vi.mock("../components/CheckoutView.svelte", async () => ({ default: (await import("../test/Stub.svelte")).default }));

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const now = Math.floor(Date.now() / 1000);

function checkout(id: string, item: string, amount: number, email: string | null, created: number): CheckoutSummary {
  return {
    id,
    status: "complete",
    paymentStatus: "paid",
    amountTotal: amount,
    currency: "eur",
    created,
    expiresAt: created + 3600,
    customerEmail: email,
    customerId: null,
    clientReference: null,
    paymentId: null,
    paymentState: "succeeded",
    url: null,
    lines: [{ description: item, quantity: 1, unitAmount: amount, amountTotal: amount, currency: "eur", priceId: null }],
  };
}

const rows = () => within(screen.getByTestId("checkout-list")).getAllByRole("listitem");
const items = () => rows().map((r) => within(r).getAllByRole("button")[0]?.textContent);

const CACHED = [
  checkout("cs_1", "Birthday cake", 4250, "ines.haddad1@example.com", now - 60),
  checkout("cs_2", "Coffee", 350, "bo@example.com", now - 120),
  checkout("cs_3", "Bread", 900, null, now - 180),
];
/** Checkouts the core has beyond those it lists. */
let unlisted = 0;

beforeEach(() => {
  accounts.list = [account()];
  accounts.selectedId = "acct_1";
  unlisted = 0;
  vi.mocked(commands.listCheckouts).mockReset();
  // The core's search, as the store runs it: every word in a checkout's words.
  vi.mocked(commands.listCheckouts).mockImplementation((_account, _filter, search, limit) => {
    const words = search.toLowerCase().split(/\s+/u).filter(Boolean);
    const found = CACHED.filter((c) => {
      const text = [c.id, c.customerEmail, c.clientReference, c.paymentId, ...c.lines.map((l) => l.description)].join(" ").toLowerCase();
      return words.every((w) => text.includes(w));
    });
    return Promise.resolve({ status: "ok", data: { rows: found.slice(0, limit), total: found.length + unlisted } });
  });
});
afterEach(() => vi.useRealTimers());

describe("the Checkouts list", () => {
  it("names its columns (Closes and Created, not 'Closes or made'), sorts on them and counts what the filter matches", async () => {
    const user = userEvent.setup();
    render(Checkouts);
    await settle();
    const headers = screen.getAllByRole("columnheader").map((h) => h.textContent?.trim());
    expect(headers).toEqual(["Status", "Amount", "Items", "Customer", "Closes", "Created ↓"]);
    expect(screen.getByTestId("checkouts-count").textContent?.trim()).toBe("3 checkouts");
    await user.click(screen.getByRole("button", { name: /^Amount/ }));
    expect(items()).toEqual(["Birthday cake", "Bread", "Coffee"]);
    await user.type(screen.getByLabelText("Filter checkouts"), "haddad");
    await vi.waitFor(() => expect(items()).toEqual(["Birthday cake"]));
    expect(screen.getByTestId("checkouts-count").textContent?.trim()).toBe("1 checkout");
  });

  it("searches every cached checkout in the core once typing pauses, and counts them all", async () => {
    // Time moves only when the test says: the pause is measured exactly.
    vi.useFakeTimers();
    unlisted = 1_231;
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    render(Checkouts);
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.mocked(commands.listCheckouts).mock.calls).toEqual([["acct_1", "all", "", 200]]);
    expect(screen.getByTestId("checkouts-count").textContent?.trim()).toBe("3 of 1,234 checkouts");
    expect(screen.getByText(/type in the filter to find the others/)).toBeTruthy();
    await user.type(screen.getByLabelText("Filter checkouts"), "bread");
    // Typed, not yet paused: the core is not asked for each letter.
    expect(vi.mocked(commands.listCheckouts).mock.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(150);
    expect(vi.mocked(commands.listCheckouts).mock.calls.slice(1)).toEqual([["acct_1", "all", "bread", 200]]);
    expect(items()).toEqual(["Bread"]);
    await user.click(screen.getByRole("button", { name: "Paid" }));
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.mocked(commands.listCheckouts).mock.calls.at(-1)).toEqual(["acct_1", "complete", "bread", 200]);
    unlisted = 0;
    await user.clear(screen.getByLabelText("Filter checkouts"));
    await user.type(screen.getByLabelText("Filter checkouts"), "nothing like it");
    await vi.advanceTimersByTimeAsync(150);
    expect(screen.getByText("No checkout matches that filter.")).toBeTruthy();
  });

  it("works from the keyboard: / filters, arrows move, Enter opens, Esc goes back", async () => {
    const user = userEvent.setup();
    render(Checkouts);
    await settle();
    await user.keyboard("/");
    expect(document.activeElement).toBe(screen.getByLabelText("Filter checkouts"));
    (document.activeElement as HTMLElement).blur();
    await user.keyboard("{ArrowDown}{ArrowDown}");
    expect(rows()[1]?.getAttribute("aria-current")).toBe("true");
    await user.keyboard("{Enter}");
    expect(screen.queryByTestId("checkout-list")).toBeNull();
    expect(screen.getByTestId("stub")).toBeTruthy();
    await user.keyboard("{Escape}");
    expect(screen.getByTestId("checkout-list")).toBeTruthy();
  });
});
