"""Every user-facing sentence of the suggestion flow, help and subscriptions, in one place.

Cadres may change the wording here without touching logic. Keep the `{placeholders}`.
Schedule answers keep theirs in texts/schedule.py.
"""

WELCOME = (
    "您好，欢迎关注！这里是大讨论活动助手。\n"
    "• 发送“献一策：您的建议”，一句话提交金点子\n"
    "• 发送“我要提建议”，按步骤填写\n"
    "• 发送“我的建议”，查看办理进度\n"
    "• 发送“现在是什么阶段”“本周有什么到期”，了解活动安排\n"
    "发送“帮助”可随时查看本说明。"
)

HELP = (
    "我可以帮您：\n"
    "1. 献一策：发送“献一策：您的建议内容”，或发送“我要提建议”按步骤填写\n"
    "2. 查进度：发送“我的建议”，或“查询 编号”\n"
    "3. 问安排：如“现在是什么阶段”“本周有什么到期”“科技局6月的任务”\n"
    "4. 收提醒：发送“订阅提醒”，阶段开始和任务到期时通知您\n"
    "填写建议时，回复“完成”提交，发送“取消”可随时退出。"
)


UNKNOWN_MESSAGE = "这类消息我暂时还看不懂。" + "\n" + HELP
VOICE_UNREADABLE = "抱歉，这条语音没能识别出文字。请再说一遍，或直接发送文字，例如“献一策：……”。"
WELCOME_BACK = (
    "欢迎回来！有建议请发送“献一策：您的建议”，想了解活动安排可问“本周有什么到期”。"
    "发送“帮助”查看全部功能。"
)
SCAN_RECEIVED = "已收到您扫描的内容：{result}\n我们会妥善处理，谢谢！"
SCAN_EMPTY = "已收到您的扫码，但没有读到内容，请再扫一次。"
SCAN_RESULT_MAX = 100  # characters of the scanned text repeated back
IMAGE_ACK = "图片已收到，谢谢！如果想把图片附在建议里，请先发送“我要提建议”，在填写内容时发送图片。"
IMAGE_ATTACHED = "图片已附上（共{count}张）。可继续发送文字或图片，写完请回复“完成”。"
IMAGE_ATTACHED_EARLY = "图片已附上（共{count}张），提交时一并附上。请先回复上面的序号。"
IMAGE_ATTACHED_CONFIRM = "图片已附上（共{count}张）。请回复“确认”提交，或“修改”重新填写。"
FLOW_ENDED = "这条内容到达时，您的建议已经提交或取消，没有记入。如需补充，请发送“我要提建议”。"
# Added to the answer to a command or question sent while a suggestion is being written.
FLOW_STILL_OPEN = {
    "campaign": "（您的建议还在填写中，请回复上面的活动序号继续）",
    "topic": "（您的建议还在填写中，请回复上面的议题序号继续）",
    "content": "（您的建议还在填写中，继续发送内容，或回复“完成”提交）",
    "confirm": "（您的建议还没有提交，回复“确认”提交，或“取消”放弃）",
}
LINK_ACK = "链接已收到。如需提建议，请发送“献一策：您的建议”。"
MORE_NONE = "没有更多内容了。"
MORE_FOOTER = "\n（还有{remaining}页，回复“更多”继续查看）"
SERVICE_ERROR = "抱歉，系统开了个小差，请稍后再试。您刚才的内容没有丢失，可重新发送。"

# --- the 献一策 conversation -------------------------------------------------------------
OTHER_TOPIC = "其他"
CHOOSE_CAMPAIGN = "感谢您建言献策！请先选择活动（回复序号）：\n{options}\n回复“取消”可退出。"
CHOOSE_CAMPAIGN_AGAIN = "没找到这个序号，请回复列表中的数字：\n{options}"
CHOOSE_TOPIC = "您的建议属于哪个议题？请回复序号：\n{options}\n0. 其他\n回复“取消”可退出。"
CHOOSE_TOPIC_AGAIN = "没找到这个序号，请回复议题前的数字（0 表示其他）：\n{options}\n0. 其他"
WRITE_CONTENT = "请写下您的建议，可分几条消息发送，也可附图片。写完请回复“完成”。"
WRITE_CONTENT_TOPIC = "议题：{topic}\n" + WRITE_CONTENT
CONTENT_RECEIVED = "已记下（共{chars}字）。继续发送可补充，写完请回复“完成”。"
KEPT_EARLY = "您写的内容已记下（共{chars}字），提交时一并附上。\n"
WRITE_MORE_TOPIC = "议题：{topic}\n可继续发送文字或图片补充，写完请回复“完成”。"
CONTENT_EMPTY = "还没有收到建议内容哦。请先写下您的建议，写完再回复“完成”。"
CONFIRM = (
    "请确认您的建议：\n议题：{topic}\n内容：{preview}\n（共{chars}字{attachments}）\n"
    "回复“确认”提交，回复“取消”放弃，回复“修改”重新填写。"
)
CONFIRM_ATTACHMENTS = "，附图片{count}张"
CONFIRM_AGAIN = "请回复“确认”提交，或“修改”重新填写，或“取消”放弃。"
REWRITE = "好的，请重新写下您的建议，写完回复“完成”。"
CANCELLED = "已取消，本次内容没有提交。随时欢迎您再来献策！"
NOTHING_TO_CANCEL = "当前没有正在填写的内容。" + "\n" + HELP
EXPIRED = (
    "您之前填写的建议超过30分钟没有完成，已自动结束，内容没有提交。"
    "如需继续，请发送“我要提建议”重新开始。"
)

