"""Writes on customers. Each function takes the acting user, checks the rule, writes, audits
and appends to the customer's timeline."""

from guanxi.customers.services.approvals import (
    decide_new_customer,
    decide_terms_change,
    request_terms_change,
    withdraw_terms_change,
)
from guanxi.customers.services.common import completeness
from guanxi.customers.services.duplicates import find_duplicates
from guanxi.customers.services.merge import merge_accounts
from guanxi.customers.services.pool import claim, release, return_stale_to_pool, update_policy
from guanxi.customers.services.records import (
    add_address,
    add_contact,
    add_relationship,
    assign_owner,
    check_duplicates,
    create_account,
    deactivate_account,
    ensure_can_order,
    log_follow_up,
    remove_address,
    remove_contact,
    remove_relationship,
    set_tags,
    share_account,
    unshare_account,
    update_account,
    update_address,
    update_contact,
)
from guanxi.customers.services.standing import promote_standing

__all__ = [
    "add_address", "add_contact", "add_relationship", "assign_owner",
    "check_duplicates", "claim", "completeness", "create_account",
    "deactivate_account", "decide_new_customer", "decide_terms_change", "ensure_can_order",
    "find_duplicates", "log_follow_up", "merge_accounts", "promote_standing", "release",
    "remove_address", "remove_contact", "remove_relationship", "request_terms_change",
    "return_stale_to_pool", "set_tags", "share_account", "unshare_account", "update_account",
    "update_address", "update_contact", "update_policy", "withdraw_terms_change",
]
