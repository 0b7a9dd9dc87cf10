"""The admin menu's way to the crew's boarding pages (`crm.checkin`)."""

from wagtail.admin.menu import MenuItem


class CheckInMenuItem(MenuItem):
    """The boarding crew's phone page lives outside the admin; the menu leads there."""

    def is_shown(self, request):
        return request.user.has_perm("booking.check_in_ticket")
