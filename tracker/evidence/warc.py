"""WARC records of a capture (ISO 28500, written by warcio), which replay tools open as they are."""

from __future__ import annotations

import datetime as dt
import io

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tracker.evidence.fetching import Fetched


def _date(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def exchange_records(fetched: Fetched, captured_at: dt.datetime) -> bytes:
    """The request and the response of the last hop, as gzipped WARC records."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    date = _date(captured_at)
    request = writer.create_warc_record(
        fetched.final_url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=StatusAndHeaders(
            fetched.request_line, fetched.request_headers, is_http_request=True
        ),
        warc_headers_dict={"WARC-Date": date},
    )
    # The body as served, with the headers that describe it (its Content-Encoding too).
    response = writer.create_warc_record(
        fetched.final_url,
        "response",
        payload=io.BytesIO(fetched.served),
        length=len(fetched.served),
        http_headers=StatusAndHeaders(
            f"{fetched.status} {fetched.reason}".strip(),
            [(k, v) for k, v in fetched.headers if k.lower() != "transfer-encoding"],
            protocol=fetched.http_version,
        ),
        warc_headers_dict={"WARC-Date": date},
    )
    response.rec_headers.add_header("WARC-Concurrent-To", request.rec_headers["WARC-Record-ID"])
    writer.write_record(response)
    request.rec_headers.add_header("WARC-Concurrent-To", response.rec_headers["WARC-Record-ID"])
    writer.write_record(request)
    return buffer.getvalue()


def file_records(url: str, body: bytes, content_type: str, captured_at: dt.datetime) -> bytes:
    """A ``resource`` record for a copy made from a file rather than fetched."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    record = writer.create_warc_record(
        url,
        "resource",
        payload=io.BytesIO(body),
        length=len(body),
        warc_content_type=content_type,
        warc_headers_dict={"WARC-Date": _date(captured_at)},
    )
    writer.write_record(record)
    return buffer.getvalue()


def warcinfo(filename: str, description: str) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    record = writer.create_warcinfo_record(
        filename, {"software": "ceasefire-tracker", "description": description}
    )
    writer.write_record(record)
    return buffer.getvalue()
