// The accounts Till knows and the one on screen. Loaded at start-up and after
// every change; the selection survives a restart through localStorage (an id,
// never a key).
import { commands, type Account, type TillError } from "./bindings";

const SELECTED = "till.selectedAccount";

export const accounts: {
  list: Account[];
  selectedId: string | null;
  loaded: boolean;
  error: TillError | null;
} = $state({ list: [], selectedId: null, loaded: false, error: null });

export function selectedAccount(): Account | null {
  return accounts.list.find((a) => a.id === accounts.selectedId) ?? accounts.list[0] ?? null;
}

export function selectAccount(id: string): void {
  accounts.selectedId = id;
  localStorage.setItem(SELECTED, id);
}

export async function loadAccounts(): Promise<void> {
  const result = await commands.listAccounts();
  if (result.status === "error") {
    accounts.error = result.error;
    accounts.loaded = true;
    return;
  }
  accounts.list = result.data;
  accounts.error = null;
  accounts.loaded = true;
  const saved = localStorage.getItem(SELECTED);
  const keep = [accounts.selectedId, saved].find((id) => id && result.data.some((a) => a.id === id));
  accounts.selectedId = keep ?? result.data[0]?.id ?? null;
}

/** The badge beside an account's name: LIVE must never look like TEST. */
export function modeBadge(account: Account): "DEMO" | "LIVE" | "TEST" {
  if (account.isDemo) return "DEMO";
  return account.livemode ? "LIVE" : "TEST";
}
