"""The people: site users (customers and staff alike) and the customers who buy, with their
consents. Every model is importable from `accounts.models`."""

from accounts.models.customers import Consent, Customer, CustomerNote
from accounts.models.users import User, UserManager

__all__ = ["Consent", "Customer", "CustomerNote", "User", "UserManager"]
