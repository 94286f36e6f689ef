"""API shapes of custom field definitions."""

from __future__ import annotations

from ninja import Schema
from pydantic import ConfigDict, Field


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
    position: int = 0


class CustomFieldPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int
    label_en: str | None = None
    label_zh: str | None = None
    choices: list[str] | None = None
    required: bool | None = None
    position: int | None = None
    active: bool | None = None
