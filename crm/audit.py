"""The audit entries of staff reading personal data, written the same way by the
console's screens and by the CRM API (ids and counts only: the history report lists
titles, and a search's text would be personal data itself)."""

from wagtail.log_actions import log

from common.audit import unwrapped

PERSONAL_DATA_VIEW_ACTION = "prichal.personal_data.view"
SEARCH_ACTION = "prichal.personal_data.search"


def personal_data_viewed(*, customer, user, order=None, **via) -> None:
    """`user` read `customer`'s data (on an order's screen when `order` is given); `via`
    says where: `screen="order"`, or `via="api", token=<id>`."""
    user = unwrapped(user)
    data = dict(via)
    if order is not None:
        data["order_id"] = order.pk
    log(customer, PERSONAL_DATA_VIEW_ACTION, user=user, title=f"customer #{customer.pk}", data=data)


def orders_searched(*, user, query_length: int, hits: int, **via) -> None:
    """A search of the orders: its length and how many hits were shown, on the staff member."""
    user = unwrapped(user)
    log(
        user,
        SEARCH_ACTION,
        user=user,
        title="order search",
        data={**via, "query_length": query_length, "hits": hits},
    )


MANIFEST_ACTION = "prichal.manifest.view"
#: How a manifest was read: its screen, the crew's check-in page, the phone's offline
#: bundle (crm/checkin/api.py), or a file.
MANIFEST_FORMATS = ("screen", "checkin", "offline", "pdf", "csv", "xlsx")


def manifest_viewed(*, departure, user, format: str, rows: int) -> None:
    """`user` read the passenger list of `departure` (names and phones): on a screen or as
    a file (`format`, one of `MANIFEST_FORMATS`), `rows` tickets listed. The request's
    client address is added by `common.audit`."""
    user = unwrapped(user)
    log(
        departure,
        MANIFEST_ACTION,
        user=user,
        title=f"departure #{departure.pk}",
        data={"format": format, "rows": rows},
    )
