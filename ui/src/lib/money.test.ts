import { describe, expect, it } from "vitest";
import { currencyDecimals, formatMoney, formatMoneyCode, majorText, parseMajor } from "./money";

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
    expect(formatMoney(-250, "eur", "en-US")).toBe("-€2.50");
    expect(formatMoneyCode(123456, "usd", "en-US")).toBe("USD\u00a01,234.56");
    expect(formatMoneyCode(59740, "jpy", "en-US")).toBe("JPY\u00a059,740");
    expect(formatMoneyCode(69200, "bhd", "en-US")).toBe("BHD\u00a069.200");
  });
});

describe("typed amounts", () => {
  it("follow each currency's decimals both ways", () => {
    expect(majorText(1050, "usd")).toBe("10.50");
    expect(majorText(1050, "jpy")).toBe("1050");
    expect(majorText(1250, "bhd")).toBe("1.250");
    expect(parseMajor("10.50", "usd")).toBe(1050);
    expect(parseMajor("10,5", "eur")).toBe(1050);
    expect(parseMajor("1050", "jpy")).toBe(1050);
    expect(parseMajor("abc", "usd")).toBeNull();
    expect(parseMajor("-1", "usd")).toBeNull();
  });
});
