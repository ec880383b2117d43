// @vitest-environment jsdom
import { render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { accounts } from "../accounts.svelte";
import { commands, type RefundLine, type RefundPage, type RefundQuery, type TillError } from "../bindings";
import { account } from "../test/fixtures";
import { navigation } from "../navigation.svelte";
import Refunds from "./Refunds.svelte";

type Listener = (event: { payload: { accountId: string; stored: number } }) => void;
const bus = vi.hoisted(() => ({ listeners: [] as Listener[] }));
vi.mock("../locale", async (importOriginal) => ({ ...(await importOriginal<typeof import("../locale")>()), LOCALE: "en-US" }));
vi.mock("../bindings", () => ({
  commands: { listRefunds: vi.fn(), paymentCurrencies: vi.fn() },
  events: {
    cacheChanged: {
      listen: (listener: Listener) => {
        bus.listeners.push(listener);
        return Promise.resolve(() => undefined);
      },
    },
  },
}));

type Answer = { status: "ok"; data: RefundPage } | { status: "error"; error: TillError };
const listRefunds = vi.mocked(commands.listRefunds);
/** Each request, answered when the test says. */
let asked: { statuses: string[]; query: RefundQuery; answer: (a: Answer) => Promise<void> }[] = [];

function refund(id: string, status: string, amount = 1250): RefundLine {
  return { id, created: 1_800_000_000, amount, currency: "eur", status, reason: null, failureReason: null, paymentIntent: "pi_1", customerEmail: `${id}@example.com` };
}
const page = (rows: RefundLine[], failed = 0): Answer => ({ status: "ok", data: { rows, next: null, total: rows.length, failed } });
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  asked = [];
  accounts.list = [account()];
  accounts.selectedId = "acct_1";
  listRefunds.mockReset();
  vi.mocked(commands.paymentCurrencies).mockResolvedValue({ status: "ok", data: ["eur", "jpy", "usd"] });
  listRefunds.mockImplementation(
    (_account, query) =>
      new Promise<Answer>((resolve) => {
        asked.push({
          statuses: query.statuses,
          query,
          answer: async (a) => {
            resolve(a);
            await settle();
          },
        });
      }),
  );
});

const count = () => screen.getByTestId("refund-count").textContent?.trim();
const everything: RefundQuery = { statuses: [], createdFrom: null, createdBefore: null, currency: null, amountMin: null, amountMax: null };
const shownRefunds = () => within(screen.getByTestId("refund-list")).getAllByRole("listitem").map((li) => li.querySelector("button")?.textContent);

