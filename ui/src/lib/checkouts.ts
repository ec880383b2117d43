// The new-checkout form's arithmetic and the Checkouts list's wording. The
// core checks everything again before anything is sent; this only gives the
// owner a live total and early hints.
import type { CatalogPrice, CheckoutDraft, DraftItem } from "./bindings";
import { parseMajor } from "./money";

/** The expiries the form offers, in minutes (Stripe allows 30 min to 24 h). */
export const EXPIRY_CHOICES: readonly { minutes: number; label: string }[] = [
  { minutes: 30, label: "30 minutes" },
  { minutes: 60, label: "1 hour" },
  { minutes: 120, label: "2 hours" },
  { minutes: 360, label: "6 hours" },
  { minutes: 720, label: "12 hours" },
  { minutes: 1440, label: "24 hours" },
];

export function emptyDraft(currency = "usd"): CheckoutDraft {
  return {
    items: [{ kind: "adhoc", name: "", unitAmount: "", currency, quantity: 1 }],
    customerId: null,
    customerEmail: null,
    clientReference: null,
    metadata: [],
    allowPromotionCodes: false,
    collectBillingAddress: false,
    collectPhone: false,
    manualCapture: false,
    expiresInMinutes: 60,
    successUrl: null,
    cancelUrl: null,
  };
}

export type Total =
  | { kind: "ok"; amount: number; currency: string }
  | { kind: "empty" }
  | { kind: "mixed"; currencies: string[] }
  | { kind: "incomplete"; line: number };

/** A line's currency and unit price in minor units, or null while it cannot be read. */
function priced(item: DraftItem, catalog: readonly CatalogPrice[]): { unit: number; currency: string } | null {
  if (item.kind === "price") {
    const price = catalog.find((p) => p.id === item.priceId);
    return price ? { unit: price.unitAmount, currency: price.currency } : null;
  }
  const unit = parseMajor(item.unitAmount, item.currency);
  return unit === null ? null : { unit, currency: item.currency.toLowerCase() };
}

/** A quantity as the core takes it: a whole number, or 0 (refused with its line). */
export function wholeQuantity(quantity: number | null | undefined): number {
  return typeof quantity === "number" && Number.isInteger(quantity) && quantity >= 1 ? quantity : 0;
}

/** The live total under the lines. */
export function draftTotal(items: readonly DraftItem[], catalog: readonly CatalogPrice[]): Total {
  if (items.length === 0) return { kind: "empty" };
  let amount = 0;
  const currencies = new Set<string>();
  for (const [index, item] of items.entries()) {
    const line = priced(item, catalog);
    if (line === null || wholeQuantity(item.quantity) === 0) return { kind: "incomplete", line: index };
    currencies.add(line.currency);
    amount += line.unit * item.quantity;
  }
  const list = [...currencies];
  if (list.length > 1) return { kind: "mixed", currencies: list };
  return { kind: "ok", amount, currency: list[0] ?? "usd" };
}

/** What the customer field holds: a customer's id, or an email to prefill. */
export function customerOf(text: string): { customerId: string | null; customerEmail: string | null } {
  const trimmed = text.trim();
  if (trimmed === "") return { customerId: null, customerEmail: null };
  if (trimmed.startsWith("cus_")) return { customerId: trimmed, customerEmail: null };
  return { customerId: null, customerEmail: trimmed };
}

/** "closes in 42 min", "closes in 3 h 5 min", "closed". */
export function closesIn(expiresAt: number, nowSeconds: number): string {
  const left = expiresAt - nowSeconds;
  if (left <= 0) return "closed";
  const hours = Math.floor(left / 3600);
  const minutes = Math.floor((left % 3600) / 60);
  if (hours > 0) return `closes in ${hours} h ${minutes} min`;
  return `closes in ${Math.max(minutes, 1)} min`;
}

/** The list's words for a session's state and its payment's. */
export function checkoutState(status: string, paymentState: string | null, nowSeconds: number, expiresAt: number): string {
  if (status === "open") return expiresAt <= nowSeconds ? "Expired" : "Open";
  if (status === "expired") return "Expired";
  if (paymentState === "requires_capture") return "Paid · on hold";
  if (paymentState === "succeeded") return "Paid";
  return "Complete";
}
