import { describe, expect, it } from "vitest";
import { formatCount, pickLocale } from "./locale";

describe("pickLocale", () => {
  it("keeps a real language", () => {
    expect(pickLocale(["de-DE", "en-US"])).toBe("de-DE");
    expect(pickLocale(["fr"])).toBe("fr");
  });
  it("skips C and POSIX, which name no language", () => {
    expect(pickLocale(["c"])).toBe("en-US");
    expect(pickLocale(["C.UTF-8", "posix"])).toBe("en-US");
    expect(pickLocale(["en-US-u-va-posix", "nl-NL"])).toBe("nl-NL");
  });
  it("skips what is not a language tag", () => {
    expect(pickLocale(["", "not a tag!", "es"])).toBe("es");
    expect(pickLocale([])).toBe("en-US");
  });
});

describe("formatCount", () => {
  it("groups thousands the way the locale does", () => {
    expect(formatCount(14209, "en-US")).toBe("14,209");
    expect(formatCount(1234567, "de-DE")).toBe("1.234.567");
    expect(formatCount(999, "en-US")).toBe("999");
  });
});
