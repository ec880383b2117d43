// @vitest-environment jsdom
import { render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { accounts } from "../accounts.svelte";
import { commands, type RefundLine, type RefundPage, type TillError } from "../bindings";
import { account } from "../test/fixtures";
import { navigation } from "../navigation.svelte";
import Refunds from "./Refunds.svelte";

type Listener = (event: { payload: { accountId: string; stored: number } }) => void;
const bus = vi.hoisted(() => ({ listeners: [] as Listener[] }));
vi.mock("../locale", async (importOriginal) => ({ ...(await importOriginal<typeof import("../locale")>()), LOCALE: "en-US" }));
vi.mock("../bindings", () => ({
  commands: { listRefunds: vi.fn() },
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
let asked: { statuses: string[]; answer: (a: Answer) => Promise<void> }[] = [];

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
  listRefunds.mockImplementation(
    (_account, statuses) =>
      new Promise<Answer>((resolve) => {
        asked.push({
          statuses,
          answer: async (a) => {
            resolve(a);
            await settle();
          },
        });
      }),
  );
});

const count = () => screen.getByTestId("refund-count").textContent?.trim();
const shownRefunds = () => within(screen.getByTestId("refund-list")).getAllByRole("listitem").map((li) => li.querySelector("button")?.textContent);

describe("the Refunds list", () => {
  it("shows skeleton rows and says Loading… until the first answer", async () => {
    render(Refunds);
    await settle();
    expect(count()).toBe("Loading…");
    expect(screen.getByLabelText("Loading")).toBeTruthy();
    expect(listRefunds.mock.calls).toEqual([["acct_1", [], null, 100]]);
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
