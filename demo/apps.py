from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo company (`manage.py seed_demo`) for `make run`, the end-to-end tests and
    the benchmarks. It sits above content, crm and booking (it fills all of them) and
    nothing but tests imports it. Installed in every settings module so that the command
    exists in production too, only to refuse there."""

    name = "demo"
    verbose_name = "Demo company"
