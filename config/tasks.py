"""Hands wagtail-localize's background jobs to django-q2, so that one worker kind
(`qcluster`) runs everything."""

from django_q.tasks import async_task
from wagtail_localize.tasks import BaseJobBackend


class DjangoQJobBackend(BaseJobBackend):
    def enqueue(self, func, args, kwargs):
        async_task(func, *args, **kwargs)
