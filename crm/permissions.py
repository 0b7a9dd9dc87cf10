"""Who may do what to which record: the permission policies of the CRM's models.

Every staff screen, action, export, search result and CRM API endpoint asks these policies
(Wagtail's permission-policy interface: `user_has_permission(user, action)`,
`user_has_permission_for_instance(user, action, instance)`,
`instances_user_has_permission_for(user, action)`), registered with Wagtail through
`register_permission_policy` so that Wagtail's own views use them too.

First version: model permissions only (the groups of `crm.roles`). Object rules (boarding
crew per pier or vessel, managers limited to some piers, through django-guardian) replace
these classes without changing their interface.
"""

from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from accounts.models import Customer
from booking.models import Departure, Order

order_policy = ModelPermissionPolicy(Order)
customer_policy = ModelPermissionPolicy(Customer)
departure_policy = ModelPermissionPolicy(Departure)

for _model, _policy in (
    (Order, order_policy),
    (Customer, customer_policy),
    (Departure, departure_policy),
):
    register_permission_policy(_model, _policy)
