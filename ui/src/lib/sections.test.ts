import { describe, expect, it } from "vitest";
import { SECTIONS, builtSections, hashFor, sectionById, sectionFromHash, tabFromHash } from "./sections";

describe("sections", () => {
  it("follow the sidebar order of the interface brief", () => {
    expect(SECTIONS.map((s) => s.label)).toEqual([
      "Overview",
      "Payments",
      "Customers",
      "Holds",
      "Checkouts",
      "Refunds",
      "Disputes",
      "Payouts",
      "Exports",
      "Settings",
    ]);
  });

  it("each say what they are for", () => {
    for (const section of SECTIONS) expect(section.purpose.length).toBeGreaterThan(30);
  });

  it("say which are built, and what already helps with those that are not", () => {
    expect(SECTIONS.filter((s) => !s.built).map((s) => s.id)).toEqual(["customers", "disputes", "payouts", "exports"]);
    expect(builtSections()).toBe("Overview, Payments, Holds, Checkouts, Refunds and Settings");
    for (const section of SECTIONS) {
      if (section.built) expect(section.meanwhile).toBeUndefined();
      else expect(section.meanwhile?.length).toBeGreaterThan(20);
    }
  });

  it("give Holds and Disputes a badge, saying what it counts", () => {
    expect(SECTIONS.filter((s) => s.badge).map((s) => [s.id, s.badge])).toEqual([
      ["holds", "expire within 24 hours"],
      ["disputes", "need a response"],
    ]);
  });

  it("give Checkouts its three tabs, of which only the first is built", () => {
    const checkouts = sectionById("checkouts");
    expect(checkouts.tabs?.map((t) => [t.label, t.built])).toEqual([
      ["Checkouts", true],
      ["Payment links", false],
      ["Catalog", false],
    ]);
    for (const tab of checkouts.tabs ?? []) {
      expect(tab.purpose.length).toBeGreaterThan(30);
      if (!tab.built) expect(tab.meanwhile?.length).toBeGreaterThan(20);
    }
    expect(SECTIONS.filter((s) => s.tabs).map((s) => s.id)).toEqual(["checkouts"]);
  });

  it("round-trip through the location hash", () => {
    for (const section of SECTIONS) expect(sectionFromHash(hashFor(section.id))).toBe(section.id);
  });

  it("fall back to the overview for an unknown or empty hash", () => {
    expect(sectionFromHash("")).toBe("overview");
    expect(sectionFromHash("#/nowhere")).toBe("overview");
    expect(sectionFromHash("#/holds/pi_123")).toBe("holds");
    expect(sectionFromHash("#/refunds?status=failed")).toBe("refunds");
  });

  it("keep the tab in the hash, the first tab when it names none or one unknown", () => {
    const checkouts = sectionById("checkouts");
    for (const tab of checkouts.tabs ?? []) {
      const hash = hashFor("checkouts", tab.id);
      expect(sectionFromHash(hash)).toBe("checkouts");
      expect(tabFromHash(hash, checkouts)?.id).toBe(tab.id);
    }
    expect(hashFor("checkouts", "catalog")).toBe("#/checkouts/catalog");
    expect(tabFromHash("#/checkouts", checkouts)?.id).toBe("checkouts");
    expect(tabFromHash("#/checkouts/nowhere", checkouts)?.id).toBe("checkouts");
    expect(tabFromHash("#/checkouts/catalog?x=1", checkouts)?.id).toBe("catalog");
    expect(tabFromHash("#/payments/catalog", checkouts)?.id).toBe("checkouts");
    expect(tabFromHash("#/payments", sectionById("payments"))).toBeNull();
  });
});
