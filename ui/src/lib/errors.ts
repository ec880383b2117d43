// Turns a core error into words for the merchant. The UI branches on `code`;
// the core's detail is shown as-is beneath, for support.
import type { ActionProblem, AmountProblem, CheckoutProblem, KeyProblem, TillError } from "./bindings";

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

export interface ErrorText {
  title: string;
  detail: string;
  /** What the user can do about it, when there is something. */
  fix?: string;
}

export function describeError(error: TillError): ErrorText {
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
            : undefined,
      };
    case "outcomeUnknown":
      return {
        title: "Stripe's answer was lost on the way",
        detail: error.detail,
        fix: "Nothing will be done twice: Till asks again with the same request and shows the result here.",
      };
    case "notFound":
      return {
        title: "Nothing with that id in this account",
        detail: error.id,
        fix: "Check the id, or refresh: it may be newer than the last sync.",
      };
    case "stripe":
      return {
        title: "Stripe could not complete the request",
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
