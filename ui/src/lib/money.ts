// Money is integer minor units plus a currency, as Stripe sends it. The number
// of decimals comes from Stripe's currency rules, not from Intl's defaults:
// Stripe treats a few currencies differently (docs.stripe.com/currencies).

import type { Amount } from "./bindings";
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

/** The typographic minus sign (U+2212), the one every negative amount is shown with. */
export const MINUS_SIGN = "\u2212";

/** Intl writes a hyphen-minus for negatives; the screens write one minus sign everywhere. */
function withMinusSign(text: string): string {
  return text.replace(/-/gu, MINUS_SIGN);
}

/** Formats minor units for display in the user's locale, e.g. 1050 usd → "$10.50", -4061 eur → "−€40.61". */
export function formatMoney(minor: number, currency: string, locale: string = LOCALE): string {
  const decimals = currencyDecimals(currency);
  const major = minor / 10 ** decimals;
  return withMinusSign(
    new Intl.NumberFormat(locale, {
      style: "currency",
      currency: currency.toUpperCase(),
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    }).format(major),
  );
}

/** As [formatMoney], with the ISO code instead of a symbol ("USD 10.50"):
 * lists mix currencies, and "$" alone is also the Canadian or Australian dollar. */
export function formatMoneyCode(minor: number, currency: string, locale: string = LOCALE): string {
  const decimals = currencyDecimals(currency);
  return withMinusSign(
    new Intl.NumberFormat(locale, {
      style: "currency",
      currency: currency.toUpperCase(),
      currencyDisplay: "code",
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    }).format(minor / 10 ** decimals),
  );
}

/** Stripe's largest amount in one charge, refund or price, in minor units. */
export const MAXIMUM_MINOR = 99_999_999;

/** Why typed text is not an amount yet, as the field says it while the person types. */
export type AmountReason =
  | "empty"
  | "notANumber"
  /** Separators this locale does not use where they are, so the text could mean two amounts. */
  | "ambiguous"
  | "tooManyDecimals"
  | "notMultipleOfTen"
  | "notPositive"
  | "aboveMaximum";

export type ParsedAmount = { ok: true; amount: Amount } | { ok: false; reason: AmountReason };

/** How a locale writes numbers: its separators, its digits and how it groups them. */
interface NumberStyle {
  decimal: string;
  /** Characters read as the group separator ("" when the locale does not group). */
  groups: string[];
  /** Digits of the last group (3) and of the groups before it (3; 2 in en-IN). */
  primary: number;
  secondary: number;
  /** The locale's own digits, 0 to 9, when they are not ASCII. */
  digits: string[];
}

const SPACES = [" ", "\u00a0", "\u202f"];
const APOSTROPHES = ["'", "\u2019"];
/** Characters people type as separators in one locale or another. */
const SEPARATOR_LIKE = new Set([".", ",", "\u066b", "\u066c", "\u060c", ...SPACES, ...APOSTROPHES]);
const MINUS = new Set(["-", "\u2212"]);

const styles = new Map<string, NumberStyle>();

function numberStyle(locale: string): NumberStyle {
  const known = styles.get(locale);
  if (known) return known;
  const parts = new Intl.NumberFormat(locale, { useGrouping: true }).formatToParts(1234567.5);
  const decimal = parts.find((p) => p.type === "decimal")?.value ?? ".";
  const group = parts.find((p) => p.type === "group")?.value ?? "";
  const integers = parts.filter((p) => p.type === "integer").map((p) => p.value.length);
  const primary = integers.length > 1 ? (integers.at(-1) ?? 3) : 3;
  const secondary = integers.length > 2 ? (integers.at(-2) ?? primary) : primary;
  // A space-like or apostrophe separator is typed with whichever of them the keyboard has.
  const groups = group === "" ? [] : SPACES.includes(group) ? SPACES : APOSTROPHES.includes(group) ? APOSTROPHES : [group];
  const plain = new Intl.NumberFormat(locale, { useGrouping: false });
  const digits = Array.from({ length: 10 }, (_, d) => plain.format(d));
  const style = { decimal, groups, primary, secondary, digits: digits.join("") === "0123456789" ? [] : digits };
  styles.set(locale, style);
  return style;
}

/**
 * The integer part's groups as this locale writes them: 1,234,567 (and
 * 12,34,567 in en-IN). A group separator is always followed by a full group,
 * so "12,50" in en-US is no amount.
 */
