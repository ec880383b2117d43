import { describe, expect, it } from "vitest";
import { statusLabel, visibleWindow } from "./payments";

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
