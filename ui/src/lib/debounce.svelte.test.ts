// @vitest-environment jsdom
import { flushSync } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Debounced, SEARCH_PAUSE_MS } from "./debounce.svelte";

const stops: (() => void)[] = [];
afterEach(() => {
  stops.splice(0).forEach((stop) => stop());
  vi.useRealTimers();
});

function setup(first: string) {
  const text = $state({ value: first });
  let debounced: Debounced<string> | undefined;
  stops.push($effect.root(() => void (debounced = new Debounced(() => text.value))));
  flushSync();
  if (!debounced) throw new Error("no debounced value");
  const type = (value: string) => {
    text.value = value;
    flushSync();
  };
  return { debounced, type };
}

describe("Debounced", () => {
  it("takes the value once typing pauses, never a value typed past", () => {
    vi.useFakeTimers();
    const { debounced, type } = setup("");
    expect(SEARCH_PAUSE_MS).toBe(150);
    type("h");
    vi.advanceTimersByTime(100);
    type("ha");
    vi.advanceTimersByTime(100);
    type("had");
    vi.advanceTimersByTime(149);
    expect(debounced.current).toBe("");
    vi.advanceTimersByTime(1);
    expect(debounced.current).toBe("had");
  });

  it("takes a value at once when flushed, and a pending one does not land after it", () => {
    vi.useFakeTimers();
    const { debounced, type } = setup("");
    type("hadd");
    debounced.flush("haddad");
    vi.advanceTimersByTime(500);
    expect(debounced.current).toBe("haddad");
  });
});
