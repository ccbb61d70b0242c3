"""The web site's routes, namespace ``web`` (config/urls.py): the shell's and each app's pages."""

from django.urls import path

from catalog.web.urls import urlpatterns as catalog_urlpatterns
from contracts.web.urls import urlpatterns as contracts_urlpatterns
from marketplace.web import api_keys, members, offerings, orders, rules, sellers, session, signup

urlpatterns = [
    path("login/", session.LoginView.as_view(), name="login"),
    path("logout/", session.LogoutView.as_view(), name="logout"),
    path("rules/", rules.market_rules, name="rules"),
    path("signup/", signup.signup, name="signup"),
    path("signup/apply/<str:token>/", signup.signup_apply, name="signup_apply"),
    path("signup/application/", signup.application_status, name="application"),
    path("members/", members.members, name="members"),
    path("members/<int:membership_id>/role/", members.member_role, name="member_role"),
    path("members/<int:membership_id>/remove/", members.member_delete, name="member_remove"),
    path("invitations/<str:token>/", members.invitation, name="invitation"),
    path(
        "members/invitations/<uuid:invitation_id>/withdraw/", members.invitation_withdrawn, name="invitation_withdraw"
    ),
    *catalog_urlpatterns,
    path("sell/datasets/<uuid:dataset_id>/offer/", offerings.offering_create, name="offering_create"),
    path("offerings/<uuid:offering_id>/", offerings.offering_detail, name="offering"),
    path("offerings/<uuid:offering_id>/withdraw/", offerings.offering_withdraw_view, name="offering_withdraw"),
    path("offerings/<uuid:offering_id>/delivery/", offerings.offering_delivery_view, name="offering_delivery"),
    path("offerings/<uuid:offering_id>/orders/", orders.order_ticket, name="order_ticket"),
    path("offerings/<uuid:offering_id>/review/", orders.order_review, name="order_review"),
    path("orders/", orders.order_list, name="orders"),
    path("sellers/<uuid:seller_id>/", sellers.seller_detail, name="seller"),
    path("sellers/<uuid:seller_id>/logo", sellers.seller_logo, name="seller_logo"),
    path("sellers/<uuid:seller_id>/edit/", sellers.seller_edit, name="seller_edit"),
    path("orders/<uuid:order_id>/", orders.order_detail, name="order"),
    path("orders/<uuid:order_id>/cancel/", orders.order_cancel_view, name="order_cancel"),
    path("organization/api-keys/", api_keys.api_keys, name="api_keys"),
    path("organization/api-keys/<uuid:api_key_id>/rotate/", api_keys.api_key_rotate_view, name="api_key_rotate"),
    path("organization/api-keys/<uuid:api_key_id>/revoke/", api_keys.api_key_revoke_view, name="api_key_revoke"),
    *contracts_urlpatterns,
]
