// @vitest-environment jsdom
import { flushSync } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TillError } from "./bindings";
import { Loader, type Answer, type LoaderOptions } from "./loader.svelte";

type Listener = (event: { payload: { accountId: string; stored: number } }) => void;
const bus = vi.hoisted(() => ({ listeners: [] as Listener[] }));
vi.mock("./bindings", () => ({
  events: {
    cacheChanged: {
      listen: (listener: Listener) => {
        bus.listeners.push(listener);
        return Promise.resolve(() => undefined);
      },
    },
  },
}));

function cacheChanged(accountId: string) {
  for (const listener of bus.listeners) listener({ payload: { accountId, stored: 1 } });
}

/** A request the test answers when it chooses. */
interface Pending {
  inputs: In;
  shown: string[] | null;
  answer: (data: string[]) => Promise<void>;
  fail: (error: TillError) => Promise<void>;
}
type In = { accountId: string; filter: string };

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const stops: (() => void)[] = [];
afterEach(() => stops.splice(0).forEach((stop) => stop()));

function setup(first: In | null = { accountId: "acct_1", filter: "all" }, keep?: LoaderOptions<In, string[]>["keep"]) {
  const inputs = $state<{ value: In | null }>({ value: first });
  const requests: Pending[] = [];
  const load = (asked: In, shown: string[] | null) =>
    new Promise<Answer<string[]>>((resolve) => {
      requests.push({
        inputs: asked,
        shown,
        answer: async (data) => {
          resolve({ status: "ok", data });
          await settle();
        },
        fail: async (error) => {
          resolve({ status: "error", error });
          await settle();
        },
      });
    });
  let loader: Loader<In, string[]> | undefined;
  stops.push(
    $effect.root(() => {
      loader = new Loader({
        inputs: () => inputs.value,
        load,
        account: (i) => i.accountId,
        isEmpty: (rows) => rows.length === 0,
        keep,
      });
    }),
  );
  flushSync();
  if (!loader) throw new Error("no loader");
  const set = (value: In | null) => {
    inputs.value = value;
    flushSync();
  };
  return { loader, requests, set };
}

const failure: TillError = { code: "store", detail: "disk full", newerVersion: false };

