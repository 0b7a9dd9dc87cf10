""" "Mark as read" for the SLA alerts of the dashboard panel (`crm.viewsets.dashboard`): one
alert (`alert=<id>`) or all of them (`all=1`), only the signed-in staff member's own —
someone else's alert or a bad id is a 404 and changes nothing."""

from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from support.models import SlaAlert


class SlaAlertReadView(View):
    http_method_names = ["post"]

    def post(self, request):
        unread = SlaAlert.objects.filter(recipient=request.user, read_at=None)
        if request.POST.get("all") == "1":
            unread.update(read_at=timezone.now())
        else:
            raw = request.POST.get("alert", "")
            if not raw.isdigit() or len(raw) > 18:
                raise Http404
            alert = SlaAlert.objects.filter(recipient=request.user, pk=int(raw)).first()
            if alert is None:
                raise Http404
            unread.filter(pk=alert.pk).update(read_at=timezone.now())
        return HttpResponseRedirect(self.next_url())

    def next_url(self) -> str:
        target = self.request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return target
        return reverse("wagtailadmin_home")
