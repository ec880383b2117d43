import { describe, expect, it } from "vitest";
import type { SyncProgress } from "./bindings";
import { fraction, syncedAgo } from "./sync.svelte";

const base: SyncProgress = {
  accountId: "a",
  phase: "backfill",
  done: 250,
  remaining: 750,
  rate: 100,
  lastSyncedAt: null,
  problem: null,
  kinds: [],
  clockSkew: null,
};

describe("sync status words", () => {
  it("say how long ago in the largest sensible unit", () => {
    expect(syncedAgo(1000, 1010)).toBe("Synced just now");
    expect(syncedAgo(1000, 1000 + 5 * 60)).toBe("Synced 5 min ago");
    expect(syncedAgo(1000, 1000 + 3 * 3600)).toBe("Synced 3 h ago");
    expect(syncedAgo(1000, 1000 + 3 * 86_400)).toBe("Synced 3 days ago");
  });

  it("turn counts into the progress bar's share", () => {
    expect(fraction(base)).toBe(0.25);
    expect(fraction({ ...base, remaining: null })).toBeNull();
    expect(fraction({ ...base, done: 0, remaining: 0 })).toBe(1);
  });
});
