// The sync's state, as the core pushes it: one status per account. The app
// starts the sync of the account on screen; screens reload on cache-changed.
import { commands, events, type SyncProgress } from "./bindings";

export const sync: { byAccount: Record<string, SyncProgress | undefined> } = $state({ byAccount: {} });

export function statusOf(accountId: string | undefined): SyncProgress | null {
  return accountId ? (sync.byAccount[accountId] ?? null) : null;
}

let listening: Promise<() => void> | null = null;

/** Starts listening to sync-status events (once) and the account's sync. */
export async function followAccount(accountId: string): Promise<void> {
  listening ??= events.syncStatus.listen((event) => {
    sync.byAccount[event.payload.accountId] = event.payload;
  });
  await listening;
  await commands.startSync(accountId);
}

/** Stripe's now, in Unix seconds: this computer's, corrected by how far its
 * clock is off Stripe's when the sync measured more than five minutes. */
export function stripeNow(accountId: string | undefined, nowSeconds: number): number {
  return nowSeconds + (statusOf(accountId)?.clockSkew ?? 0);
}

/** Tells the core whether the window is in front, so that it polls accordingly. */
export function watchFocus(): () => void {
  const report = () => void commands.setWindowFocused(document.visibilityState === "visible" && document.hasFocus());
  window.addEventListener("focus", report);
  window.addEventListener("blur", report);
  document.addEventListener("visibilitychange", report);
  return () => {
    window.removeEventListener("focus", report);
    window.removeEventListener("blur", report);
    document.removeEventListener("visibilitychange", report);
  };
}

/** "Synced 3 min ago", "Synced just now". */
export function syncedAgo(lastSyncedAt: number, nowSeconds: number): string {
  const seconds = Math.max(0, nowSeconds - lastSyncedAt);
  if (seconds < 45) return "Synced just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `Synced ${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `Synced ${hours} h ago`;
  return `Synced ${Math.round(hours / 24)} days ago`;
}

/** The backfill's share done, 0–1, or null when there is no estimate. */
export function fraction(progress: SyncProgress): number | null {
  if (progress.remaining === null) return null;
  const all = progress.done + progress.remaining;
  return all === 0 ? 1 : progress.done / all;
}
