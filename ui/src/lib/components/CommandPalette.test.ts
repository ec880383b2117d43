// @vitest-environment jsdom
import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { accounts } from "../accounts.svelte";
import { commands, type Jump } from "../bindings";
import { account, payment } from "../test/fixtures";
import CommandPalette from "./CommandPalette.svelte";

vi.mock("../locale", async (importOriginal) => ({ ...(await importOriginal<typeof import("../locale")>()), LOCALE: "en-US" }));
vi.mock("../bindings", () => ({
  commands: { jump: vi.fn() },
  events: { cacheChanged: { listen: () => Promise.resolve(() => undefined) } },
}));

const haddad: Jump = {
  targets: [{ kind: "payment", payment: payment({ id: "pi_haddad", customerEmail: "ines.haddad1@example.com" }) }],
  incomplete: false,
  problem: null,
};
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  accounts.list = [account()];
  accounts.selectedId = "acct_1";
  // The core: a query in Stripe's syntax is incomplete until its quote closes.
  vi.mocked(commands.jump).mockImplementation((_account, text) => {
    if ((text.match(/'/gu) ?? []).length % 2 === 1) return Promise.resolve({ status: "ok", data: { targets: [], incomplete: true, problem: null } });
    if (text.includes("paid'")) {
      return Promise.resolve({
        status: "ok",
        data: { targets: [], incomplete: false, problem: { kind: "unknownStatus", value: "paid", known: ["succeeded"] } },
      });
    }
    return Promise.resolve({ status: "ok", data: haddad });
  });
});

describe("Ctrl+K", () => {
  it("keeps the last targets while a query in Stripe's syntax is half typed, and says why a finished one cannot run", async () => {
    const user = userEvent.setup();
    render(CommandPalette);
    await user.keyboard("{Control>}k{/Control}");
    const input = screen.getByRole("combobox", { name: "Jump to" });
    await user.type(input, "haddad status:'succ");
    await settle();
    expect(vi.mocked(commands.jump).mock.calls.at(-1)?.[1]).toBe("haddad status:'succ");
    expect(screen.getAllByRole("option").map((o) => o.textContent)).toEqual([expect.stringContaining("pi_haddad")]);
    expect(screen.getByTestId("palette-waiting").textContent).toContain("Keep typing");
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.queryByText(/Nothing in this account's cache/u)).toBeNull();
    await user.clear(input);
    await user.type(input, "status:'paid'");
    await settle();
    expect(screen.getByRole("alert").textContent).toContain("“paid” is not a payment status");
  });
});
