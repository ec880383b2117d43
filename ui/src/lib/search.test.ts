import { describe, expect, it } from "vitest";
import type { QueryProblem } from "./bindings";
import { queryProblemText } from "./search";

describe("a query that cannot run", () => {
  it("says why in words, naming what was typed, for every kind of problem", () => {
    const problems: Record<QueryProblem["kind"], QueryProblem> = {
      unknownStatus: { kind: "unknownStatus", value: "paid", known: ["succeeded", "canceled"] },
      notACurrency: { kind: "notACurrency", value: "euro" },
      notANumber: { kind: "notANumber", field: "amount", value: "12.50" },
      notComparable: { kind: "notComparable", field: "status" },
      nullNotAllowed: { kind: "nullNotAllowed", field: "status" },
      missingValue: { kind: "missingValue", field: "currency" },
      mixedAndOr: { kind: "mixedAndOr" },
      wordsWithOr: { kind: "wordsWithOr" },
      danglingJoin: { kind: "danglingJoin" },
      unreadable: { kind: "unreadable", near: "x" },
    };
    const texts = Object.values(problems).map(queryProblemText);
    expect(new Set(texts).size).toBe(texts.length);
    expect(queryProblemText(problems.unknownStatus)).toBe("“paid” is not a payment status. Use one of: succeeded, canceled.");
    expect(queryProblemText(problems.notANumber)).toContain("“12.50”");
    expect(queryProblemText({ kind: "notANumber", field: "created", value: "May" })).toContain("Unix time");
    expect(queryProblemText(problems.unreadable)).toContain("“x”");
  });
});
