// Times as the lists show them: local, medium date and short time.

import { LOCALE } from "./locale";

/** A Unix time in the user's locale and time zone: "Nov 22, 2026, 9:45 PM". */
export function when(seconds: number): string {
  return new Date(seconds * 1000).toLocaleString(LOCALE, { dateStyle: "medium", timeStyle: "short" });
}

/** How long ago, for a hover: "5 min ago", "3 h ago", "12 days ago". */
export function ago(seconds: number, nowSeconds: number = Date.now() / 1000): string {
  const minutes = Math.max(0, Math.round((nowSeconds - seconds) / 60));
  if (minutes < 60) return `${minutes} min ago`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h ago`;
  return `${Math.round(minutes / 1440)} days ago`;
}

/** A day and a time of day, local, for a sentence: "3 May at 14:10" (en-GB), "May 3 at 2:10 PM" (en-US). */
export function dayAt(seconds: number, locale: string = LOCALE): string {
  const date = new Date(seconds * 1000);
  const day = date.toLocaleDateString(locale, { day: "numeric", month: "long" });
  const time = date.toLocaleTimeString(locale, { hour: "numeric", minute: "2-digit" });
  return `${day} at ${time}`;
}

/** A time of day for a sentence, with the day when it is not today: "14:02" (en-GB), "2:02 PM" (en-US), "3 May at 14:02". */
export function clockAt(seconds: number, locale: string = LOCALE, nowSeconds: number = Date.now() / 1000): string {
  const date = new Date(seconds * 1000);
  if (date.toDateString() !== new Date(nowSeconds * 1000).toDateString()) return dayAt(seconds, locale);
  return date.toLocaleTimeString(locale, { hour: "numeric", minute: "2-digit" });
}
