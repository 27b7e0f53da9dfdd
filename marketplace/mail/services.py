"""Sending e-mail. With no SMTP server configured the message goes to the outbox (table and log), which a
development outbox page shows; with ``GOTONG_MAIL_SERVER`` set it goes out over SMTP too."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import insert

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.mail.models import OutboxEmail

log = logging.getLogger("gotong.mail")


def send_emails(messages: list[tuple[str, str, str]]) -> int:
    """Many e-mails at once (``(recipient, subject, body)``): one bulk INSERT into the outbox, then, with an
    SMTP server configured, one connection for all of them. For the thousands of members of a coalition."""
    if not messages:
        return 0
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        now = utcnow()
        db.session.execute(
            insert(OutboxEmail.__table__),
            [
                {"recipient": r, "subject": s[:200], "body": b, "transport": "outbox", "created_at": now}
                for r, s, b in messages
            ],
        )
        log.info("%d e-mails written to the outbox", len(messages))
        return len(messages)
    for recipient, subject, body in messages:
        send_email(recipient, subject, body)
    return len(messages)


def send_email(recipient: str, subject: str, body: str) -> OutboxEmail:
    config = current_app.config
    transport = "smtp" if config.get("MAIL_SERVER") else "outbox"
    record = OutboxEmail(recipient=recipient, subject=subject, body=body, transport=transport)
    db.session.add(record)
    db.session.flush()
    if transport == "outbox":
        log.info("E-mail to %s: %s\n%s", recipient, subject, body)
        return record
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = recipient
    message["Subject"] = subject
    message.set_content(body)
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    try:
        with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=15) as smtp:
            if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        # The message stays in the outbox table so nothing is lost; an operator can see and resend it.
        log.exception("Could not send e-mail to %s", recipient)
        record.transport = "failed"
    return record
