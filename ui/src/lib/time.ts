// Times as the lists show them: local, medium date and short time.

import { LOCALE } from "./locale";

/** A Unix time in the user's locale and time zone: "Nov 22, 2026, 9:45 PM". */
export function when(seconds: number): string {
  return new Date(seconds * 1000).toLocaleString(LOCALE, { dateStyle: "medium", timeStyle: "short" });
}
