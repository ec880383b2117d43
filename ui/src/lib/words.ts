// Stripe's and the journal's status words as the screens say them.

const REFUND: Record<string, string> = {
  pending: "Pending",
  requires_action: "Needs action",
  succeeded: "Succeeded",
  failed: "Failed",
  canceled: "Canceled",
};

const ACTION: Record<string, string> = {
  capture: "Capture",
  release: "Release",
  refund: "Refund",
  checkout: "New checkout",
  checkout_expire: "Close checkout",
};

const OUTCOME: Record<string, string> = {
  pending: "Waiting to send",
  sent: "Sent, no answer yet",
  succeeded: "Done",
  failed: "Refused",
  unknown: "Not known",
  discarded: "Discarded",
};

/** A refund's status: "requires_action" → "Needs action". */
export function refundStatusLabel(status: string): string {
  return REFUND[status] ?? status;
}

/** A journal line's action: "checkout_expire" → "Close checkout". */
export function actionLabel(kind: string): string {
  return ACTION[kind] ?? kind;
}

/** A journal line's outcome: "sent" → "Sent, no answer yet". */
export function outcomeLabel(state: string): string {
  return OUTCOME[state] ?? state;
}

const REASON: Record<string, string> = {
  duplicate: "Duplicate",
  fraudulent: "Fraudulent",
  requested_by_customer: "Requested by customer",
  expired_uncaptured_charge: "Hold expired uncaptured",
};

/** Why a refund was made: "requested_by_customer" → "Requested by customer". */
export function refundReasonLabel(reason: string): string {
  const known = REASON[reason];
  if (known) return known;
  const words = reason.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
