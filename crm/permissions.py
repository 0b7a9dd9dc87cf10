"""Who may do what to which record: the permission policies of the CRM's models.

Every staff screen, action, export, search result and CRM API endpoint asks these policies
(Wagtail's permission-policy interface: `user_has_permission(user, action)`,
`user_has_permission_for_instance(user, action, instance)`,
`instances_user_has_permission_for(user, action)`), registered with Wagtail through
`register_permission_policy` so that Wagtail's own views use them too.

The rules: a model permission (the groups of `crm.roles`) says what a staff member may do
at all; their *assignments* say where. An assignment is a django-guardian object
permission `booking.assigned_to_venue` on a pier or `booking.assigned_to_vessel` on a
vessel, held by the user or by one of their groups.

- "board" (departures: check tickets in): a holder of `booking.check_in_ticket` with
  assignments boards only the departures from their piers or on their vessels; without
  assignments, superusers and holders of `booking.board_any_departure` board every
  departure, everyone else none.
- Office work ("view", "change", "add", "delete" of orders, customers and departures):
  the model permission, limited to the departures (and their orders) of the assigned
  piers when the user has a pier assignment; vessel assignments limit boarding only.
  A limited user sees the customers with at least one order in their scope.
- "manage_personal_data" (customers: export and erasure): the model permission
  `accounts.manage_personal_data` and the customer in scope.
- Support cases: the model permission, limited to the cases of the user's queues
  (`support.work_in_queue` on a queue, django-guardian) and the cases assigned to them;
  `support.handle_any_queue` (managers) lifts the limit.

The assignments are read in one query per user and request (cached on the user object;
`assignments_forget(user)` drops the cache after a change in the same request).
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from guardian.models import GroupObjectPermission, UserObjectPermission
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from accounts.models import Customer
from booking.models import Departure, Order, Venue, Vessel
from support.models import Case, Queue

ASSIGNED_TO_VENUE = "assigned_to_venue"
ASSIGNED_TO_VESSEL = "assigned_to_vessel"
VENUE_ASSIGNMENT = f"booking.{ASSIGNED_TO_VENUE}"
VESSEL_ASSIGNMENT = f"booking.{ASSIGNED_TO_VESSEL}"
CHECK_IN = "booking.check_in_ticket"
BOARD_ANY = "booking.board_any_departure"
MANAGE_PERSONAL_DATA = "accounts.manage_personal_data"

WORK_IN_QUEUE = "work_in_queue"
HANDLE_ANY_QUEUE = "support.handle_any_queue"

BOARD = "board"
PERSONAL_DATA_ACTION = "manage_personal_data"

_CACHE_ATTRIBUTE = "_crm_assignments"
_QUEUE_CACHE_ATTRIBUTE = "_crm_support_queues"


@dataclass(frozen=True)
class Assignments:
    """The piers and vessels a staff member is assigned to (directly or by a group)."""

    venue_ids: frozenset[int] = frozenset()
    vessel_ids: frozenset[int] = frozenset()

    @property
    def any(self) -> bool:
        return bool(self.venue_ids or self.vessel_ids)


NO_ASSIGNMENTS = Assignments()


def user_assignments(user) -> Assignments:
    """The user's assignments, read in one query and cached on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_ASSIGNMENTS
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    types = ContentType.objects.get_for_models(Venue, Vessel)  # cached by Django
    wanted = Q(content_type=types[Venue], permission__codename=ASSIGNED_TO_VENUE) | Q(
        content_type=types[Vessel], permission__codename=ASSIGNED_TO_VESSEL
    )
    own = UserObjectPermission.objects.filter(wanted, user=user)
    by_group = GroupObjectPermission.objects.filter(wanted, group__user=user)
    venue_ids, vessel_ids = set(), set()
    rows = own.values_list("content_type_id", "object_pk").union(
        by_group.values_list("content_type_id", "object_pk")
    )
    for content_type_id, object_pk in rows:
        try:
            pk = int(object_pk)
        except ValueError:
            continue
        (venue_ids if content_type_id == types[Venue].pk else vessel_ids).add(pk)
    found = Assignments(frozenset(venue_ids), frozenset(vessel_ids))
    setattr(user, _CACHE_ATTRIBUTE, found)
    return found


def assignments_forget(user) -> None:
    """Drop the cached assignments (after changing them within the same request)."""
    for attribute in (_CACHE_ATTRIBUTE, _QUEUE_CACHE_ATTRIBUTE):
        if user is not None and hasattr(user, attribute):
            delattr(user, attribute)


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def boarding_scope(user) -> Q | None:
    """The departures `user` may board as a filter; None means every departure. Callers
    check `booking.check_in_ticket` first (or use `departure_policy`)."""
    assignments = user_assignments(user)
    if assignments.any:
        return Q(venue_id__in=assignments.venue_ids) | Q(vessel_id__in=assignments.vessel_ids)
    if user.is_superuser or user.has_perm(BOARD_ANY):
        return None
    return Q(pk__in=[])


def office_venue_ids(user) -> frozenset[int] | None:
    """The piers that limit `user`'s office work; None means not limited."""
    venue_ids = user_assignments(user).venue_ids
    return venue_ids or None