SUBMITTED = (
    "提交成功，感谢您的金点子！\n编号：{ticket}\n状态：{status}\n"
    "我们会认真研究。发送“我的建议”可查看办理进度。"
)
TOO_SHORT = "内容有点短，请再多写几句，把想法说具体些（至少{min}个字）。"
TOO_LONG = "内容超过了{max}字（现在{chars}字），请精简后再提交，或分成几条建议。"
RATE_LIMITED = "您这一小时内已提交{count}条建议，请稍后再提交。感谢您的热情！"
DUPLICATE_TODAY = "这条建议您今天已经提交过了，编号：{ticket}，不用重复提交。"
ONE_MESSAGE_HINT = "请在“献一策：”后面写上您的建议内容，例如：献一策：建议在镇区增设公共充电桩。"

# --- looking up suggestions ---------------------------------------------------------------
MY_NONE = "您还没有提交过建议。发送“献一策：您的建议”即可提交。"
MY_HEADER = "您共提交了{total}条建议{shown}：\n"
MY_SHOWN = "（显示最近{count}条）"
MY_LINE = "【{ticket}】{status} · {date}\n  {preview}"
MY_FOOTER = "\n发送“查询 编号”可查看详情。"
TICKET_DETAIL = (
    "编号：{ticket}\n状态：{status}\n提交时间：{date}\n活动：{campaign}\n议题：{topic}\n"
    "内容：{content}"
)
TICKET_OUTCOME = "\n办理结果：{outcome}"
TICKET_REPLY = "\n答复：{reply}"
TICKET_RATED = "\n您的评价：{satisfaction}"
TICKET_RATE_HINT = "\n欢迎评价这次答复：回复 1 满意、2 基本满意、3 不满意。"
MY_LINE_OUTCOME = " · {outcome}"
MY_LINE_REPLY = "\n  答复：{reply}"
TICKET_NOT_FOUND = "没有找到编号为 {ticket} 的建议。只能查询您本人提交的建议，请核对编号。"
TICKET_BAD = "请发送“查询 ”加6位编号，例如：查询 K3Q9A7。"

# --- answers and 回访 (handlers/resident.py) ---------------------------------------------------
# A waiting answer ("您的建议有了答复：…", texts/workflow.py) comes first in the reply to the
# resident's next message, then this line, then the answer to what they wrote.
TOLD_THEN = "\n\n——\n"
RATED_THANKS = (
    "感谢您的评价（{satisfaction}）！编号 {ticket} 的建议已办结。"
    "您的支持是我们做好工作的动力，欢迎继续建言献策。"
)
RATED_REOPENED = (
    "感谢您的反馈！很抱歉这次答复没能让您满意。编号 {ticket} 的建议已重新转回审核，"
    "我们会认真研究，再给您答复。"
)

# --- reminders -----------------------------------------------------------------------------
SUBSCRIBED = (
    "订阅成功！{campaign}的阶段开始通知会按时发给您。{unit_line}\n"
    "发送“退订提醒”可随时退订，发送“我的订阅”可查看。"
)
SUBSCRIBED_UNIT = "您绑定的单位“{unit}”的任务到期提醒也会发给您。"
SUBSCRIBED_NO_UNIT = (
    "如是承办单位的同志，发送“我是XX的”（如“我是科技局的”）即可收到本单位的任务到期提醒。"
)
SUBSCRIBE_CHOOSE = "请先选择要订阅的活动，回复“切换到XXX”：\n{options}"
NO_CAMPAIGNS = "目前还没有进行中的活动，活动开始后再来订阅吧。"
UNSUBSCRIBED = "已为您退订提醒，之后不会再推送通知。想再收到时，发送“订阅提醒”即可。"
MY_SUBSCRIPTION_ON = "您订阅了：{campaign}\n• 阶段开始通知{unit_line}\n发送“退订提醒”可退订。"
MY_SUBSCRIPTION_UNIT = "\n• “{unit}”的任务到期提醒和每周一的本周任务汇总"
MY_SUBSCRIPTION_OFF = "您目前没有订阅提醒。发送“订阅提醒”即可在阶段开始和任务到期时收到通知。"

# --- a long message that may be an idea (handlers/offer.py) --------------------------------
OFFER_ASK = "要把这段话作为建议提交吗？回复“是”提交，回复其他内容则不提交。"
OFFER_DROPPED = "好的，这段话没有作为建议提交。有想法随时发送“献一策：您的建议”。"

# The resident's answer page (/a/<token>, bot/answer_page/) when the link is wrong.
ANSWER_PAGE_NOT_FOUND = "没有找到这条答复，请核对链接是否完整。"
