// @vitest-environment jsdom
import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { sectionById, tabFromHash, type Tab } from "../sections";
import SectionPlaceholder from "./SectionPlaceholder.svelte";
import SectionTabs from "./SectionTabs.svelte";

const checkouts = sectionById("checkouts");
function tab(id: string): Tab {
  const found = checkouts.tabs?.find((t) => t.id === id);
  if (!found) throw new Error(`no tab ${id}`);
  return found;
}

describe("a section's tabs", () => {
  it("are a labelled tab strip with the current tab selected and alone in the Tab order", () => {
    render(SectionTabs, { section: checkouts, current: tab("payment-links") });
    expect(screen.getByRole("tablist", { name: "Checkouts" })).toBeTruthy();
    const tabs = screen.getAllByRole("tab");
    expect(tabs.map((t) => t.textContent)).toEqual(["Checkouts", "Payment links, not built yet", "Catalog, not built yet"]);
    expect(tabs.map((t) => t.getAttribute("aria-selected"))).toEqual(["false", "true", "false"]);
    expect(tabs.map((t) => t.tabIndex)).toEqual([-1, 0, -1]);
    for (const t of tabs) expect(t.getAttribute("aria-controls")).toBe("panel-checkouts");
  });

  it("open a tab by click, and move with the arrow keys, Home and End", async () => {
    const user = userEvent.setup();
    window.location.hash = "#/checkouts";
    render(SectionTabs, { section: checkouts, current: tab("checkouts") });
    await user.click(screen.getByRole("tab", { name: /Catalog/ }));
    expect(window.location.hash).toBe("#/checkouts/catalog");

    const first = screen.getByRole("tab", { name: "Checkouts" });
    first.focus();
    await user.keyboard("{ArrowRight}");
    expect(window.location.hash).toBe("#/checkouts/payment-links");
    expect(document.activeElement?.textContent).toContain("Payment links");
    await user.keyboard("{End}");
    expect(window.location.hash).toBe("#/checkouts/catalog");
    await user.keyboard("{ArrowRight}");
    expect(window.location.hash).toBe("#/checkouts/checkouts");
    expect(tabFromHash(window.location.hash, checkouts)?.id).toBe("checkouts");
    await user.keyboard("{ArrowLeft}");
    expect(window.location.hash).toBe("#/checkouts/catalog");
    await user.keyboard("{Home}");
    expect(window.location.hash).toBe("#/checkouts/checkouts");
  });
});

describe("a place not built yet", () => {
  it("says so plainly, what it will hold, what helps meanwhile and what is built", () => {
    render(SectionPlaceholder, { place: sectionById("exports") });
    expect(screen.getByRole("heading").textContent).toBe("Exports: not built yet");
    expect(screen.getByText(/CSV and Excel files/)).toBeTruthy();
    expect(screen.getByTestId("meanwhile").textContent).toBe(
      "The journal of money movements already exports as CSV from Settings.",
    );
    expect(screen.getByText("Built so far: Overview, Payments, Holds, Checkouts, Refunds and Settings.")).toBeTruthy();
  });

  it("works for a tab too", () => {
    render(SectionPlaceholder, { place: tab("catalog") });
    expect(screen.getByRole("heading").textContent).toBe("Catalog: not built yet");
  });
});
