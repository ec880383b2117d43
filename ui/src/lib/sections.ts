// The app's sections, in the sidebar's order (UI.md). Each says, in the
// merchant's words, what it is for: a section that is not built yet shows
// this text instead of fake data.

export type SectionId =
  | "overview"
  | "payments"
  | "holds"
  | "checkouts"
  | "refunds"
  | "payouts"
  | "exports"
  | "settings";

export interface Section {
  id: SectionId;
  label: string;
  /** What the section will show, for its empty state. */
  purpose: string;
}

export const SECTIONS: readonly Section[] = [
  {
    id: "overview",
    label: "Overview",
    purpose:
      "Today's, this week's and this month's money at a glance: gross, net, refunds and count per currency, your available and pending balance, and holds about to expire.",
  },
  {
    id: "payments",
    label: "Payments",
    purpose:
      "Every payment from your Stripe account, searchable and filterable even offline, with a detail drawer for fees, net, the card and the customer.",
  },
  {
    id: "holds",
    label: "Holds",
    purpose:
      "Card authorizations waiting to be captured, soonest to expire first, with a countdown. Capture all or part of a hold, or release it.",
  },
  {
    id: "checkouts",
    label: "Checkouts",
    purpose:
      "Payment pages for your customers: build one from line items or your catalog, share its link or QR code, and follow it until it is paid or expires.",
  },
  {
    id: "refunds",
    label: "Refunds",
    purpose: "Every refund you have made, with its status: pending, succeeded, failed or canceled.",
  },
  {
    id: "payouts",
    label: "Payouts",
    purpose:
      "Money Stripe sent to your bank, each payout broken down into the payments, refunds and fees it contains, for reconciliation.",
  },
  {
    id: "exports",
    label: "Exports",
    purpose:
      "CSV and Excel files of payments, refunds, payouts and balance transactions, in the time zone you choose, with the columns your accountant expects.",
  },
  {
    id: "settings",
    label: "Settings",
    purpose: "Your Stripe accounts, who is at the till, and information about this copy of Till.",
  },
];

export const DEFAULT_SECTION: SectionId = "overview";

/** The section a location hash names (`#/payments`), or the default one. */
export function sectionFromHash(hash: string): SectionId {
  const id = hash.replace(/^#\/?/, "").split(/[/?]/)[0] ?? "";
  const found = SECTIONS.find((section) => section.id === id);
  return found ? found.id : DEFAULT_SECTION;
}

export function hashFor(id: SectionId): string {
  return `#/${id}`;
}

const BY_ID = new Map(SECTIONS.map((section) => [section.id, section]));

export function sectionById(id: SectionId): Section {
  // Every SectionId is in SECTIONS (the unit test checks the full list).
  return BY_ID.get(id) ?? { id, label: id, purpose: "" };
}
