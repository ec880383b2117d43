// Money is integer minor units plus a currency, as Stripe sends it. The number
// of decimals comes from Stripe's currency rules, not from Intl's defaults:
// Stripe treats a few currencies differently (docs.stripe.com/currencies).

import { LOCALE } from "./locale";

const ZERO_DECIMAL = new Set([
  "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
]);
const THREE_DECIMAL = new Set(["bhd", "jod", "kwd", "omr", "tnd"]);

/** Decimal places Stripe uses for amounts in this currency. */
export function currencyDecimals(currency: string): number {
  const code = currency.toLowerCase();
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

/** Formats minor units for display in the user's locale, e.g. 1050 usd → "$10.50". */
export function formatMoney(minor: number, currency: string, locale: string = LOCALE): string {
  const decimals = currencyDecimals(currency);
  const major = minor / 10 ** decimals;
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency: currency.toUpperCase(),
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  }).format(major);
}

/** As [formatMoney], with the ISO code instead of a symbol ("USD 10.50"):
 * lists mix currencies, and "$" alone is also the Canadian or Australian dollar. */
export function formatMoneyCode(minor: number, currency: string, locale: string = LOCALE): string {
  const decimals = currencyDecimals(currency);
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency: currency.toUpperCase(),
    currencyDisplay: "code",
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  }).format(minor / 10 ** decimals);
}

/** Minor units as a person types them in the currency's major unit: 1050 usd → "10.50", 1050 jpy → "1050". */
export function majorText(minor: number, currency: string): string {
  const decimals = currencyDecimals(currency);
  return decimals === 0 ? String(minor) : (minor / 10 ** decimals).toFixed(decimals);
}

/** What a person typed, in minor units, or null when it is not an amount. */
export function parseMajor(text: string, currency: string): number | null {
  const trimmed = text.trim().replace(",", ".");
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return null;
  return Math.round(Number.parseFloat(trimmed) * 10 ** currencyDecimals(currency));
}
