"""订阅提醒 / 退订提醒 / 我的订阅. Following the account alone never subscribes anyone."""

from __future__ import annotations

from handlers.ports import CampaignInfo, Services
from handlers.types import Incoming, Reply
from texts import chat as texts


def _campaign(user: str, services: Services) -> tuple[CampaignInfo | None, list[CampaignInfo]]:
    campaigns = services.campaigns.active()
    code = services.users.profile(user).campaign_code
    for c in campaigns:
        if c.code == code:
            return c, campaigns
    return (campaigns[0] if len(campaigns) == 1 else None), campaigns


def subscribe(msg: Incoming, services: Services) -> Reply:
    campaign, campaigns = _campaign(msg.user, services)
    if not campaigns:
        return Reply(texts.NO_CAMPAIGNS)
    if campaign is None:
        options = "\n".join(f"• {c.name}" for c in campaigns)
        return Reply(texts.SUBSCRIBE_CHOOSE.format(options=options))
    profile = services.users.profile(msg.user)
    if profile.campaign_code != campaign.code:
        services.users.set_campaign(msg.user, campaign.code)
        profile = services.users.profile(msg.user)
    services.users.set_subscribed(msg.user, True)
    unit_line = (
        texts.SUBSCRIBED_UNIT.format(unit=profile.unit)
        if profile.unit
        else texts.SUBSCRIBED_NO_UNIT
    )
    return Reply(texts.SUBSCRIBED.format(campaign=campaign.name, unit_line=unit_line))


def unsubscribe(msg: Incoming, services: Services) -> Reply:
    services.users.set_subscribed(msg.user, False)
    return Reply(texts.UNSUBSCRIBED)


def my_subscription(msg: Incoming, services: Services) -> Reply:
    profile = services.users.profile(msg.user)
    campaign, _ = _campaign(msg.user, services)
    if not profile.subscribed or campaign is None:
        return Reply(texts.MY_SUBSCRIPTION_OFF)
    unit_line = texts.MY_SUBSCRIPTION_UNIT.format(unit=profile.unit) if profile.unit else ""
    return Reply(texts.MY_SUBSCRIPTION_ON.format(campaign=campaign.name, unit_line=unit_line))
