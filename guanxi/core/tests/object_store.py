"""A local S3-compatible server for the tests (moto in server mode, on a free loopback port),
and the settings that point Guanxi's storage at it, in this process or in a subprocess.

    def test_x(s3_server, settings):                 # the session fixture in conftest.py
        s3_server.use(settings)                      # STORAGES["default"] is now the bucket
        env = {**os.environ, **s3_server.env()}      # the same for a `guanxi` subprocess

Each ``use``/``env`` call may name its own bucket (created on first use), so tests do not see
each other's files.
"""

from __future__ import annotations

import socket
from typing import Any

KEY, SECRET, REGION = "guanxi-test", "guanxi-test-secret", "us-east-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class S3Server:
    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        self.port = free_port()
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._buckets: set[str] = set()

    def start(self) -> S3Server:
        import logging

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def client(self) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id=KEY, aws_secret_access_key=SECRET)

    def bucket(self, name: str) -> str:
        if name not in self._buckets:
            self.client().create_bucket(Bucket=name)
            self._buckets.add(name)
        return name

    def env(self, bucket: str = "guanxi-test", prefix: str = "") -> dict[str, str]:
        """The environment that makes a Guanxi process store its files in ``bucket`` (under
        ``prefix``)."""
        return {"GUANXI_S3_BUCKET": self.bucket(bucket), "GUANXI_S3_ENDPOINT_URL": self.endpoint,
                "GUANXI_S3_REGION": REGION, "GUANXI_S3_ACCESS_KEY_ID": KEY,
                "GUANXI_S3_SECRET_ACCESS_KEY": SECRET, "GUANXI_S3_ADDRESSING_STYLE": "path",
                "GUANXI_S3_PREFIX": prefix}

    def use(self, settings: Any, bucket: str = "guanxi-test", prefix: str = "") -> None:
        """Point this process's default storage at ``bucket`` (pytest-django's ``settings``
        fixture puts the local folder back after the test)."""
        from guanxi.core.object_storage import s3_storage

        settings.STORAGES = {**settings.STORAGES, "default": s3_storage(self.env(bucket, prefix))}
