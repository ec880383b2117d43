// What a search box runs as it is typed: the text as it was once typing
// paused (150 ms), so each key does not ask the core again. Enter runs it
// at once. Create it while a component starts (it uses an effect).
import { untrack } from "svelte";

/** How long typing must pause before a search runs. */
export const SEARCH_PAUSE_MS = 150;

export class Debounced<T> {
  /** The value once it stopped changing for `ms`. */
  current: T = $state.raw() as T;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(source: () => T, ms: number = SEARCH_PAUSE_MS) {
    this.current = untrack(source);
    $effect(() => {
      const value = source();
      if (value === untrack(() => this.current)) return;
      this.#timer = setTimeout(() => (this.current = value), ms);
      // A newer value (or the component going) cancels this one.
      return () => clearTimeout(this.#timer);
    });
  }

  /** Takes `value` now, without waiting (Enter, a Clear button). */
  flush(value: T): void {
    clearTimeout(this.#timer);
    this.current = value;
  }
}
