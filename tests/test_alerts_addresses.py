"""The one address rule for webhooks and chat: public addresses only, checked as connected."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from tests.alerts_support import LocalReceiver, SubscriptionFactory, window_ending
from tracker.alerts import addresses
from tracker.alerts.addresses import PrivateTarget, check_host, is_public_ip
from tracker.alerts.models import Channel, Delivery, Subscription
from tracker.alerts.sweep import sweep

UTC = dt.UTC
END = dt.datetime(2025, 4, 17, tzinfo=UTC)

NOT_PUBLIC = [
    # IPv4
    "127.0.0.1",
    "127.255.255.254",
    "10.0.0.7",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",
    "192.0.0.8",
    "192.0.2.1",
    "198.18.0.1",
    "198.51.100.7",
    "203.0.113.9",
    "224.0.0.1",  # multicast
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    # IPv6
    "::1",
    "::",
    "fe80::1",
    "fe80::1%eth0",
    "fc00::1",
    "fd12:3456:789a::1",
    "fec0::1",
    "ff02::1",  # multicast
    "ff05::2",
    "2001:db8::1",
    "100::1",
    # IPv4 in IPv6 dress
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:0:10.0.0.1",  # IPv4-translated
    "::127.0.0.1",  # IPv4-compatible
    "::10.1.2.3",
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b:1::8.8.8.8",  # NAT64 for local use
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo for a client at 127.0.0.1
]
PUBLIC = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.215.14",
    "2606:4700:4700::1111",
    "2a00:1450:4001:82a::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",  # NAT64 of 8.8.8.8
    "2002:808:808::1",  # 6to4 of 8.8.8.8
]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_an_address_that_is_not_public_is_refused(address):
    assert not is_public_ip(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_a_public_address_is_allowed(address):
    assert is_public_ip(address)


@pytest.mark.parametrize(
    "host",
    ["localhost", "2130706433", "0x7f000001", "017700000001", "127.1", "[::1]", "0"],
    ids=["name", "decimal", "hex", "octal", "short", "bracketed", "zero"],
)
def test_a_name_or_a_numeral_for_a_private_address_is_refused(host):
    with pytest.raises(PrivateTarget):
        check_host(host)


def test_the_address_checked_is_the_address_connected_to(monkeypatch):
    """A name is resolved once: a second answer (DNS rebinding) never gets a look in."""
    answers = [["8.8.8.8"], ["127.0.0.1"]]
    monkeypatch.setattr(addresses, "resolve", lambda host: answers.pop(0))

    assert addresses.checked_address("rebinding.example.org") == "8.8.8.8"
    assert answers == [["127.0.0.1"]]


def test_a_name_with_one_private_address_among_public_ones_is_refused(monkeypatch):
    monkeypatch.setattr(addresses, "resolve", lambda host: ["8.8.8.8", "10.0.0.7"])

    with pytest.raises(PrivateTarget, match="10.0.0.7"):
        addresses.checked_address("mixed.example.org")


# Chat alerts ---------------------------------------------------------------------------


@pytest.fixture
def records_made_before_the_story(db):
    with time_machine.travel(END - dt.timedelta(days=30), tick=False):
        yield


@pytest.fixture
def chat_host_resolving_to(monkeypatch):
    """Make ``chat.example.org`` resolve, for our check only, to an address taken as public."""

    def pretend(address: str):
        monkeypatch.setattr(
            addresses, "resolve", lambda host: [address] if host == "chat.example.org" else []
        )
        monkeypatch.setattr(addresses, "is_public_ip", lambda ip: ip == address)

    return pretend


def send_the_warning():
    with time_machine.travel(END - dt.timedelta(days=7), tick=False):
        sweep()
    return Delivery.objects.get()


def test_a_chat_alert_connects_to_the_checked_address_not_to_a_fresh_lookup(
    records_made_before_the_story, chat_host_resolving_to
):
    window_ending(END, title="Energy pause")
    with LocalReceiver() as receiver:
        port = receiver.server.server_address[1]
        chat_host_resolving_to("127.0.0.1")
        SubscriptionFactory(
            channel=Channel.CHAT, target=f"json://chat.example.org:{port}/hook", lead_times="7d"
        )
        delivery = send_the_warning()

    # The name resolves nowhere for anyone but our check, so the message
    # arrived only because the connection went to the address we checked.
    assert delivery.state == Delivery.State.SENT
    assert receiver.json_bodies()[0]["title"] == "Ends in 7 days: Energy pause"


def test_a_chat_alert_to_a_private_address_is_refused_as_it_connects(
    records_made_before_the_story, monkeypatch
):
    window_ending(END)
    with LocalReceiver() as receiver:
        port = receiver.server.server_address[1]
        SubscriptionFactory(
            channel=Channel.CHAT, target=f"json://chat.example.org:{port}/hook", lead_times="7d"
        )
        # Public when saved; the name points at loopback by the time it is sent.
        monkeypatch.setattr(addresses, "resolve", lambda host: ["127.0.0.1"])
        delivery = send_the_warning()

    assert receiver.requests == []
    assert delivery.state == Delivery.State.PENDING
    assert "private, loopback or link-local" in delivery.last_error


def test_a_chat_service_that_redirects_is_not_followed(records_made_before_the_story, settings):
    settings.ALERTS_ALLOW_PRIVATE_TARGETS = True
    window_ending(END)
    with LocalReceiver(answers=[307]) as receiver:
        receiver.redirect_to = receiver.url + "/followed"
        target = receiver.url.replace("http://", "json://")
        SubscriptionFactory(channel=Channel.CHAT, target=target, lead_times="7d")
        delivery = send_the_warning()

    assert len(receiver.requests) == 1
    assert delivery.state == Delivery.State.PENDING
    assert "did not accept the message" in delivery.last_error


def test_other_connections_of_the_process_are_left_alone(monkeypatch):
    """Outside a chat send, urllib3 resolves and connects as it always does."""
    import urllib3.util.connection

    with addresses.checked_connections():
        pass
    monkeypatch.setattr(addresses, "checked_address", lambda host: pytest.fail("checked"))

    with pytest.raises(OSError):
        urllib3.util.connection.create_connection(("127.0.0.1", 9), timeout=0.5)


@pytest.mark.parametrize(
    "target",
    ["mailto://user:secret@mail.example.org", "xmpp://user:secret@xmpp.example.org", "sns://a/b/c"],
)
def test_a_chat_scheme_whose_connections_cannot_be_checked_is_refused(db, target):
    subscription = Subscription(channel=Channel.CHAT, target=target)

    with pytest.raises(ValidationError) as refused:
        subscription.full_clean()

    message = " ".join(refused.value.message_dict.get("target", []))
    assert "cannot check where that kind of address connects" in message or (
        "Apprise does not understand" in message
    )


def test_every_chat_scheme_on_the_list_connects_through_the_checked_connections(
    monkeypatch, settings
):
    """Each allowed scheme's plugin opens its connection through the guard, or it is not allowed."""
    import apprise

    samples = {
        "json": "json://chat.example.org/hook",
        "jsons": "jsons://chat.example.org/hook",
        "tgram": "tgram://123456789:AABBccDDeeFFggHHiiJJ/-1001234567",
        "slack": "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ",
        "discord": "discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js",
        "matrix": "matrix://user:pass@chat.example.org/#room",
        "matrixs": "matrixs://user:pass@chat.example.org/#room",
        "mmost": "mmost://chat.example.org/3ccdd113474722377935511fc85d3dd4",
        "mmosts": "mmosts://chat.example.org/3ccdd113474722377935511fc85d3dd4",
        "rocket": "rocket://user:pass@chat.example.org/#channel",
        "rockets": "rockets://user:pass@chat.example.org/#channel",
        "ntfy": "ntfy://chat.example.org/topic",
        "ntfys": "ntfys://chat.example.org/topic",
        "gotify": "gotify://chat.example.org/AbCdEfGhIjKlMnO",
        "gotifys": "gotifys://chat.example.org/AbCdEfGhIjKlMnO",
        "pover": "pover://uQiRzpo4DXghDmr9QzzfQu27cmVRsG@azGDORePK8gMaC0QOYAMyEEuzJnyUi",
    }
    assert set(samples) == addresses.CHAT_SCHEMES
    checked = []

    def refuse_everything(host):
        checked.append(host)
        raise PrivateTarget(f"{host} refused by the test")

    monkeypatch.setattr(addresses, "checked_address", refuse_everything)
    for scheme, target in samples.items():
        notifier = apprise.Apprise()
        notifier.add(target)
        notifier.asset.async_mode = False
        with addresses.checked_connections() as refusals:
            assert not notifier.notify(title="t", body="b"), scheme
        assert refusals, f"{scheme} connected without the check"
