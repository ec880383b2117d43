// @vitest-environment jsdom
import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { accounts } from "../accounts.svelte";
import { commands, type PaymentSearch, type PaymentSummary, type TillError } from "../bindings";
import { account, payment } from "../test/fixtures";
import Payments from "./Payments.svelte";

vi.mock("../locale", async (importOriginal) => ({ ...(await importOriginal<typeof import("../locale")>()), LOCALE: "en-US" }));
vi.mock("../bindings", () => ({
  commands: { listPayments: vi.fn(), paymentCurrencies: vi.fn(), searchPayments: vi.fn() },
  events: { cacheChanged: { listen: () => Promise.resolve(() => undefined) } },
}));

type Answer = { status: "ok"; data: PaymentSearch } | { status: "error"; error: TillError };
/** Each search the core was asked for, answered when the test says. */
let searches: { text: string; answer: (a: Answer) => Promise<void> }[] = [];

const LISTED = [payment({ id: "pi_listed", customerEmail: "zoe@example.com" })];
const found = (...rows: PaymentSummary[]): Answer => ({ status: "ok", data: { kind: "found", rows, more: false } });
const haddad = payment({ id: "pi_haddad", customerEmail: "ines.haddad1@example.com" });
const hadley = payment({ id: "pi_hadley", customerEmail: "sam.hadley@example.com" });

const count = () => screen.getByTestId("payment-count").textContent?.trim();
/** The customers of the rows shown (the header is a row too). */
const emails = () => Array.from(document.querySelectorAll(".table-row .col-customer"), (cell) => cell.textContent);
const box = () => screen.getByRole("searchbox", { name: "Search payments" });

// jsdom measures nothing: the list's height is read through a ResizeObserver.
vi.stubGlobal(
  "ResizeObserver",
  class {
    observe() {}
    unobserve() {}
    disconnect() {}
  },
);

beforeEach(() => {
  // Time moves only when the test says: the pause is measured exactly.
  vi.useFakeTimers();
  searches = [];
  accounts.list = [account()];
  accounts.selectedId = "acct_1";
  vi.mocked(commands.paymentCurrencies).mockResolvedValue({ status: "ok", data: ["eur"] });
  vi.mocked(commands.listPayments).mockResolvedValue({ status: "ok", data: { rows: LISTED, next: null, total: 1 } });
  vi.mocked(commands.searchPayments).mockReset();
  vi.mocked(commands.searchPayments).mockImplementation(
    (_account, text) =>
      new Promise<Answer>((resolve) => {
        searches.push({
          text,
          answer: async (a) => {
            resolve(a);
            await vi.advanceTimersByTimeAsync(0);
          },
        });
      }),
  );
});
afterEach(() => vi.useRealTimers());

async function shown() {
  const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
  render(Payments);
  await vi.advanceTimersByTimeAsync(0);
  expect(emails()).toEqual(["zoe@example.com"]);
  return user;
}

describe("searching payments as they are typed", () => {
  it("asks the core once typing pauses for 150 ms, not at every key", async () => {
    const user = await shown();
    await user.type(box(), "hadd");
    await vi.advanceTimersByTimeAsync(100);
    await user.type(box(), "ad");
    await vi.advanceTimersByTimeAsync(149);
    expect(searches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(searches.map((s) => s.text)).toEqual(["haddad"]);
    await searches[0]?.answer(found(haddad));
    expect(emails()).toEqual(["ines.haddad1@example.com"]);
    expect(count()).toBe("1 payment");
    // Emptied: the list again, without asking.
    await user.clear(box());
    await vi.advanceTimersByTimeAsync(150);
    expect(emails()).toEqual(["zoe@example.com"]);
    expect(searches).toHaveLength(1);
  });

  it("searches at once on Enter", async () => {
    const user = await shown();
    await user.type(box(), "had{Enter}");
    expect(searches.map((s) => s.text)).toEqual(["had"]);
  });

  it("shows the answer to the newest text: an older answer arriving late is dropped", async () => {
    const user = await shown();
    await user.type(box(), "had");
    await vi.advanceTimersByTimeAsync(150);
    await user.type(box(), "dad");
    await vi.advanceTimersByTimeAsync(150);
    expect(searches.map((s) => s.text)).toEqual(["had", "haddad"]);
    // The list stays while the first answer is on its way: no flash of nothing.
    expect(emails()).toEqual(["zoe@example.com"]);
    await searches[1]?.answer(found(haddad));
    await searches[0]?.answer(found(haddad, hadley));
    expect(emails()).toEqual(["ines.haddad1@example.com"]);
    expect(count()).toBe("1 payment");
  });

  it("keeps the last matches while a query in Stripe's syntax is half typed, and says nothing is wrong", async () => {
    const user = await shown();
    await user.type(box(), "haddad");
    await vi.advanceTimersByTimeAsync(150);
    await searches[0]?.answer(found(haddad));
    await user.type(box(), " status:'succ");
    await vi.advanceTimersByTimeAsync(150);
    await searches[1]?.answer({ status: "ok", data: { kind: "incomplete" } });
    expect(emails()).toEqual(["ines.haddad1@example.com"]);
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.getByTestId("search-waiting").textContent).toContain("Keep typing");
    await user.type(box(), "eeded'");
    await vi.advanceTimersByTimeAsync(150);
    expect(searches.map((s) => s.text).at(-1)).toBe("haddad status:'succeeded'");
    await searches[2]?.answer(found(haddad));
    expect(screen.queryByTestId("search-waiting")).toBeNull();
    // A finished query that cannot run says why.
    await user.clear(box());
    await user.type(box(), "status:'paid'");
    await vi.advanceTimersByTimeAsync(150);
    await searches[3]?.answer({
      status: "ok",
      data: { kind: "invalid", problem: { kind: "unknownStatus", value: "paid", known: ["succeeded", "canceled"] } },
    });
    expect(screen.getByTestId("search-problem").textContent).toBe("“paid” is not a payment status. Use one of: succeeded, canceled.");
  });

  it("says when there are more matches than shown", async () => {
    const user = await shown();
    await user.type(box(), "example{Enter}");
    await searches[0]?.answer({ status: "ok", data: { kind: "found", rows: [haddad, hadley], more: true } });
    expect(count()).toBe("2+ payments");
    expect(screen.getByText(/The newest 2 are shown/)).toBeTruthy();
  });
});