function wellGrouped(groups: string[], style: NumberStyle): boolean {
  const [first = "", ...rest] = groups;
  if (rest.length === 0) return first.length > 0;
  const middle = rest.slice(0, -1);
  const fits = (size: number) => first.length >= 1 && first.length <= size && middle.every((g) => g.length === size);
  return rest.at(-1)?.length === style.primary && (fits(style.primary) || fits(style.secondary));
}

/**
 * What a person typed, as integer minor units of `currency`, read the way
 * `locale` writes numbers: "12,50" is 1250 cents in de-DE and fr-FR, and
 * refused in en-US, where "1,250" is one thousand two hundred and fifty. No
 * floating point: the digits are put together as text.
 */
export function parseAmount(text: string, currency: string, locale: string = LOCALE): ParsedAmount {
  const style = numberStyle(locale);
  const refuse = (reason: AmountReason): ParsedAmount => ({ ok: false, reason });
  let rest = text.trim();
  if (rest === "") return refuse("empty");
  const negative = MINUS.has(rest[0] ?? "");
  if (negative) rest = rest.slice(1).trimStart();

  // Each character as a digit, the decimal separator ("D"), a group separator
  // ("G"), or a separator of another locale (then the text is ambiguous).
  let shape = "";
  let foreign = false;
  for (const char of rest) {
    const local = style.digits.indexOf(char);
    if (char >= "0" && char <= "9") shape += char;
    else if (local >= 0) shape += String(local);
    else if (char === style.decimal) shape += "D";
    else if (style.groups.includes(char)) shape += "G";
    else if (SEPARATOR_LIKE.has(char)) foreign = true;
    else return refuse("notANumber");
  }
  if (!/\d/.test(shape)) return refuse("notANumber");
  if (foreign) return refuse("ambiguous");

  const [whole = "", fraction = "", ...more] = shape.split("D");
  if (more.length > 0 || fraction.includes("G")) return refuse("ambiguous");
  const groups = whole.split("G");
  if (whole !== "" && !wellGrouped(groups, style)) return refuse("ambiguous");

  const decimals = currencyDecimals(currency);
  if (fraction.length > decimals) return refuse("tooManyDecimals");
  const digits = (groups.join("") + fraction.padEnd(decimals, "0")).replace(/^0+/, "");
  if (negative || digits === "") return refuse("notPositive");
  // Longer than Stripe's maximum: refused before it becomes a number at all.
  if (digits.length > String(MAXIMUM_MINOR).length) return refuse("aboveMaximum");
  const minor = Number(digits);
  if (decimals === 3 && minor % 10 !== 0) return refuse("notMultipleOfTen");
  if (minor > MAXIMUM_MINOR) return refuse("aboveMaximum");
  return { ok: true, amount: { minor, currency: currency.toLowerCase() } };
}

/** Minor units as the person would type them in their locale, without grouping: 1050 usd → "10.50" (en-US) or "10,50" (de-DE). */
export function amountText(minor: number, currency: string, locale: string = LOCALE): string {
  const style = numberStyle(locale);
  const decimals = currencyDecimals(currency);
  const plain = String(Math.abs(Math.trunc(minor))).padStart(decimals + 1, "0");
  const text = decimals === 0 ? plain : `${plain.slice(0, -decimals)}${style.decimal}${plain.slice(-decimals)}`;
  const localDigits = style.digits.length === 10 ? text.replace(/\d/g, (d) => style.digits[Number(d)] ?? d) : text;
  return minor < 0 ? `-${localDigits}` : localDigits;
}

/** The field's words for a reason, in the person's own number format. */
export function amountReasonText(reason: AmountReason, currency: string, locale: string = LOCALE): string {
  const code = currency.toUpperCase();
  const decimals = currencyDecimals(currency);
  switch (reason) {
    case "empty":
      return "Type an amount";
    case "notANumber":
      return "That is not an amount";
    case "ambiguous": {
      const example = new Intl.NumberFormat(locale, { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(1234.5);
      return `That could be read two ways: type it like ${example}`;
    }
    case "tooManyDecimals":
      return decimals === 0 ? `${code} has no decimals` : `${code} takes at most ${decimals} decimals`;
    case "notMultipleOfTen":
      return `${code} takes amounts in steps of ${amountText(10, currency, locale)}`;
    case "notPositive":
      return "The amount must be more than zero";
    case "aboveMaximum": {
      const most = decimals === 3 ? MAXIMUM_MINOR - (MAXIMUM_MINOR % 10) : MAXIMUM_MINOR;
      return `That is more than Stripe accepts: at most ${formatMoney(most, currency, locale)}`;
    }
  }
}
