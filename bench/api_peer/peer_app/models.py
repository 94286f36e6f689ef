"""Guanxi's tables as unmanaged models: the columns the customer list answers with."""
# ruff: noqa: DJ008  (read-only views of Guanxi's tables, never printed)

from django.db import models


class User(models.Model):
    username = models.CharField(max_length=150)
    display_name = models.CharField(max_length=100)
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    is_active = models.BooleanField()
    is_authenticated = True

    class Meta:
        managed = False
        db_table = "accounts_user"

    def __str__(self):
        full = f"{self.first_name} {self.last_name}".strip()
        return self.display_name or full or self.username


class Token(models.Model):
    user = models.ForeignKey(User, models.DO_NOTHING)
    key_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField(null=True)
    revoked_at = models.DateTimeField(null=True)

    class Meta:
        managed = False
        db_table = "accounts_apitoken"


class Team(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        managed = False
        db_table = "accounts_team"


class Tag(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        managed = False
        db_table = "customers_tag"
        ordering = ["name"]


class Account(models.Model):
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=10)
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    industry = models.CharField(max_length=40)
    size = models.CharField(max_length=20)
    source = models.CharField(max_length=20)
    phone = models.CharField(max_length=20)
    email = models.CharField(max_length=254)
    owner = models.ForeignKey(User, models.DO_NOTHING, null=True, related_name="+")
    team = models.ForeignKey(Team, models.DO_NOTHING, null=True, related_name="+")
    tags = models.ManyToManyField(Tag, through="AccountTag", related_name="+")
    approval = models.CharField(max_length=10)
    standing = models.CharField(max_length=10)
    in_pool = models.BooleanField()
    completeness = models.PositiveSmallIntegerField()
    last_follow_up_at = models.DateTimeField(null=True)
    is_active = models.BooleanField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "customers_account"


class AccountTag(models.Model):
    account = models.ForeignKey(Account, models.DO_NOTHING)
    tag = models.ForeignKey(Tag, models.DO_NOTHING)

    class Meta:
        managed = False
        db_table = "customers_account_tags"
