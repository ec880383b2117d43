// The suite runs once per time zone (vite.config.ts): these check that each
// run really is in its zone, and that local days are counted from the
// calendar there, 23 and 25 hours long around Berlin's clock changes.
import { describe, expect, it } from "vitest";
import { localMidnights, periods } from "./overview";
import { dateRange } from "./payments";

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const HOUR = 3600;

describe(`in ${zone}`, () => {
  it("runs in the time zone its project names", () => {
    expect(["UTC", "Europe/Berlin"]).toContain(process.env.TZ);
    expect(zone).toBe(process.env.TZ);
    // Date, not only Intl, follows it: noon on 1 July is 10:00 UTC in Berlin's summer time.
    expect(new Date(2026, 6, 1, 12).getUTCHours()).toBe(zone === "UTC" ? 12 : 10);
  });

  it("counts the days of the last week by the calendar, across a clock change", () => {
    // Berlin moves its clocks forward at 02:00 on Sunday 29 March 2026.
    const midnights = localMidnights(new Date(2026, 2, 31, 9, 30), 4);
    const lengths = midnights.slice(1).map((m, i) => (m - (midnights[i] ?? 0)) / HOUR);
    expect(lengths).toEqual(zone === "Europe/Berlin" ? [24, 23, 24] : [24, 24, 24]);
    for (const m of midnights) expect(new Date(m * 1000).getHours()).toBe(0);
    expect(midnights.map((m) => new Date(m * 1000).getDate())).toEqual([28, 29, 30, 31]);
    // Last 7 days starts at the local midnight six calendar days back, whatever the hours between.
    const week = periods(localMidnights(new Date(2026, 2, 31, 9, 30), 30))[1]?.since ?? 0;
    expect(new Date(week * 1000)).toEqual(new Date(2026, 2, 25));
  });

  it("starts today at local midnight on the short and the long day", () => {
    for (const [day, hours] of [
      [new Date(2026, 2, 29, 23, 30), 23],
      [new Date(2026, 9, 25, 23, 30), 25],
    ] as const) {
      const today = dateRange("today", day).from ?? 0;
      const tomorrow = dateRange("today", new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1, 0, 30)).from ?? 0;
      expect(new Date(today * 1000)).toEqual(new Date(day.getFullYear(), day.getMonth(), day.getDate()));
      expect((tomorrow - today) / HOUR).toBe(zone === "Europe/Berlin" ? hours : 24);
    }
    const custom = dateRange("custom", new Date(2026, 2, 31), "2026-03-29", "2026-03-29");
    expect(((custom.before ?? 0) - (custom.from ?? 0)) / HOUR).toBe(zone === "Europe/Berlin" ? 23 : 24);
  });
});
