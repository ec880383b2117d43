// @vitest-environment jsdom
import { render, screen } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import type { PaymentQuery } from "../bindings";
import PaymentFilters from "./PaymentFilters.svelte";

const query = (currency: string | null): PaymentQuery => ({
  statuses: [],
  currency,
  createdFrom: null,
  createdBefore: null,
  amountMin: null,
  amountMax: null,
  customerId: null,
  refundedOnly: false,
  sort: "newestFirst",
});

describe("the amount filter", () => {
  it("says, where its fields would be, that it needs a currency first", () => {
    render(PaymentFilters, { query: query(null), currencies: ["eur", "usd"] });
    expect(screen.getByTestId("amount-needs-currency").textContent).toBe("pick a currency first");
    expect(screen.queryByRole("textbox", { name: "Minimum amount" })).toBeNull();
  });

  it("offers its fields once a currency is picked", () => {
    render(PaymentFilters, { query: query("eur"), currencies: ["eur", "usd"] });
    expect(screen.queryByTestId("amount-needs-currency")).toBeNull();
    expect(screen.getByRole("textbox", { name: "Minimum amount" })).toBeTruthy();
  });
});
