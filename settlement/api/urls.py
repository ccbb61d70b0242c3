from django.urls import path

from settlement.api import (
    downloads,
    entitlements,
    payment_methods,
    settlements,
    stripe_webhook,
    subscriptions,
    usage,
    webhook_endpoints,
)

urlpatterns = [
    path("settlements", settlements.SettlementList.as_view(), name="settlements"),
    path("settlements/<str:settlement_id>", settlements.SettlementDetail.as_view(), name="settlement"),
    path("payment-methods", payment_methods.PaymentMethodListCreate.as_view(), name="payment-methods"),
    # Subscriptions: a feed's seats for a term of periods, each later period billed only if delivered.
    path("subscriptions", subscriptions.SubscriptionList.as_view(), name="subscriptions"),
    path("subscriptions/<str:subscription_id>", subscriptions.SubscriptionDetail.as_view(), name="subscription"),
    path(
        "subscriptions/<str:subscription_id>/cancel",
        subscriptions.SubscriptionCancel.as_view(),
        name="subscription-cancel",
    ),
    # Delivery: entitlements, download tokens, the download itself, usage history.
    path("entitlements", entitlements.EntitlementList.as_view(), name="entitlements"),
    path("entitlements/<str:entitlement_id>", entitlements.EntitlementDetail.as_view(), name="entitlement"),
    path(
        "entitlements/<str:entitlement_id>/tokens",
        entitlements.EntitlementTokenCreate.as_view(),
        name="entitlement-tokens",
    ),
    path("downloads", downloads.BearerDownloadView.as_view(), name="download-bearer"),
    path("downloads/<str:token>", downloads.DownloadView.as_view(), name="download"),
    path("usage", usage.UsageList.as_view(), name="usage"),
    path("usage/summary", usage.UsageSummary.as_view(), name="usage-summary"),
    # Outbound partner webhooks and their delivery log.
    path("webhook-endpoints", webhook_endpoints.WebhookEndpointListCreate.as_view(), name="webhook-endpoints"),
    path(
        "webhook-endpoints/<str:endpoint_id>",
        webhook_endpoints.WebhookEndpointDetail.as_view(),
        name="webhook-endpoint",
    ),
    path(
        "webhook-endpoints/<str:endpoint_id>/rotate-secret",
        webhook_endpoints.WebhookEndpointRotateSecret.as_view(),
        name="webhook-endpoint-rotate-secret",
    ),
    path(
        "webhook-endpoints/<str:endpoint_id>/deliveries",
        webhook_endpoints.WebhookDeliveryList.as_view(),
        name="webhook-deliveries",
    ),
    path(
        "webhook-endpoints/<str:endpoint_id>/deliveries/<str:delivery_id>/retry",
        webhook_endpoints.WebhookDeliveryRetry.as_view(),
        name="webhook-delivery-retry",
    ),
    # Incoming Stripe events: signature-verified, stored once, then handled.
    path("stripe/webhook", stripe_webhook.StripeWebhook.as_view(), name="stripe-webhook"),
]
