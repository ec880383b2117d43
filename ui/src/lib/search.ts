// The search box's words: what a finished query in Stripe's syntax that
// cannot run is told with (a half-typed one is never an error: it waits).
import type { QueryProblem } from "./bindings";

/** Why a query cannot run, in the merchant's words, with how to fix it. */
export function queryProblemText(problem: QueryProblem): string {
  switch (problem.kind) {
    case "unknownStatus":
      return `“${problem.value}” is not a payment status. Use one of: ${problem.known.join(", ")}.`;
    case "notACurrency":
      return `“${problem.value}” is not a currency: use its three-letter code, as in currency:'eur'.`;
    case "notANumber":
      return problem.field === "amount"
        ? `amount takes a whole number in the currency's smallest unit (cents): “${problem.value}” is not one.`
        : `created takes a Unix time in seconds: “${problem.value}” is not one.`;
    case "notComparable":
      return `${problem.field} cannot be compared with > or <: use ${problem.field}:'…'. Only amount and created compare.`;
    case "nullNotAllowed":
      return `${problem.field}:null means nothing here: only customer and metadata can be null.`;
    case "missingValue":
      return `${problem.field}: needs a value right after the colon, as in ${problem.field}:'…'.`;
    case "mixedAndOr":
      return "A search joins its parts with AND or with OR, not both.";
    case "wordsWithOr":
      return "Plain words are all looked for: they cannot be joined by OR. Use OR between field:value parts only.";
    case "danglingJoin":
      return "AND and OR need a part on each side.";
    case "unreadable":
      return `Till cannot read “${problem.near}”: put a space after a field's value.`;
  }
}

/** The search box's hint: what it finds. */
export const SEARCH_PLACEHOLDER = "Search emails, names, items, ids, or status:'succeeded'… ( / )";
