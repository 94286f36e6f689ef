"""Customers: accounts (companies or persons), contacts, addresses, relationships, tags,
commercial terms and their approvals, the public pool and the per-customer timeline."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.core.models import Versioned, in_reader_language

User = settings.AUTH_USER_MODEL


class Industry(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Manufacturing")
    ENERGY = "energy", _("Energy and utilities")
    AUTOMOTIVE = "automotive", _("Automotive")
    CONSTRUCTION = "construction", _("Construction")
    IT = "it", _("IT and software")
    TELECOM = "telecom", _("Telecommunications")
    FINANCE = "finance", _("Finance and insurance")
    RETAIL = "retail", _("Retail and wholesale")
    LOGISTICS = "logistics", _("Logistics")
    HEALTHCARE = "healthcare", _("Healthcare")
    EDUCATION = "education", _("Education")
    GOVERNMENT = "government", _("Government and public sector")
    AGRICULTURE = "agriculture", _("Agriculture")
    OTHER = "other", _("Other")


class Size(models.TextChoices):
    MICRO = "micro", _("1–9 employees")
    SMALL = "small", _("10–99 employees")
    MEDIUM = "medium", _("100–999 employees")
    LARGE = "large", _("1,000–9,999 employees")
    ENTERPRISE = "enterprise", _("10,000+ employees")


class Source(models.TextChoices):
    EXHIBITION = "exhibition", _("Exhibition / auto show")
    WEBSITE = "website", _("Website")
    REFERRAL = "referral", _("Referral")
    CAMPAIGN = "campaign", _("Campaign")
    CALL_CENTRE = "call_centre", _("Call centre")
    PORTAL = "portal", _("Portal")
    IMPORT = "import", _("Import")
    MANUAL = "manual", _("Manual entry")


class Settlement(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    ACCEPTANCE_BILL = "acceptance_bill", _("Bank acceptance bill")
    LETTER_OF_CREDIT = "letter_of_credit", _("Letter of credit")
    CASH = "cash", _("Cash")
    CARD = "card", _("Card / online payment")


class Standing(models.TextChoices):
    """How far a customer has come with us: a quote accepted makes a prospect a lead
    customer (线索客户); the first confirmed order makes them a customer (正式客户)."""
    PROSPECT = "prospect", _("Prospect")
    LEAD = "lead", _("Lead customer")
    CUSTOMER = "customer", _("Customer")


class Approval(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


def score_field(label):
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 (low) to 5 (high)"),
    )


class AccountQuerySet(models.QuerySet):
    def visible_to(self, user) -> AccountQuerySet:
        """Active customers ``user`` may see (the rule lives in ``selectors.account_scope``)."""
        from guanxi.customers.selectors import account_scope

        qs = self.filter(is_active=True)
        scope = account_scope(user)
        return qs if scope is None else qs.filter(scope)


class ContactQuerySet(models.QuerySet):
    def visible_to(self, user) -> ContactQuerySet:
        """Active contacts of customers ``user`` may see."""
        from guanxi.customers.selectors import account_scope

        qs = self.filter(is_active=True, account__is_active=True)
        scope = account_scope(user, "account__")
        return qs if scope is None else qs.filter(scope)


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)
    color = models.CharField(_("colour"), max_length=7, default="#64748b")

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Account(Versioned):
    """A customer: a company, or a person buying for themselves (B2C)."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        PERSON = "person", _("Person")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMPANY)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    name_key = models.CharField(max_length=200, db_index=True, editable=False)
    registration_id = models.CharField(
        _("registration id (USCC)"), max_length=18, null=True, blank=True, unique=True
    )
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices,
                                blank=True)
    size = models.CharField(_("size"), max_length=12, choices=Size.choices, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices,
                              default=Source.MANUAL)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True, db_index=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("notes"), blank=True)

    owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="owned_accounts", verbose_name=_("owner"))
    team = models.ForeignKey("accounts.Team", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="accounts", verbose_name=_("team"))
    tags = models.ManyToManyField(Tag, blank=True, related_name="accounts",
                                  verbose_name=_("tags"))

    # What the papers ask to know about a customer: region, attitudes, lifestyle, needs.
    region_economy = models.CharField(_("regional economy"), max_length=100, blank=True)
    region_climate = models.CharField(_("regional climate"), max_length=100, blank=True)
    region_customs = models.CharField(_("regional customs"), max_length=200, blank=True)
    lifestyle = models.TextField(_("lifestyle"), blank=True)
    needs = models.TextField(_("needs"), blank=True)
    purchase_channel = models.CharField(_("purchase channel"), max_length=100, blank=True)
    attitude_risk = score_field(_("attitude to risk"))
    attitude_products = score_field(_("attitude to our products"))
    attitude_service = score_field(_("attitude to our service"))
    likelihood_rebuy = score_field(_("likelihood to buy again"))
    likelihood_recommend = score_field(_("likelihood to recommend"))

    # Commercial terms: changed only through a TermsChangeRequest once the customer exists.
    discount_rate = models.DecimalField(
        _("approved discount rate"), max_digits=5, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Percent off list price this customer may get without further approval."),
    )
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)
    settlement_method = models.CharField(_("settlement method"), max_length=20,
                                         choices=Settlement.choices,
                                         default=Settlement.BANK_TRANSFER)
    credit_limit = models.DecimalField(_("credit limit"), max_digits=14, decimal_places=2,
                                       default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")

    approval = models.CharField(_("approval"), max_length=10, choices=Approval.choices,
                                default=Approval.APPROVED)
    standing = models.CharField(_("standing"), max_length=10, choices=Standing.choices,
                                default=Standing.PROSPECT)
    in_pool = models.BooleanField(_("in public pool"), default=False)
    claimed_from_pool = models.BooleanField(default=False, editable=False)
    pool_since = models.DateTimeField(null=True, blank=True)
    last_follow_up_at = models.DateTimeField(_("last follow-up"), null=True, blank=True)
    completeness = models.PositiveSmallIntegerField(_("completeness"), default=0)
    custom = models.JSONField(default=dict, blank=True)

    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="merged_from", editable=False)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        # Partial on active customers: lists filter on a bare ``WHERE is_active``, which
        # SQLite cannot match to a leading boolean index column (a full scan and sort).
        indexes = [
            models.Index(fields=["-updated_at", "-id"], name="acct_active_recent",
                         condition=models.Q(is_active=True)),
            models.Index(fields=["owner", "-updated_at", "-id"], name="acct_active_owner",
                         condition=models.Q(is_active=True)),
            models.Index(fields=["team", "-updated_at", "-id"], name="acct_active_team",
                         condition=models.Q(is_active=True)),
            models.Index(fields=["industry", "-updated_at", "-id"], name="acct_active_industry",
                         condition=models.Q(is_active=True)),
            models.Index(fields=["-pool_since", "-id"], name="acct_active_pool",
                         condition=models.Q(in_pool=True, is_active=True)),
            models.Index(fields=["approval", "is_active"], name="acct_approval"),
            # Segment counts and the list's "completeness below" filter: counted from the
            # index instead of reading every customer row.
            models.Index(fields=["completeness"], name="acct_active_completeness",
                         condition=models.Q(is_active=True)),
            models.Index(fields=["owner", "last_follow_up_at"], name="acct_followup"),
            # Duplicate checks compare e-mail addresses case-insensitively.
            models.Index(Lower("email"), name="acct_email_lower"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_pending(self) -> bool:
        return self.approval == Approval.PENDING


class Contact(Versioned):
    """A person at a customer (for a B2C customer: the customer themself)."""

    class Gender(models.TextChoices):
        FEMALE = "f", _("Female")
        MALE = "m", _("Male")
        OTHER = "x", _("Other / not given")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts",
                                verbose_name=_("customer"))
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    department = models.CharField(_("department"), max_length=100, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True, db_index=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True, db_index=True)
    wechat = models.CharField(_("WeChat"), max_length=60, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    custom = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-is_primary", "name"]
        indexes = [models.Index(Lower("email"), name="contact_email_lower")]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name


class Address(Versioned):
    class Kind(models.TextChoices):
        OFFICE = "office", _("Office")
        BILLING = "billing", _("Billing")
        SHIPPING = "shipping", _("Shipping")
        HOME = "home", pgettext_lazy("address kind", "Home")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OFFICE)
    country = models.CharField(_("country"), max_length=2, default="CN")
    province = models.CharField(_("province"), max_length=30, blank=True)
    province_code = models.CharField(max_length=6, blank=True, db_index=True)
    city = models.CharField(_("city"), max_length=40, blank=True)
    district = models.CharField(_("district"), max_length=40, blank=True)
    street = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=12, blank=True)
    lines = models.TextField(_("address"), blank=True,
                             help_text=_("Free form, for addresses outside China."))
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        if self.country == "CN":
            return "".join(p for p in [self.province, self.city, self.district, self.street] if p)
        return ", ".join(p for p in [self.lines.replace("\n", ", "), self.country] if p)


