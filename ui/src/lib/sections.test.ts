import { describe, expect, it } from "vitest";
import { SECTIONS, hashFor, sectionFromHash } from "./sections";

describe("sections", () => {
  it("follow the sidebar order of the interface brief", () => {
    expect(SECTIONS.map((s) => s.label)).toEqual([
      "Overview",
      "Payments",
      "Holds",
      "Checkouts",
      "Refunds",
      "Payouts",
      "Exports",
      "Settings",
    ]);
  });

  it("each say what they are for", () => {
    for (const section of SECTIONS) expect(section.purpose.length).toBeGreaterThan(30);
  });

  it("round-trip through the location hash", () => {
    for (const section of SECTIONS) expect(sectionFromHash(hashFor(section.id))).toBe(section.id);
  });

  it("fall back to the overview for an unknown or empty hash", () => {
    expect(sectionFromHash("")).toBe("overview");
    expect(sectionFromHash("#/nowhere")).toBe("overview");
    expect(sectionFromHash("#/holds/pi_123")).toBe("holds");
  });
});
