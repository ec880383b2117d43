// @vitest-environment jsdom
import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import AmountInput from "./AmountInput.svelte";

function show(props: { currency?: string; locale?: string; hint?: string; problem?: string | null; value?: string } = {}) {
  render(AmountInput, { id: "amount", label: "Amount", currency: "eur", locale: "en-US", ...props });
  return screen.getByLabelText<HTMLInputElement>("Amount");
}
const reason = () => screen.queryByTestId("amount-reason");

describe("the amount field", () => {
  it("says nothing while what is typed reads well", async () => {
    const user = userEvent.setup();
    const field = show({ locale: "fr-FR" });
    await user.type(field, "1 250,50");
    expect(reason()).toBeNull();
    expect(field.getAttribute("aria-invalid")).toBe("false");
    expect(screen.getByText("EUR")).toBeTruthy();
  });

  it("gives the reason beside the field as the person types, tied to it for screen readers", async () => {
    const user = userEvent.setup();
    const field = show();
    await user.type(field, "12,50");
    expect(reason()?.textContent).toBe("That could be read two ways: type it like 1,234.50");
    expect(field.getAttribute("aria-invalid")).toBe("true");
    expect(field.getAttribute("aria-describedby")).toBe(reason()?.id);
  });

  it("clears the reason when the text changes to an amount", async () => {
    const user = userEvent.setup();
    const field = show({ currency: "jpy" });
    await user.type(field, "1250.5");
    expect(reason()?.textContent).toBe("JPY has no decimals");
    await user.type(field, "{Backspace}{Backspace}");
    expect(reason()).toBeNull();
  });

  it("follows the currency's rules", async () => {
    const user = userEvent.setup();
    const field = show({ currency: "kwd", locale: "de-DE" });
    await user.type(field, "1,005");
    expect(reason()?.textContent).toBe("KWD takes amounts in steps of 0,010");
    await user.clear(field);
    await user.type(field, "-1");
    expect(reason()?.textContent).toBe("The amount must be more than zero");
    await user.clear(field);
    await user.type(field, "100000");
    expect(reason()?.textContent).toBe("That is more than Stripe accepts: at most 99.999,990\u00a0KWD");
  });

  it("shows its hint while empty, and the form's own problem once the amount reads well", () => {
    show({ hint: "Type the amount to capture" });
    expect(reason()?.textContent).toBe("Type the amount to capture");
    expect(screen.getByLabelText("Amount").getAttribute("aria-invalid")).toBe("false");
  });

  it("shows the form's problem with an amount that reads well", () => {
    const field = show({ value: "500", problem: "That is more than the €10.00 still refundable" });
    expect(reason()?.textContent).toBe("That is more than the €10.00 still refundable");
    expect(field.getAttribute("aria-invalid")).toBe("true");
  });
});
