// The account's holds, soonest to lapse first, for the Holds section and the
// sidebar's badge: one loader, made by the app and handed to both.
import { selectedAccount } from "./accounts.svelte";
import { commands, type PaymentSummary } from "./bindings";
import { Loader } from "./loader.svelte";
import { dayAt } from "./time";

export type HoldsLoader = Loader<string, PaymentSummary[]>;

// Every hold listed this run, by id: a hold whose capture Stripe did not
// confirm stays in view after the sync has taken it off the queue.
const seen: Record<string, PaymentSummary | undefined> = {};

/** Remembers the holds as listed now. */
export function remember(list: PaymentSummary[]): void {
  for (const hold of list) seen[hold.id] = hold;
}

/** The hold as it was last listed, if it was. */
export function lastSeen(id: string): PaymentSummary | null {
  return seen[id] ?? null;
}

/** The selected account's holds, followed through the sync. Call while a component starts. */
export function holdsLoader(): HoldsLoader {
  return new Loader({
    inputs: () => selectedAccount()?.id ?? null,
    load: (accountId) => commands.listHolds(accountId),
    account: (accountId) => accountId,
    isEmpty: (list) => list.length === 0,
  });
}

/** Holds that lapse within 24 hours of `nowSeconds` (and have not yet). */
export function expiringSoon(list: PaymentSummary[], nowSeconds: number): number {
  return list.filter((h) => h.captureBefore !== null && h.captureBefore > nowSeconds && h.captureBefore - nowSeconds < 86_400)
    .length;
}

/** What a bulk capture takes, per currency, for its one confirmation. */
export function totalsPerCurrency(list: PaymentSummary[]): { currency: string; amount: number; count: number }[] {
  const by: Record<string, { currency: string; amount: number; count: number } | undefined> = {};
  for (const hold of list) {
    const total = by[hold.currency] ?? { currency: hold.currency, amount: 0, count: 0 };
    total.amount += hold.amountCapturable;
    total.count += 1;
    by[hold.currency] = total;
  }
  return Object.values(by)
    .filter((t) => t !== undefined)
    .sort((a, b) => a.currency.localeCompare(b.currency));
}

/** A hold whose lapse time has passed: Stripe will no longer capture it. */
export function lapsed(hold: PaymentSummary, nowSeconds: number): boolean {
  return hold.captureBefore !== null && hold.captureBefore <= nowSeconds;
}

/** Why a lapsed hold offers no Capture, in words, at the local time it lapsed. */
export function lapsedText(captureBefore: number, locale?: string): string {
  return `This hold lapsed on ${dayAt(captureBefore, locale)}; the card can no longer be charged for it. Release is automatic.`;
}