class Relationship(models.Model):
    class Kind(models.TextChoices):
        FAMILY = "family", _("Family")
        FRIEND = "friend", _("Friend")
        COLLEAGUE = "colleague", _("Colleague")
        REFERRED_BY = "referred_by", _("Referred by")

    from_contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    to_contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("relationship"), max_length=12, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_contact", "to_contact", "kind"],
                                    name="unique_relationship"),
            models.CheckConstraint(condition=~models.Q(from_contact=models.F("to_contact")),
                                   name="relationship_not_self"),
        ]
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")

    def __str__(self) -> str:
        return f"{self.from_contact_id} {self.kind} {self.to_contact_id}"


class AccountShare(models.Model):
    """A record shared with a colleague who does not own it."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="shared_accounts")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "user"],
                                               name="unique_account_share")]
        verbose_name = _("share")
        verbose_name_plural = _("shares")

    def __str__(self) -> str:
        return f"{self.account_id} → {self.user_id}"


class TermsChangeRequest(Versioned):
    """A change to discount, payment or settlement terms or credit limit: the market manager
    approves, then finance, and only then is it applied to the customer."""

    class Status(models.TextChoices):
        MANAGER = "manager", _("Waiting for the market manager")
        FINANCE = "finance", _("Waiting for finance")
        APPLIED = "applied", _("Approved and applied")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="terms_requests")
    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)
    changes = models.JSONField(_("changes"), help_text="{field: [old, new]}")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.MANAGER, db_index=True)
    status_since = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("terms change request")
        verbose_name_plural = _("terms change requests")

    def __str__(self) -> str:
        return f"{self.account} — {', '.join(self.changes)}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.MANAGER, self.Status.FINANCE)


class ApprovalStep(models.Model):
    """One decision on a new customer or a terms change: a row, so the history shows who
    decided what and when."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="approval_steps")
    terms_request = models.ForeignKey(TermsChangeRequest, on_delete=models.CASCADE, null=True,
                                      blank=True, related_name="steps")
    step = models.CharField(max_length=20)  # "new_customer", "manager", "finance"
    decision = models.CharField(max_length=10, choices=Decision.choices)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")

    def __str__(self) -> str:
        return f"{self.step}: {self.decision}"


