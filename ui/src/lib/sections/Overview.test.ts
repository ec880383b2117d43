// @vitest-environment jsdom
import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { accounts } from "../accounts.svelte";
import { commands, type Overview as OverviewData } from "../bindings";
import { localMidnights } from "../overview";
import { navigation } from "../navigation.svelte";
import { account, payment } from "../test/fixtures";
import Overview from "./Overview.svelte";

vi.mock("../locale", async (importOriginal) => ({ ...(await importOriginal<typeof import("../locale")>()), LOCALE: "en-US" }));
vi.mock("../bindings", () => ({
  commands: { overview: vi.fn() },
  events: { cacheChanged: { listen: () => Promise.resolve(() => undefined) }, syncStatus: { listen: () => Promise.resolve(() => undefined) } },
}));

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Today's money in three currencies, settled in USD; no holds lapsing. */
function overviewData(): OverviewData {
  const today = localMidnights(new Date(), 1)[0] ?? 0;
  return {
    days: [
      {
        start: today,
        gross: [
          { currency: "usd", gross: 1_024_688, count: 40 },
          { currency: "eur", gross: 123_435, count: 5 },
          { currency: "jpy", gross: 116_150, count: 3 },
        ],
        refunds: [],
        net: [{ currency: "usd", amount: 1_080_000, fees: 28_066, net: 1_051_934 }],
      },
    ],
    balance: [],
    balanceAsOf: null,
    holdsExpiring: [],
  };
}

beforeEach(() => {
  accounts.list = [account()];
  accounts.selectedId = "acct_1";
  vi.mocked(commands.overview).mockResolvedValue({ status: "ok", data: overviewData() });
});

describe("the Overview's settled net", () => {
  it("says where it stands what other currencies it includes, with a breakdown reachable by keyboard", async () => {
    const user = userEvent.setup();
    render(Overview);
    await settle();
    const today = screen.getByTestId("net-converted-0");
    expect(screen.getByTestId("net-0").textContent).toContain("$10,519.34");
    const trigger = screen.getAllByRole("button", { name: "includes €1,234.35 and ¥116,150 converted" })[0] as HTMLElement;
    expect(today.contains(trigger)).toBe(true);
    const breakdown = document.getElementById(trigger.getAttribute("aria-describedby") ?? "");
    expect(breakdown?.textContent).toContain("€1,234.35 sold in EUR, settled in USD");
    expect(breakdown?.textContent).toContain("$10,800.00 booked to your balance, $280.66 in fees: $10,519.34 net");
    // After New checkout, the first thing on the home screen.
    await user.tab();
    await user.tab();
    expect(document.activeElement).toBe(trigger);
  });

  it("says nothing of conversion when every sale settled in its own currency", async () => {
    const today = localMidnights(new Date(), 1)[0] ?? 0;
    vi.mocked(commands.overview).mockResolvedValue({
      status: "ok",
      data: {
        days: [{ start: today, gross: [{ currency: "usd", gross: 1000, count: 1 }], refunds: [], net: [{ currency: "usd", amount: 1000, fees: 59, net: 941 }] }],
        balance: [],
        balanceAsOf: null,
        holdsExpiring: [],
      },
    });
    render(Overview);
    await settle();
    expect(screen.queryByTestId("net-converted-0")).toBeNull();
  });
});

describe("what needs action comes first", () => {
  const lapsing = (id: string) =>
    payment({ id, status: "requires_capture", amount: 12_000, amountCapturable: 12_000, currency: "eur", captureBefore: Math.floor(Date.now() / 1000) + 3 * 3600 });

  it("puts holds about to lapse above the day's money, and a hold opens its capture form in Holds", async () => {
    vi.mocked(commands.overview).mockResolvedValue({
      status: "ok",
      data: { ...overviewData(), holdsExpiring: [lapsing("pi_soon")] },
    });
    const user = userEvent.setup();
    render(Overview);
    await settle();
    const holds = screen.getByTestId("holds-expiring");
    const money = screen.getByTestId("totals-0");
    expect(holds.compareDocumentPosition(money) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    await user.click(screen.getByRole("button", { name: /€120\.00/ }));
    expect(navigation.hold).toBe("pi_soon");
    expect(window.location.hash).toBe("#/holds");
  });

  it("keeps the quiet 'none' below the money when nothing lapses", async () => {
    render(Overview);
    await settle();
    const none = screen.getByText("None: no authorization lapses in the next 24 hours.");
    const money = screen.getByTestId("totals-0");
    expect(money.compareDocumentPosition(none) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });
});

describe("a new checkout from the home screen", () => {
  beforeEach(() => {
    accounts.list = [account()];
    accounts.selectedId = "acct_1";
    vi.mocked(commands.overview).mockResolvedValue({ status: "ok", data: overviewData() });
    navigation.newCheckout = false;
  });

  it("is one click: Checkouts opens on the new checkout's form", async () => {
    const user = userEvent.setup();
    render(Overview);
    await user.click(screen.getByRole("button", { name: "New checkout" }));
    expect(navigation.newCheckout).toBe(true);
    expect(window.location.hash).toContain("checkouts");
  });

  it("says why it is off for a key that cannot create checkouts", () => {
    accounts.list = [account({ capabilities: { readPayments: true, capture: true, refund: false, createCheckouts: false, export: false } })];
    render(Overview);
    expect(screen.getByRole<HTMLButtonElement>("button", { name: "New checkout" }).disabled).toBe(true);
    expect(screen.getByText("This account's restricted key cannot create checkouts.")).toBeTruthy();
  });
});
