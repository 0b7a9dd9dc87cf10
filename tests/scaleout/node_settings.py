"""The production settings of a web node in the two-node test, with one difference:
static files are served from the source tree instead of `collectstatic`'s hashed copies,
which take minutes to build and say nothing about several nodes sharing state."""

from config.settings.production import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
