"""Django's SMTP backend, with every connection under the send's overall deadline.

``EMAIL_TIMEOUT`` bounds each read and write to the mail server; a server
that answers one byte at a time, or accepts the connection and never
greets, would still hold the sender for as long as it liked. The
connections this backend opens are registered with the send under way
(``tracker.alerts.deadlines``), which shuts them down when its time is up.
Outside a send (a management command, the shell) it is Django's own backend.
"""

from __future__ import annotations

import smtplib

from django.core.mail.backends import smtp

from tracker.alerts import deadlines


class SMTP(smtplib.SMTP):
    def _get_socket(self, host, port, timeout):
        return deadlines.create_connection((host, port), timeout, self.source_address)


class SMTP_SSL(smtplib.SMTP_SSL):  # noqa: N801 (named like the class it extends)
    def _get_socket(self, host, port, timeout):
        sock = deadlines.create_connection((host, port), timeout, self.source_address)
        return self.context.wrap_socket(sock, server_hostname=self._host)


class EmailBackend(smtp.EmailBackend):
    @property
    def connection_class(self):
        return SMTP_SSL if self.use_ssl else SMTP
