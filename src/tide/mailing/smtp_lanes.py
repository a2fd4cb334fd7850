"""Several broadcast messages in flight at once, over several SMTP connections ("lanes").

`smtplib.sendmail` waits for the server after each of its four commands, so one connection
spends most of its time waiting. Here each lane carries one message and every step goes out
on all lanes before any reply is read: the server works on one lane while we write the next.

The group is ended in a fixed order, which is what makes a killed worker safe:

1. envelope (MAIL, RCPT, DATA) and the whole message text on every lane, but not the final
   "." that ends each message: an SMTP server drops a message whose connection closes
   before that dot, so up to here a killed worker has delivered nothing;
2. `commit(accepted, refused)`: the caller records the group as sent, in one commit;
3. the final dots, one short write per lane, right after the commit returns;
4. the server's replies: a refusal is handed back so the caller can record it.

A worker killed before 2 delivered nothing and its messages are sent again later; killed
after 3, every message reaches the server (the kernel still hands over what was written)
and none is sent again. Only a kill in the microseconds between the commit and the last
dot's write loses a message (never more than one group), and none is ever sent twice.
"""

from __future__ import annotations

import re
import smtplib
import socket
from collections.abc import Callable

from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

_LEADING_DOT = re.compile(rb"^\.", re.M)


class LanesBroken(smtplib.SMTPException):
    """A connection failed after the group was recorded as sent: `lost` lists the messages
    the server may not have accepted (send them again), `rejected` what the other lanes
    refused."""

    def __init__(self, lost: list[int], rejected: dict[int, str]) -> None:
        super().__init__(f"{len(lost)} connection(s) to the mail server failed")
        self.lost = lost
        self.rejected = rejected


def lanes_open(count: int) -> list[SMTPBackend]:
    """`count` open connections through Django's SMTP backend (its TLS, login and timeout)."""
    lanes = []
    try:
        for _ in range(count):
            backend = get_connection()
            backend.open()
            backend.connection.ehlo_or_helo_if_needed()
            # The final dot is a tiny write right after the text: without this, Nagle's
            # algorithm holds it until the server acknowledges the text (up to 40 ms).
            backend.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            lanes.append(backend)
    except BaseException:
        lanes_close(lanes)
        raise
    return lanes


def lanes_close(lanes: list) -> None:
    for lane in lanes:
        lane.close()


def _text(raw: bytes) -> bytes:
    """The message as DATA wants it (lines starting with a dot doubled), without the end."""
    if b"\n." in raw or raw.startswith(b"."):
        raw = _LEADING_DOT.sub(b"..", raw)
    return raw if raw.endswith(b"\r\n") else raw + b"\r\n"


def _replies(lanes: list[smtplib.SMTP]) -> list[tuple[int, str]]:
    """One reply from each lane, in order (each was sent one command)."""
    return [(code, reply.decode(errors="replace")) for code, reply in (s.getreply() for s in lanes)]


def send_group(
    lanes: list[smtplib.SMTP],
    envelope_from: str,
    messages: list[tuple[str, bytes]],
    *,
    commit: Callable[[list[int], dict[int, str]], None],
) -> dict[int, str]:
    """Send `messages` ((recipient, MIME bytes), at most one per lane) as described above.

    `commit(accepted, refused)` gets the indexes of the messages about to be ended and the
    recipients the server refused ({index: reply}). Returns the messages the server refused
    once ended ({index: reply}). Raises smtplib/OS errors before the commit (nothing was
    delivered) and LanesBroken after it, once every lane that still works is finished.
    """
    busy = lanes[: len(messages)]
    try:
        for smtp in busy:
            smtp.putcmd("mail", f"FROM:<{envelope_from}>")
        for code, reply in _replies(busy):
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply.encode(), envelope_from)
        for smtp, (recipient, _) in zip(busy, messages, strict=True):
            smtp.putcmd("rcpt", f"TO:<{recipient}>")
        refused = {}
        for index, (code, reply) in enumerate(_replies(busy)):
            if code not in (250, 251):
                refused[index] = f"{code} {reply}"
        accepted = [index for index in range(len(messages)) if index not in refused]
        for index in accepted:
            busy[index].putcmd("data")
        for code, reply in _replies([busy[index] for index in accepted]):
            if code != 354:
                raise smtplib.SMTPDataError(code, reply.encode())
        for index in accepted:
            busy[index].send(_text(messages[index][1]))
        for index in refused:
            busy[index].rset()
        commit(accepted, refused)
    except BaseException:
        # Hang up without QUIT (a lane in the middle of DATA would take it for text): the
        # server drops every unfinished message, so nothing of this group was delivered.
        for smtp in busy:
            smtp.close()
        raise
    rejected: dict[int, str] = {}
    lost: list[int] = []
    for index in accepted:
        try:
            busy[index].send(b".\r\n")
        except (smtplib.SMTPException, OSError):
            lost.append(index)
    for index in accepted:
        if index in lost:
            continue
        try:
            code, reply = busy[index].getreply()
        except (smtplib.SMTPException, OSError):
            lost.append(index)
            continue
        if code != 250:
            rejected[index] = f"{code} {reply.decode(errors='replace')}"
    if lost:
        raise LanesBroken(lost, rejected)
    return rejected
