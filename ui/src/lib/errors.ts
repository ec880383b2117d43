// Turns a core error into words for the merchant. The UI branches on `code`;
// the core's detail is shown as-is beneath, for support.
import type { TillError } from "./bindings";

export interface ErrorText {
  title: string;
  detail: string;
  /** What the user can do about it, when there is something. */
  fix?: string;
}

export function describeError(error: TillError): ErrorText {
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
    case "internal":
      return { title: "Something went wrong inside Till", detail: error.detail };
  }
}
