// The app's sections, in the sidebar's order (UI.md), with the tabs a
// section holds. Each says, in the merchant's words, what it is for and
// whether it is built: a section or tab that is not built yet shows this text
// instead of fake data, so later work only fills it in and flips `built`.

export type SectionId =
  | "overview"
  | "payments"
  | "customers"
  | "holds"
  | "checkouts"
  | "refunds"
  | "disputes"
  | "payouts"
  | "exports"
  | "settings";

/** A section or one of its tabs. */
export interface Place {
  label: string;
  /** What it shows (or will show, while it is not built). */
  purpose: string;
  built: boolean;
  /** While not built: what already does part of its job, if anything. */
  meanwhile?: string;
}

export interface Tab extends Place {
  /** Its part of the location hash (`#/checkouts/<id>`). */
  id: string;
}

export interface Section extends Place {
  id: SectionId;
  /** What the sidebar badge beside it counts, for its label. */
  badge?: string;
  /** Tabs, the first being the one a plain `#/<section>` opens. */
  tabs?: readonly Tab[];
}

export const SECTIONS: readonly Section[] = [
  {
    id: "overview",
    label: "Overview",
    built: true,
    purpose:
      "Today's, this week's and this month's money at a glance: gross, net, refunds and count per currency, your available and pending balance, and holds about to expire.",
  },
  {
    id: "payments",
    label: "Payments",
    built: true,
    purpose:
      "Every payment from your Stripe account, searchable and filterable even offline, with a detail drawer for fees, net, the card and the customer.",
  },
  {
    id: "customers",
    label: "Customers",
    built: false,
    purpose:
      "Everyone who has paid you, searchable by name or email, each with their payments, refunds and what they have spent in total.",
    meanwhile: "Ctrl+K already finds a customer by name or email and lists their payments.",
  },
  {
    id: "holds",
    label: "Holds",
    built: true,
    badge: "expire within 24 hours",
    purpose:
      "Card authorizations waiting to be captured, soonest to expire first, with a countdown. Capture all or part of a hold, or release it.",
  },
  {
    id: "checkouts",
    label: "Checkouts",
    built: true,
    purpose: "Payment pages for your customers, reusable payment links, and the catalog they sell from.",
    tabs: [
      {
        id: "checkouts",
        label: "Checkouts",
        built: true,
        purpose:
          "Payment pages for your customers: build one from line items or your catalog, share its link or QR code, and follow it until it is paid or expires.",
      },
      {
        id: "payment-links",
        label: "Payment links",
        built: false,
        purpose:
          "Links that any number of customers can pay, for a fixed price or an amount they choose, with the payments each has brought in.",
        meanwhile: "A payment page for one customer is a checkout, in the Checkouts tab.",
      },
      {
        id: "catalog",
        label: "Catalog",
        built: false,
        purpose: "Your products and their prices, to browse, add and change without leaving Till.",
        meanwhile:
          "A new checkout already sells from your active Stripe prices; add or change them in the Stripe Dashboard for now.",
      },
    ],
  },
  {
    id: "refunds",
    label: "Refunds",
    built: true,
    purpose: "Every refund you have made, with its status: pending, succeeded, failed or canceled.",
  },
  {
    id: "disputes",
    label: "Disputes",
    built: false,
    badge: "need a response",
    purpose:
      "Payments your customers disputed with their bank, those that need your response first, with the deadline and the evidence to send.",
    meanwhile: "Till does not read disputes yet: find them in the Stripe Dashboard.",
  },
  {
    id: "payouts",
    label: "Payouts",
    built: false,
    purpose:
      "Money Stripe sent to your bank, each payout broken down into the payments, refunds and fees it contains, for reconciliation.",
    meanwhile: "Till already keeps your payouts in its cache; they have no screen yet.",
  },
  {
    id: "exports",
    label: "Exports",
    built: false,
    purpose:
      "CSV and Excel files of payments, refunds, payouts and balance transactions, in the time zone you choose, with the columns your accountant expects.",
    meanwhile: "The journal of money movements already exports as CSV from Settings.",
  },
  {
    id: "settings",
    label: "Settings",
    built: true,
    purpose: "Your Stripe accounts, who is at the till, and information about this copy of Till.",
  },
];

export const DEFAULT_SECTION: SectionId = "overview";

/** `#/checkouts/catalog` → ["checkouts", "catalog"]. */
function hashParts(hash: string): string[] {
  const path = hash.replace(/^#\/?/, "").split("?")[0] ?? "";
  return path.split("/");
}

/** The section a location hash names (`#/payments`), or the default one. */
export function sectionFromHash(hash: string): SectionId {
  const id = hashParts(hash)[0] ?? "";
  const found = SECTIONS.find((section) => section.id === id);
  return found ? found.id : DEFAULT_SECTION;
}

/** The tab of `section` a location hash names, or its first; null for a section without tabs. */
export function tabFromHash(hash: string, section: Section): Tab | null {
  const tabs = section.tabs ?? [];
  const [sectionId, tabId] = hashParts(hash);
  const named = sectionId === section.id ? tabs.find((tab) => tab.id === tabId) : undefined;
  return named ?? tabs[0] ?? null;
}

export function hashFor(id: SectionId, tab?: string): string {
  return tab ? `#/${id}/${tab}` : `#/${id}`;
}

const BY_ID = new Map(SECTIONS.map((section) => [section.id, section]));

export function sectionById(id: SectionId): Section {
  // Every SectionId is in SECTIONS (the unit test checks the full list).
  return BY_ID.get(id) ?? { id, label: id, purpose: "", built: false };
}

/** "Overview, Payments and Settings": the built sections, for the note on those that are not. */
export function builtSections(): string {
  const labels = SECTIONS.filter((section) => section.built).map((section) => section.label);
  if (labels.length <= 1) return labels.join("");
  return `${labels.slice(0, -1).join(", ")} and ${labels[labels.length - 1]}`;
}
