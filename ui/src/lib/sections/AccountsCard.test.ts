// @vitest-environment jsdom
import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { commands } from "../bindings";
import AccountsCard from "./AccountsCard.svelte";

vi.mock("../bindings", () => ({ commands: { addAccount: vi.fn(), listAccounts: vi.fn() } }));

describe("adding an account", () => {
  it("clears the last refusal as soon as the key is edited", async () => {
    vi.mocked(commands.addAccount).mockResolvedValue({ status: "error", error: { code: "keyRejected", reason: "malformed", detail: "too short" } });
    const user = userEvent.setup();
    render(AccountsCard);
    const field = screen.getByLabelText(/Add an account/);
    await user.type(field, "sk_test_x");
    await user.click(screen.getByRole("button", { name: "Add account" }));
    expect((await screen.findByTestId("add-account-error")).textContent).toContain("That does not look like a Stripe key");
    await user.type(field, "y");
    expect(screen.queryByTestId("add-account-error")).toBeNull();
  });
});
