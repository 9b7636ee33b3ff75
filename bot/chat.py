"""`python -m bot chat`: talk to the assistant in a terminal, along the path a WeChat message
takes — the message is built as WeChat's XML, parsed by the same code, deduplicated, routed and
rendered — only the HTTP hop and its signature are skipped, and the channel is "chat".
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO
from xml.sax.saxutils import escape

from bot import wechat_protocol as proto
from bot.app_state import AppState

PROMPT = "您> "
_MSG_IDS = itertools.count(time.time_ns() // 1000)
COMMANDS_HELP = (
    "（输入消息后回车；/voice 文字 模拟语音，/image 模拟图片，/menu KEY 模拟菜单，"
    "/follow 关注，/quit 退出）"
)


class ChatSession:
    """One terminal user talking to the assistant."""

    def __init__(self, state: AppState, user: str) -> None:
        self.state = state
        self.user = user
        self._seq = 0

    def _xml(self, body: str) -> bytes:
        self._seq = next(_MSG_IDS)  # unique per process, like WeChat's MsgId
        now = int(time.time())
        return (
            f"<xml><ToUserName><![CDATA[gh_chat]]></ToUserName>"
            f"<FromUserName><![CDATA[{escape(self.user)}]]></FromUserName>"
            f"<CreateTime>{now}</CreateTime>{body}<MsgId>{self._seq}</MsgId></xml>"
        ).encode()

    def build(self, line: str) -> bytes:
        """WeChat's XML for what the user typed (slash commands make other message types)."""
        if line.startswith("/voice"):
            text = escape(line[len("/voice") :].strip())
            return self._xml(
                f"<MsgType>voice</MsgType><MediaId>m{self._seq}</MediaId>"
                f"<Format>amr</Format><Recognition>{text}</Recognition>"
            )
        if line.startswith("/image"):
            return self._xml(
                f"<MsgType>image</MsgType><PicUrl>http://example.invalid/p.jpg"
                f"</PicUrl><MediaId>img{self._seq}</MediaId>"
            )
        if line.startswith("/menu"):
            key = escape(line[len("/menu") :].strip())
            return self._xml(
                f"<MsgType>event</MsgType><Event>CLICK</Event><EventKey>{key}</EventKey>"
            )
        if line.startswith("/follow"):
            return self._xml("<MsgType>event</MsgType><Event>subscribe</Event>")
        return self._xml(f"<MsgType>text</MsgType><Content>{escape(line)}</Content>")

    def say(self, line: str) -> str | None:
        """Send one line; the assistant's answer (None when it answers nothing)."""
        fields = proto.parse_xml(self.build(line))
        msg = proto.to_incoming(fields, channel="chat")
        return self.state.processor.handle(msg)


def _typed_lines(out: TextIO) -> Iterator[str]:
    print("大讨论活动助手 · 终端对话 " + COMMANDS_HELP, file=out)
    while True:
        try:
            yield input(PROMPT)
        except (EOFError, KeyboardInterrupt):
            print(file=out)
            return


def run(
    state: AppState, user: str, lines: Iterable[str] | None = None, out: TextIO = sys.stdout
) -> int:
    """The conversation loop: typed at a terminal, or read from `lines` / piped input."""
    session = ChatSession(state, user)
    interactive = lines is None and sys.stdin.isatty()
    source: Iterable[str] = (
        _typed_lines(out) if interactive else lines if lines is not None else sys.stdin
    )
    for raw in source:
        line = raw.strip()
        if not line:
            continue
        if line in ("/quit", "/exit"):
            break
        answer = session.say(line)
        if not interactive:
            print(PROMPT + line, file=out)
        print("助手> " + (answer or "（无回复）") + "\n", file=out)
    return 0
