// Money movements whose outcome is unknown (Stripe's answer was lost) and
// how the journal settled them. The app follows the account on screen: the
// banner lists them, and the place where each was made (a hold's row, a
// payment's drawer) keeps its object in view with a word on it until the
// journal settles it, then says what happened. Settled ones stay until
// dismissed or another account is shown.
import { commands, events, type SettledMovement, type TillError, type Unsettled } from "./bindings";

export const movements: {
  accountId: string | null;
  /** Sent, answer lost: the journal has not settled them yet. */
  unsettled: Unsettled[];
  /** Settled while Till was watching, oldest first, until dismissed. */
  settled: SettledMovement[];
  checking: boolean;
  /** What asking Stripe now was refused with. */
  error: TillError | null;
} = $state({ accountId: null, unsettled: [], settled: [], checking: false, error: null });

let listening: Promise<unknown> | null = null;

function listen(): Promise<unknown> {
  listening ??= events.movementSettled.listen((event) => settledNow(event.payload)).catch((error: unknown) => {
    // No core to listen to (the UI alone in a browser).
    listening = null;
    console.warn("movement-settled events unavailable", error);
  });
  return listening;
}

/** Follows the account on screen: its unsettled movements, and each one settled. */
export async function followMovements(accountId: string): Promise<void> {
  if (movements.accountId !== accountId) {
    [movements.accountId, movements.unsettled, movements.settled, movements.error] = [accountId, [], [], null];
  }
  // Listening first: one settled between the read and the listening is not missed.
  await listen();
  await reloadMovements();
}

/** Reads the journal's unsettled movements again. */
export async function reloadMovements(): Promise<void> {
  const accountId = movements.accountId;
  if (accountId === null) return;
  const answer = await commands.unsettledMovements(accountId);
  if (movements.accountId !== accountId || answer.status !== "ok") return;
  // One settled while the read ran stays settled.
  movements.unsettled = answer.data.filter((u) => !movements.settled.some((s) => s.operationId === u.operationId));
}

/** A money action's answer was lost: the journal holds it as unknown now. */
export function answerLost(): void {
  void reloadMovements().catch(() => undefined);
}

/** The journal settled a movement (an event, or an answer to Check now). */
export function settledNow(settled: SettledMovement): void {
  if (settled.accountId !== movements.accountId) return;
  movements.unsettled = movements.unsettled.filter((u) => u.operationId !== settled.operationId);
  if (!movements.settled.some((s) => s.operationId === settled.operationId)) movements.settled = [...movements.settled, settled];
}

/** Asks Stripe now instead of at the next scheduled check. */
export async function checkNow(): Promise<void> {
  const accountId = movements.accountId;
  if (accountId === null) return;
  movements.checking = true;
  movements.error = null;
  try {
    const answer = await commands.checkMovements(accountId);
    if (answer.status === "ok") for (const settled of answer.data) settledNow(settled);
    else if (movements.accountId === accountId) movements.error = answer.error;
    await reloadMovements();
  } finally {
    movements.checking = false;
  }
}

export function dismissSettled(operationId: string): void {
  movements.settled = movements.settled.filter((s) => s.operationId !== operationId);
}

/** The newest unsettled movement on a payment or checkout, if any. */
export function unsettledOn(target: string): Unsettled | null {
  return [...movements.unsettled].reverse().find((u) => u.target === target) ?? null;
}

/** The newest movement on a payment or checkout that was settled while watching, if any. */
export function settledOn(target: string): SettledMovement | null {
  return [...movements.settled].reverse().find((s) => s.target === target) ?? null;
}
