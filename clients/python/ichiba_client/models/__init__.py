"""Contains all the data models used in inputs/outputs"""

from .acceptance import Acceptance
from .acceptance_role_enum import AcceptanceRoleEnum
from .anonymization_request import AnonymizationRequest
from .api_key import ApiKey
from .api_key_create_request import ApiKeyCreateRequest
from .api_key_rotate_request import ApiKeyRotateRequest
from .api_key_status_enum import ApiKeyStatusEnum
from .api_key_with_secret import ApiKeyWithSecret
from .applies_when_enum import AppliesWhenEnum
from .auction import Auction
from .auction_bid import AuctionBid
from .auction_bid_create_request import AuctionBidCreateRequest
from .auction_bid_status_enum import AuctionBidStatusEnum
from .auction_create_request import AuctionCreateRequest
from .auction_create_request_terms import AuctionCreateRequestTerms
from .auction_dataset import AuctionDataset
from .auction_party import AuctionParty
from .auction_status_enum import AuctionStatusEnum
from .auction_terms import AuctionTerms
from .auction_winner import AuctionWinner
from .auctions_list_status import AuctionsListStatus
from .author_enum import AuthorEnum
from .blank_enum import BlankEnum
from .book import Book
from .book_level import BookLevel
from .category_enum import CategoryEnum
from .channel_enum import ChannelEnum
from .check import Check
from .clause import Clause
from .clause_text import ClauseText
from .clause_title import ClauseTitle
from .column import Column
from .column_quality import ColumnQuality
from .column_quality_type_enum import ColumnQualityTypeEnum
from .contract import Contract
from .contract_buyer import ContractBuyer
from .contract_event import ContractEvent
from .contract_seller import ContractSeller
from .contract_status_enum import ContractStatusEnum
from .contract_template_list import ContractTemplateList
from .contracts_document_lang import ContractsDocumentLang
from .contracts_odrl_format import ContractsOdrlFormat
from .contracts_odrl_response_200 import ContractsOdrlResponse200
from .covered_version import CoveredVersion
from .data_class_enum import DataClassEnum
from .data_request import DataRequest
from .data_request_answer import DataRequestAnswer
from .data_request_create_request import DataRequestCreateRequest
from .data_request_detail import DataRequestDetail
from .data_request_status_enum import DataRequestStatusEnum
from .data_requests_list_category import DataRequestsListCategory
from .data_requests_list_data_class import DataRequestsListDataClass
from .data_requests_list_mine import DataRequestsListMine
from .data_requests_list_role import DataRequestsListRole
from .data_requests_list_status import DataRequestsListStatus
from .dataset import Dataset
from .dataset_create_request import DatasetCreateRequest
from .dataset_detail import DatasetDetail
from .dataset_detail_offerings_item import DatasetDetailOfferingsItem
from .dataset_status_enum import DatasetStatusEnum
from .datasets_search_category import DatasetsSearchCategory
from .datasets_search_data_class import DatasetsSearchDataClass
from .datasets_search_sort import DatasetsSearchSort
from .dcat_catalog_format import DcatCatalogFormat
from .dcat_catalog_response_200 import DcatCatalogResponse200
from .delivered_period import DeliveredPeriod
from .download import Download
from .download_buyer import DownloadBuyer
from .download_dataset import DownloadDataset
from .download_dataset_version import DownloadDatasetVersion
from .downloads_fetch_format import DownloadsFetchFormat
from .downloads_fetch_with_bearer_format import DownloadsFetchWithBearerFormat
from .dsp_callback import DspCallback
from .dsp_consumer import DspConsumer
from .dsp_negotiation import DspNegotiation
from .dsp_negotiation_detail import DspNegotiationDetail
from .dsp_negotiation_state_enum import DspNegotiationStateEnum
from .dsp_negotiations_list_side import DspNegotiationsListSide
from .dsp_negotiations_list_state import DspNegotiationsListState
from .dsp_party_enum import DspPartyEnum
from .dsp_process_event import DspProcessEvent
from .dsp_side_enum import DspSideEnum
from .dsp_transfer import DspTransfer
from .dsp_transfer_detail import DspTransferDetail
from .dsp_transfer_state_enum import DspTransferStateEnum
from .dsp_transfer_summary import DspTransferSummary
from .dsp_transfers_list_state import DspTransfersListState
from .end_reason_enum import EndReasonEnum
from .entitlement import Entitlement
from .entitlement_delivery_enum import EntitlementDeliveryEnum
from .entitlement_status_enum import EntitlementStatusEnum
from .entitlements_list_status import EntitlementsListStatus
from .events_enum import EventsEnum
from .facet_value import FacetValue
from .facets import Facets
from .feed import Feed
from .format_enum import FormatEnum
from .gap import Gap
from .invoice import Invoice
from .invoice_kind_enum import InvoiceKindEnum
from .invoices_list_kind import InvoicesListKind
from .invoices_pdf_lang import InvoicesPdfLang
from .issued_token import IssuedToken
from .issued_token_kind_enum import IssuedTokenKindEnum
from .jwks_format import JwksFormat
from .jwks_response_200 import JwksResponse200
from .licence import Licence
from .license_type_enum import LicenseTypeEnum
from .listed_dataset import ListedDataset
from .me import Me
from .member import Member
from .member_role_enum import MemberRoleEnum
from .negotiation_revision import NegotiationRevision
from .offering import Offering
from .offering_create_request import OfferingCreateRequest
from .offering_create_request_terms import OfferingCreateRequestTerms
from .offering_delivery_enum import OfferingDeliveryEnum
from .offering_kind_enum import OfferingKindEnum
from .offering_seller import OfferingSeller
from .offering_seller_acceptance import OfferingSellerAcceptance
from .offering_status_enum import OfferingStatusEnum
from .offerings_list_kind import OfferingsListKind
from .offerings_list_status import OfferingsListStatus
from .offerings_odrl_format import OfferingsOdrlFormat
from .offerings_odrl_response_200 import OfferingsOdrlResponse200
from .open_offering import OpenOffering
from .order import Order
from .order_create_request import OrderCreateRequest
from .order_status_enum import OrderStatusEnum
from .orders_list_status import OrdersListStatus
from .outcome_enum import OutcomeEnum
from .paginated_api_key_list import PaginatedApiKeyList
from .paginated_auction_list import PaginatedAuctionList
from .paginated_contract_list import PaginatedContractList
from .paginated_data_request_list import PaginatedDataRequestList
from .paginated_download_list import PaginatedDownloadList
from .paginated_dsp_negotiation_list import PaginatedDspNegotiationList
from .paginated_dsp_transfer_list import PaginatedDspTransferList
from .paginated_entitlement_list import PaginatedEntitlementList
from .paginated_invoice_list import PaginatedInvoiceList
from .paginated_member_list import PaginatedMemberList
from .paginated_offering_list import PaginatedOfferingList
from .paginated_order_list import PaginatedOrderList
from .paginated_private_offer_list import PaginatedPrivateOfferList
from .paginated_settlement_list import PaginatedSettlementList
from .paginated_subscription_list import PaginatedSubscriptionList
from .paginated_trade_list import PaginatedTradeList
from .paginated_usage_summary_list import PaginatedUsageSummaryList
from .paginated_version_list import PaginatedVersionList
from .paginated_webhook_delivery_list import PaginatedWebhookDeliveryList
from .paginated_webhook_endpoint_list import PaginatedWebhookEndpointList
from .party import Party
from .party_name import PartyName
from .patched_dataset_update_request import PatchedDatasetUpdateRequest
from .patched_me_update_request import PatchedMeUpdateRequest
from .patched_offering_update_request import PatchedOfferingUpdateRequest
from .patched_seller_profile_update_request import PatchedSellerProfileUpdateRequest
from .payment_method import PaymentMethod
from .payment_method_create_request import PaymentMethodCreateRequest
from .payment_method_list import PaymentMethodList
from .pending_order import PendingOrder
from .pending_order_status_enum import PendingOrderStatusEnum
from .placed_order import PlacedOrder
from .platform_rules_response_200 import PlatformRulesResponse200
from .price_source_enum import PriceSourceEnum
from .private_offer import PrivateOffer
from .private_offer_accept_request import PrivateOfferAcceptRequest
from .private_offer_counter_request import PrivateOfferCounterRequest
from .private_offer_counter_request_terms_type_0 import PrivateOfferCounterRequestTermsType0
from .private_offer_create_request import PrivateOfferCreateRequest
from .private_offer_create_request_terms import PrivateOfferCreateRequestTerms
from .private_offer_decline_request import PrivateOfferDeclineRequest
from .private_offer_status_enum import PrivateOfferStatusEnum
from .private_offers_list_role import PrivateOffersListRole
from .private_offers_list_status import PrivateOffersListStatus
from .problem import Problem
from .problem_errors import ProblemErrors
from .proposed_via_enum import ProposedViaEnum
from .quality import Quality
from .quote import Quote
from .quote_dataset import QuoteDataset
from .quote_request import QuoteRequest
from .quote_request_side_enum import QuoteRequestSideEnum
from .quote_seller import QuoteSeller
from .rendition import Rendition
from .revision import Revision
from .revision_terms import RevisionTerms
from .sample import Sample
from .scopes_enum import ScopesEnum
from .search_page import SearchPage
from .search_page_corrections import SearchPageCorrections
from .seller import Seller
from .seller_profile import SellerProfile
from .settlement import Settlement
from .settlement_event import SettlementEvent
from .settlement_status_enum import SettlementStatusEnum
from .settlements_list_role import SettlementsListRole
from .settlements_list_status import SettlementsListStatus
from .side_enum import SideEnum
from .sort_enum import SortEnum
from .stream_credentials import StreamCredentials
from .stripe_webhook_body import StripeWebhookBody
from .stripe_webhook_response_200 import StripeWebhookResponse200
from .subscription import Subscription
from .subscription_period import SubscriptionPeriod
from .subscription_status_enum import SubscriptionStatusEnum
from .subscriptions_list_role import SubscriptionsListRole
from .subscriptions_list_status import SubscriptionsListStatus
from .takedown import Takedown
from .takedown_category_enum import TakedownCategoryEnum
from .tax_treatment_enum import TaxTreatmentEnum
from .template import Template
from .template_defaults import TemplateDefaults
from .template_term_help import TemplateTermHelp
from .template_term_labels import TemplateTermLabels
from .template_terms_schema import TemplateTermsSchema
from .template_title import TemplateTitle
from .time_in_force_enum import TimeInForceEnum
from .timing import Timing
from .token_file import TokenFile
from .token_request import TokenRequest
from .trade import Trade
from .type_enum import TypeEnum
from .update_frequency_enum import UpdateFrequencyEnum
from .usage_summary import UsageSummary
from .usage_summary_buyer import UsageSummaryBuyer
from .usage_summary_dataset import UsageSummaryDataset
from .usage_summary_dataset_version import UsageSummaryDatasetVersion
from .version import Version
from .version_accepted import VersionAccepted
from .version_status_enum import VersionStatusEnum
from .version_upload_request import VersionUploadRequest
from .webhook_attempt import WebhookAttempt
from .webhook_deliveries_list_status import WebhookDeliveriesListStatus
from .webhook_delivery import WebhookDelivery
from .webhook_delivery_status_enum import WebhookDeliveryStatusEnum
from .webhook_endpoint import WebhookEndpoint
from .webhook_endpoint_create_request import WebhookEndpointCreateRequest
from .webhook_endpoint_with_secret import WebhookEndpointWithSecret
from .withdraw_request import WithdrawRequest

