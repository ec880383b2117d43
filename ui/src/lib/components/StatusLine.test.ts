// @vitest-environment jsdom
// The status line says what is wrong in words, and offers what fixes it
// (issue 17): Retry for a refusal, Replace key for a key gone from the
// keychain; "Offline" only when nothing answered.
import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { accounts } from "../accounts.svelte";
import { commands, type SyncProgress } from "../bindings";
import { sync } from "../sync.svelte";
import { account } from "../test/fixtures";
import StatusLine from "./StatusLine.svelte";

vi.mock("../bindings", () => ({ commands: { syncNow: vi.fn(), startSync: vi.fn(), cancelSync: vi.fn() } }));

const now = Math.floor(Date.now() / 1000);
const paused = (fields: Partial<SyncProgress>): SyncProgress => ({
  accountId: "acct_1",
  phase: "offline",
  done: 0,
  remaining: null,
  rate: 0,
  lastSyncedAt: now - 120,
  problem: null,
  kinds: [],
  clockSkew: null,
  ...fields,
});

beforeEach(() => {
  accounts.list = [account()];
  accounts.selectedId = "acct_1";
});

describe("the status line", () => {
  it("names a refused request and retries only when asked", async () => {
    sync.byAccount = {
      acct_1: paused({
        problem: { kind: "refused", since: now, request: "GET /v1/events", status: 404, message: "Unrecognized request URL", requestId: null, retryAt: now + 1800 },
      }),
    };
    render(StatusLine);
    const line = screen.getByTestId("status-line").textContent ?? "";
    expect(line).toContain("Stripe refused GET /v1/events");
    expect(line).not.toContain("Offline");
    await userEvent.setup().click(screen.getByRole("button", { name: "Retry now" }));
    expect(commands.syncNow).toHaveBeenCalledWith("acct_1");
  });

  it("points to the fix when the key is gone from the keychain", () => {
    sync.byAccount = { acct_1: paused({ problem: { kind: "keyMissing" }, lastSyncedAt: null }) };
    render(StatusLine);
    expect(screen.getByTestId("sync-problem").textContent).toContain("no longer in your keychain");
    expect(screen.getByRole("link", { name: "Replace key" }).getAttribute("href")).toBe("#settings");
  });

  it("keeps a kind's trouble beside a live sync, and a clock that is off", () => {
    sync.byAccount = {
      acct_1: paused({
        phase: "live",
        kinds: [{ kind: "checkout_sessions", state: "filterRefused", filter: "created", request: null, message: "x" }],
        clockSkew: -7200,
      }),
    };
    render(StatusLine);
    expect(screen.getByTestId("sync-kinds").textContent).toBe(
      "Checkouts: Stripe refused the date filter; reading them without it",
    );
    expect(screen.getByTestId("sync-clock").textContent).toBe("This computer's clock is 2 h ahead of Stripe's");
  });
});