class ScopedPolicy(ModelPermissionPolicy):
    """A model permission policy whose records are limited by the user's assignments.
    Subclasses say how: `scope(user, action)` returns a Q on the model, or None for all."""

    def scope(self, user, action) -> Q | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def instances_user_has_permission_for(self, user, action):
        if not _active(user) or not self.user_has_permission(user, action):
            return self.model._default_manager.none()
        records = self.model._default_manager.all()
        condition = self.scope(user, action)
        return records if condition is None else records.filter(condition)

    def instances_user_has_any_permission_for(self, user, actions):
        found = self.model._default_manager.none()
        for action in actions:
            found = found | self.instances_user_has_permission_for(user, action)
        return found.distinct()

    def user_has_permission_for_instance(self, user, action, instance):
        if instance is None or instance.pk is None:
            return self.user_has_permission(user, action)
        if not _active(user) or not self.user_has_permission(user, action):
            return False
        return self.instance_in_scope(user, action, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instance_in_scope(self, user, action, instance) -> bool:
        condition = self.scope(user, action)
        if condition is None:
            return True
        return self.model._default_manager.filter(condition, pk=instance.pk).exists()


class DeparturePolicy(ScopedPolicy):
    def user_has_permission(self, user, action):
        if action == BOARD:
            return _active(user) and user.has_perm(CHECK_IN)
        return super().user_has_permission(user, action)

    def scope(self, user, action):
        if action == BOARD:
            return boarding_scope(user)
        venue_ids = office_venue_ids(user)
        return None if venue_ids is None else Q(venue_id__in=venue_ids)

    def instance_in_scope(self, user, action, instance):
        # Decided from the departure's own columns: no query beyond the assignments.
        if action == BOARD:
            assignments = user_assignments(user)
            if assignments.any:
                return (
                    instance.venue_id in assignments.venue_ids
                    or instance.vessel_id in assignments.vessel_ids
                )
            return user.is_superuser or user.has_perm(BOARD_ANY)
        venue_ids = office_venue_ids(user)
        return venue_ids is None or instance.venue_id in venue_ids


class OrderPolicy(ScopedPolicy):
    def scope(self, user, action):
        venue_ids = office_venue_ids(user)
        return None if venue_ids is None else Q(departure__venue_id__in=venue_ids)

    def instance_in_scope(self, user, action, instance):
        venue_ids = office_venue_ids(user)
        if venue_ids is None:
            return True
        return Departure.objects.filter(pk=instance.departure_id, venue_id__in=venue_ids).exists()


class CustomerPolicy(ScopedPolicy):
    def user_has_permission(self, user, action):
        if action == PERSONAL_DATA_ACTION:
            return _active(user) and user.has_perm(MANAGE_PERSONAL_DATA)
        return super().user_has_permission(user, action)

    def scope(self, user, action):
        venue_ids = office_venue_ids(user)
        if venue_ids is None:
            return None
        return Q(
            Exists(Order.objects.filter(customer=OuterRef("pk"), departure__venue_id__in=venue_ids))
        )


def user_queue_ids(user) -> frozenset[int] | None:
    """The support queues whose cases `user` works on; None means every queue (holders of
    `support.handle_any_queue`, superusers). Queue assignments are django-guardian object
    permissions `support.work_in_queue` on the user or one of their groups. Cached on the
    user object like the pier assignments."""
    if not _active(user):
        return frozenset()
    if user.is_superuser or user.has_perm(HANDLE_ANY_QUEUE):
        return None
    cached = getattr(user, _QUEUE_CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    queue_type = ContentType.objects.get_for_model(Queue)
    wanted = Q(content_type=queue_type, permission__codename=WORK_IN_QUEUE)
    rows = (
        UserObjectPermission.objects.filter(wanted, user=user)
        .values_list("object_pk", flat=True)
        .union(
            GroupObjectPermission.objects.filter(wanted, group__user=user).values_list(
                "object_pk", flat=True
            )
        )
    )
    found = frozenset(int(pk) for pk in rows if str(pk).isdigit())
    setattr(user, _QUEUE_CACHE_ATTRIBUTE, found)
    return found


class CasePolicy(ScopedPolicy):
    """Support cases: the model permission says what (view, add, change), the queues
    where: an agent works on the cases of their queues (and on any case assigned to
    them); managers on all (`support.handle_any_queue`)."""

    def scope(self, user, action):
        queue_ids = user_queue_ids(user)
        if queue_ids is None:
            return None
        return Q(queue_id__in=queue_ids) | Q(assignee_id=user.pk)

    def instance_in_scope(self, user, action, instance):
        queue_ids = user_queue_ids(user)
        return (
            queue_ids is None or instance.queue_id in queue_ids or instance.assignee_id == user.pk
        )


order_policy = OrderPolicy(Order)
customer_policy = CustomerPolicy(Customer)
departure_policy = DeparturePolicy(Departure)
case_policy = CasePolicy(Case)

for _model, _policy in (
    (Case, case_policy),
    (Order, order_policy),
    (Customer, customer_policy),
    (Departure, departure_policy),
):
    register_permission_policy(_model, _policy)
