// Turns a core error into words for the merchant. The UI branches on `code`;
// the core's detail is shown as-is beneath, for support.
import type {
  ActionProblem,
  AmountProblem,
  CheckoutProblem,
  KeyProblem,
  MovementKind,
  SettledMovement,
  StripeFailure,
  StripeProblem,
  StripeRefusal,
  TillError,
  Unsettled,
} from "./bindings";
import { formatMoney, MAXIMUM_MINOR } from "./money";
import { clockAt } from "./time";

const KEY_PROBLEMS: Record<KeyProblem, string> = {
  malformed: "That does not look like a Stripe key",
  wrongPrefix: "That is not a secret or restricted key",
  notAccepted: "Stripe did not accept this key",
  cannotReadPayments: "This restricted key cannot read payments",
  otherAccount: "This key belongs to another Stripe account",
};

const KEY_FIXES: Record<KeyProblem, string> = {
  malformed: "Copy the whole key from Stripe's Dashboard → Developers → API keys.",
  wrongPrefix: "Use a key that starts with sk_ or rk_ (not pk_).",
  notAccepted: "The key may have been revoked or rolled: create a new one in Stripe's Dashboard.",
  cannotReadPayments: "In Stripe's Dashboard, give the key at least PaymentIntents: Read.",
  otherAccount: "Paste a key of this account, or add the other account from Settings → Accounts.",
};

const AMOUNT_PROBLEMS: Record<AmountProblem, string> = {
  notANumber: "That is not an amount",
  tooManyDecimals: "That currency does not have so many decimals",
  notMultipleOfTen: "That currency takes amounts in steps of 0.010",
  notPositive: "The amount must be more than zero",
  aboveMaximum: "That is more than Stripe accepts in one payment",
  aboveCapturable: "That is more than the hold",
  aboveRefundable: "That is more than can still be refunded",
  wrongCurrency: "That amount is in another currency than the payment",
};

const ACTION_PROBLEMS: Record<ActionProblem, string> = {
  notAHold: "This payment is not a hold",
  holdExpired: "The card's hold has expired",
  nothingToRefund: "Nothing is left to refund",
  uncapturedUseRelease: "This payment is not captured: capture less or release it instead",
  notPermitted: "This account's key does not allow that",
  alreadySent: "That action was already sent to Stripe",
};

const CHECKOUT_PROBLEMS: Record<CheckoutProblem, string> = {
  noItems: "Add at least one line to sell",
  tooManyItems: "A checkout takes at most 100 lines",
  itemUnnamed: "Every line needs a name",
  quantityNotPositive: "Quantities start at 1",
  priceNotPositive: "A price must be more than zero",
  priceInvalid: "That price is not one Stripe accepts",
  totalTooLarge: "The total is more than Stripe accepts in one payment",
  unknownCurrency: "That is not a currency code",
  mixedCurrencies: "One checkout is paid in one currency",
  unknownPrice: "That price is not in this account's catalog",
  unknownCustomer: "That customer is not in this account",
  malformedEmail: "That is not an email address",
  expiryOutOfRange: "A checkout stays open between 30 minutes and 24 hours",
  malformedUrl: "That is not a web address",
  successUrlMissing: "Where should customers land after paying?",
  metadataInvalid: "Stripe would refuse that metadata",
  notOpen: "This checkout is no longer open",
};

/** Stripe's metadata limits, with the key Till keeps for itself. */
export const METADATA_LIMIT =
  "Up to 49 keys: Stripe takes 50 and Till keeps one of them for its own till_operation_id. Keys up to 40 characters, values up to 500.";

/** The issuer's reasons (Stripe's `decline_code`, or its `code` for the
 * declines that have their own), as the merchant reads them. */
