// The account's holds, soonest to lapse first, for the Holds section and the
// sidebar's badge. Reloaded when the account changes and on cache-changed.
import { commands, type PaymentSummary } from "./bindings";

export const holds: { list: PaymentSummary[]; accountId: string | null } = $state({ list: [], accountId: null });

export async function loadHolds(accountId: string): Promise<void> {
  const result = await commands.listHolds(accountId);
  if (result.status === "ok") {
    holds.list = result.data;
    holds.accountId = accountId;
  }
}

/** Holds that lapse within 24 hours of `nowSeconds` (and have not yet). */
export function expiringSoon(list: PaymentSummary[], nowSeconds: number): number {
  return list.filter((h) => h.captureBefore !== null && h.captureBefore > nowSeconds && h.captureBefore - nowSeconds < 86_400)
    .length;
}
