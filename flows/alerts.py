"""Send the journey's alerts (cjx.alerts) through a Prefect notification block: a saved one by name (Slack, Teams,
e-mail... via apprise), or Prefect's Custom Webhook block built for `webhook_url`."""

from __future__ import annotations

from prefect import task
from prefect.blocks.core import Block
from prefect.blocks.notifications import CustomWebhookNotificationBlock, NotificationBlock
from prefect.cache_policies import NO_CACHE

from cjx.alerts import Alert
from cjx.journey.model import Alerts


def notification_block(config: Alerts) -> NotificationBlock:
    if config.webhook_url is not None:
        return CustomWebhookNotificationBlock(
            name="cjx", url=config.webhook_url, json_data={"title": "{{subject}}", "text": "{{body}}"}
        )
    assert config.block is not None  # Alerts requires one of the two
    block = Block.load(config.block)
    if not isinstance(block, NotificationBlock):
        raise TypeError(f"alerts.block {config.block!r} is a {type(block).__name__}, not a notification block")
    return block


@task(retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def send_alerts(config: Alerts, alerts: list[Alert]) -> int:
    """Send each alert; retried on failure (a webhook briefly down)."""
    block = notification_block(config)
    for alert in alerts:
        block.notify(alert.text, subject=alert.title)  # type: ignore[unused-coroutine]  # sync in a sync task
    return len(alerts)
