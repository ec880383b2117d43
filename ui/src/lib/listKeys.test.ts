import { describe, expect, it, vi } from "vitest";
import { listKeydown, type ListKeys } from "./listKeys";

function keys(count: number, selected = -1) {
  const state = { selected, opened: -1, closed: false, focused: false };
  const handlers: ListKeys = {
    count: () => count,
    selected: () => state.selected,
    select: (i) => (state.selected = i),
    open: (i) => (state.opened = i),
    filter: () => ({ focus: () => (state.focused = true) }) as unknown as HTMLElement,
    close: () => (state.closed = true),
  };
  return { state, handlers };
}
const press = (key: string, target: Partial<HTMLElement> = { tagName: "DIV" }) =>
  ({ key, target, preventDefault: vi.fn(), ctrlKey: false, metaKey: false, altKey: false, defaultPrevented: false }) as unknown as KeyboardEvent;

describe("the lists' keyboard", () => {
  it("moves, opens, closes and focuses the filter", () => {
    const { state, handlers } = keys(3);
    listKeydown(press("ArrowDown"), handlers);
    expect(state.selected).toBe(0);
    listKeydown(press("End"), handlers);
    expect(state.selected).toBe(2);
    listKeydown(press("ArrowDown"), handlers);
    expect(state.selected).toBe(2);
    listKeydown(press("ArrowUp"), handlers);
    listKeydown(press("Enter"), handlers);
    expect(state.opened).toBe(1);
    listKeydown(press("Escape"), handlers);
    expect(state.closed).toBe(true);
    listKeydown(press("/"), handlers);
    expect(state.focused).toBe(true);
  });

  it("leaves keys typed in a field, and Enter on a button, alone", () => {
    const { state, handlers } = keys(3, 0);
    expect(listKeydown(press("ArrowDown", { tagName: "INPUT" }), handlers)).toBe(false);
    expect(listKeydown(press("/", { tagName: "INPUT" }), handlers)).toBe(false);
    expect(listKeydown(press("Enter", { tagName: "BUTTON" }), handlers)).toBe(false);
    expect(state).toEqual({ selected: 0, opened: -1, closed: false, focused: false });
  });
});
