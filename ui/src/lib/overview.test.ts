import { describe, expect, it } from "vitest";
import type { DayTotals } from "./bindings";
import { convertedInto, localMidnights, periods, summarize } from "./overview";

function day(start: number, usd: number, refunds = 0): DayTotals {
  return {
    start,
    gross: [{ currency: "usd", gross: usd, count: 1 }],
    refunds: refunds ? [{ currency: "usd", amount: refunds, count: 1 }] : [],
    net: [{ currency: "usd", amount: usd - refunds, fees: 30, net: usd - refunds - 30 }],
  };
}

describe("localMidnights", () => {
  it("gives one local midnight per day, oldest first, ending today", () => {
    const now = new Date(2026, 2, 30, 15, 45);
    const midnights = localMidnights(now, 30);
    expect(midnights).toHaveLength(30);
    const dates = midnights.map((m) => new Date(m * 1000));
    for (const d of dates) expect([d.getHours(), d.getMinutes(), d.getSeconds()]).toEqual([0, 0, 0]);
    expect(dates.at(-1)?.getDate()).toBe(30);
    expect(dates[0]?.getDate()).toBe(1);
    expect([...midnights].sort((a, b) => a - b)).toEqual(midnights);
  });
});

describe("summarize", () => {
  it("adds up only the days of the period, per currency", () => {
    const days = [day(100, 1000), day(200, 2500, 500), day(300, 4000)];
    const last2 = summarize(days, 200);
    expect(last2.gross).toEqual([{ currency: "usd", gross: 6500, count: 2 }]);
    expect(last2.refunds).toEqual([{ currency: "usd", amount: 500, count: 1 }]);
    expect(last2.net).toEqual([{ currency: "usd", amount: 6000, fees: 60, net: 5940 }]);
    expect(summarize(days, 400).gross).toEqual([]);
  });

  it("does not change the days it was given", () => {
    const days = [day(100, 1000), day(200, 1000)];
    summarize(days, 0);
    expect(days[0]?.gross[0]?.gross).toBe(1000);
  });
});

describe("periods", () => {
  it("start at local midnight, 7 and 30 days counting today", () => {
    const midnights = localMidnights(new Date(2026, 10, 22, 15, 30), 30);
    const starts = periods(midnights).map((p) => new Date(p.since * 1000));
    expect(starts).toEqual([new Date(2026, 10, 22), new Date(2026, 10, 16), new Date(2026, 9, 24)]);
  });

  it("starts today at the last midnight and 30 days at the first", () => {
    const m = Array.from({ length: 30 }, (_, i) => i * 10);
    expect(periods(m)).toEqual([
      { label: "Today", since: 290 },
      { label: "Last 7 days", since: 230 },
      { label: "Last 30 days", since: 0 },
    ]);
  });
});

describe("convertedInto", () => {
  it("names the sales in currencies with no net of their own, only when one currency settles", () => {
    const gross = [
      { currency: "usd", gross: 100, count: 1 },
      { currency: "eur", gross: 50, count: 1 },
    ];
    const one = convertedInto({ gross, refunds: [], net: [{ currency: "usd", amount: 150, fees: 5, net: 145 }] });
    expect(one.get("usd")).toEqual([{ currency: "eur", gross: 50, count: 1 }]);
    const two = convertedInto({
      gross: [...gross, { currency: "jpy", gross: 900, count: 1 }],
      refunds: [],
      net: [
        { currency: "usd", amount: 100, fees: 5, net: 95 },
        { currency: "eur", amount: 50, fees: 2, net: 48 },
      ],
    });
    expect(two.size).toBe(0);
  });
});
