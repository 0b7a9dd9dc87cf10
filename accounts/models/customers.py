"""Customers and their consents: the people who buy, known by e-mail.

They moved here from `crm` (issue 9): booking depends on them, and customer accounts build
on them, so they sit below booking. The tables were renamed (`crm_customer` →
`accounts_customer`, `crm_consent` → `accounts_consent`) without copying a row; see
`accounts/migrations/0002_customer_consent.py`. A consent still points up at the order it
was given with (a lazy "booking.Order" reference, never an import)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Customer(models.Model):
    """A person who bought or wrote in, known by e-mail (stored lower-case)."""

    email = models.EmailField(_("e-mail"), unique=True)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text=_("E.164"))
    language = models.CharField(_("language"), max_length=10, default="ru")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customer",
        verbose_name=_("site account"),
    )
    marketing_consent = models.BooleanField(_("agreed to marketing messages"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # When the person's data was erased (accounts.privacy): the row stays, anonymised,
    # because the orders that accounting law keeps point at it.
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-created_at"]
        permissions = [("manage_personal_data", "Can export and erase a customer's personal data")]
        # The back-office search finds customers by phone (booking/search.py).
        indexes = [models.Index(fields=["phone"], name="accounts_customer_phone_idx")]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class Consent(models.Model):
    """One act of consent (152-FZ): which document, in which version, when and from where.
    Consents are never edited; a withdrawal is a new row with `granted=False`."""

    class Kind(models.TextChoices):
        PERSONAL_DATA = "personal_data", _("Processing of personal data")
        MARKETING = "marketing", _("Marketing messages")
        OFFER = "offer", _("Public offer and refund rules")

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="consents", verbose_name=_("customer")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    granted = models.BooleanField(_("granted"), default=True)
    document_url = models.CharField(_("document"), max_length=500, blank=True)
    document_version = models.CharField(_("document version"), max_length=100)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)
    # The order during whose checkout the consent was given, if any.
    order = models.ForeignKey(
        "booking.Order",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consents",
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.customer}: {self.kind}"


NOTE_MAX_LENGTH = 2000


class StaffNote(models.Model):
    """An internal note of the staff, never shown to the customer: on a customer here, on
    an order in booking."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("note"), max_length=NOTE_MAX_LENGTH)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]


class CustomerNote(StaffNote):
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="notes", verbose_name=_("customer")
    )

    class Meta(StaffNote.Meta):
        verbose_name = _("customer note")
        verbose_name_plural = _("customer notes")

    def __str__(self):
        return f"{self.customer_id}/{self.pk}"
