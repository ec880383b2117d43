import { describe, expect, it } from "vitest";
import { amountReasonText, amountText, currencyDecimals, formatMoney, formatMoneyCode, parseAmount, type AmountReason } from "./money";

describe("money", () => {
  it("knows Stripe's decimals per currency", () => {
    expect(currencyDecimals("usd")).toBe(2);
    expect(currencyDecimals("JPY")).toBe(0);
    expect(currencyDecimals("krw")).toBe(0);
    expect(currencyDecimals("bhd")).toBe(3);
    expect(currencyDecimals("kwd")).toBe(3);
  });

  it("formats minor units with the currency's own decimals", () => {
    expect(formatMoney(1050, "usd", "en-US")).toBe("$10.50");
    expect(formatMoney(1050, "jpy", "en-US")).toBe("¥1,050");
    expect(formatMoney(1050, "bhd", "en-US")).toBe("BHD\u00a01.050");
    expect(formatMoney(-250, "eur", "en-US")).toBe("\u2212€2.50");
    expect(formatMoney(-4061, "eur", "en-US")).toBe("−€40.61");
    expect(formatMoney(-4061, "eur", "de-DE")).toBe("−40,61\u00a0€");
    expect(formatMoneyCode(-4061, "eur", "en-US")).toBe("−EUR\u00a040.61");
    expect(formatMoneyCode(-100, "jpy", "en-US")).not.toContain("-");
    expect(formatMoneyCode(123456, "usd", "en-US")).toBe("USD\u00a01,234.56");
    expect(formatMoneyCode(59740, "jpy", "en-US")).toBe("JPY\u00a059,740");
    expect(formatMoneyCode(69200, "bhd", "en-US")).toBe("BHD\u00a069.200");
  });
});

// What each locale's people type, and what it is worth: minor units, or the
// reason the field gives. One table per locale; JPY has no decimals, EUR two,
// BHD and KWD three (in steps of 10 fils).
type Row = [text: string, currency: string, expected: number | AmountReason];

const TABLES: Record<string, Row[]> = {
  "en-US": [
    ["12.50", "eur", 1250],
    ["1,250.00", "eur", 125000],
    ["1,250", "eur", 125000],
    ["1,234,567.89", "eur", "aboveMaximum"],
    ["999,999.99", "eur", 99_999_999],
    ["1,000,000.00", "eur", "aboveMaximum"],
    ["12,50", "eur", "ambiguous"],
    ["1.250,5", "eur", "ambiguous"],
    ["1,2,3", "eur", "ambiguous"],
    ["1234,567", "eur", "ambiguous"],
    ["12 50", "eur", "ambiguous"],
    ["1.2.3", "eur", "ambiguous"],
    [".5", "eur", 50],
    ["12.", "eur", 1200],
    [" 7 ", "eur", 700],
    ["0012.50", "eur", 1250],
    ["12.505", "eur", "tooManyDecimals"],
    ["0", "eur", "notPositive"],
    ["0.00", "eur", "notPositive"],
    ["-5", "eur", "notPositive"],
    ["\u22125", "eur", "notPositive"],
    ["", "eur", "empty"],
    ["   ", "eur", "empty"],
    ["abc", "eur", "notANumber"],
    ["€12", "eur", "notANumber"],
    ["1e3", "eur", "notANumber"],
    ["-", "eur", "notANumber"],
    [".", "eur", "notANumber"],
    ["1250", "jpy", 1250],
    ["1,250", "jpy", 1250],
    ["1250.5", "jpy", "tooManyDecimals"],
    ["99,999,999", "jpy", 99_999_999],
    ["100,000,000", "jpy", "aboveMaximum"],
    ["123456789012345678901234567890", "jpy", "aboveMaximum"],
    ["1.25", "bhd", 1250],
    ["1.250", "bhd", 1250],
    ["1,250.5", "bhd", 1250500],
    ["1.255", "bhd", "notMultipleOfTen"],
    ["1.2505", "bhd", "tooManyDecimals"],
    ["0.01", "kwd", 10],
    ["0.001", "kwd", "notMultipleOfTen"],
    ["99,999.99", "kwd", 99_999_990],
  ],
  "de-DE": [
    ["12,50", "eur", 1250],
    ["1.250,00", "eur", 125000],
    ["1.250", "eur", 125000],
    ["12.50", "eur", "ambiguous"],
    ["1,250.00", "eur", "ambiguous"],
    ["1,2,3", "eur", "ambiguous"],
    ["12,505", "eur", "tooManyDecimals"],
    ["0,00", "eur", "notPositive"],
    ["1.250", "jpy", 1250],
    ["1250,5", "jpy", "tooManyDecimals"],
    ["1,25", "bhd", 1250],
    ["1,255", "bhd", "notMultipleOfTen"],
    ["2.000,5", "kwd", 2000500],
  ],
  "fr-FR": [
    ["12,50", "eur", 1250],
    ["1\u202f250,50", "eur", 125050],
    ["1\u00a0250,50", "eur", 125050],
    ["1 250,50", "eur", 125050],
    ["1 234 567", "jpy", 1234567],
    ["12.50", "eur", "ambiguous"],
    ["12 50", "eur", "ambiguous"],
    ["1 2 3", "eur", "ambiguous"],
    ["1,5", "jpy", "tooManyDecimals"],
    ["0,12", "bhd", 120],
    ["0,125", "kwd", "notMultipleOfTen"],
    ["0,13", "kwd", 130],
    ["0,123", "kwd", "notMultipleOfTen"],
  ],
  "ja-JP": [
    ["1,250", "jpy", 1250],
    ["1250", "jpy", 1250],
    ["1,25", "jpy", "ambiguous"],
    ["12.5", "jpy", "tooManyDecimals"],
    ["12.50", "eur", 1250],
    ["1.25", "bhd", 1250],
    ["1,000.5", "kwd", 1000500],
  ],
};