describe("the Refunds list", () => {
  it("shows skeleton rows and says Loading… until the first answer", async () => {
    render(Refunds);
    await settle();
    expect(count()).toBe("Loading…");
    expect(screen.getByLabelText("Loading")).toBeTruthy();
    expect(listRefunds.mock.calls).toEqual([["acct_1", everything, null, 100]]);
    await asked[0]?.answer(page([refund("re_1", "succeeded")]));
    expect(count()).toBe("1 refund");
    expect(screen.queryByLabelText("Loading")).toBeNull();
    expect(shownRefunds()).toEqual(["re_1@example.com"]);
  });

  it("says when there are none", async () => {
    render(Refunds);
    await settle();
    await asked[0]?.answer(page([]));
    expect(screen.getByText(/^No refunds yet\./)).toBeTruthy();
    expect(count()).toBe("0 refunds");
  });

  it("says what failed, in words", async () => {
    render(Refunds);
    await settle();
    await asked[0]?.answer({ status: "error", error: { code: "store", detail: "database is locked", newerVersion: false } });
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toContain("Till's local database failed");
    expect(alert.textContent).toContain("database is locked");
    expect(screen.queryByLabelText("Loading")).toBeNull();
    expect(screen.queryByTestId("refund-list")).toBeNull();
  });

  it("never shows the answer for a filter clicked away from", async () => {
    const user = userEvent.setup();
    render(Refunds);
    await settle();
    await user.click(screen.getByRole("button", { name: "Failed" }));
    await settle();
    expect(asked.map((a) => a.statuses)).toEqual([[], ["failed"]]);
    // The old filter's answer comes last: it is dropped.
    await asked[1]?.answer(page([refund("re_failed", "failed")], 1));
    await asked[0]?.answer(page([refund("re_every", "succeeded"), refund("re_failed", "failed")], 1));
    expect(shownRefunds()).toEqual(["re_failed@example.com"]);
    expect(count()).toBe("1 refund");
  });

  it("reads again when the sync changes this account's cache, keeping the rows until then", async () => {
    render(Refunds);
    await settle();
    await asked[0]?.answer(page([refund("re_1", "pending")]));
    for (const listener of bus.listeners) listener({ payload: { accountId: "acct_other", stored: 3 } });
    expect(asked).toHaveLength(1);
    for (const listener of bus.listeners) listener({ payload: { accountId: "acct_1", stored: 3 } });
    await settle();
    expect(asked).toHaveLength(2);
    expect(shownRefunds()).toEqual(["re_1@example.com"]);
    await asked[1]?.answer(page([refund("re_2", "succeeded"), refund("re_1", "succeeded")]));
    expect(shownRefunds()).toEqual(["re_2@example.com", "re_1@example.com"]);
  });
});

describe("the Refunds list's date, amount and currency filters", () => {
  it("asks the core for the refunds of a period, a currency and an amount range, over every cached refund", async () => {
    const user = userEvent.setup();
    render(Refunds);
    await settle();
    await asked[0]?.answer(page([refund("re_1", "succeeded")]));
    expect(screen.getByTestId("amount-needs-currency").textContent).toBe("pick a currency first");
    await user.selectOptions(screen.getByLabelText("Currency"), "eur");
    await settle();
    expect(asked.at(-1)?.query).toEqual({ ...everything, currency: "eur" });
    await user.type(screen.getByRole("textbox", { name: "Minimum amount" }), "12.50");
    await user.type(screen.getByRole("textbox", { name: "Maximum amount" }), "40{Tab}");
    await settle();
    expect(asked.at(-1)?.query).toMatchObject({ currency: "eur", amountMin: 1250, amountMax: 4000 });
    await user.selectOptions(screen.getByLabelText("Date range"), "7d");
    await settle();
    const last = asked.at(-1)?.query;
    const weekAgo = Date.now() / 1000 - 8 * 86_400;
    expect(last?.createdFrom).toBeGreaterThan(weekAgo);
    expect(last?.createdBefore).toBeNull();
    expect(last).toMatchObject({ currency: "eur", amountMin: 1250, amountMax: 4000, statuses: [] });
    // The status chips keep the ranges.
    await user.click(screen.getByRole("button", { name: "Failed" }));
    await settle();
    expect(asked.at(-1)?.query).toMatchObject({ statuses: ["failed"], currency: "eur", amountMin: 1250 });
    await asked.at(-1)?.answer(page([]));
    expect(screen.getByText(/^No refunds match these filters\./)).toBeTruthy();
  });
});

describe("the Refunds list's id column and keyboard", () => {
  it("shows each refund's id and works with the arrows and Enter like Payments", async () => {
    const user = userEvent.setup();
    render(Refunds);
    await settle();
    await asked[0]?.answer(page([refund("re_1", "succeeded"), refund("re_2", "succeeded")]));
    expect(screen.getByRole("button", { name: "re_2" })).toBeTruthy();
    await user.keyboard("{ArrowDown}{ArrowDown}");
    const lines = within(screen.getByTestId("refund-list")).getAllByRole("listitem");
    expect(lines[1]?.getAttribute("aria-current")).toBe("true");
    await user.keyboard("{Enter}");
    expect(navigation.payment).toBe("pi_1");
  });
});