class PoolPolicy(Versioned):
    """Public pool (公海) rules; one row."""

    return_after_days = models.PositiveIntegerField(
        _("return to pool after days without follow-up"), default=30,
        validators=[MinValueValidator(1)])
    claim_limit = models.PositiveIntegerField(
        _("customers a rep may hold from the pool"), default=50,
        validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("public pool policy")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> PoolPolicy:
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy


class TimelineEvent(models.Model):
    """One entry on a customer's timeline. Every capability appends here: notes, approvals,
    ownership changes now; activities, quotes, orders, payments, cases later."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="timeline")
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    kind = models.CharField(max_length=40)  # namespaced: "customers.created", "sales.visit"
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    at = models.DateTimeField(db_index=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["account", "-at", "-id"], name="timeline_account")]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        """The title in the reader's language: services store the untranslated message and
        its parameters, so each reader sees it in their own language."""
        message = (self.data or {}).get("title")
        if not message:
            return self.title
        from django.utils.translation import gettext
        try:
            params = {k: timeline_param(v) for k, v in (message[1] or {}).items()}
            return gettext(message[0]) % params if params else gettext(message[0])
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            return self.title


def timeline_param(value: Any) -> str:
    """A stored title parameter in the reader's language: plain text as it is, a label of
    the product (``{"msgid": …}``) through the translations, a label kept in both languages
    in the data (``{"en": …, "zh": …}``, e.g. a pipeline stage) in the reader's one."""
    if not isinstance(value, dict):
        return str(value)
    from django.utils.translation import gettext
    if "msgid" in value:
        return gettext(value["msgid"])
    return in_reader_language(str(value.get("zh") or ""), str(value.get("en") or ""))


class SearchToken(models.Model):
    """Search index: each searchable string of a customer or contact, cut so that a prefix
    range scan on ``token`` finds names by any Chinese substring, pinyin from any syllable,
    initials, phone digits, e-mail and registration id — 1- and 2-character queries included.
    ``pos`` 0 means the token starts at the beginning of the value (ranks higher)."""

    class Field(models.IntegerChoices):
        NAME = 1
        PINYIN = 2
        INITIALS = 3
        PHONE = 4
        EMAIL = 5
        REGISTRATION = 6
        CUSTOM = 7  # text custom fields

    token = models.CharField(max_length=32)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+",
                                db_constraint=False)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, null=True, related_name="+",
                                db_constraint=False)
    field = models.PositiveSmallIntegerField(choices=Field.choices)
    pos = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["token"], name="search_token"),
        ]

    def __str__(self) -> str:
        return self.token


