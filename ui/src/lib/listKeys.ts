// One keyboard for every list (Payments, Holds, Checkouts, Refunds), as the
// brief has it: `/` focuses the list's filter, the arrow keys (and Page
// Up/Down, Home, End) move the selection, Enter opens the selected row, Esc
// closes what is open. Each list says what those mean for it.

export interface ListKeys {
  /** How many rows can be selected. */
  count: () => number;
  /** The selected row, -1 for none. */
  selected: () => number;
  /** Selects a row (already kept within the list). */
  select: (index: number) => void;
  /** Opens the selected row's detail. */
  open: (index: number) => void;
  /** The list's filter box, focused by `/`. */
  filter?: () => HTMLElement | null | undefined;
  /** Closes an open detail; true when one was open (then Esc is taken). */
  close?: () => boolean;
  /** Rows in one page, for Page Up and Page Down. */
  page?: () => number;
  /** Instead of selecting the last row: a list that has not read its end yet. */
  end?: () => void;
}

const FIELDS = new Set(["INPUT", "SELECT", "TEXTAREA"]);

/** A row index kept within a list of `count` rows. */
export function clampIndex(index: number, count: number): number {
  return count <= 0 ? -1 : Math.max(0, Math.min(count - 1, index));
}

/** Handles a key for a list; true when it was the list's. */
export function listKeydown(event: KeyboardEvent, keys: ListKeys): boolean {
  const target = event.target as HTMLElement | null;
  const typing = target !== null && (FIELDS.has(target.tagName) || target.isContentEditable);
  if (event.key === "Escape") {
    if (keys.close?.()) {
      event.preventDefault();
      return true;
    }
    return false;
  }
  if (typing || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return false;
  // Enter on a button or link is that button's.
  if (event.key === "Enter" && target !== null && (target.tagName === "BUTTON" || target.tagName === "A")) return false;
  const count = keys.count();
  const go = (index: number) => {
    const row = clampIndex(index, count);
    if (row >= 0) keys.select(row);
  };
  const page = Math.max(1, keys.page?.() ?? 10);
  const current = keys.selected();
  const moves: Record<string, () => void> = {
    "/": () => keys.filter?.()?.focus(),
    ArrowDown: () => go(current + 1),
    ArrowUp: () => go(current < 0 ? 0 : current - 1),
    PageDown: () => go(current + page),
    PageUp: () => go(current - page),
    Home: () => go(0),
    End: () => (keys.end ? keys.end() : go(count - 1)),
    Enter: () => {
      if (current >= 0 && current < count) keys.open(current);
    },
  };
  const move = moves[event.key];
  if (!move) return false;
  event.preventDefault();
  move();
  return true;
}