const DECLINES: Record<string, { reason: string; fix: string }> = {
  generic_decline: {
    reason: "the bank gave no reason",
    fix: "Ask the customer to call their bank or to pay with another card.",
  },
  do_not_honor: {
    reason: "the bank gave no reason",
    fix: "Ask the customer to call their bank or to pay with another card.",
  },
  insufficient_funds: {
    reason: "there is not enough money on the card",
    fix: "Ask the customer for another card, or to pay later.",
  },
  lost_card: {
    reason: "the card was reported lost",
    fix: "Do not try this card again; ask for another way to pay.",
  },
  stolen_card: {
    reason: "the card was reported stolen",
    fix: "Do not try this card again; ask for another way to pay.",
  },
  pickup_card: {
    reason: "the bank asks that the card be kept",
    fix: "Do not try this card again; ask for another way to pay.",
  },
  fraudulent: {
    reason: "it looks like fraud",
    fix: "Do not try this card again. Review the payment in Stripe's Dashboard before accepting another one.",
  },
  expired_card: {
    reason: "the card has expired",
    fix: "Ask the customer for a card that is still valid.",
  },
  incorrect_cvc: {
    reason: "the security code (CVC) is wrong",
    fix: "Ask the customer to enter the card again with the code on its back.",
  },
  incorrect_number: {
    reason: "the card number is wrong",
    fix: "Ask the customer to enter the card again.",
  },
  processing_error: {
    reason: "an error occurred while processing the card",
    fix: "Try again in a little while; if it happens again, use another card.",
  },
  card_velocity_exceeded: {
    reason: "the card is over its limit",
    fix: "Ask the customer to call their bank or to pay with another card.",
  },
  card_not_supported: {
    reason: "the card does not allow this kind of purchase",
    fix: "Ask the customer for another card.",
  },
  currency_not_supported: {
    reason: "the card cannot pay in this currency",
    fix: "Ask the customer for another card.",
  },
  transaction_not_allowed: {
    reason: "the bank does not allow this payment on this card",
    fix: "Ask the customer to call their bank or to pay with another card.",
  },
  try_again_later: {
    reason: "the bank could not answer just now",
    fix: "Try again in a little while.",
  },
  call_issuer: {
    reason: "the bank asks the customer to call them",
    fix: "Ask the customer to call their bank or to pay with another card.",
  },
  authentication_required: {
    reason: "the bank wants the customer to confirm it",
    fix: "Send the customer a checkout link: they can confirm the payment with their bank there.",
  },
};

const DECLINE_UNKNOWN = {
  reason: "",
  fix: "Ask the customer to call their bank or to pay with another card.",
};

type Words = { title: string; fix?: string };

/** Each kind of Stripe refusal in the merchant's words. Stripe's message,
 * its code and the request id go beneath, in `detail`. */
const STRIPE_PROBLEMS: Record<StripeProblem, (refusal: StripeRefusal) => Words> = {
  cardDeclined: (r) => {
    const decline = DECLINES[r.declineCode ?? r.stripeCode ?? ""] ?? DECLINE_UNKNOWN;
    return {
      title: decline.reason ? `The card was declined: ${decline.reason}` : "The card was declined",
      fix: decline.fix,
    };
  },
  authenticationRequired: () => ({
    title: "The customer's bank wants them to confirm this payment themselves",
    fix: "Send the customer a checkout link: they can confirm the payment with their bank there.",
  }),
  chargeExpiredForCapture: () => ({
    title: "The hold expired before it was captured",
    fix: "The card can no longer be charged for it. Ask the customer to pay again, for example with a checkout link.",
  }),
  chargeAlreadyCaptured: () => ({
    title: "This payment was already captured",
    fix: "Nothing is left to capture. Refresh to see it as Stripe has it.",
  }),
  chargeAlreadyRefunded: () => ({
    title: "This payment was already refunded in full",
    fix: "Nothing is left to refund. Refresh to see its refunds.",
  }),
  chargeDisputed: () => ({
    title: "The customer disputed this payment: it cannot be refunded",
    fix: "Answer the dispute in Stripe's Dashboard. Accepting it gives the customer their money back.",
  }),
  amountTooLarge: () => ({
    title: "That amount is more than Stripe allows here",
    fix: "Part of it may have been captured or refunded meanwhile: refresh and check what is left.",
  }),
  amountTooSmall: () => ({
    title: "That amount is below Stripe's minimum for one payment",
    fix: "Stripe charges at least about 0.50 USD, depending on the currency. Capture more, or release the hold.",
  }),
  resourceMissing: () => ({
    title: "Stripe has no such payment or object in this account",
    fix: "It may have been deleted, or belong to another account or to test mode. Refresh the list.",
  }),
  unexpectedState: () => ({
    title: "The payment changed at Stripe since Till last looked",
    fix: "It may have been captured, released or refunded elsewhere. Refresh, then try again if it still applies.",
  }),
  permissionMissing: (r) => ({
    title: r.permission
      ? `This account's key does not allow that: it lacks ${r.permission}`
      : "This account's key does not allow that",
    fix: "In Stripe's Dashboard → Developers → API keys, give the restricted key that permission, or use another key.",
  }),
  keyNotAccepted: () => ({
    title: "Stripe no longer accepts this account's key",
    fix: "The key may have been rolled or revoked: replace it in Settings → Accounts.",
  }),
  rateLimited: () => ({
    title: "Stripe is getting too many requests from this account",
    fix: "Wait a minute and try again. Stripe counts your shop's and other tools' requests too.",
  }),
  idempotencyError: () => ({
    title: "Stripe saw this action before with other details",
    fix: "Nothing was done twice. Start the action again.",
  }),
  other: () => ({
    title: "Stripe refused the request",
  }),
};

