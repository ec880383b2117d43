import { describe, expect, it } from "vitest";
import { ago } from "./time";

describe("ago", () => {
  const now = 1_800_000_000;
  it("says minutes, then hours, then days", () => {
    expect(ago(now - 5 * 60, now)).toBe("5 min ago");
    expect(ago(now - 3 * 3600, now)).toBe("3 h ago");
    expect(ago(now - 12 * 86_400, now)).toBe("12 days ago");
  });
  it("never says a time is in the future", () => {
    expect(ago(now + 120, now)).toBe("0 min ago");
  });
});
