"""Files from the field: kept with a hash, checked by content, public images without metadata."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import ComplianceEventFactory, SourceFactory
from tracker import services
from tracker.evidence import attachments, storage

GPS_IFD = 0x8825
MAKE, MODEL = 0x010F, 0x0110


@pytest.fixture(autouse=True)
def evidence_settings(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "evidence"},
        },
    }
    settings.EVIDENCE_UPLOAD_MAX_BYTES = 200_000


def photo_with_metadata(fmt="JPEG") -> bytes:
    """A photo as a phone takes it: the device and the place it was taken, in its EXIF."""
    image = Image.new("RGB", (32, 24), (200, 30, 30))
    exif = Image.Exif()
    exif[MAKE] = "SnoopPhone"
    exif[MODEL] = "Model X-SECRET"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (50.0, 27.0, 1.0), 3: "E", 4: (30.0, 31.0, 2.0)})
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif.tobytes(), comment=b"shot at the checkpoint")
    return out.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_a_photo_keeps_its_original_and_its_public_copy_loses_gps_and_device(editor):
    data = photo_with_metadata()
    claim = ComplianceEventFactory()

    kept = attachments.attach(
        upload("strike.jpg", data), claim=claim, actor=editor, reason="From the monitor"
    )

    assert kept.kind == "image" and kept.content_type == "image/jpeg"
    assert kept.sha256 == hashlib.sha256(data).hexdigest()
    assert storage.read(kept.original_name) == data  # for staff, as received
    public = storage.read(kept.public_name)
    assert kept.public_sha256 == hashlib.sha256(public).hexdigest() != kept.sha256
    with Image.open(io.BytesIO(public)) as image:
        assert dict(image.getexif()) == {}
        assert image.size == (32, 24)
        assert "comment" not in image.info
    for secret in (b"SnoopPhone", b"X-SECRET", b"checkpoint"):
        assert secret in data and secret not in public


def test_a_png_loses_its_metadata_too(editor):
    kept = attachments.attach(
        upload("screen.png", photo_with_metadata("PNG")),
        source=SourceFactory(),
        actor=editor,
        reason="Screenshot of the post",
    )

    assert b"SnoopPhone" not in storage.read(kept.public_name)


def test_a_pdf_is_kept_as_it_is_with_no_public_copy(editor):
    data = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

    kept = attachments.attach(
        upload("statement.pdf", data), source=SourceFactory(), actor=editor, reason="Statement"
    )

    assert (kept.kind, kept.content_type, kept.public_name) == ("pdf", "application/pdf", "")


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("statement.pdf", photo_with_metadata(), "its content is image/jpeg"),
        ("photo.jpg", b"MZ\x90\x00 an executable", "content is none of them"),
        ("photo.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", "cannot be read safely"),
        ("huge.pdf", b"%PDF-" + b"0" * 300_000, "larger than the"),
    ],
    ids=["type-does-not-match-name", "not-an-accepted-type", "malformed-image", "too-large"],
)
def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_is_kept(editor, name, data, says):
    with pytest.raises(attachments.InvalidAttachment, match=says):
        attachments.attach(upload(name, data), source=SourceFactory(), actor=editor, reason="x")

    assert not storage.evidence_storage().exists("originals")


def test_attaching_needs_the_permission(outsider):
    with pytest.raises(services.NotPermitted):
        attachments.attach(
            upload("a.pdf", b"%PDF-1.7"), source=SourceFactory(), actor=outsider, reason="x"
        )


def test_staff_attach_a_photo_in_the_admin_and_readers_get_the_copy_without_metadata(
    client, reviewer
):
    from django.urls import reverse

    from tests.factories import CommitmentFactory
    from tracker.evidence.models import Attachment

    claim = ComplianceEventFactory(commitment=CommitmentFactory(slug="energy-pause"))
    client.force_login(reviewer)
    data = photo_with_metadata()

    response = client.post(
        reverse("admin:evidence_attachment_add"),
        {
            "file": upload("strike.jpg", data),
            "claim": claim.pk,
            "caption": "Substation after the strike",
            "is_public": "on",
            "reason": "Sent by the regional monitor",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    kept = Attachment.objects.get()
    client.logout()
    page = client.get(reverse("commitment", args=["energy-pause"])).content.decode()
    assert "Substation after the strike" in page
    assert kept.public_sha256 in page and kept.sha256 in page
    served = client.get(reverse("shared_file", args=[kept.pk]))
    assert served.status_code == 200 and b"SnoopPhone" not in served.content
    assert hashlib.sha256(served.content).hexdigest() == kept.public_sha256


def test_the_admin_refuses_a_file_whose_content_is_not_what_its_name_says(client, editor):
    from django.urls import reverse

    client.force_login(editor)

    response = client.post(
        reverse("admin:evidence_attachment_add"),
        {
            "file": upload("statement.pdf", photo_with_metadata()),
            "source": SourceFactory().pk,
            "reason": "From the field",
        },
    )

    assert response.status_code == 200
    assert "its content is image/jpeg" in response.content.decode()


def test_an_editor_cannot_make_a_file_public(editor):
    with pytest.raises(services.NotPermitted):
        attachments.attach(
            upload("a.pdf", b"%PDF-1.7"),
            source=SourceFactory(),
            actor=editor,
            reason="x",
            public=True,
        )


def test_a_public_file_of_an_unpublished_claim_is_not_served(client, reviewer):
    from django.urls import reverse

    claim = ComplianceEventFactory(is_published=False)
    kept = attachments.attach(
        upload("p.png", photo_with_metadata("PNG")),
        claim=claim,
        actor=reviewer,
        reason="x",
        public=True,
    )

    assert client.get(reverse("shared_file", args=[kept.pk])).status_code == 404
