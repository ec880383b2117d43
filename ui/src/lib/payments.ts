// Pure helpers for the Payments list, unit-tested apart from the component.
import type { PaymentSort } from "./bindings";

/** The rows of a virtualized list to render: those in view plus a margin. */
export function visibleWindow(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
  overscan = 10,
): { start: number; end: number } {
  const first = Math.floor(scrollTop / rowHeight);
  const count = Math.ceil(viewportHeight / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(total, first + count + overscan);
  return { start, end: Math.max(start, end) };
}

export const STATUS_FILTERS: readonly { label: string; statuses: string[]; refundedOnly?: boolean }[] = [
  { label: "All", statuses: [] },
  { label: "Succeeded", statuses: ["succeeded"] },
  { label: "Holds", statuses: ["requires_capture"] },
  { label: "Canceled", statuses: ["canceled"] },
  { label: "Failed", statuses: ["requires_payment_method"] },
  // Paid, then part or all of it paid back.
  { label: "Refunded", statuses: ["succeeded"], refundedOnly: true },
];

export type DateRangeId = "any" | "today" | "7d" | "30d" | "90d" | "year" | "custom";

/** The date, currency and amount a money list is narrowed to (Payments, Refunds). */
export type Ranges = {
  /** Unix time, inclusive. */
  createdFrom: number | null;
  /** Unix time, exclusive. */
  createdBefore: number | null;
  currency: string | null;
  /** Minor units of `currency`; none without a currency. */
  amountMin: number | null;
  amountMax: number | null;
};

export const DATE_RANGES: readonly { id: DateRangeId; label: string }[] = [
  { id: "any", label: "Any time" },
  { id: "today", label: "Today" },
  { id: "7d", label: "Last 7 days" },
  { id: "30d", label: "Last 30 days" },
  { id: "90d", label: "Last 90 days" },
  { id: "year", label: "This year" },
  { id: "custom", label: "Custom…" },
];

/**
 * A date chip as Unix times in the user's time zone: `from` inclusive,
 * `before` exclusive. Custom dates are `YYYY-MM-DD` (an `<input type="date">`),
 * both days included.
 */
export function dateRange(
  id: DateRangeId,
  now: Date,
  customFrom = "",
  customTo = "",
): { from: number | null; before: number | null } {
  const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
  const daysBack = (n: number) => new Date(now.getFullYear(), now.getMonth(), now.getDate() - n);
  const parse = (text: string, extraDays: number) => {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (!match) return null;
    return seconds(new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + extraDays));
  };
  switch (id) {
    case "any":
      return { from: null, before: null };
    case "today":
      return { from: seconds(daysBack(0)), before: null };
    case "7d":
      return { from: seconds(daysBack(6)), before: null };
    case "30d":
      return { from: seconds(daysBack(29)), before: null };
    case "90d":
      return { from: seconds(daysBack(89)), before: null };
    case "year":
      return { from: seconds(new Date(now.getFullYear(), 0, 1)), before: null };
    case "custom":
      return { from: parse(customFrom, 0), before: parse(customTo, 1) };
  }
}

/** A payment's state as its pill shows it: a refund changes what a paid payment is. */
export function paymentState(p: { status: string; amountReceived: number; amountRefunded: number }): {
  key: string;
  label: string;
} {
  if (p.status === "succeeded" && p.amountRefunded > 0) {
    return p.amountRefunded >= p.amountReceived
      ? { key: "refunded", label: "Refunded" }
      : { key: "partially_refunded", label: "Partially refunded" };
  }
  return { key: p.status, label: statusLabel(p.status) };
}

/** Words for a PaymentIntent status, as the merchant reads them. */
export function statusLabel(status: string): string {
  switch (status) {
    case "succeeded":
      return "Succeeded";
    case "requires_capture":
      return "Hold";
    case "canceled":
      return "Canceled";
    case "requires_payment_method":
      return "Failed";
    case "requires_action":
      return "Needs authentication";
    case "processing":
      return "Processing";
    case "requires_confirmation":
      return "Incomplete";
    default:
      return status;
  }
}

/** "expires in 2 d 4 h", "expires in 35 min", or "expired". */
export function countdown(captureBefore: number, nowSeconds: number): string {
  const left = captureBefore - nowSeconds;
  if (left <= 0) return "expired";
  const days = Math.floor(left / 86_400);
  const hours = Math.floor((left % 86_400) / 3600);
  const minutes = Math.floor((left % 3600) / 60);
  if (days > 0) return `expires in ${days} d ${hours} h`;
  if (hours > 0) return `expires in ${hours} h ${minutes} min`;
  return `expires in ${Math.max(minutes, 1)} min`;
}

/** Amber under 24 hours, red under 4. */
export function urgency(captureBefore: number, nowSeconds: number): "red" | "amber" | "calm" {
  const left = captureBefore - nowSeconds;
  if (left < 4 * 3600) return "red";
  if (left < 24 * 3600) return "amber";
  return "calm";
}

/** Clicking a column header: the first click sorts that column its natural way, the next reverses it. */
export function nextSort(current: PaymentSort, column: "amount" | "created"): PaymentSort {
  if (column === "amount") return current === "largestFirst" ? "smallestFirst" : "largestFirst";
  return current === "newestFirst" ? "oldestFirst" : "newestFirst";
}

/** `aria-sort` for a column header. */
export function ariaSort(current: PaymentSort, column: "amount" | "created"): "ascending" | "descending" | "none" {
  if (column === "amount") {
    if (current === "largestFirst") return "descending";
    return current === "smallestFirst" ? "ascending" : "none";
  }
  if (current === "newestFirst") return "descending";
  return current === "oldestFirst" ? "ascending" : "none";
}

const BRANDS: Record<string, string> = {
  amex: "American Express",
  diners: "Diners Club",
  discover: "Discover",
  eftpos_au: "eftpos",
  jcb: "JCB",
  mastercard: "Mastercard",
  unionpay: "UnionPay",
  visa: "Visa",
};

/** A card brand as printed on the card ("mastercard" → "Mastercard"). */
export function cardBrand(brand: string | null): string {
  if (!brand) return "Card";
  return BRANDS[brand] ?? brand.charAt(0).toUpperCase() + brand.slice(1);
}
