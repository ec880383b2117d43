// Pure helpers for the Payments list, unit-tested apart from the component.

/** The rows of a virtualized list to render: those in view plus a margin. */
export function visibleWindow(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
  overscan = 10,
): { start: number; end: number } {
  const first = Math.floor(scrollTop / rowHeight);
  const count = Math.ceil(viewportHeight / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(total, first + count + overscan);
  return { start, end: Math.max(start, end) };
}

export const STATUS_FILTERS: readonly { label: string; statuses: string[] }[] = [
  { label: "All", statuses: [] },
  { label: "Succeeded", statuses: ["succeeded"] },
  { label: "Holds", statuses: ["requires_capture"] },
  { label: "Canceled", statuses: ["canceled"] },
  { label: "Failed", statuses: ["requires_payment_method"] },
];

/** Words for a PaymentIntent status, as the merchant reads them. */
export function statusLabel(status: string): string {
  switch (status) {
    case "succeeded":
      return "Succeeded";
    case "requires_capture":
      return "Hold";
    case "canceled":
      return "Canceled";
    case "requires_payment_method":
      return "Failed";
    case "requires_action":
      return "Needs authentication";
    case "processing":
      return "Processing";
    case "requires_confirmation":
      return "Incomplete";
    default:
      return status;
  }
}
