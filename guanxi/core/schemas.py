"""The API's shared value types, and the shapes of custom field definitions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field

from guanxi.core.inputs import MAX_ID, MAX_INT

#: A record's id, in a path, a query string or a body.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
#: The ``version`` a write says it read (optimistic locking).
Version = Annotated[int, Field(ge=0, le=MAX_INT)]
#: A count, position or number of days stored in an integer column.
Int = Annotated[int, Field(ge=-MAX_INT, le=MAX_INT)]


def _storable(moment: dt.datetime) -> dt.datetime:
    # Near year 1 or 9999 the move to UTC (storage) or to local time (pages) overflows.
    if not 1900 <= moment.year <= 2999:
        raise ValueError(_("Enter a date and time between the years 1900 and 2999."))
    return moment


#: A date and time a write takes.
DateTime = Annotated[dt.datetime, AfterValidator(_storable)]


class CustomFieldOut(Schema):
    id: int
    target: str
    key: str
    label: str
    label_en: str
    label_zh: str
    type: str
    choices: list[str]
    required: bool
    position: int
    active: bool
    version: int


class CustomFieldIn(Schema):
    model_config = ConfigDict(extra="forbid")

    target: str = Field(description="customers.account or customers.contact")
    key: str = Field(description="Lower-case letters, digits and underscores; used in the API "
                                 "as `custom.<key>` and in list filters as `cf_<key>`.")
    label_en: str
    label_zh: str = ""
    type: str = Field("text", description="text, number, date, choice or multi")
    choices: list[str] = []
    required: bool = False
    position: Int = 0


class CustomFieldPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    version: Version
    label_en: str | None = None
    label_zh: str | None = None
    choices: list[str] | None = None
    required: bool | None = None
    position: Int | None = None
    active: bool | None = None


# --- The approvals inbox ------------------------------------------------------------------

class InboxFigureOut(Schema):
    label: str
    value: str | None
    kind: str
    currency: str = ""


class InboxItemOut(Schema):
    ref: str
    kind: str
    kind_label: str
    id: int
    title: str
    url: str
    version: int | None
    since: dt.datetime | None
    account: str
    submitted_by: str
    step: str
    note: str
    overdue: bool
    needs_comment: bool
    can_return: bool
    figures: list[InboxFigureOut]


class InboxDecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    ref: str = Field(max_length=40)
    decision: str = Field(max_length=10)
    comment: str = Field(default="", max_length=2000)
    version: Version | None = None


class InboxBulkIn(Schema):
    model_config = ConfigDict(extra="forbid")
    items: list[Annotated[str, Field(max_length=60)]] = Field(max_length=100)


class InboxOutcomeOut(Schema):
    ref: str
    ok: bool
    message: str
class SavedViewOut(Schema):
    id: int
    list: str = Field(validation_alias="list_key")
    name: str
    owner_id: int
    team_id: int | None
    params: dict[str, str]
    version: int


class SavedViewIn(Schema):
    name: str = Field(max_length=200)
    #: The list's query string as names and values: filters, ``sort``, ``cols``, ``density``.
    params: dict[str, str] = Field(default_factory=dict, max_length=60)
    #: Share with the author's team (managers over it only).
    share: bool = False
    default: bool = False


class SavedViewPatch(Schema):
    version: Version
    name: str | None = Field(default=None, max_length=200)
    params: dict[str, str] | None = Field(default=None, max_length=60)


class BulkIn(Schema):
    action: str = Field(max_length=40)
    #: The rows to change; or ``all`` with ``params`` (the list's filters): every match.
    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(default_factory=list,
                                                               max_length=1000)
    all: bool = False
    params: dict[str, str] = Field(default_factory=dict, max_length=60)
    value: str | None = Field(default=None, max_length=200)


class BulkRowOut(Schema):
    id: int
    label: str
    ok: bool
    message: str


class BulkOut(Schema):
    done: int
    refused: int
    results: list[BulkRowOut]
