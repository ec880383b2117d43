import { describe, expect, it } from "vitest";
import { ariaSortOf, countText, filterRows, sortRows, toggleSort } from "./sort";

const rows = [
  { id: "a", amount: 300, email: "ines.haddad1@example.com" },
  { id: "b", amount: 100, email: null },
  { id: "c", amount: 200, email: "bo@example.com" },
];
const keys = { amount: (r: (typeof rows)[number]) => r.amount, email: (r: (typeof rows)[number]) => r.email };

describe("a list's sorting and filtering", () => {
  it("sorts by a column, either way, with missing values last", () => {
    expect(sortRows(rows, { column: "amount", direction: "ascending" }, keys).map((r) => r.id)).toEqual(["b", "c", "a"]);
    expect(sortRows(rows, { column: "amount", direction: "descending" }, keys).map((r) => r.id)).toEqual(["a", "c", "b"]);
    expect(sortRows(rows, { column: "email", direction: "descending" }, keys).map((r) => r.id)).toEqual(["a", "c", "b"]);
  });

  it("toggles a header and says its order", () => {
    const first = toggleSort({ column: "amount", direction: "ascending" }, "email");
    expect(first).toEqual({ column: "email", direction: "ascending" });
    expect(toggleSort(first, "email")).toEqual({ column: "email", direction: "descending" });
    expect(ariaSortOf(first, "email")).toBe("ascending");
    expect(ariaSortOf(first, "amount")).toBe("none");
  });

  it("filters by every word typed, inside words", () => {
    expect(filterRows(rows, "haddad", (r) => [r.email, r.id]).map((r) => r.id)).toEqual(["a"]);
    expect(filterRows(rows, "  ", (r) => [r.email]).length).toBe(3);
    expect(filterRows(rows, "EXAMPLE bo", (r) => [r.email]).map((r) => r.id)).toEqual(["c"]);
  });

  it("counts what matches", () => {
    expect(countText(3, 3, "hold", "holds")).toBe("3 holds");
    expect(countText(1, 1, "hold", "holds")).toBe("1 hold");
    expect(countText(1, 3, "hold", "holds")).toBe("1 of 3 holds");
  });
});
