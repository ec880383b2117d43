//! What a payment has captured, refunded and can still refund: one rule,
//! for the drawer's figures and for a refund's check.

use till_store::StoreError;
use till_store::table::charges::{self, ChargeRow};
use till_store::table::payment_intents::PaymentRow;
use till_store::table::refunds::{self, RefundRow};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refundable {
    pub captured: i64,
    /// Refunded or on its way back (a failed or canceled refund gave
    /// nothing back; a hold let go moved no money).
    pub refunded: i64,
    pub refundable: i64,
}

/// The payment's figures from the cache.
pub fn of(
    conn: &rusqlite::Connection,
    account_id: &str,
    payment: &PaymentRow,
) -> Result<Refundable, StoreError> {
    let charges = charges::for_payment_intent(conn, account_id, &payment.id)?;
    let refunds = refunds::for_payment_intent(conn, account_id, &payment.id)?;
    Ok(compute(payment, &charges, &refunds))
}

/// What was captured: the PaymentIntent's `amount_received` (current as
/// soon as a capture's answer is stored) or the charges', whichever is
/// ahead, since a charge cached before its capture lags.
///
/// What was refunded has two sources, each of which can only lag (and so
/// overstate what is refundable): the charges' `amount_refunded` (behind a
/// refund Till just made until the sync brings the charge again) and the
/// cached refunds (behind a refund made elsewhere). The smaller refundable
/// is right, once the charges have caught up with the capture. Stripe
/// counts a partial capture's released rest in the charge's
/// `amount_refunded`, so a charge's part is its amount less all of that.
pub fn compute(payment: &PaymentRow, charges: &[ChargeRow], refunds: &[RefundRow]) -> Refundable {
    let refunded: i64 = refunds
        .iter()
        .filter(|r| r.counts_as_refunded())
        .map(|r| r.amount)
        .sum();
    let succeeded = || charges.iter().filter(|c| c.status == "succeeded");
    let by_charges: i64 = succeeded().map(|c| c.amount_captured).sum();
    let captured = by_charges.max(payment.amount_received);
    let mut refundable = (captured - refunded).max(0);
    if by_charges >= payment.amount_received && by_charges > 0 {
        let by_charge: i64 = succeeded()
            .filter(|c| c.captured)
            .map(|c| (c.amount - c.amount_refunded).max(0))
            .sum();
        refundable = refundable.min(by_charge);
    }
    Refundable {
        captured,
        refunded,
        refundable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payment(received: i64) -> PaymentRow {
        PaymentRow {
            id: "pi_1".into(),
            amount: 10_000,
            amount_received: received,
            currency: "eur".into(),
            status: "succeeded".into(),
            ..PaymentRow::default()
        }
    }

    fn charge(amount: i64, captured: i64, amount_refunded: i64) -> ChargeRow {
        ChargeRow {
            id: "ch_1".into(),
            amount,
            amount_captured: captured,
            amount_refunded,
            currency: "eur".into(),
            status: "succeeded".into(),
            captured: captured > 0,
            payment_intent: Some("pi_1".into()),
            ..ChargeRow::default()
        }
    }

    fn refund(id: &str, amount: i64, status: &str) -> RefundRow {
        RefundRow {
            id: id.into(),
            amount,
            currency: "eur".into(),
            status: status.into(),
            payment_intent: Some("pi_1".into()),
            balance_transaction: Some(format!("txn_{id}")),
            ..RefundRow::default()
        }
    }

    #[test]
    fn a_partial_capture_can_refund_what_was_captured_not_the_released_rest() {
        // 100.00 held, 60.00 captured: Stripe books the 40.00 let go as
        // refunded on the charge, with a refund that moved no money.
        let mut released = refund("re_rest", 4_000, "succeeded");
        released.balance_transaction = None;
        let got = compute(
            &payment(6_000),
            &[charge(10_000, 6_000, 4_000)],
            &[released],
        );
        assert_eq!(
            got,
            Refundable {
                captured: 6_000,
                refunded: 0,
                refundable: 6_000
            }
        );
    }

    #[test]
    fn several_partial_refunds_add_up() {
        let refunds = [
            refund("re_1", 1_000, "succeeded"),
            refund("re_2", 2_500, "pending"),
        ];
        let got = compute(&payment(10_000), &[charge(10_000, 10_000, 3_500)], &refunds);
        assert_eq!((got.refunded, got.refundable), (3_500, 6_500));
    }

    #[test]
    fn a_refund_that_failed_gave_nothing_back() {
        let refunds = [
            refund("re_1", 1_000, "succeeded"),
            refund("re_2", 4_000, "failed"),
            refund("re_3", 500, "canceled"),
        ];
        let got = compute(&payment(10_000), &[charge(10_000, 10_000, 1_000)], &refunds);
        assert_eq!((got.refunded, got.refundable), (1_000, 9_000));
    }

    #[test]
    fn the_lagging_source_never_overstates() {
        // A refund made elsewhere: the charge knows, the refunds do not yet.
        let got = compute(&payment(10_000), &[charge(10_000, 10_000, 3_000)], &[]);
        assert_eq!(got.refundable, 7_000);
        // A refund Till just made: cached, the charge not brought again yet.
        let got = compute(
            &payment(10_000),
            &[charge(10_000, 10_000, 0)],
            &[refund("re_1", 2_000, "succeeded")],
        );
        assert_eq!(got.refundable, 8_000);
    }

    #[test]
    fn a_charge_cached_before_its_capture_does_not_hide_what_was_received() {
        // The capture's answer updated the payment; the charge in the cache
        // is still the authorization.
        let held = ChargeRow {
            captured: false,
            amount_captured: 0,
            ..charge(10_000, 0, 0)
        };
        let got = compute(
            &payment(6_000),
            &[held],
            &[refund("re_1", 1_000, "succeeded")],
        );
        assert_eq!(
            got,
            Refundable {
                captured: 6_000,
                refunded: 1_000,
                refundable: 5_000
            }
        );
    }

    #[test]
    fn without_charges_the_payment_says_what_was_captured() {
        let got = compute(&payment(5_000), &[], &[refund("re_1", 1_500, "succeeded")]);
        assert_eq!(
            got,
            Refundable {
                captured: 5_000,
                refunded: 1_500,
                refundable: 3_500
            }
        );
        // A hold: nothing captured, nothing to refund.
        assert_eq!(compute(&payment(0), &[], &[]).refundable, 0);
    }
}
