"""The demo ships one file from the field: an image whose public copy drops its metadata."""

import hashlib
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from tracker.evidence import storage
from tracker.evidence.models import Attachment

GPS = 0x8825
SAYS_DEMO = {
    "en": "(a demonstration file made from an image in the repository, not sent from the field)",
    "uk": "(демонстраційний файл, зроблений із зображення в репозиторії, а не надісланий",
    "ru": "(демонстрационный файл, сделанный из изображения в репозитории, а не присланный",
}
BOTH_HASHES = {
    "en": ("Copy without metadata, SHA-256", "the original's SHA-256"),
    "uk": ("Копія без метаданих, SHA-256", "SHA-256 оригіналу"),
    "ru": ("Копия без метаданных, SHA-256", "SHA-256 оригинала"),
}


@pytest.fixture
def demo(demo_loaded_once, db):
    """What loading the demo printed; its file from the field is in the module's folder."""
    return demo_loaded_once


def text_of(client, url: str, language: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))


def test_the_demo_attaches_one_public_image_to_a_published_claim(demo):
    [attachment] = Attachment.objects.all()

    assert "Demo files from the field attached to claims: 1." in demo
    assert attachment.made_from == "fixtures/demo-captures/demo-field-photo.jpg"
    assert attachment.is_public and attachment.claim.is_published
    assert attachment.claim.commitment.slug == "energy-strike-pause"
    assert attachment.sha256 != attachment.public_sha256


def test_loading_the_demo_again_attaches_nothing_more(demo):
    output = io.StringIO()
    call_command("load_demo", stdout=output)

    assert Attachment.objects.count() == 1
    assert "Demo files from the field" not in output.getvalue()


def test_the_original_keeps_its_metadata_and_the_public_copy_has_none(client, demo):
    attachment = Attachment.objects.get()
    original = storage.read(attachment.original_name)
    served = client.get(reverse("shared_file", args=[attachment.pk]))
    public_copy = b"".join(served.streaming_content) if served.streaming else served.content

    assert hashlib.sha256(original).hexdigest() == attachment.sha256
    assert hashlib.sha256(public_copy).hexdigest() == attachment.public_sha256
    with Image.open(io.BytesIO(original)) as image:
        assert image.getexif().get_ifd(GPS), "the demo's original carries a GPS position"
        assert image.getexif()[0x0110] == "Demonstration device 1"
    with Image.open(io.BytesIO(public_copy)) as image:
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
    assert b"Demonstration device" not in public_copy


@pytest.mark.parametrize("language", ["en", "uk", "ru"])
def test_the_claims_page_shows_both_hashes_and_says_it_is_a_demo_file(client, demo, language):
    attachment = Attachment.objects.get()

    text = text_of(client, reverse("commitment", args=["energy-strike-pause"]), language)

    public_words, original_words = BOTH_HASHES[language]
    assert f"{public_words} {attachment.public_sha256}" in text
    assert f"{original_words} {attachment.sha256}" in text
    assert SAYS_DEMO[language] in text
