import { describe, expect, it } from "vitest";
import type { TillError } from "./bindings";
import { describeError } from "./errors";

describe("describeError", () => {
  it("passes the keychain fix through to the user", () => {
    const err: TillError = { code: "keychainUnavailable", detail: "no secret service", fix: "Install gnome-keyring" };
    expect(describeError(err)).toEqual({
      title: "Your system keychain is not available",
      detail: "no secret service",
      fix: "Install gnome-keyring",
    });
  });

  it("explains a refused key and how to fix it", () => {
    const text = describeError({ code: "keyRejected", reason: "cannotReadPayments", detail: "403" });
    expect(text.title).toBe("This restricted key cannot read payments");
    expect(text.fix).toContain("PaymentIntents: Read");
  });

  it("says a newer Till's database was left untouched", () => {
    const text = describeError({ code: "store", detail: "schema 9", newerVersion: true });
    expect(text.fix).toContain("Nothing was changed");
  });

  it("names the folder Till cannot use", () => {
    const text = describeError({ code: "dataDirUnusable", path: "/data", detail: "read-only" });
    expect(text.detail).toBe("/data: read-only");
    expect(text.fix).toContain("TILL_DATA_DIR");
  });
});
