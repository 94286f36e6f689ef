"""A plain Django REST framework project over Guanxi's customer table: the side-by-side of
``guanxi bench --only api``. Installed and run by the bench in its own environment; never part
of Guanxi. The database settings come from Guanxi's (``PEER_DATABASE``, JSON)."""

import json
import os

SECRET_KEY = "peer-bench-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
ROOT_URLCONF = "peer_urls"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "rest_framework",
                  "peer_app"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
DATABASES = {"default": json.loads(os.environ["PEER_DATABASE"])}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["peer_app.auth.BearerToken"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
