// @vitest-environment jsdom
import { render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { accounts } from "../accounts.svelte";
import type { PaymentSummary } from "../bindings";
import type { HoldsLoader } from "../holds.svelte";
import { account, payment } from "../test/fixtures";
import Holds from "./Holds.svelte";
import { movements, settledNow } from "../movements.svelte";
import { tick } from "svelte";

vi.mock("../locale", async (importOriginal) => ({ ...(await importOriginal<typeof import("../locale")>()), LOCALE: "en-US" }));
vi.mock("../bindings", () => ({ commands: { captureHold: vi.fn(), releaseHold: vi.fn() } }));

const now = Math.floor(Date.now() / 1000);
const hold = (id: string, email: string, amount: number, lapsesIn: number): PaymentSummary =>
  payment({ id, status: "requires_capture", customerEmail: email, amount, amountCapturable: amount, amountReceived: 0, captureBefore: now + lapsesIn, created: now - 86_400 + lapsesIn });

function loader(list: PaymentSummary[]): HoldsLoader {
  return { data: list, state: "ready", error: null, reload: () => Promise.resolve() } as unknown as HoldsLoader;
}

const rows = () => within(screen.getByTestId("holds-list")).getAllByRole("listitem");
const emails = () => rows().map((r) => within(r).getAllByRole("button")[0]?.textContent?.trim());

beforeEach(() => {
  accounts.list = [account()];
  accounts.selectedId = "acct_1";
});

describe("the Holds queue", () => {
  const list = [
    hold("pi_old", "gone@example.com", 900, -3600),
    hold("pi_a", "ines.haddad1@example.com", 5000, 3600),
    hold("pi_b", "bo@example.com", 12000, 7200),
    hold("pi_c", "cy@example.com", 300, 90_000),
  ];

  it("moves a lapsed hold out of the queue to a Lapsed list that says why, without Capture", () => {
    render(Holds, { holds: loader(list) });
    expect(emails()).toEqual(["ines.haddad1@example.com", "bo@example.com", "cy@example.com"]);
    expect(screen.getByTestId("holds-count").textContent).toContain("3 holds");
    const gone = screen.getByTestId("holds-lapsed");
    expect(gone.textContent).toContain("gone@example.com");
    expect(gone.textContent).toMatch(/This hold lapsed on .+ at .+; the card can no longer be charged for it\. Release is automatic\./);
    expect(within(gone).queryByRole("button", { name: /Capture/ })).toBeNull();
  });

  it("filters with a count of what matches, and sorts on its headers", async () => {
    const user = userEvent.setup();
    render(Holds, { holds: loader(list) });
    await user.type(screen.getByLabelText("Filter holds"), "haddad");
    expect(emails()).toEqual(["ines.haddad1@example.com"]);
    expect(screen.getByTestId("holds-count").textContent).toContain("1 of 3 holds");
    await user.clear(screen.getByLabelText("Filter holds"));
    await user.click(screen.getByRole("button", { name: /^Amount/ }));
    expect(emails()).toEqual(["bo@example.com", "ines.haddad1@example.com", "cy@example.com"]);
    expect(screen.getByRole("columnheader", { name: /Amount/ }).getAttribute("aria-sort")).toBe("descending");
    await user.click(screen.getByRole("button", { name: /^Amount/ }));
    expect(emails()).toEqual(["cy@example.com", "ines.haddad1@example.com", "bo@example.com"]);
  });

  it("works from the keyboard like Payments: / filters, arrows move, Enter opens, Esc closes", async () => {
    const user = userEvent.setup();
    render(Holds, { holds: loader(list) });
    await user.keyboard("/");
    expect(document.activeElement).toBe(screen.getByLabelText("Filter holds"));
    (document.activeElement as HTMLElement).blur();
    await user.keyboard("{ArrowDown}{ArrowDown}");
    expect(rows()[1]?.getAttribute("aria-current")).toBe("true");
    await user.keyboard("{Enter}");
    expect(within(rows()[1] as HTMLElement).getByTestId("hold-actions")).toBeTruthy();
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("hold-actions")).toBeNull();
  });
});

describe("a hold whose capture Stripe did not confirm", () => {
  const a = hold("pi_a", "ines.haddad1@example.com", 5000, 3600);
  const b = hold("pi_b", "bo@example.com", 12000, 7200);
  const asked = { operationId: "op_c", kind: "capture" as const, target: "pi_a", amount: 3000, currency: "eur", askedAt: now, detail: null };

  beforeEach(() => {
    [movements.accountId, movements.unsettled, movements.settled] = ["acct_1", [], []];
  });

  it("stays in view with the word on it after the sync takes it off the queue, then says what happened", async () => {
    const view = render(Holds, { holds: loader([a, b]) });
    movements.unsettled = [asked];
    await tick();
    const row = () => document.querySelector("[data-hold-id='pi_a']") as HTMLElement;
    expect(within(row()).getByTestId("movement-unconfirmed").textContent).toBe(
      "Stripe did not confirm this capture. Till will check with Stripe and tell you; nothing will be captured twice.",
    );
    expect(within(row()).getByRole<HTMLButtonElement>("button", { name: "Capture or release…" }).disabled).toBe(true);
    // The sync saw it captured: it leaves the queue, not the screen.
    await view.rerender({ holds: loader([b]) });
    expect(emails()).toEqual(["bo@example.com"]);
    expect(within(screen.getByTestId("holds-kept")).getByText("pi_a")).toBeTruthy();
    expect(within(row()).getByTestId("movement-unconfirmed")).toBeTruthy();
    const at = new Date();
    at.setHours(14, 2, 0, 0);
    settledNow({ ...asked, accountId: "acct_1", outcome: "succeeded", settledAt: Math.floor(at.getTime() / 1000), resultId: "pi_a", detail: null });
    await tick();
    expect(within(row()).getByTestId("movement-settled").textContent).toContain("Captured €30.00; Stripe confirmed it at 2:02 PM.");
    await userEvent.setup().click(within(row()).getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByTestId("holds-kept")).toBeNull();
  });
});

describe("a bulk capture whose answer is lost", () => {
  it("says Stripe did not confirm it, in that hold's result", async () => {
    const { commands } = await import("../bindings");
    vi.mocked(commands.captureHold).mockResolvedValue({
      status: "error",
      error: { code: "outcomeUnknown", operationId: "op_b", detail: "Stripe answered HTTP 500" },
    });
    const user = userEvent.setup();
    render(Holds, { holds: loader([hold("pi_a", "ines.haddad1@example.com", 5000, 3600)]) });
    await user.click(screen.getByLabelText("Select ines.haddad1@example.com"));
    await user.click(screen.getByRole("button", { name: "Capture 1 in full" }));
    expect(screen.getByTestId("bulk-results").textContent).toContain(
      "Stripe did not confirm this capture. Till will check with Stripe and tell you; nothing will be captured twice.",
    );
  });
});
