"""What ties the installed base to cases: the asset a case is about, and the knowledge-base
articles an agent answered it with. Service records name their case when they are added
(``records.add_record(case=…)``)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.errors import Conflict, FieldErrors, Forbidden
from guanxi.core.locking import save_versioned
from guanxi.service import permissions as perms
from guanxi.service.models import Article, ArticleLink, Asset, Case


def check_asset_fits(case: Case, asset: Asset | None, field: str = "asset") -> None:
    """An asset on a case belongs to the case's customer."""
    if asset is not None and case.account_id and asset.account_id != case.account_id:
        raise FieldErrors({field: [_("This asset belongs to another customer.")]})


def set_case_asset(actor: User, case: Case, asset: Asset | None,
                   version: int | None) -> Case:
    if not perms.can_work_case(actor, case):
        raise Forbidden(_("You may not change this case."))
    check_asset_fits(case, asset)
    before = case.asset_id
    with transaction.atomic():
        changes: dict = {"asset": asset}
        if asset is not None and not case.product_id:
            changes["product_id"] = asset.product_id
        save_versioned(case, version, changes)
        audit.log(actor, "service.case.updated", case,
                  changes={"asset": [before, asset.pk if asset else None]})
    return case


def link_article(actor: User, case: Case, article: Article) -> ArticleLink:
    if not perms.can_work_case(actor, case):
        raise Forbidden(_("You may not change this case."))
    if not perms.can_read_article(actor, article):
        raise FieldErrors({"article": [_("No such article.")]})
    try:
        with transaction.atomic():
            link = ArticleLink.objects.create(case=case, article=article, linked_by=actor)
            audit.log(actor, "service.case.article_linked", case,
                      data={"number": case.number, "article": article.title})
    except IntegrityError:
        raise Conflict(_("This article is already linked to the case."),
                       field="article") from None
    return link


def unlink_article(actor: User, case: Case, article: Article) -> None:
    if not perms.can_work_case(actor, case):
        raise Forbidden(_("You may not change this case."))
    with transaction.atomic():
        if ArticleLink.objects.filter(case=case, article=article).delete()[0]:
            audit.log(actor, "service.case.article_unlinked", case,
                      data={"number": case.number, "article": article.title})