class Consent(models.Model):
    """One statement of a person's consent to be contacted on a channel for a purpose: given
    or withdrawn, with where it came from and the evidence. Rows are only ever added (the
    history is the record PIPL asks for); the latest row per person, channel and purpose is
    the current state. The person is a contact, or the customer itself for a personal (B2C)
    customer (``contact`` empty); ``address`` is the e-mail or phone it was given for, so an
    unsubscribe by address also covers a lead who is not a contact yet."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        PHONE = "phone", _("Phone")
        WECHAT = "wechat", _("WeChat")

    class Purpose(models.TextChoices):
        MARKETING = "marketing", _("Marketing")
        CARE = "care", _("Customer care")
        SERVICE = "service", _("Service notices")

    class Source(models.TextChoices):
        FORM = "form", _("Web form")
        PORTAL = "portal", _("Customer portal")
        IMPORT = "import", _("Import")
        STAFF = "staff", _("Recorded by staff")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe link")
        REPLY = "reply", _("Reply (e.g. 退订 / TD)")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="consents", verbose_name=_("customer"))
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="consents", verbose_name=_("contact"))
    address = models.CharField(_("address"), max_length=254, blank=True, db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    granted = models.BooleanField(_("consent given"))
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    evidence = models.TextField(_("evidence"), blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["contact", "channel", "purpose", "-at", "-id"],
                         name="consent_contact_latest"),
            models.Index(fields=["account", "channel", "purpose", "-at", "-id"],
                         name="consent_account_latest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(account__isnull=False) | models.Q(contact__isnull=False)
                | ~models.Q(address=""), name="consent_has_person"),
        ]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.channel}/{self.purpose}: {'yes' if self.granted else 'no'}"
