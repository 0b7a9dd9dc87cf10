"""With REDIS_URL (required in production) nothing a request needs stays in one process:
sessions, cache and the task queue are shared; sign-in failures are in PostgreSQL."""

from tests.scaleout.s3 import settings_from_env

REDIS = "redis://127.0.0.1:6379/12"


def test_with_redis_sessions_cache_and_queue_are_shared():
    values = settings_from_env({"REDIS_URL": REDIS})
    # Read from Redis, written through to PostgreSQL: a Redis restart signs nobody out.
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    for alias in ("default", "fragments"):
        assert values["CACHES"][alias]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
        assert values["CACHES"][alias]["LOCATION"] == REDIS
    assert values["Q_CLUSTER"]["redis"] == REDIS
    # django-axes counts failures in the database unless told otherwise.
    assert "AXES_HANDLER" not in values


def test_a_named_node_says_so_first_in_the_middleware():
    assert "config.nodes.ServedByMiddleware" not in settings_from_env({})["MIDDLEWARE"]
    middleware = settings_from_env({"NODE_NAME": "web-1"})["MIDDLEWARE"]
    assert middleware[0] == "config.nodes.ServedByMiddleware"
