// What the sync says when something is wrong, in the merchant's words: the
// whole sync paused (only "offline" when nothing answered), and each kind
// that Stripe refused, read without a filter, or sent in a shape Till could
// not read. Shared by the status line and Settings.
import type { Kind, KindStatus, SyncProblem, SyncProgress } from "./bindings";
import { when } from "./time";

/** A kind's name as the sidebar calls it. */
export const KIND_NAMES: Record<Kind, string> = {
  payment_intents: "Payments",
  charges: "Charges",
  refunds: "Refunds",
  checkout_sessions: "Checkouts",
  balance_transactions: "Balance transactions",
  payouts: "Payouts",
  customers: "Customers",
  disputes: "Disputes",
};

/** "Stripe's message (HTTP 404; request req_1)". */
function said(message: string, status: number | null, requestId: string | null): string {
  const tail = [status !== null ? `HTTP ${status}` : "", requestId ? `request ${requestId}` : ""]
    .filter((p) => p)
    .join("; ");
  return tail ? `${message} (${tail})` : message;
}

export interface ProblemWords {
  /** The line itself. */
  text: string;
  /** Red when nothing is synced and the person should act; amber otherwise. */
  tone: "offline" | "warning";
  /** The button beside it. */
  action: "retry" | "replaceKey" | null;
}

/** The whole sync's pause, in words. */
export function problemWords(problem: SyncProblem, lastSyncedAt: number | null, now: number): ProblemWords {
  const cached = lastSyncedAt !== null ? "showing what was cached" : "nothing cached yet";
  switch (problem.kind) {
    case "offline":
      return {
        text: `Offline since ${when(problem.since)}: ${cached}. Retrying.`,
        tone: "offline",
        action: "retry",
      };
    case "refused": {
      const request = problem.request ? ` ${problem.request}` : " a request";
      const again = problem.retryAt > now ? ` Till asks again at ${when(problem.retryAt)}.` : "";
      return {
        text: `Stripe refused${request}: ${said(problem.message, problem.status, problem.requestId)}. ${capital(cached)}.${again}`,
        tone: "offline",
        action: "retry",
      };
    }
    case "slowDown":
      return { text: `Stripe asked Till to slow down; ${cached}. Retrying shortly.`, tone: "warning", action: null };
    case "stripeTrouble":
      return {
        text: `Stripe is having trouble (HTTP ${problem.status}); ${cached}. Retrying.`,
        tone: "warning",
        action: "retry",
      };
    case "keyMissing":
      return {
        text: "This account's key is no longer in your keychain: nothing is synced until it is put back.",
        tone: "offline",
        action: "replaceKey",
      };
    case "local":
      return { text: `Till could not save what it synced: ${problem.detail}. Retrying.`, tone: "offline", action: "retry" };
  }
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** One kind's trouble: "Checkouts: Stripe refused the date filter; reading them without it". */
export function kindWords(status: KindStatus, now: number): string {
  const name = KIND_NAMES[status.kind];
  switch (status.state) {
    case "filterRefused":
      return `${name}: Stripe refused the date filter; reading them without it`;
    case "refused": {
      const request = status.request ?? "the list";
      const again = status.retryAt > now ? `; asking again at ${when(status.retryAt)}` : "";
      return `${name}: Stripe refused ${request}: ${said(status.message, status.status, status.requestId)}${again}`;
    }
    case "notPermitted":
      return `${name}: this account's key may not read them${status.permission ? ` (${status.permission})` : ""}`;
    case "unreadable": {
      const count = status.count === 1 ? "1 could not be read" : `${status.count} could not be read`;
      const why = status.missing ? `: missing ${status.missing}` : "";
      return `${name}: ${count}${why}; they are not shown`;
    }
  }
}

/** The kinds' troubles for the status line: the first, and how many more. */
export function kindsSummary(progress: SyncProgress, now: number): string | null {
  const [first, ...rest] = progress.kinds;
  if (!first) return null;
  const more = rest.length > 0 ? ` (+${rest.length} more in Settings)` : "";
  return `${kindWords(first, now)}${more}`;
}

/** "This computer's clock is 2 h behind Stripe's", past five minutes off. */
export function clockWords(skew: number | null): string | null {
  if (skew === null || Math.abs(skew) <= 300) return null;
  const seconds = Math.abs(skew);
  const amount =
    seconds >= 5400 ? `${Math.round(seconds / 3600)} h` : `${Math.round(seconds / 60)} min`;
  // Stripe ahead means this computer is behind.
  return `This computer's clock is ${amount} ${skew > 0 ? "behind" : "ahead of"} Stripe's`;
}