describe("Loader", () => {
  it("is idle without inputs, then loading, then ready, empty or failed", async () => {
    const { loader, requests, set } = setup(null);
    expect(loader.state).toBe("idle");
    expect(requests).toHaveLength(0);

    set({ accountId: "acct_1", filter: "all" });
    expect(loader.state).toBe("loading");
    expect(loader.loading).toBe(true);
    await requests[0]?.answer(["re_1"]);
    expect([loader.state, loader.data, loader.answered, loader.loading]).toEqual(["ready", ["re_1"], true, false]);

    set({ accountId: "acct_1", filter: "failed" });
    expect([loader.state, loader.data]).toEqual(["loading", null]);
    await requests[1]?.answer([]);
    expect(loader.state).toBe("empty");

    set({ accountId: "acct_1", filter: "canceled" });
    await requests[2]?.fail(failure);
    expect([loader.state, loader.error, loader.data]).toEqual(["error", failure, null]);

    set(null);
    expect([loader.state, loader.error]).toEqual(["idle", null]);
  });

  it("drops an answer for inputs that changed while it was on its way", async () => {
    const { loader, requests, set } = setup();
    set({ accountId: "acct_1", filter: "failed" });
    expect(requests.map((r) => r.inputs.filter)).toEqual(["all", "failed"]);

    // The newer answer first, the older after it: the older is dropped.
    await requests[1]?.answer(["failed refund"]);
    await requests[0]?.answer(["every refund"]);
    expect(loader.data).toEqual(["failed refund"]);

    // The older answer first: it is not shown even for a moment.
    set({ accountId: "acct_1", filter: "pending" });
    set({ accountId: "acct_1", filter: "succeeded" });
    await requests[2]?.answer(["pending refund"]);
    expect([loader.state, loader.data]).toEqual(["loading", null]);
    await requests[3]?.answer(["succeeded refund"]);
    expect(loader.data).toEqual(["succeeded refund"]);
  });

  it("keeps the last answer on screen for new inputs when asked, and still drops a stale one", async () => {
    const { loader, requests, set } = setup(undefined, (previous, next) => previous.accountId === next.accountId);
    await requests[0]?.answer(["every refund"]);
    set({ accountId: "acct_1", filter: "fai" });
    set({ accountId: "acct_1", filter: "failed" });
    // While the new inputs load, the last answer stays, and is what `shown` gets.
    expect([loader.state, loader.data, loader.loading]).toEqual(["ready", ["every refund"], true]);
    expect(requests[2]?.shown).toEqual(["every refund"]);
    await requests[2]?.answer(["failed refund"]);
    await requests[1]?.answer(["half-typed"]);
    expect(loader.data).toEqual(["failed refund"]);
    // Another account starts from nothing.
    set({ accountId: "acct_2", filter: "failed" });
    expect([loader.state, loader.data]).toEqual(["loading", null]);
  });

  it("drops an answer that came after inputs were taken away", async () => {
    const { loader, requests, set } = setup();
    set(null);
    await requests[0]?.answer(["late"]);
    expect([loader.state, loader.data]).toEqual(["idle", null]);
  });

  it("does not load again for inputs equal to the last", async () => {
    const { requests, set } = setup();
    set({ accountId: "acct_1", filter: "all" });
    expect(requests).toHaveLength(1);
  });

  it("reloads on its account's cache changes, keeping what is shown until the answer", async () => {
    const { loader, requests } = setup();
    await requests[0]?.answer(["re_1"]);

    cacheChanged("acct_other");
    expect(requests).toHaveLength(1);

    cacheChanged("acct_1");
    expect(requests).toHaveLength(2);
    expect(requests[1]?.shown).toEqual(["re_1"]);
    expect([loader.state, loader.data, loader.loading]).toEqual(["ready", ["re_1"], true]);
    await requests[1]?.answer(["re_2", "re_1"]);
    expect(loader.data).toEqual(["re_2", "re_1"]);
  });

  it("reads once more after a burst of cache changes, not once per change", async () => {
    const { loader, requests } = setup();
    await requests[0]?.answer(["re_1"]);
    cacheChanged("acct_1");
    cacheChanged("acct_1");
    cacheChanged("acct_1");
    expect(requests).toHaveLength(2);
    await requests[1]?.answer(["re_2"]);
    expect(requests).toHaveLength(3);
    await requests[2]?.answer(["re_3"]);
    expect(requests).toHaveLength(3);
    expect(loader.data).toEqual(["re_3"]);
  });

  it("keeps what is shown when a reload fails, and says so", async () => {
    const { loader, requests } = setup();
    await requests[0]?.answer(["re_1"]);
    void loader.reload();
    await requests[1]?.fail(failure);
    expect([loader.state, loader.data, loader.error]).toEqual(["ready", ["re_1"], failure]);
    void loader.reload();
    await requests[2]?.answer(["re_1"]);
    expect(loader.error).toBeNull();
  });

  it("adds a page only to the answer it was read for", async () => {
    const { loader, requests } = setup();
    await requests[0]?.answer(["a"]);
    const page = (rows: string[]) => Promise.resolve<Answer<string[]>>({ status: "ok", data: rows });
    await loader.extend(() => page(["b"]), (shown, more) => [...shown, ...more]);
    expect(loader.data).toEqual(["a", "b"]);

    // A reload lands while the next page is on its way: the page is dropped.
    let answerPage: (rows: string[]) => void = () => undefined;
    const extending = loader.extend(
      () => new Promise<Answer<string[]>>((resolve) => (answerPage = (data) => resolve({ status: "ok", data }))),
      (shown, more) => [...shown, ...more],
    );
    void loader.reload();
    await requests[1]?.answer(["z"]);
    answerPage(["c"]);
    await extending;
    expect(loader.data).toEqual(["z"]);
  });
});
