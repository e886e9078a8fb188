//! A WeChat Pay order's life on our side: which events may move a payment from which state, and
//! to where. The SQL of `db::payments` filters by these sources, so a transition the machine does
//! not allow cannot happen in the database either (a concurrent change makes it a no-op).
use std::fmt;

/// Where a payment stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaymentState {
    /// The WeChat Pay order is being placed (it may or may not exist at WeChat Pay).
    Placing,
    /// Placed, awaiting its payment.
    Pending,
    /// Its payment was applied.
    Paid,
    /// Taken off its orders (a newer payment, a closed order, a failed placing): still to be
    /// closed at WeChat Pay.
    Superseded,
    /// WeChat Pay confirmed it can no longer be paid.
    Closed,
    /// WeChat Pay reports it paid with another amount or currency: not applied, left to staff,
    /// no longer queried.
    Disputed,
}

/// What happens to a payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaymentEvent {
    /// WeChat Pay gave its prepay_id.
    Placed,
    /// Another payment, a closed order or a failed placing took it off its orders.
    Replaced,
    /// WeChat Pay says it was paid in full (a notification or an order query): its word
    /// overrides whatever we thought.
    PaidInFull,
    /// WeChat Pay says it was paid, but not what we asked.
    PaidOtherwise,
    /// WeChat Pay confirmed it can no longer be paid.
    ClosedAtWechat,
}

impl PaymentState {
    pub const ALL: [Self; 6] = [
        Self::Placing,
        Self::Pending,
        Self::Paid,
        Self::Superseded,
        Self::Closed,
        Self::Disputed,
    ];

    /// The stored text.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Placing => "placing",
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::Superseded => "superseded",
            Self::Closed => "closed",
            Self::Disputed => "disputed",
        }
    }

    /// The state a stored text names.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == text)
    }

    /// Whether WeChat Pay may still take money for it (reconciliation watches these).
    pub fn unsettled(self) -> bool {
        PaymentEvent::ClosedAtWechat.sources().contains(&self)
    }

    /// Where `event` takes a payment in this state; `None` when it may not happen here.
    pub fn on(self, event: PaymentEvent) -> Option<Self> {
        event.sources().contains(&self).then(|| event.target())
    }
}

impl fmt::Display for PaymentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PaymentEvent {
    /// The states this event may leave.
    pub const fn sources(self) -> &'static [PaymentState] {
        use PaymentState::*;
        match self {
            Self::Placed => &[Placing],
            Self::Replaced => &[Placing, Pending],
            Self::PaidInFull => &[Placing, Pending, Superseded, Closed, Disputed],
            Self::PaidOtherwise | Self::ClosedAtWechat => &[Placing, Pending, Superseded],
        }
    }

    /// The state it leads to.
    pub const fn target(self) -> PaymentState {
        match self {
            Self::Placed => PaymentState::Pending,
            Self::Replaced => PaymentState::Superseded,
            Self::PaidInFull => PaymentState::Paid,
            Self::PaidOtherwise => PaymentState::Disputed,
            Self::ClosedAtWechat => PaymentState::Closed,
        }
    }

    /// The stored texts of [`Self::sources`], for a SQL filter.
    pub fn source_texts(self) -> Vec<&'static str> {
        self.sources().iter().map(|state| state.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::PaymentEvent::*;
    use super::PaymentState::*;
    use super::*;

    #[test]
    fn a_payment_is_placed_then_paid() {
        assert_eq!(Placing.on(Placed), Some(Pending));
        assert_eq!(Pending.on(PaidInFull), Some(Paid));
        assert_eq!(Pending.on(Placed), None, "placed once");
    }

    #[test]
    fn a_paid_payment_stays_paid() {
        for event in [Placed, Replaced, PaidInFull, PaidOtherwise, ClosedAtWechat] {
            assert_eq!(Paid.on(event), None, "{event:?}");
        }
    }

    #[test]
    fn only_live_payments_are_superseded_and_superseded_ones_are_closed_or_found_paid() {
        assert_eq!(Placing.on(Replaced), Some(PaymentState::Superseded));
        assert_eq!(Pending.on(Replaced), Some(PaymentState::Superseded));
        assert_eq!(PaymentState::Superseded.on(Replaced), None);
        assert_eq!(PaymentState::Superseded.on(ClosedAtWechat), Some(Closed));
        assert_eq!(PaymentState::Superseded.on(PaidInFull), Some(Paid));
    }

    #[test]
    fn wechat_pays_word_overrides_a_closed_or_disputed_payment() {
        assert_eq!(Closed.on(PaidInFull), Some(Paid));
        assert_eq!(Disputed.on(PaidInFull), Some(Paid));
        assert_eq!(Closed.on(ClosedAtWechat), None);
        assert_eq!(Disputed.on(PaidOtherwise), None);
    }

    #[test]
    fn a_short_payment_is_disputed_and_no_longer_watched() {
        assert_eq!(Pending.on(PaidOtherwise), Some(Disputed));
        assert!(!Disputed.unsettled());
        assert!(Placing.unsettled() && Pending.unsettled() && PaymentState::Superseded.unsettled());
        assert!(!Paid.unsettled() && !Closed.unsettled());
    }

    #[test]
    fn every_state_reads_back_from_its_text() {
        for state in PaymentState::ALL {
            assert_eq!(PaymentState::parse(state.as_str()), Some(state));
        }
        assert_eq!(PaymentState::parse("refunded"), None);
    }
}
