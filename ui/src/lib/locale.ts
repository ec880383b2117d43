// The locale numbers and dates are shown in. WebKitGTK takes the language
// from LANG, and under C or POSIX (containers, kiosks, CI) ICU falls back to
// en-US-POSIX, which prints "2628.75" and "14209" without grouping. Those
// settings name no language, so they fall back to plain en-US.

const NO_LANGUAGE = /(^|[-_.])(c|posix)([-_.@]|$)/i;

/** The first of the user's languages Intl can format in, else "en-US". */
export function pickLocale(preferred: readonly string[]): string {
  for (const tag of preferred) {
    if (!tag || NO_LANGUAGE.test(tag)) continue;
    try {
      const [supported] = Intl.NumberFormat.supportedLocalesOf(tag);
      if (supported) return supported;
    } catch {
      // Not a language tag at all: try the next.
    }
  }
  return "en-US";
}

export const LOCALE = pickLocale(typeof navigator === "undefined" ? [] : navigator.languages);

/** A count as people read it: 14209 → "14,209". */
export function formatCount(n: number, locale: string = LOCALE): string {
  return n.toLocaleString(locale);
}
