"""The storage settings for an S3-compatible object store (AWS S3, Alibaba Cloud OSS, Tencent
COS, MinIO), from the ``GUANXI_S3_*`` environment; read by ``guanxi.settings`` before Django
is set up, so nothing here imports Django.

Objects are private (no public ACL, no unsigned URL): downloads pass through the app's
permission checks, streamed or as a signed URL that expires.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

BACKEND = "storages.backends.s3.S3Storage"
STYLES = ("auto", "virtual", "path")


def s3_storage(env: Mapping[str, str], url_seconds: int = 300) -> dict[str, Any]:
    """``STORAGES["default"]`` for the bucket ``env["GUANXI_S3_BUCKET"]``."""
    from botocore.config import Config

    style = env.get("GUANXI_S3_ADDRESSING_STYLE") or "auto"
    if style not in STYLES:
        raise ValueError(f"GUANXI_S3_ADDRESSING_STYLE must be auto, virtual or path, not "
                         f"{style!r}")
    return {"BACKEND": BACKEND, "OPTIONS": {
        "bucket_name": env["GUANXI_S3_BUCKET"],
        "endpoint_url": env.get("GUANXI_S3_ENDPOINT_URL") or None,
        "region_name": env.get("GUANXI_S3_REGION") or None,
        # Empty: boto3's own chain (AWS_* variables, an instance role).
        "access_key": env.get("GUANXI_S3_ACCESS_KEY_ID") or None,
        "secret_key": env.get("GUANXI_S3_SECRET_ACCESS_KEY") or None,
        "location": (env.get("GUANXI_S3_PREFIX") or "").strip("/"),
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": url_seconds,
        "file_overwrite": False,
        # A file read back (an import) spills to a temporary file past 8 MB, not into memory.
        "max_memory_size": 8 * 1024 * 1024,
        # OSS, COS and older MinIO refuse the checksums boto3 adds by default; virtual-host
        # addressing is what OSS and COS require, path style what a MinIO by address needs.
        "client_config": Config(
            s3={"addressing_style": style}, signature_version="s3v4",
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            retries={"max_attempts": 5, "mode": "standard"}),
    }}
