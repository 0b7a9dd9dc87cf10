# syntax=docker/dockerfile:1
# Two stages: "build" resolves the locked dependencies and compiles assets, "runtime"
# carries only the virtualenv, the code and the system libraries WeasyPrint needs.

FROM python:3.11-slim-bookworm AS build
ENV PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/app/.venv UV_COMPILE_BYTECODE=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN .venv/bin/python manage.py compilemessages --ignore=.venv -v 0 \
 && DJANGO_SETTINGS_MODULE=config.settings.dev .venv/bin/python manage.py collectstatic --noinput -v 0

FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PATH=/app/.venv/bin:$PATH DJANGO_SETTINGS_MODULE=config.settings.production \
    MEDIA_ROOT=/app/var/media
# The runtime libraries and fonts of the Makefile's RUN_PACKAGES (gettext is needed only at
# build time): Pango for WeasyPrint, Noto CJK so that Chinese tickets are not empty boxes.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-dejavu-core \
      postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 prichal
WORKDIR /app
COPY --from=build --chown=prichal:prichal /app /app
USER prichal
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=4)"
# Bind, workers, access log with order secrets masked: config/gunicorn.py.
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]
