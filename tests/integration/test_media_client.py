"""WeChatSender.get_media against the fake WeChat API over real HTTP (token store: fakeredis
and the real Redis, this test's keys only)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

import fakeredis
import pytest
import redis

from bot.wechat_api import WeChatAPIError
from bot.wechat_client import WeChatSender
from tests.conftest import REDIS_URL, delete_prefixed, unavailable
from tests.fakes.fake_wechat import FakeWeChat
from tests.fakes.images import JPEG_8X8, png

SECRET = "media-secret-never-logged"


@pytest.fixture(params=["fakeredis", "redis"])
def sender(request) -> Iterator[tuple[WeChatSender, FakeWeChat]]:  # type: ignore[no-untyped-def]
    appid, prefix = f"wx_media_{uuid.uuid4().hex[:8]}", f"media-test:{uuid.uuid4().hex[:8]}:"
    if request.param == "fakeredis":
        client = fakeredis.FakeRedis(server=fakeredis.FakeServer())
    else:
        client = redis.Redis.from_url(REDIS_URL, socket_timeout=2.0)
        try:
            client.ping()
        except redis.RedisError as exc:
            unavailable("Redis at " + REDIS_URL, exc)
    with FakeWeChat(appid, SECRET) as fake:
        wechat = WeChatSender(appid, SECRET, client, fake.base_url, 3.0, key_prefix=prefix)
        yield wechat, fake
        wechat.close()
    if request.param == "redis":
        delete_prefixed(client, prefix)
    client.close()


def test_a_registered_id_gives_its_bytes_and_type(sender):
    wechat, fake = sender
    fake.add_media("MEDIA_A", JPEG_8X8)
    fake.add_media("MEDIA_B", png(3), "image/png")
    assert wechat.get_media("MEDIA_A") == (JPEG_8X8, "image/jpeg")
    assert wechat.get_media("MEDIA_B") == (png(3), "image/png")
    assert fake.fetches("/cgi-bin/stable_token") == 1  # the token is shared with the sends


def test_an_unknown_id_is_40007_give_up(sender, caplog):
    wechat, fake = sender
    caplog.set_level(logging.DEBUG)
    with pytest.raises(WeChatAPIError) as err:
        wechat.get_media("NO_SUCH_ID")
    assert err.value.errcode == 40007 and err.value.kind == "give_up"
    token = wechat.tokens.get()
    assert token not in caplog.text and SECRET not in caplog.text


def test_an_expired_token_is_refreshed_once(sender):
    wechat, fake = sender
    fake.add_media("MEDIA_C", JPEG_8X8)
    wechat.get_media("MEDIA_C")
    fake.expire_tokens()
    assert wechat.get_media("MEDIA_C")[0] == JPEG_8X8
    assert [c["errcode"] for c in fake.media_calls] == [0, 42001, 0]
    assert fake.fetches("/cgi-bin/stable_token") == 2


def test_busy_and_http_errors_say_retry_later(sender):
    wechat, fake = sender
    fake.add_media("MEDIA_D", JPEG_8X8)
    fake.fail_next(-1, path_contains="media/get")
    with pytest.raises(WeChatAPIError) as busy:
        wechat.get_media("MEDIA_D")
    assert busy.value.errcode == -1 and busy.value.kind == "retry_later"
    fake.http_error_next(502, path_contains="media/get")
    with pytest.raises(WeChatAPIError) as bad_gateway:
        wechat.get_media("MEDIA_D")
    assert bad_gateway.value.kind == "retry_later" and "HTTP 502" in bad_gateway.value.errmsg
    assert wechat.get_media("MEDIA_D")[0] == JPEG_8X8


def test_a_photo_over_the_cap_is_refused(sender):
    wechat, fake = sender
    fake.add_media("MEDIA_BIG", b"\xff\xd8" + b"\0" * 300_000)
    with pytest.raises(WeChatAPIError) as err:
        wechat.get_media("MEDIA_BIG", max_bytes=100_000)
    assert err.value.kind == "give_up" and "larger than 100000 bytes" in err.value.errmsg
