from enum import StrEnum


class EventsEnum(StrEnum):
    AUCTION_CLOSED = "auction.closed"
    CONTRACT_CONCLUDED = "contract.concluded"
    DATASET_VERSION_PUBLISHED = "dataset.version_published"
    DATA_REQUEST_ANSWERED = "data_request.answered"
    ENTITLEMENT_EXTENDED = "entitlement.extended"
    ENTITLEMENT_GRANTED = "entitlement.granted"
    ENTITLEMENT_REVOKED = "entitlement.revoked"
    OFFERING_TAKEN_DOWN = "offering.taken_down"
    PRIVATE_OFFER_ACCEPTED = "private_offer.accepted"
    PRIVATE_OFFER_COUNTERED = "private_offer.countered"
    PRIVATE_OFFER_DECLINED = "private_offer.declined"
    PRIVATE_OFFER_EXPIRED = "private_offer.expired"
    PRIVATE_OFFER_RECEIVED = "private_offer.received"
    SETTLEMENT_UPDATED = "settlement.updated"
    SUBSCRIPTION_PERIOD_CHARGED = "subscription.period_charged"
    SUBSCRIPTION_PERIOD_MISSED = "subscription.period_missed"
    SUBSCRIPTION_UPDATED = "subscription.updated"
    TRADE_EXECUTED = "trade.executed"

    def __str__(self) -> str:
        return str(self.value)
