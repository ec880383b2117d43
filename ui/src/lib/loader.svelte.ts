// One way for a screen to load what it shows from the core. A Loader reads
// again when its inputs change (another account, another filter) and when
// the sync changes the account's cache; only the answer to the newest
// request is ever shown, so an answer for a filter clicked away from never
// lands on the new one. It says whether it is loading, failed, empty or
// ready. Create it while a component starts (it uses effects).
import { untrack } from "svelte";
import { events, type TillError } from "./bindings";

/** What a command returns. */
export type Answer<T> = { status: "ok"; data: T } | { status: "error"; error: TillError };

/** "idle": nothing to load (no account); "loading": no answer yet for these inputs. */
export type LoadState = "idle" | "loading" | "error" | "empty" | "ready";

// One cache-changed listener for the whole app, shared by every loader.
type CacheFollower = (accountId: string) => void;
let followers: CacheFollower[] = [];
let listening: Promise<unknown> | null = null;

/** Calls `follower` with the account of every cache change until the returned function is called. */
export function onCacheChanged(follower: CacheFollower): () => void {
  followers = [...followers, follower];
  listening ??= events.cacheChanged
    .listen((event) => {
      for (const f of followers) f(event.payload.accountId);
    })
    .catch((error: unknown) => {
      // No core to listen to (the UI alone in a browser): screens still load once.
      listening = null;
      console.warn("cache-changed events unavailable", error);
    });
  return () => {
    followers = followers.filter((f) => f !== follower);
  };
}

export interface LoaderOptions<I, T> {
  /**
   * What to load for, read in an effect: a change of anything it reads
   * loads anew (inputs equal as JSON do not). Null loads nothing.
   */
  inputs: () => I | null;
  /**
   * Reads the core. `shown` is what is on screen when this is a reload
   * (null on a first load for these inputs); `current` says whether this
   * is still the newest request, so a long read of many pages can stop.
   */
  load: (inputs: I, shown: T | null, current: () => boolean) => Promise<Answer<T>>;
  /** The account whose cache changes load it again; without it, cache changes are not followed. */
  account?: (inputs: I) => string;
  /** Whether an answer is "nothing", for the empty state. */
  isEmpty?: (data: T) => boolean;
  /** Each answer as it replaces what was shown (null on a first load). */
  onanswer?: (data: T, previous: T | null) => void;
  /**
   * Whether new inputs keep the last answer on screen until their own
   * replaces it (search as you type: no flash of the whole list between
   * two keys); `load` then gets that answer as `shown`. Without it, new
   * inputs start from nothing.
   */
  keep?: (previous: I, next: I) => boolean;
}

export class Loader<I, T> {
  /** The newest answer for the current inputs; kept on screen while a reload runs. */
  data: T | null = $state.raw(null);
  /** The newest failure; cleared by the next answer. */
  error: TillError | null = $state.raw(null);
  /** A request is in flight. */
  loading = $state(false);
  /** An answer (data or failure) came for the current inputs. */
  answered = $state(false);
  /** There are inputs to load for. */
  active = $state(false);

  readonly #options: LoaderOptions<I, T>;
  #inputs: I | null = null;
  #key: string | undefined = undefined;
  /** The number of the newest request: answers to older ones are dropped. */
  #asked = 0;
  /** A cache change came while a request was in flight: read again after it. */
  #again = false;

  constructor(options: LoaderOptions<I, T>) {
    this.#options = options;
    $effect(() => {
      // A plain copy: what a load reads does not change under it.
      const inputs = $state.snapshot(options.inputs()) as I | null;
      const key = JSON.stringify(inputs);
      untrack(() => this.#change(inputs, key));
    });
    $effect(() =>
      onCacheChanged((accountId) => {
        const inputs = this.#inputs;
        if (inputs !== null && options.account && options.account(inputs) === accountId) this.refresh();
      }),
    );
  }

  get state(): LoadState {
    if (!this.active) return "idle";
    if (this.data !== null) return this.#options.isEmpty?.(this.data) ? "empty" : "ready";
    if (this.error !== null) return "error";
    return "loading";
  }

  /** Loads again now, keeping what is shown until the answer replaces it (or not, when `fresh`). */
  reload(fresh = false): Promise<void> {
    return this.#run(fresh);
  }

  /** Loads again after the request in flight, if one is: cache changes come in bursts. */
  refresh(): void {
    if (this.loading) this.#again = true;
    else void this.#run(false);
  }

  /** Replaces what is shown with what an action returned; the next answer replaces it in turn. */
  set(data: T): void {
    this.data = data;
  }

  /**
   * Adds to what is shown (the next page): dropped when the inputs change
   * or a newer answer replaced what it was read for.
   */
  async extend<A>(fetch: (inputs: I, shown: T) => Promise<Answer<A>>, merge: (shown: T, more: A) => T): Promise<void> {
    const inputs = this.#inputs;
    const shown = this.data;
    if (inputs === null || shown === null) return;
    const asked = this.#asked;
    const answer = await fetch(inputs, shown);
    if (asked !== this.#asked || this.data !== shown) return;
    if (answer.status === "ok") this.data = merge(shown, answer.data);
    else this.error = answer.error;
  }

  #change(inputs: I | null, key: string): void {
    if (key === this.#key) return;
    const previous = this.#inputs;
    this.#key = key;
    this.#inputs = inputs;
    this.#again = false;
    if (inputs === null) {
      this.#asked += 1;
      [this.data, this.error, this.loading, this.answered, this.active] = [null, null, false, false, false];
      return;
    }
    this.active = true;
    const keep = previous !== null && this.data !== null && (this.#options.keep?.(previous, inputs) ?? false);
    void this.#run(!keep);
  }

  async #run(fresh: boolean): Promise<void> {
    const inputs = this.#inputs;
    if (inputs === null) return;
    this.#asked += 1;
    const asked = this.#asked;
    const current = () => asked === this.#asked;
    if (fresh) [this.data, this.error, this.answered] = [null, null, false];
    this.loading = true;
    const shown = this.data;
    let answer: Answer<T>;
    try {
      answer = await this.#options.load(inputs, shown, current);
    } catch (error) {
      answer = { status: "error", error: { code: "internal", detail: error instanceof Error ? error.message : String(error) } };
    }
    // A newer request was made since: its answer is the one to show.
    if (!current()) return;
    this.loading = false;
    this.answered = true;
    if (answer.status === "ok") {
      const previous = this.data;
      this.data = answer.data;
      this.error = null;
      this.#options.onanswer?.(answer.data, previous);
    } else {
      this.error = answer.error;
    }
    if (this.#again) {
      this.#again = false;
      void this.#run(false);
    }
  }
}
