"""Every natural way of offering an idea in one message (domain/intake.py), and what is not one.

The phrasing table mixes forms residents actually write — taken from published collections of
residents' messages (网友留言, 市长信箱, "我为…献一策" and 金点子 campaigns, 人民建议征集) —
with the typed and voice-recognised variants of the campaign's own prompts.
"""

from __future__ import annotations

import pytest

from domain.intake import recognise, worth_offering
from handlers.router import COMMANDS, is_read_only
from handlers.types import Incoming

# (what the resident sent, the idea that must be stored)
PHRASINGS = [
    # the five forms that got the help list before (issue 9)
    ("献一策 建议在老街口增设公交站", "建议在老街口增设公交站"),
    ("我有个金点子：在镇区建一个共享充电站", "在镇区建一个共享充电站"),
    ("我想提个建议，老街的路灯晚上十点就关了，太早", "老街的路灯晚上十点就关了，太早"),
    ("【献一策】建议周末开放机关停车场", "建议周末开放机关停车场"),
    ("提点意见：办事大厅的叫号屏字太小", "办事大厅的叫号屏字太小"),
    # the campaign's own prompts, every separator or none
    ("献一策：建议在老街口增设公交站", "建议在老街口增设公交站"),
    ("献一策:建议在老街口增设公交站", "建议在老街口增设公交站"),
    ("献一策建议在老街口增设公交站", "建议在老街口增设公交站"),
    ("献一策。建议在老街口增设公交站", "建议在老街口增设公交站"),
    ("献一策——建议在老街口增设公交站", "建议在老街口增设公交站"),
    ("献一策 ： 建议在老街口增设公交站", "建议在老街口增设公交站"),
    ("我为发展献一策：发展乡村民宿，带动村民增收", "发展乡村民宿，带动村民增收"),
    ("我为家乡献一策，修通村里的断头路", "修通村里的断头路"),
    ("建言献策：建议设立青年创业基金", "建议设立青年创业基金"),
    ("金点子 老旧小区加装电梯", "老旧小区加装电梯"),
    ("富民金点子：发展林下经济，种植中药材", "发展林下经济，种植中药材"),
    ("我的富民金点子：打造特色农产品电商品牌", "打造特色农产品电商品牌"),
    ("献计：打通断头路，方便群众出行", "打通断头路，方便群众出行"),
    # "我为X献一策 / 献计" and 金点子 campaigns as residents name them (梧州, 静海, 上海, 湖南)
    ("我为创园献一策：多种乡土树种，少种名贵外来树", "多种乡土树种，少种名贵外来树"),
    ("我为静海高质量发展献计：进一步发展大健康产业", "进一步发展大健康产业"),
    ("我为上海献一计：优化营商环境，压缩审批时限", "优化营商环境，压缩审批时限"),
    ("献策湖南：让老百姓的日子一年更比一年好", "让老百姓的日子一年更比一年好"),
    ("我有金点子：村卫生室越建越好，越建越便民！", "村卫生室越建越好，越建越便民！"),
    # "建议" as the first word of the idea: stored whole (留言板, 市民来信, 社区征集)
    ("建议双向增加左转向灯，给群众一个安全的马路", "建议双向增加左转向灯，给群众一个安全的马路"),
    ("建议在凉亭加装照明灯。", "建议在凉亭加装照明灯。"),
    ("建议地铁站便民设施的设计细节更加人性化", "建议地铁站便民设施的设计细节更加人性化"),
    ("建议公路两侧乡村老旧房屋统一改造", "建议公路两侧乡村老旧房屋统一改造"),
    ("建议，学校门口早晚高峰安排交警疏导", "建议，学校门口早晚高峰安排交警疏导"),
    ("我建议在菜市场旁边建个公厕", "我建议在菜市场旁边建个公厕"),
    ("我的建议是在高新区建设共享实验平台", "我的建议是在高新区建设共享实验平台"),
    # a colon makes even "建议 / 意见" a label
    ("我建议：开设夜间便民集市", "开设夜间便民集市"),
    ("建议：在车流量大的路口安装红绿灯", "在车流量大的路口安装红绿灯"),
    ("意见：社区活动室开放时间太短", "社区活动室开放时间太短"),
    ("我的想法是：把闲置校舍改成养老中心", "把闲置校舍改成养老中心"),
    (
        "留言：分类垃圾桶合理利用建议，垃圾桶容易被风刮倒",
        "分类垃圾桶合理利用建议，垃圾桶容易被风刮倒",
    ),
    # offering phrases
    ("提个建议：小区垃圾桶太少了", "小区垃圾桶太少了"),
    ("我有个想法，利用闲置厂房办创客空间", "利用闲置厂房办创客空间"),
    ("我有一个建议，公园里多装一些座椅", "公园里多装一些座椅"),
    ("我有几点意见：一是路灯不亮，二是井盖缺失", "一是路灯不亮，二是井盖缺失"),
    ("我还有个建议，村卫生室延长开放时间", "村卫生室延长开放时间"),
    ("我有个建议啊，公园里多装些座椅", "公园里多装些座椅"),
    ("我也来献一策：公园晚上多开一会儿", "公园晚上多开一会儿"),
    ("说说我的想法：多建口袋公园", "多建口袋公园"),
    ("出个主意：村里搞个农家乐联盟", "村里搞个农家乐联盟"),
    ("我提个意见，办事窗口中午不要关", "办事窗口中午不要关"),
    ("提议：每月开一次居民议事会", "每月开一次居民议事会"),
    ("献一策：\n1.增设公交站\n2.延长路灯时间", "1.增设公交站\n2.延长路灯时间"),
    ("我要提建议，在村口装个监控", "在村口装个监控"),
    ("我来提个小建议：停车场收费标准公示", "停车场收费标准公示"),
    ("合理化建议：机关食堂对外开放", "机关食堂对外开放"),
    ("小建议：公交站台加装遮阳棚", "公交站台加装遮阳棚"),
    ("我有个想法是这样的：周末开放学校操场", "周末开放学校操场"),
    (
        "关于老街口交通拥堵的建议：早晚高峰增派协管员",
        "关于老街口交通拥堵的建议：早晚高峰增派协管员",
    ),
    # brackets, hashtags and quotes, full-width and half-width
    ("[建议]老年食堂增加送餐服务", "老年食堂增加送餐服务"),
    ("［建议］老年食堂增加送餐服务", "老年食堂增加送餐服务"),
    ("「献一策」增设老年人助餐点", "增设老年人助餐点"),
    ("#献一策# 社区增设快递柜", "社区增设快递柜"),
    ("＃献一策＃社区增设快递柜", "社区增设快递柜"),
    ("#献一策 社区增设快递柜", "社区增设快递柜"),
    ("“金点子”：推广垃圾分类积分兑换", "推广垃圾分类积分兑换"),
    ("【我为发展献一策】扶持返乡青年创业", "扶持返乡青年创业"),
    ("（建议）菜市场周边规范停车", "菜市场周边规范停车"),
    # greetings first
    ("你好，我想提个建议，镇里的公交车班次太少了", "镇里的公交车班次太少了"),
    ("您好！我有个金点子：在河边建一条健身步道", "在河边建一条健身步道"),
    ("领导好，我建议把老街改造成步行街", "我建议把老街改造成步行街"),
    ("嗯，我有个建议，公交车增加班次", "公交车增加班次"),
    # an idea phrased as a question after a clear label is still an idea
    ("献一策：能不能在老街口增设公交站？", "能不能在老街口增设公交站？"),
]

