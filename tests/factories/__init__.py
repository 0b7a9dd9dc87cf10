"""Every test factory and builder, in one place: `from tests import factories` or
`from tests.factories import placed_order`.

catalogue.py: venues, vessels, products, ticket types, departures, images and pages
(factory_boy + wagtail-factories); booking.py: seat maps, prices, departures ready to
sell, holds, checkout details and orders made through the real services; checkin.py: a
departure boarding now and ticket tokens; people.py: staff users and groups; rentals.py:
a yacht's rental plan."""

from tests.factories.booking import *  # noqa: F403
from tests.factories.catalogue import *  # noqa: F403
from tests.factories.checkin import *  # noqa: F403
from tests.factories.people import *  # noqa: F403
from tests.factories.rentals import *  # noqa: F403