/** How Stripe failed when it did not refuse: "offline" only when nothing answered. */
const STRIPE_FAILURES: Record<StripeFailure["kind"], string> = {
  unreachable: "Stripe could not be reached",
  serverError: "Stripe is having trouble",
  unreadable: "Stripe's answer could not be read",
  other: "Stripe could not complete the request",
};

/** Stripe's own message, then its code and the request id, for support:
 * "Your card was declined. (card_declined, insufficient_funds; request req_1)". */
function stripeSays(refusal: StripeRefusal): string {
  const codes = [refusal.stripeCode, refusal.declineCode !== refusal.stripeCode ? refusal.declineCode : null]
    .filter((c): c is string => !!c)
    .join(", ");
  const request = refusal.requestId ? `request ${refusal.requestId}` : "";
  const tail = [codes, request].filter((p) => p).join("; ");
  const said = tail ? `${refusal.message} (${tail})` : refusal.message;
  // Which request Stripe refused, method and path: never the key.
  return refusal.request ? `${refusal.request}: ${said}` : said;
}

/** A refusal in the merchant's words, Stripe's own beneath. */
export function describeRefusal(refusal: StripeRefusal): ErrorText {
  const words = STRIPE_PROBLEMS[refusal.kind](refusal);
  return { title: words.title, detail: stripeSays(refusal), fix: words.fix };
}

export interface ErrorText {
  title: string;
  detail: string;
  /** What the user can do about it, when there is something. */
  fix?: string;
}

/** What the screen knows that the error does not: the currency the person is working in, the movement asked for. */
export interface ErrorContext {
  currency?: string;
  movement?: MovementKind;
  /** What Till was doing ("Adding the key"): said before Stripe's request. */
  doing?: string;
}

/** Text without case, spaces and closing punctuation, to tell whether two lines say the same. */
function same(a: string, b: string): boolean {
  const plain = (text: string) => text.trim().toLowerCase().replace(/[\s.!:;]+$/u, "").replace(/\s+/gu, " ");
  return plain(a) === plain(b);
}

/**
 * The error in the merchant's words: a title, the core's detail beneath it
 * (left out when it only repeats the title), and a fix when there is one.
 * Stripe's maximum is said as money in `context.currency`, never as
 * "99999999".
 */
export function describeError(error: TillError, context: ErrorContext = {}): ErrorText {
  const text = words(error);
  const currency = context.currency;
  if (currency && typeof error === "object" && error !== null) {
    const most = formatMoney(MAXIMUM_MINOR, currency);
    const maximum =
      (error.code === "amountRefused" && error.reason === "aboveMaximum") ||
      (error.code === "checkoutRefused" && error.reason === "totalTooLarge");
    if (maximum) text.title = `${text.title}: at most ${most}`;
    text.detail = text.detail.replaceAll(String(MAXIMUM_MINOR), most);
  }
  if (context.movement && typeof error === "object" && error !== null && error.code === "outcomeUnknown") {
    text.title = unconfirmedText(context.movement);
    text.fix = undefined;
  }
  if (same(text.detail, text.title)) text.detail = "";
  // What Till was doing, when Stripe is involved: the request is in the detail.
  const stripe = typeof error === "object" && error !== null && (error.code === "stripe" || error.code === "stripeRefused");
  if (context.doing && stripe) text.detail = text.detail ? `${context.doing}: ${text.detail}` : context.doing;
  return text;
}

// Movements whose answer was lost, and how the journal settled them.

const MOVEMENTS: Record<MovementKind, { noun: string; once: string }> = {
  capture: { noun: "capture", once: "nothing will be captured twice" },
  release: { noun: "release", once: "nothing will be released twice" },
  refund: { noun: "refund", once: "nothing will be refunded twice" },
  checkout: { noun: "new checkout", once: "it will not be created twice" },
  checkout_expire: { noun: "closing of the checkout", once: "nothing will be done twice" },
};

const money = (m: { amount: number | null; currency: string | null }): string =>
  m.amount !== null && m.currency ? formatMoney(m.amount, m.currency) : "";

/** Where a movement was made, in place: "Stripe did not confirm this capture. Till will check…". */
export function unconfirmedText(kind: MovementKind): string {
  const { noun, once } = MOVEMENTS[kind];
  return `Stripe did not confirm this ${noun}. Till will check with Stripe and tell you; ${once}.`;
}

/** In the banner, naming what and when: "Stripe did not confirm the capture of €60.00 on pi_1 (asked at 14:01). …". */
export function unconfirmedLine(u: Unsettled): string {
  const { noun, once } = MOVEMENTS[u.kind];
  const amount = money(u);
  const what = `the ${noun}${amount ? ` of ${amount}` : ""}${u.target ? ` on ${u.target}` : ""}`;
  return `Stripe did not confirm ${what} (asked at ${clockAt(u.askedAt)}). Till will check with Stripe and tell you; ${once}.`;
}

