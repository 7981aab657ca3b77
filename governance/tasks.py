"""Celery tasks of the core: thin, idempotent wrappers around services."""

from celery import shared_task


@shared_task(name="governance.outbox_deliver", ignore_result=True)
def outbox_deliver(message_id: int) -> str:
    from governance import outbox

    return outbox.deliver(message_id)


@shared_task(name="governance.outbox_sweep", ignore_result=True)
def outbox_sweep() -> int:
    from governance import outbox

    return outbox.sweep()


@shared_task(name="governance.notify_send_external", ignore_result=True)
def notify_send_external(notification_id: int) -> None:
    """SMS and e-mail of one notification (each channel at most once)."""
    from governance.notify import services

    services.deliver_external(notification_id)


@shared_task(name="governance.sms_codes_purge", ignore_result=True)
def sms_codes_purge() -> int:
    from governance.notify import otp

    return otp.purge_expired()


@shared_task(name="governance.pending_tasks_sweep", ignore_result=True)
def pending_tasks_sweep() -> int:
    """Queue the tasks the broker could not take at commit (governance.taskqueue)."""
    from governance import taskqueue

    return taskqueue.sweep()


@shared_task(name="governance.ledger_publish_heads", ignore_result=True)
def ledger_publish_heads() -> int:
    """Each ledger account's chain head into the audit log, where it changed (governance.ledger)."""
    from governance import access, ledger

    return ledger.publish_heads(actor=access.system())


@shared_task(name="governance.contact_message_send", ignore_result=True)
def contact_message_send(message_id: int) -> str:
    from governance.notify import contact

    return contact.send(message_id)


@shared_task(name="governance.contact_messages_sweep", ignore_result=True)
def contact_messages_sweep() -> int:
    """SMS to people without accounts that are due: after the quiet hours, or after an outage."""
    from governance.notify import contact

    return contact.sweep()


@shared_task(name="governance.votes_sweep", ignore_result=True)
def votes_sweep() -> dict:
    """Open the announced votes whose time has come; close and count those that ended."""
    from governance import votes

    return votes.sweep()


@shared_task(name="governance.publicity_sweep", ignore_result=True)
def publicity_sweep() -> int:
    """End each publicity whose period is over (or set it waiting for its open objections)."""
    from governance import publicity

    return publicity.sweep()


@shared_task(name="governance.outbox_dead_letter_alert", ignore_result=True)
def outbox_dead_letter_alert(message_id: int) -> int:
    from governance.notify.services import dead_letter_alert

    return dead_letter_alert(message_id)

