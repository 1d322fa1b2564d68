"""The evidence store as an S3-compatible service (moto's S3 server on loopback)."""

import datetime as dt
import hashlib
import socket

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.evidence_support import PAGE, Site
from tests.factories import SourceFactory
from tracker.evidence import capturing, storage

NOW = dt.datetime(2026, 3, 19, 9, 0, tzinfo=dt.UTC)
CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings):
    name = "evidence-test"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=name)
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": s3_endpoint,
                "location": "evidence",
                "default_acl": "private",
                "file_overwrite": True,
                **CREDENTIALS,
            },
        },
    }
    settings.SOURCES_ALLOW_PRIVATE_TARGETS = True
    settings.SOURCES_CAPTURE_TIMEOUT = 5
    yield client, name
    for item in client.list_objects_v2(Bucket=name).get("Contents", []):
        client.delete_object(Bucket=name, Key=item["Key"])
    client.delete_bucket(Bucket=name)


def test_a_capture_is_kept_in_the_s3_store_and_checked_there(db, bucket):
    client, name = bucket
    with Site() as site:
        source = SourceFactory(url=site.url("/statement"))
        capturing.queue_captures([source.pk], NOW)
        capture = capturing.capture(capturing.claim_next("w", NOW), NOW)

    assert capture.state == "captured", capture.failure_reason
    key = f"evidence/{capture.body_name}"
    assert client.get_object(Bucket=name, Key=key)["Body"].read() == PAGE
    assert capture.sha256 == hashlib.sha256(PAGE).hexdigest()
    assert storage.read(capture.warc_name)[:2] == b"\x1f\x8b"  # gzipped WARC records


def test_an_s3_store_that_refuses_leaves_no_capture_and_says_why(db, bucket, settings):
    settings.STORAGES["evidence"]["OPTIONS"]["bucket_name"] = "no-such-bucket"
    settings.STORAGES = dict(settings.STORAGES)  # tell Django the storages changed
    with Site() as site:
        source = SourceFactory(url=site.url("/statement"))
        capturing.queue_captures([source.pk], NOW)
        capture = capturing.capture(capturing.claim_next("w", NOW), NOW)

    assert capture.state == "pending"
    assert "evidence store could not" in capture.failure_reason
    assert (capture.sha256, capture.body_name) == ("", "")
