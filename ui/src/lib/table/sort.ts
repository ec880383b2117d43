// Sorting and filtering a list held whole on screen (Holds, Checkouts): the
// column headers sort it, the filter box narrows it, the count says how many
// rows match.

export type Direction = "ascending" | "descending";
export type SortState<K extends string> = { column: K; direction: Direction };

/** A header's click: its column in its natural direction first, then reversed. */
export function toggleSort<K extends string>(current: SortState<K>, column: K, natural: Direction = "ascending"): SortState<K> {
  if (current.column !== column) return { column, direction: natural };
  return { column, direction: current.direction === "ascending" ? "descending" : "ascending" };
}

/** The header's aria-sort. */
export function ariaSortOf<K extends string>(current: SortState<K>, column: K): "ascending" | "descending" | "none" {
  return current.column === column ? current.direction : "none";
}

type Key = string | number | null | undefined;

/** The rows in the chosen order; rows without a value go last either way; ties keep their order. */
export function sortRows<T, K extends string>(rows: readonly T[], sort: SortState<K>, keys: Record<K, (row: T) => Key>): T[] {
  const keyOf = keys[sort.column];
  const sign = sort.direction === "ascending" ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, key: keyOf(row) }))
    .sort((a, b) => {
      const [x, y] = [a.key, b.key];
      const missingX = x === null || x === undefined || x === "";
      const missingY = y === null || y === undefined || y === "";
      if (missingX || missingY) return missingX === missingY ? a.index - b.index : missingX ? 1 : -1;
      const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
      return order === 0 ? a.index - b.index : sign * order;
    })
    .map((entry) => entry.row);
}

/** Rows whose words contain every word typed, in any case. */
export function filterRows<T>(rows: readonly T[], text: string, words: (row: T) => (string | null | undefined)[]): T[] {
  const wanted = text.trim().toLowerCase().split(/\s+/u).filter(Boolean);
  if (wanted.length === 0) return [...rows];
  return rows.filter((row) => {
    const haystack = words(row).filter(Boolean).join(" ").toLowerCase();
    return wanted.every((word) => haystack.includes(word));
  });
}

/** "12 holds", or "3 of 12 holds" while a filter narrows them. */
export function countText(shown: number, total: number, one: string, many: string, format: (n: number) => string = String): string {
  const noun = total === 1 && shown === 1 ? one : many;
  return shown === total ? `${format(total)} ${total === 1 ? one : many}` : `${format(shown)} of ${format(total)} ${noun}`;
}