__all__ = (
    "Acceptance",
    "AcceptanceRoleEnum",
    "AnonymizationRequest",
    "ApiKey",
    "ApiKeyCreateRequest",
    "ApiKeyRotateRequest",
    "ApiKeyStatusEnum",
    "ApiKeyWithSecret",
    "AppliesWhenEnum",
    "Auction",
    "AuctionBid",
    "AuctionBidCreateRequest",
    "AuctionBidStatusEnum",
    "AuctionCreateRequest",
    "AuctionCreateRequestTerms",
    "AuctionDataset",
    "AuctionParty",
    "AuctionsListStatus",
    "AuctionStatusEnum",
    "AuctionTerms",
    "AuctionWinner",
    "AuthorEnum",
    "BlankEnum",
    "Book",
    "BookLevel",
    "CategoryEnum",
    "ChannelEnum",
    "Check",
    "Clause",
    "ClauseText",
    "ClauseTitle",
    "Column",
    "ColumnQuality",
    "ColumnQualityTypeEnum",
    "Contract",
    "ContractBuyer",
    "ContractEvent",
    "ContractsDocumentLang",
    "ContractSeller",
    "ContractsOdrlFormat",
    "ContractsOdrlResponse200",
    "ContractStatusEnum",
    "ContractTemplateList",
    "CoveredVersion",
    "DataClassEnum",
    "DataRequest",
    "DataRequestAnswer",
    "DataRequestCreateRequest",
    "DataRequestDetail",
    "DataRequestsListCategory",
    "DataRequestsListDataClass",
    "DataRequestsListMine",
    "DataRequestsListRole",
    "DataRequestsListStatus",
    "DataRequestStatusEnum",
    "Dataset",
    "DatasetCreateRequest",
    "DatasetDetail",
    "DatasetDetailOfferingsItem",
    "DatasetsSearchCategory",
    "DatasetsSearchDataClass",
    "DatasetsSearchSort",
    "DatasetStatusEnum",
    "DcatCatalogFormat",
    "DcatCatalogResponse200",
    "DeliveredPeriod",
    "Download",
    "DownloadBuyer",
    "DownloadDataset",
    "DownloadDatasetVersion",
    "DownloadsFetchFormat",
    "DownloadsFetchWithBearerFormat",
    "DspCallback",
    "DspConsumer",
    "DspNegotiation",
    "DspNegotiationDetail",
    "DspNegotiationsListSide",
    "DspNegotiationsListState",
    "DspNegotiationStateEnum",
    "DspPartyEnum",
    "DspProcessEvent",
    "DspSideEnum",
    "DspTransfer",
    "DspTransferDetail",
    "DspTransfersListState",
    "DspTransferStateEnum",
    "DspTransferSummary",
    "EndReasonEnum",
    "Entitlement",
    "EntitlementDeliveryEnum",
    "EntitlementsListStatus",
    "EntitlementStatusEnum",
    "EventsEnum",
    "Facets",
    "FacetValue",
    "Feed",
    "FormatEnum",
    "Gap",
    "Invoice",
    "InvoiceKindEnum",
    "InvoicesListKind",
    "InvoicesPdfLang",
    "IssuedToken",
    "IssuedTokenKindEnum",
    "JwksFormat",
    "JwksResponse200",
    "Licence",
    "LicenseTypeEnum",
    "ListedDataset",
    "Me",
    "Member",
    "MemberRoleEnum",
    "NegotiationRevision",
    "Offering",
    "OfferingCreateRequest",
    "OfferingCreateRequestTerms",
    "OfferingDeliveryEnum",
    "OfferingKindEnum",
    "OfferingSeller",
    "OfferingSellerAcceptance",
    "OfferingsListKind",
    "OfferingsListStatus",
    "OfferingsOdrlFormat",
    "OfferingsOdrlResponse200",
    "OfferingStatusEnum",
    "OpenOffering",
    "Order",
    "OrderCreateRequest",
    "OrdersListStatus",
    "OrderStatusEnum",
    "OutcomeEnum",
    "PaginatedApiKeyList",
    "PaginatedAuctionList",
    "PaginatedContractList",
    "PaginatedDataRequestList",
    "PaginatedDownloadList",
    "PaginatedDspNegotiationList",
    "PaginatedDspTransferList",
    "PaginatedEntitlementList",
    "PaginatedInvoiceList",
    "PaginatedMemberList",
    "PaginatedOfferingList",
    "PaginatedOrderList",
    "PaginatedPrivateOfferList",
    "PaginatedSettlementList",
    "PaginatedSubscriptionList",
    "PaginatedTradeList",
    "PaginatedUsageSummaryList",
    "PaginatedVersionList",
    "PaginatedWebhookDeliveryList",
    "PaginatedWebhookEndpointList",
    "Party",
    "PartyName",
    "PatchedDatasetUpdateRequest",
    "PatchedMeUpdateRequest",
    "PatchedOfferingUpdateRequest",
    "PatchedSellerProfileUpdateRequest",
    "PaymentMethod",
    "PaymentMethodCreateRequest",
    "PaymentMethodList",
    "PendingOrder",
    "PendingOrderStatusEnum",
    "PlacedOrder",
    "PlatformRulesResponse200",
    "PriceSourceEnum",
    "PrivateOffer",
    "PrivateOfferAcceptRequest",
    "PrivateOfferCounterRequest",
    "PrivateOfferCounterRequestTermsType0",
    "PrivateOfferCreateRequest",
    "PrivateOfferCreateRequestTerms",
    "PrivateOfferDeclineRequest",
    "PrivateOffersListRole",
    "PrivateOffersListStatus",
    "PrivateOfferStatusEnum",
    "Problem",
    "ProblemErrors",
    "ProposedViaEnum",
    "Quality",
    "Quote",
    "QuoteDataset",
    "QuoteRequest",
    "QuoteRequestSideEnum",
    "QuoteSeller",
    "Rendition",
    "Revision",
    "RevisionTerms",
    "Sample",
    "ScopesEnum",
    "SearchPage",
    "SearchPageCorrections",
    "Seller",
    "SellerProfile",
    "Settlement",
    "SettlementEvent",
    "SettlementsListRole",
    "SettlementsListStatus",
    "SettlementStatusEnum",
    "SideEnum",
    "SortEnum",
    "StreamCredentials",
    "StripeWebhookBody",
    "StripeWebhookResponse200",
    "Subscription",
    "SubscriptionPeriod",
    "SubscriptionsListRole",
    "SubscriptionsListStatus",
    "SubscriptionStatusEnum",
    "Takedown",
    "TakedownCategoryEnum",
    "TaxTreatmentEnum",
    "Template",
    "TemplateDefaults",
    "TemplateTermHelp",
    "TemplateTermLabels",
    "TemplateTermsSchema",
    "TemplateTitle",
    "TimeInForceEnum",
    "Timing",
    "TokenFile",
    "TokenRequest",
    "Trade",
    "TypeEnum",
    "UpdateFrequencyEnum",
    "UsageSummary",
    "UsageSummaryBuyer",
    "UsageSummaryDataset",
    "UsageSummaryDatasetVersion",
    "Version",
    "VersionAccepted",
    "VersionStatusEnum",
    "VersionUploadRequest",
    "WebhookAttempt",
    "WebhookDeliveriesListStatus",
    "WebhookDelivery",
    "WebhookDeliveryStatusEnum",
    "WebhookEndpoint",
    "WebhookEndpointCreateRequest",
    "WebhookEndpointWithSecret",
    "WithdrawRequest",
)
