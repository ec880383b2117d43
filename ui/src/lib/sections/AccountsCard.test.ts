// @vitest-environment jsdom
import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { commands } from "../bindings";
import { account } from "../test/fixtures";
import AccountsCard from "./AccountsCard.svelte";

vi.mock("../bindings", () => ({
  commands: { addAccount: vi.fn(), replaceAccountKey: vi.fn(), listAccounts: vi.fn() },
}));

const addAccount = vi.mocked(commands.addAccount);
const replaceAccountKey = vi.mocked(commands.replaceAccountKey);

beforeEach(() => {
  addAccount.mockReset();
  replaceAccountKey.mockReset();
  vi.mocked(commands.listAccounts).mockResolvedValue({ status: "ok", data: [] });
});

async function paste(key: string) {
  const user = userEvent.setup();
  render(AccountsCard);
  await user.type(screen.getByPlaceholderText("sk_live_… or rk_live_…"), key);
  await user.click(screen.getByRole("button", { name: "Add account" }));
  return user;
}

describe("adding a key for an account Till already has", () => {
  it("the same key says the account is already in Till, and nothing is replaced", async () => {
    addAccount.mockResolvedValue({
      status: "error",
      error: { code: "accountAlreadyAdded", accountId: "acct_1", displayName: "Café Ada" },
    });
    await paste("sk_test_same");
    expect(await screen.findByText("This account is already in Till")).toBeTruthy();
    expect(replaceAccountKey).not.toHaveBeenCalled();
  });

  it("another key asks first, says which key would be used, and replaces only when told", async () => {
    addAccount.mockResolvedValue({
      status: "error",
      error: {
        code: "keyReplaceAsked",
        accountId: "acct_1",
        displayName: "Café Ada",
        currentLast4: "4242",
        newLast4: "0071",
        newRestricted: true,
      },
    });
    replaceAccountKey.mockResolvedValue({ status: "ok", data: account({ id: "acct_1", displayName: "Café Ada" }) });
    const user = await paste("rk_test_frontdesk0071");
    const asked = await screen.findByTestId("key-replace-asked");
    expect(asked.textContent).toContain("Café Ada is already in Till, with the key ending 4242");
    expect(asked.textContent).toContain("restricted key ending 0071");
    expect(replaceAccountKey).not.toHaveBeenCalled();
    await user.click(screen.getByRole("button", { name: "Replace the key" }));
    expect(replaceAccountKey).toHaveBeenCalledWith("acct_1", "rk_test_frontdesk0071");
    expect(await screen.findByText("The key of Café Ada was replaced.")).toBeTruthy();
  });

  it("keeping the current key replaces nothing", async () => {
    addAccount.mockResolvedValue({
      status: "error",
      error: {
        code: "keyReplaceAsked",
        accountId: "acct_1",
        displayName: "Café Ada",
        currentLast4: "4242",
        newLast4: "9999",
        newRestricted: false,
      },
    });
    const user = await paste("sk_test_other9999");
    await screen.findByTestId("key-replace-asked");
    await user.click(screen.getByRole("button", { name: "Keep the current key" }));
    expect(screen.queryByTestId("key-replace-asked")).toBeNull();
    expect(replaceAccountKey).not.toHaveBeenCalled();
  });
});