/** What happened, once settled: "Captured €60.00; Stripe confirmed it at 14:02." */
export function settledText(s: SettledMovement): string {
  const amount = money(s);
  const at = clockAt(s.settledAt);
  if (s.outcome === "succeeded") {
    switch (s.kind) {
      case "capture":
        return `Captured ${amount}; Stripe confirmed it at ${at}.`;
      case "release":
        return `Released ${amount} to the customer; Stripe confirmed it at ${at}.`;
      case "refund":
        return `Refunded ${amount}; Stripe confirmed it at ${at}.`;
      case "checkout":
        return `Checkout of ${amount} created; Stripe confirmed it at ${at}.`;
      case "checkout_expire":
        return `Checkout closed; Stripe confirmed it at ${at}.`;
    }
  }
  switch (s.kind) {
    case "capture":
      return `Not captured: Stripe confirmed at ${at} that the capture of ${amount} did not happen. Nothing was taken.`;
    case "release":
      return `Not released: Stripe confirmed at ${at} that the release did not happen.`;
    case "refund":
      return `Not refunded: Stripe confirmed at ${at} that the refund of ${amount} did not happen. Nothing was paid back.`;
    case "checkout":
      return `No checkout was created: Stripe confirmed it at ${at}.`;
    case "checkout_expire":
      return `The checkout was not closed: Stripe confirmed it at ${at}.`;
  }
}

function words(error: TillError): ErrorText {
  // A call whose arguments did not even reach the core comes back as text.
  if (typeof error !== "object" || error === null) {
    return { title: "Something went wrong inside Till", detail: String(error) };
  }
  switch (error.code) {
    case "keychainUnavailable":
      return {
        title: "Your system keychain is not available",
        detail: error.detail,
        fix: error.fix,
      };
    case "dataDirUnusable":
      return {
        title: "Till cannot use its data folder",
        detail: `${error.path}: ${error.detail}`,
        fix: "Check that the folder exists and that you can write to it, or set TILL_DATA_DIR to another folder.",
      };
    case "keyRejected":
      return { title: KEY_PROBLEMS[error.reason], detail: error.detail, fix: KEY_FIXES[error.reason] };
    case "liveKeyNotSent":
      return {
        title: "Till did not send this live key",
        detail: `A live key only ever goes to api.stripe.com or to this computer, and ${error.host} is neither. Stripe was not contacted.`,
        fix: "To reach Stripe, unset TILL_STRIPE_API_BASE; to try a test server, use a test key.",
      };
    case "accountAlreadyAdded":
      return {
        title: "This account is already in Till",
        detail: `${error.displayName} uses this key already.`,
        fix: "Switch to it from the account menu at the top of the sidebar.",
      };
    case "keyReplaceAsked":
      return {
        title: `${error.displayName} is already in Till, with the key ending ${error.currentLast4}`,
        detail: `Replacing it would use the ${error.newRestricted ? "restricted" : "secret"} key ending ${error.newLast4} from now on.`,
        fix: "Replace the key, or keep the current one.",
      };
    case "keyMissing":
      return {
        title: "This account's key is no longer in your keychain",
        detail: `No keychain entry for ${error.accountId}.`,
        fix: "Replace the key in Settings → Accounts.",
      };
    case "unknownAccount":
      return { title: "That account is not in Till", detail: error.accountId };
    case "amountRefused":
      return { title: AMOUNT_PROBLEMS[error.reason], detail: error.detail };
    case "actionRefused":
      return { title: ACTION_PROBLEMS[error.reason], detail: error.detail };
    case "checkoutRefused":
      return {
        title: CHECKOUT_PROBLEMS[error.reason],
        detail: error.detail,
        fix:
          error.reason === "successUrlMissing"
            ? "Give a success URL (your shop's thank-you page) once: Till remembers it for this account."
            : error.reason === "metadataInvalid"
              ? METADATA_LIMIT
              : undefined,
      };
    case "outcomeUnknown":
      return {
        title: "Stripe did not confirm this",
        detail: error.detail,
        fix: "Nothing will be done twice: Till will check with Stripe and tell you here.",
      };
    case "notFound":
      return {
        title: "Nothing with that id in this account",
        detail: error.id,
        fix: "Check the id, or refresh: it may be newer than the last sync.",
      };
    case "stripeRefused":
      return describeRefusal(error.refusal);
    case "stripe":
      return {
        title: STRIPE_FAILURES[error.kind.kind],
        detail: error.requestId ? `${error.detail} (request ${error.requestId})` : error.detail,
      };
    case "store":
      return error.newerVersion
        ? {
            title: "This data was saved by a newer version of Till",
            detail: error.detail,
            fix: "Update Till to open it. Nothing was changed.",
          }
        : { title: "Till's local database failed", detail: error.detail };
    case "internal":
      return { title: "Something went wrong inside Till", detail: error.detail };
  }
}