describe("parseAmount", () => {
  for (const [locale, rows] of Object.entries(TABLES)) {
    it(`reads what people type in ${locale}`, () => {
      const read = rows.map(([text, currency]) => {
        const parsed = parseAmount(text, currency, locale);
        return [text, currency, parsed.ok ? parsed.amount.minor : parsed.reason];
      });
      expect(read).toEqual(rows);
    });
  }

  it("gives the currency back in Stripe's lower case", () => {
    expect(parseAmount("12.50", "EUR", "en-US")).toEqual({ ok: true, amount: { minor: 1250, currency: "eur" } });
  });

  it("follows a locale's own grouping and digits", () => {
    expect(parseAmount("1,00,000.50", "inr", "en-IN")).toEqual({ ok: true, amount: { minor: 10000050, currency: "inr" } });
    expect(parseAmount("1,000,000", "jpy", "en-IN")).toEqual({ ok: true, amount: { minor: 1000000, currency: "jpy" } });
    expect(parseAmount("1,00,0", "inr", "en-IN")).toEqual({ ok: false, reason: "ambiguous" });
    expect(parseAmount("1'250.50", "chf", "de-CH")).toEqual({ ok: true, amount: { minor: 125050, currency: "chf" } });
    expect(parseAmount("١٢٫٥٠", "usd", "ar-EG")).toEqual({ ok: true, amount: { minor: 1250, currency: "usd" } });
  });

  it("never goes through floating point", () => {
    // 0.29 * 100 is 28.999999999999996 in floating point.
    expect(parseAmount("0.29", "usd", "en-US")).toEqual({ ok: true, amount: { minor: 29, currency: "usd" } });
    expect(parseAmount("1.005", "bhd", "en-US")).toEqual({ ok: false, reason: "notMultipleOfTen" });
    expect(parseAmount("999999.99", "usd", "en-US")).toEqual({ ok: true, amount: { minor: 99_999_999, currency: "usd" } });
  });
});

describe("amountText", () => {
  it("writes minor units the way the person types them back", () => {
    expect(amountText(1050, "usd", "en-US")).toBe("10.50");
    expect(amountText(1050, "eur", "de-DE")).toBe("10,50");
    expect(amountText(123456, "eur", "fr-FR")).toBe("1234,56");
    expect(amountText(5, "usd", "en-US")).toBe("0.05");
    expect(amountText(1050, "jpy", "ja-JP")).toBe("1050");
    expect(amountText(1250, "bhd", "en-US")).toBe("1.250");
    expect(amountText(10, "kwd", "de-DE")).toBe("0,010");
  });

  it("is read back to the same amount in every locale", () => {
    for (const locale of Object.keys(TABLES)) {
      for (const [minor, currency] of [[99_999_999, "eur"], [1, "usd"], [1250, "jpy"], [99_999_990, "bhd"], [10, "kwd"]] as const) {
        expect(parseAmount(amountText(minor, currency, locale), currency, locale)).toEqual({ ok: true, amount: { minor, currency } });
      }
    }
  });
});

describe("the field's words", () => {
  it("say what is wrong in the person's own number format", () => {
    expect(amountReasonText("tooManyDecimals", "jpy", "en-US")).toBe("JPY has no decimals");
    expect(amountReasonText("tooManyDecimals", "eur", "de-DE")).toBe("EUR takes at most 2 decimals");
    expect(amountReasonText("notMultipleOfTen", "bhd", "de-DE")).toBe("BHD takes amounts in steps of 0,010");
    expect(amountReasonText("aboveMaximum", "usd", "en-US")).toBe("That is more than Stripe accepts: at most $999,999.99");
    expect(amountReasonText("aboveMaximum", "jpy", "en-US")).toBe("That is more than Stripe accepts: at most ¥99,999,999");
    expect(amountReasonText("ambiguous", "eur", "en-US")).toBe("That could be read two ways: type it like 1,234.50");
    expect(amountReasonText("ambiguous", "eur", "de-DE")).toBe("That could be read two ways: type it like 1.234,50");
    expect(amountReasonText("notPositive", "eur", "en-US")).toBe("The amount must be more than zero");
  });
});
