// The layout rules issue 18 asked for, read from the stylesheet (jsdom does
// no layout; the screenshots are checked by eye).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const css = readFileSync(new URL("../app.css", import.meta.url), "utf8");
/** The last value a selector's rule gives a property, as the cascade would. */
function last(selector: string, property: string): string | undefined {
  const escaped = selector.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const rules = [...css.matchAll(new RegExp(`(?:^|[},])\\s*${escaped}\\s*\\{([^}]*)\\}`, "gm"))];
  const values = rules.flatMap((r) => [...(r[1] ?? "").matchAll(new RegExp(`(?:^|;)\\s*${property}:\\s*([^;]+)`, "g"))].map((m) => m[1]?.trim()));
  return values.at(-1);
}

describe("the layout", () => {
  it("makes Settings' Journal card as wide as the other cards", () => {
    expect(last(".journal", "max-width")).toBe(last(".card", "max-width"));
  });

  it("lets the description yield to an open drawer, so Created and the id stay", () => {
    expect(last(".with-drawer .col-desc", "display")).toBe("none");
    expect(css).toMatch(/\.payments\.with-drawer \{ grid-template-columns: minmax\(0, 1fr\) clamp\(/);
  });

  it("does not cap the Holds rows, so customer, description and id use the room there is", () => {
    expect(last(".holds-list", "max-width")).toBeUndefined();
    expect(last(".hold-head", "max-width")).toBeUndefined();
  });
});
