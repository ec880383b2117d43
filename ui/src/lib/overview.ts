// The Overview's arithmetic, apart from the component: the core returns one
// total per local day; these add days up into "Today", "Last 7 days" and
// "Last 30 days".
import type { DayTotals, GrossTotal, NetTotal, RefundTotal } from "./bindings";

/** The local midnights of the last `days` days, oldest first (DST-safe: built from dates, not by subtracting 86,400). */
export function localMidnights(now: Date, days: number): number[] {
  const out: number[] = [];
  for (let back = days - 1; back >= 0; back--) {
    const day = new Date(now.getFullYear(), now.getMonth(), now.getDate() - back);
    out.push(Math.floor(day.getTime() / 1000));
  }
  return out;
}

export interface PeriodSummary {
  gross: GrossTotal[];
  refunds: RefundTotal[];
  net: NetTotal[];
}

function addUp<T extends { currency: string }>(rows: T[], add: (into: T, row: T) => void): T[] {
  const byCurrency = new Map<string, T>();
  for (const row of rows) {
    const into = byCurrency.get(row.currency);
    if (into) add(into, row);
    else byCurrency.set(row.currency, { ...row });
  }
  return [...byCurrency.values()];
}

/** Totals per currency over the days that start at or after `since`, largest first. */
export function summarize(days: DayTotals[], since: number): PeriodSummary {
  const inPeriod = days.filter((day) => day.start >= since);
  const gross = addUp(
    inPeriod.flatMap((d) => d.gross),
    (a, b) => {
      a.gross += b.gross;
      a.count += b.count;
    },
  ).sort((a, b) => b.gross - a.gross);
  const refunds = addUp(
    inPeriod.flatMap((d) => d.refunds),
    (a, b) => {
      a.amount += b.amount;
      a.count += b.count;
    },
  ).sort((a, b) => b.amount - a.amount);
  const net = addUp(
    inPeriod.flatMap((d) => d.net),
    (a, b) => {
      a.amount += b.amount;
      a.fees += b.fees;
      a.net += b.net;
    },
  ).sort((a, b) => b.net - a.net);
  return { gross, refunds, net };
}

/** The Overview's three periods: their labels and the first day of each. */
export function periods(midnights: number[]): { label: string; since: number }[] {
  const at = (back: number) => midnights[Math.max(0, midnights.length - back)] ?? 0;
  return [
    { label: "Today", since: at(1) },
    { label: "Last 7 days", since: at(7) },
    { label: "Last 30 days", since: at(30) },
  ];
}

/**
 * What a settled net took in from other currencies: the gross of every
 * currency that has no settled net of its own, when the period settles in one
 * currency only (with two or more, which sales went where is not in the
 * figures). Gross counts by the day of the sale and the net by the day Stripe
 * booked it, so these are the sales converted, not an exact part of the net.
 */
export function convertedInto(summary: PeriodSummary): Map<string, GrossTotal[]> {
  const into = new Map<string, GrossTotal[]>();
  const settled = new Set(summary.net.map((n) => n.currency));
  const [only] = settled;
  if (settled.size !== 1 || only === undefined) return into;
  const converted = summary.gross.filter((g) => !settled.has(g.currency));
  if (converted.length > 0) into.set(only, converted);
  return into;
}