# The opening alone: the router starts the guided conversation.
OPENINGS = ["我有个金点子", "我想提个建议", "提点意见", "我有个想法", "献一策：", "我有个金点子。"]

# Not an idea: questions about the campaign, commands, greetings, small talk.
NOT_IDEAS = [
    "建议什么时候截止",
    "建议征集什么时候截止",
    "建议征集截止了吗",
    "建议已经提交了",
    "建议可以匿名吗",
    "建议提交到哪里",
    "金点子征集结果出来了吗",
    "建言献策活动什么时候结束",
    "提建议要实名吗",
    "献策活动很好",
    "我的建议被采纳了吗",
    "我的金点子被采纳了吗",
    "我的建议怎么样了",
    "我的建议进度",
    "我的建议",
    "查询建议",
    "查询 K3Q9A7",
    "建议",
    "意见",
    "建议很好",
    "建议呢",
    "我的建议呢",
    "给个建议吧，我不知道写什么",
    "请问怎么提建议",
    "建议的话在哪里提",
    "我有个问题想咨询一下",
    "那个建议什么时候截止",
    "意见箱在哪",
    "本周有什么到期",
    "现在是什么阶段",
    "科技局6月的任务",
    "你好",
    "您好，请问",
    "今天天气不错",
    "谢谢",
    "history of the campaign",
    "",
]


def test_the_table_has_at_least_forty_forms():
    assert len({text for text, _ in PHRASINGS}) >= 40


@pytest.mark.parametrize("text,body", PHRASINGS)
def test_phrasings_give_the_idea(text, body):
    offered = recognise(text)
    assert offered is not None and offered.body == body


@pytest.mark.parametrize("text", OPENINGS)
def test_an_opening_alone_is_an_empty_offer(text):
    offered = recognise(text)
    assert offered is not None and offered.body == ""


@pytest.mark.parametrize("text", NOT_IDEAS)
def test_questions_commands_and_greetings_are_not_ideas(text):
    assert recognise(text) is None


def test_the_body_keeps_the_residents_own_characters():
    text = "我有个金点子：老街口设公交站（方便老人），再加个候车亭！ＡＢ线延长"
    offered = recognise(text)
    assert offered is not None
    assert offered.body == "老街口设公交站（方便老人），再加个候车亭！ＡＢ线延长"


def test_the_guided_flow_words_stay_commands():
    """START_WORDS alone still start the guided flow: they are matched as commands first."""
    for word in ("我要提建议", "献一策", "金点子", "建言献策", "我为发展献一策"):
        assert word in COMMANDS


def _text(body: str) -> Incoming:
    return Incoming(channel="wechat", user="u1", kind="text", text=body)


@pytest.mark.parametrize("text,body", PHRASINGS)
def test_ideas_are_never_read_only_questions(text, body):
    """The read-only lane skips the dedup claim: an idea there could be stored twice."""
    assert not is_read_only(_text(text))


@pytest.mark.parametrize(
    "text",
    [
        "献一策：本周有什么到期的任务建议提前公示",
        "建议本周的任务提前公示到期时间",
        "金点子：现在是什么阶段应该在首页写清楚",
        "我有个想法，科技局6月的任务太集中了",
    ],
)
def test_ideas_that_mention_the_schedule_are_not_read_only(text):
    assert recognise(text) is not None
    assert not is_read_only(_text(text))


def test_worth_offering_counts_meaningful_characters():
    assert worth_offering("老街口的公交站太远了，老人走不动")
    assert not worth_offering("今天天气不错")
    assert not worth_offering("，，，。。。！！！？？？   ……——")
    assert not worth_offering("好的好的，谢谢！")
