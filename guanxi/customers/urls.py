from django.urls import path

from guanxi.core import approval_views
from guanxi.customers.views import consent, records, workflow

app_name = "customers"
urlpatterns = [
    path("", records.home, name="home"),
    path("search/", records.search, name="search"),
    path("unsubscribe/<str:token>/", consent.unsubscribe, name="unsubscribe"),
    path("consent/confirm/<str:token>/", consent.confirm, name="confirm_consent"),
    path("customers/", records.customer_list, name="list"),
    path("customers/new/", records.customer_create, name="create"),
    path("customers/<int:pk>/", records.customer_detail, name="detail"),
    path("customers/<int:pk>/edit/", records.customer_edit, name="edit"),
    path("customers/<int:pk>/timeline/", records.timeline_more, name="timeline"),
    path("customers/<int:pk>/follow-up/", records.follow_up, name="follow_up"),
    path("customers/<int:pk>/tags/", records.tags_edit, name="tags"),
    path("customers/<int:pk>/share/", records.share, name="share"),
    path("customers/<int:pk>/contacts/new/", records.contact_create, name="contact_create"),
    path("contacts/<int:pk>/edit/", records.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/remove/", records.contact_remove, name="contact_remove"),
    path("customers/<int:pk>/addresses/new/", records.address_create, name="address_create"),
    path("addresses/<int:pk>/edit/", records.address_edit, name="address_edit"),
    path("addresses/<int:pk>/remove/", records.address_remove, name="address_remove"),
    path("customers/<int:pk>/relationships/new/", records.relationship_create,
         name="relationship_create"),
    path("relationships/<int:pk>/remove/", records.relationship_remove,
         name="relationship_remove"),
    # workflows
    # The one approvals inbox (core renders it; every app fills it), at the address the
    # customers' inbox always had, so links in mails and notifications keep working.
    path("approvals/", approval_views.inbox, name="approvals"),
    path("approvals/decide/", approval_views.decide, name="approvals_decide"),
    path("approvals/bulk/", approval_views.bulk, name="approvals_bulk"),
    path("approvals/submitted/", workflow.approvals, name="my_approvals"),
    path("customers/<int:pk>/decide/", workflow.decide_customer, name="decide_customer"),
    path("customers/<int:pk>/terms/", workflow.terms_request, name="terms_request"),
    path("terms-requests/<int:pk>/decide/", workflow.decide_terms, name="decide_terms"),
    path("terms-requests/<int:pk>/withdraw/", workflow.withdraw_terms, name="withdraw_terms"),
    path("pool/", workflow.pool, name="pool"),
    path("customers/<int:pk>/claim/", workflow.claim, name="claim"),
    path("customers/<int:pk>/release/", workflow.release, name="release"),
    path("customers/<int:pk>/assign/", workflow.assign, name="assign"),
    path("customers/<int:pk>/merge/", workflow.merge, name="merge"),
    path("settings/pool/", workflow.pool_policy, name="pool_policy"),
]
