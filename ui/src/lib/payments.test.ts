import { describe, expect, it } from "vitest";
import { countdown, periodStarts, statusLabel, urgency, visibleWindow } from "./payments";

describe("visibleWindow", () => {
  it("renders only what is in view plus the overscan", () => {
    expect(visibleWindow(0, 720, 36, 100_000)).toEqual({ start: 0, end: 30 });
    const deep = visibleWindow(36 * 50_000, 720, 36, 100_000);
    expect(deep).toEqual({ start: 49_990, end: 50_030 });
    expect(deep.end - deep.start).toBeLessThan(200);
  });

  it("stops at the last row", () => {
    expect(visibleWindow(36 * 99_990, 720, 36, 100_000)).toEqual({ start: 99_980, end: 100_000 });
    expect(visibleWindow(0, 720, 36, 0)).toEqual({ start: 0, end: 0 });
  });
});

describe("statusLabel", () => {
  it("uses the merchant's words", () => {
    expect(statusLabel("requires_capture")).toBe("Hold");
    expect(statusLabel("requires_payment_method")).toBe("Failed");
    expect(statusLabel("something_new")).toBe("something_new");
  });
});

describe("overview periods", () => {
  it("start at local midnight, 7 and 30 days counting today", () => {
    const now = new Date(2026, 10, 22, 15, 30);
    const starts = periodStarts(now).map((p) => new Date(p.since * 1000));
    expect(starts).toEqual([new Date(2026, 10, 22), new Date(2026, 10, 16), new Date(2026, 9, 24)]);
  });
});

describe("hold countdown", () => {
  it("reads in days, hours and minutes and turns amber then red", () => {
    expect(countdown(1000 + 2 * 86_400 + 4 * 3600, 1000)).toBe("expires in 2 d 4 h");
    expect(countdown(1000 + 3 * 3600 + 120, 1000)).toBe("expires in 3 h 2 min");
    expect(countdown(1000, 1000)).toBe("expired");
    expect(urgency(1000 + 30 * 3600, 1000)).toBe("calm");
    expect(urgency(1000 + 20 * 3600, 1000)).toBe("amber");
    expect(urgency(1000 + 3 * 3600, 1000)).toBe("red");
  });
});
