import { describe, expect, it } from "vitest";
import { actionLabel, outcomeLabel, refundReasonLabel, refundStatusLabel } from "./words";

describe("status words", () => {
  it("say Stripe's statuses in the merchant's words", () => {
    expect(refundStatusLabel("requires_action")).toBe("Needs action");
    expect(refundStatusLabel("succeeded")).toBe("Succeeded");
    expect(actionLabel("checkout_expire")).toBe("Close checkout");
    expect(outcomeLabel("sent")).toBe("Sent, no answer yet");
    expect(refundReasonLabel("requested_by_customer")).toBe("Requested by customer");
    expect(refundReasonLabel("some_new_reason")).toBe("Some new reason");
  });
  it("pass an unknown word through rather than hide it", () => {
    expect(refundStatusLabel("something_new")).toBe("something_new");
    expect(outcomeLabel("")).toBe("");
  });
});
