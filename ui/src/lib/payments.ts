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

/** Start times of the Overview's periods in the user's time zone. */
export function periodStarts(now: Date): { label: string; since: number }[] {
  const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const daysBack = (days: number) => {
    const d = new Date(midnight);
    d.setDate(d.getDate() - days);
    return Math.floor(d.getTime() / 1000);
  };
  return [
    { label: "Today", since: Math.floor(midnight.getTime() / 1000) },
    { label: "Last 7 days", since: daysBack(6) },
    { label: "Last 30 days", since: daysBack(29) },
  ];
}

/** "expires in 2 d 4 h", "expires in 35 min", or "expired". */
export function countdown(captureBefore: number, nowSeconds: number): string {
  const left = captureBefore - nowSeconds;
  if (left <= 0) return "expired";
  const days = Math.floor(left / 86_400);
  const hours = Math.floor((left % 86_400) / 3600);
  const minutes = Math.floor((left % 3600) / 60);
  if (days > 0) return `expires in ${days} d ${hours} h`;
  if (hours > 0) return `expires in ${hours} h ${minutes} min`;
  return `expires in ${Math.max(minutes, 1)} min`;
}

/** Amber under 24 hours, red under 4. */
export function urgency(captureBefore: number, nowSeconds: number): "red" | "amber" | "calm" {
  const left = captureBefore - nowSeconds;
  if (left < 4 * 3600) return "red";
  if (left < 24 * 3600) return "amber";
  return "calm";
}
