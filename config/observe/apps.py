from django.apps import AppConfig


class ObserveConfig(AppConfig):
    name = "config.observe"
    label = "observe"
    verbose_name = "Observability"

    def ready(self):
        from django_q.signals import post_execute_in_worker, pre_enqueue, pre_execute

        from config.observe import request_id

        # A task carries the request id of whoever queued it (config/observe/request_id.py).
        pre_enqueue.connect(request_id.stamp_task, dispatch_uid="observe.stamp_task")
        pre_execute.connect(request_id.enter_task, dispatch_uid="observe.enter_task")
        post_execute_in_worker.connect(request_id.leave_task, dispatch_uid="observe.leave_task")
