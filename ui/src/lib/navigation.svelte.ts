// Where the user is beyond the section: the payment whose drawer is open and
// the customer the Payments list is narrowed to. Ctrl+K and links elsewhere
// (a hold in the Overview) set these and switch to Payments.
import { hashFor } from "./sections";

export const navigation: {
  /** The payment whose drawer is open, if any. */
  payment: string | null;
  /** A hold to capture, opened from elsewhere (the Overview): Holds opens its form. */
  hold: string | null;
  /** Payments of one customer only (id and what to call them). */
  customer: { id: string; label: string } | null;
  /** A new checkout asked for from elsewhere (the Overview): Checkouts opens its form. */
  newCheckout: boolean;
} = $state({ payment: null, hold: null, customer: null, newCheckout: false });

export function openPayment(id: string): void {
  navigation.payment = id;
  window.location.hash = hashFor("payments");
}

/** Goes to Holds with this hold's capture form open, its amount ready to type. */
export function captureHold(id: string): void {
  navigation.hold = id;
  window.location.hash = hashFor("holds");
}

/** Goes to Checkouts with a new checkout's form open, its first line ready to type. */
export function startCheckout(): void {
  navigation.newCheckout = true;
  window.location.hash = hashFor("checkouts");
}

export function closePayment(): void {
  navigation.payment = null;
}

export function showCustomer(id: string, label: string): void {
  navigation.customer = { id, label };
  navigation.payment = null;
  window.location.hash = hashFor("payments");
}

export function clearCustomer(): void {
  navigation.customer = null;
}
