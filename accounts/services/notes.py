"""Internal notes of the staff about a customer (the CRM's customer screen)."""

from django.db import transaction
from wagtail.log_actions import log

from accounts.errors import AccountError
from accounts.models import Customer, CustomerNote
from accounts.models.customers import NOTE_MAX_LENGTH

NOTE_ACTION = "prichal.customer.note"


def note_text(text, *, error=AccountError) -> str:
    """A note's text, trimmed; raises `error` ("note_empty", "note_too_long") otherwise.
    Booking's order notes pass their own error class."""
    text = (text if isinstance(text, str) else "").strip()
    if not text:
        raise error("note_empty")
    if len(text) > NOTE_MAX_LENGTH:
        raise error("note_too_long", limit=NOTE_MAX_LENGTH)
    return text


def customer_note_add(*, customer: Customer, user, text: str) -> CustomerNote:
    """Adds a note (at most `NOTE_MAX_LENGTH` characters, not blank) to the customer, in
    one transaction under the customer's row lock. Audited as `NOTE_ACTION` (the note's
    id, never its text)."""
    text = note_text(text)
    actor = user if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        note = CustomerNote.objects.create(customer=locked, author=actor, text=text)
        # The title is the id, never str(customer) (which is the name and the e-mail).
        log(
            instance=locked,
            action=NOTE_ACTION,
            user=actor,
            title=f"Customer #{locked.pk}",
            data={"customer_id": locked.pk, "note_id": note.pk},
        )
    return note
