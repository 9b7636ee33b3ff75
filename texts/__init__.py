"""Every sentence the assistant says, in one place a cadre can find and correct.

| module | who reads it |
|---|---|
| chat.py | residents and cadres in WeChat: help, 献一策, 我的建议, subscriptions, answers, 回访 |
| schedule.py | cadres' questions about the campaign: phases, tasks, deadlines, "没听懂" help |
| notices.py | pushed notices: phase start, deadline reminders, weekly digest, template fields |
| workflow.py | the suggestion workflow's words in history, audit and answers to residents |
| console.py | the organisers' web console: pages, buttons, messages, statistics |

The labels printed on the web pages themselves (headings, column names, buttons) are in the
page templates: bot/console/templates/console/*.html and bot/answer_page/templates/answer/.

Plain constants and format strings only: no imports, no logic. A change of wording here changes
what users see everywhere; the tests that pin a sentence import it from here.
"""
