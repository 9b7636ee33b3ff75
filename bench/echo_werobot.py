"""Baseline (b): a WeRoBot 1.13.1 text echo, served by gunicorn as `bench.echo_werobot:app`.

The token comes from WECHAT_TOKEN (the same one the assistant gets). WeRoBot's SQLite session
store is switched off (SESSION_STORAGE=False): by default WeRoBot reads and writes a session row
per message, which would make the baseline slower and the comparison easier to pass. With it off,
this is WeRoBot's thinnest echo: check_signature, parse_message, one handler, render the reply.
"""

from __future__ import annotations

import os

from werobot import WeRoBot

robot = WeRoBot(token=os.environ.get("WECHAT_TOKEN", "bench-token"), SESSION_STORAGE=False)


@robot.text
def echo(message):  # type: ignore[no-untyped-def]
    return message.content


app = robot.wsgi
