// The new-checkout form's arithmetic and the Checkouts list's wording. The
// core checks everything again before anything is sent; this only gives the
// owner a live total and early hints.
import type { CatalogPrice, CheckoutDraft, CheckoutProblem, DraftItem } from "./bindings";
import { LOCALE } from "./locale";
import { amountText, parseAmount, type AmountReason } from "./money";

/** The expiries the form offers, in minutes (Stripe allows 30 min to 24 h). */
export const EXPIRY_CHOICES: readonly { minutes: number; label: string }[] = [
  { minutes: 30, label: "30 minutes" },
  { minutes: 60, label: "1 hour" },
  { minutes: 120, label: "2 hours" },
  { minutes: 360, label: "6 hours" },
  { minutes: 720, label: "12 hours" },
  { minutes: 1440, label: "24 hours" },
];

/** A new checkout: no lines yet (the form starts with one empty line). */
export function emptyDraft(): CheckoutDraft {
  return {
    items: [],
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

/**
 * A line as the form holds it: a typed-in line keeps its price as the
 * person typed it, read into minor units only when it is sent.
 */
export type FormLine =
  | { kind: "adhoc"; name: string; price: string; currency: string; quantity: number }
  | { kind: "price"; priceId: string; quantity: number };

export function emptyLine(currency: string): FormLine {
  return { kind: "adhoc", name: "", price: "", currency, quantity: 1 };
}

/** A typed-in line nothing was typed into yet. */
export function isBlank(line: FormLine | undefined): boolean {
  return line?.kind === "adhoc" && line.name.trim() === "" && line.price.trim() === "";
}

/** A draft's lines for the form (a duplicated checkout's prices in the person's own format). */
export function formLines(items: readonly DraftItem[], currency = "usd", locale: string = LOCALE): FormLine[] {
  if (items.length === 0) return [emptyLine(currency)];
  return items.map((item) =>
    item.kind === "price"
      ? { ...item }
      : {
          kind: "adhoc",
          name: item.name,
          price: amountText(item.unitAmount, item.currency, locale),
          currency: item.currency,
          quantity: item.quantity,
        },
  );
}

export type Total =
  | { kind: "ok"; amount: number; currency: string }
  | { kind: "empty" }
  | { kind: "mixed"; currencies: string[] }
  | { kind: "incomplete"; line: number };

type Priced = { ok: true; unit: number; currency: string } | { ok: false; reason: AmountReason | "unknownPrice" };

/** A line's currency and unit price in minor units, or why it cannot be read. */
function priced(line: FormLine, catalog: readonly CatalogPrice[], locale: string): Priced {
  if (line.kind === "price") {
    const price = catalog.find((p) => p.id === line.priceId);
    return price ? { ok: true, unit: price.unitAmount, currency: price.currency } : { ok: false, reason: "unknownPrice" };
  }
  const parsed = parseAmount(line.price, line.currency, locale);
  return parsed.ok ? { ok: true, unit: parsed.amount.minor, currency: parsed.amount.currency } : parsed;
}

/** A quantity as the core takes it: a whole number, or 0 (refused with its line). */
export function wholeQuantity(quantity: number | null | undefined): number {
  return typeof quantity === "number" && Number.isInteger(quantity) && quantity >= 1 ? quantity : 0;
}

/** The live total under the lines. */
export function draftTotal(lines: readonly FormLine[], catalog: readonly CatalogPrice[], locale: string = LOCALE): Total {
  if (lines.length === 0) return { kind: "empty" };
  let amount = 0;
  const currencies = new Set<string>();
  for (const [index, line] of lines.entries()) {
    const price = priced(line, catalog, locale);
    if (!price.ok || wholeQuantity(line.quantity) === 0) return { kind: "incomplete", line: index };
    currencies.add(price.currency);
    amount += price.unit * line.quantity;
  }
  const list = [...currencies];
  if (list.length > 1) return { kind: "mixed", currencies: list };
  return { kind: "ok", amount, currency: list[0] ?? "usd" };
}

/** Why the form refuses to send a line, in the core's own terms: the same words and the line marked. */
export type LineRefusal = { line: number; reason: CheckoutProblem; amountReason: AmountReason };

/**
 * The lines as the core takes them: typed-in prices in minor units. A
 * price that cannot be read is refused here, with its line, before anything
 * is sent. A cleared or fractional quantity goes as 0: the core refuses it
 * with its reason and the line, instead of the call failing to decode.
 */
export function draftItems(
  lines: readonly FormLine[],
  locale: string = LOCALE,
): { ok: true; items: DraftItem[] } | ({ ok: false } & LineRefusal) {
  const items: DraftItem[] = [];
  for (const [index, line] of lines.entries()) {
    const quantity = wholeQuantity(line.quantity);
    if (line.kind === "price") {
      items.push({ kind: "price", priceId: line.priceId, quantity });
      continue;
    }
    const parsed = parseAmount(line.price, line.currency, locale);
    if (!parsed.ok) {
      const reason = parsed.reason === "empty" || parsed.reason === "notPositive" ? "priceNotPositive" : "priceInvalid";
      return { ok: false, line: index, reason, amountReason: parsed.reason };
    }
    items.push({ kind: "adhoc", name: line.name, unitAmount: parsed.amount.minor, currency: line.currency, quantity });
  }
  return { ok: true, items };
}

/** What the customer field holds: a customer's id, or an email to prefill. */
export function customerOf(text: string): { customerId: string | null; customerEmail: string | null } {
  const trimmed = text.trim();
  if (trimmed === "") return { customerId: null, customerEmail: null };
  if (trimmed.startsWith("cus_")) return { customerId: trimmed, customerEmail: null };
  return { customerId: null, customerEmail: trimmed };
}

/** "closes in 42 min", "closes in 3 h 5 min", or "closing now" once the time
 * has come and Stripe has not closed it yet. `nowSeconds` is Stripe's now
 * (this computer's clock may be off). */
export function closesIn(expiresAt: number, nowSeconds: number): string {
  const left = expiresAt - nowSeconds;
  if (left <= 0) return "closing now";
  const hours = Math.floor(left / 3600);
  const minutes = Math.floor((left % 3600) / 60);
  if (hours > 0) return `closes in ${hours} h ${minutes} min`;
  return `closes in ${Math.max(minutes, 1)} min`;
}

/** The list's words for a session's state and its payment's: Stripe's
 * status, never this computer's guess from the time (its clock may be off,
 * and Stripe closes a session itself). */
export function checkoutState(status: string, paymentState: string | null): string {
  if (status === "open") return "Open";
  if (status === "expired") return "Expired";
  if (paymentState === "requires_capture") return "Paid · on hold";
  if (paymentState === "succeeded") return "Paid";
  return "Complete";
}
