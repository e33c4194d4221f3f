"""
The vocabulary of demo data: names, places, industries and weighted choices,
each as an (English or pinyin, Chinese) pair where it is shown to visitors.

Kept apart from programs.demo so that the generator reads as a procedure.
"""

from .models import Organization

# (English or pinyin, Chinese) pairs.

FIELDS = (
    ("artificial-intelligence", "Artificial intelligence", "人工智能"),
    ("new-materials", "New materials", "新材料"),
    ("biomedicine", "Biomedicine", "生物医药"),
    ("green-energy", "Green energy", "绿色能源"),
    ("integrated-circuits", "Integrated circuits", "集成电路"),
    ("photonics", "Photonics", "光电子"),
    ("intelligent-manufacturing", "Intelligent manufacturing", "智能制造"),
    ("digital-economy", "Digital economy", "数字经济"),
    ("environmental-protection", "Environmental protection", "生态环保"),
    ("hydrogen-energy", "Hydrogen energy", "氢能"),
    ("medical-devices", "Medical devices", "医疗器械"),
    ("advanced-textiles", "Advanced textiles", "高端纺织"),
)

# Towns of each seeded district; other districts lend their own name.
PLACES = {
    "qingpu": (
        ("Qingpu", "青浦"),
        ("Zhujiajiao", "朱家角"),
        ("Jinze", "金泽"),
        ("Liantang", "练塘"),
        ("Xujing", "徐泾"),
        ("Huaxin", "华新"),
        ("Baihe", "白鹤"),
    ),
    "wujiang": (
        ("Wujiang", "吴江"),
        ("Fenhu", "汾湖"),
        ("Lili", "黎里"),
        ("Shengze", "盛泽"),
        ("Tongli", "同里"),
        ("Zhenze", "震泽"),
        ("Songling", "松陵"),
    ),
    "jiashan": (
        ("Jiashan", "嘉善"),
        ("Xitang", "西塘"),
        ("Yaozhuang", "姚庄"),
        ("Weitang", "魏塘"),
        ("Dayun", "大云"),
        ("Tianning", "天凝"),
        ("Ganyao", "干窑"),
    ),
}

INDUSTRIES = (
    ("Photonics", "光电"),
    ("Biotech", "生物科技"),
    ("New Materials", "新材料"),
    ("Intelligent Manufacturing", "智能制造"),
    ("Semiconductor", "半导体"),
    ("Digital Technology", "数字科技"),
    ("Green Energy", "绿色能源"),
    ("Medical Devices", "医疗器械"),
    ("Precision Machinery", "精密机械"),
    ("Environmental Technology", "环保科技"),
    ("Hydrogen Energy", "氢能"),
    ("Robotics", "机器人"),
    ("Textile Technology", "纺织科技"),
    ("Software", "软件"),
    ("Smart Logistics", "智慧物流"),
)

BRANDS = (
    ("Ruiyuan", "瑞远"),
    ("Huachuang", "华创"),
    ("Xinyuan", "新源"),
    ("Jinghua", "晶华"),
    ("Boyuan", "博远"),
    ("Kangtai", "康泰"),
    ("Lanhai", "蓝海"),
    ("Minghui", "明辉"),
    ("Yongsheng", "永盛"),
    ("Haoyu", "浩宇"),
    ("Qiming", "启明"),
    ("Dingxin", "鼎新"),
    ("Shengda", "盛达"),
    ("Zhirui", "智睿"),
    ("Hongtu", "宏图"),
    ("Jiahe", "嘉禾"),
    ("Yunfan", "云帆"),
    ("Xinghe", "星河"),
    ("Chenguang", "晨光"),
    ("Lingfeng", "凌峰"),
)

# kind: (weight, English name, Chinese name, what it is in English and Chinese)
ORGANIZATION_KINDS = {
    Organization.Kind.COMPANY: (
        70,
        "{place} {brand} {industry} Co., Ltd.",
        "{place}{brand}{industry}有限公司",
        "a company",
        "企业",
    ),
    Organization.Kind.INSTITUTE: (
        12,
        "{place} Institute of {industry}",
        "{place}{industry}研究院",
        "a research institute",
        "研究机构",
    ),
    Organization.Kind.INDUSTRIAL_PARK: (
        10,
        "{place} {industry} Industrial Park",
        "{place}{industry}产业园",
        "an industrial park",
        "产业园区",
    ),
    Organization.Kind.UNIVERSITY: (
        4,
        "{brand} University of Science and Technology, {place} Campus",
        "{brand}科技大学{place}校区",
        "a university campus",
        "高校校区",
    ),
    Organization.Kind.ASSOCIATION: (
        4,
        "{place} {industry} Industry Association",
        "{place}{industry}行业协会",
        "an industry association",
        "行业协会",
    ),
}

PROJECT_TYPES = (
    ("Pilot Line", "中试线"),
    ("Innovation Centre", "创新中心"),
    ("Joint Laboratory", "联合实验室"),
    ("Industrialization Project", "产业化项目"),
    ("Demonstration Base", "示范基地"),
    ("Incubator", "孵化器"),
    ("Public Service Platform", "公共服务平台"),
    ("R&D Centre", "研发中心"),
)

COOPERATION_AREAS = (
    ("Talent training", "人才培养"),
    ("Joint research", "联合研发"),
    ("Technology transfer", "成果转化"),
    ("Start-up incubation", "创业孵化"),
    ("Academic exchange", "学术交流"),
    ("Shared laboratories", "共建实验室"),
)


def _pairs(words, chinese=None):
    """Return (English, Chinese) pairs from words and characters.

    With ``chinese``, pair each word of ``words`` with a character of that;
    without, pair the words of ``words`` two by two.
    """
    words = words.split()
    if chinese is None:
        return tuple(zip(words[0::2], words[1::2], strict=True))
    return tuple(zip(words, chinese, strict=True))


FAMILY_NAMES = _pairs(
    "Wang Li Zhang Liu Chen Yang Zhao Huang Zhou Wu Xu Sun Hu Zhu Gao Lin He "
    "Guo Ma Luo Liang Song Zheng Xie Han Tang Feng Yu Dong Xiao Cheng Cao "
    "Yuan Deng Fu Shen Zeng Peng Su Lu Jiang Cai Jia Ding Wei Xue Ye Yan",
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓傅沈曾彭苏卢蒋蔡贾丁魏薛叶阎",
)
# Syllables none of which starts with a vowel, so pinyin needs no apostrophes.
GIVEN_SYLLABLES = _pairs(
    "wei fang na min jing li qiang lei jun yang yong yan jie tao ming chao xiu "
    "xia ping gang hua jian guo wen hui ling yu hao xin chen bo si jia zi yi "
    "rui ze ting xue hai feng liang zhi xiao zhen chun yuan xiang",
    "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚华建国文辉玲宇浩欣晨博思嘉子怡睿泽婷雪海峰亮志晓振春远翔",
)

EXPERT_TITLES = (
    (30, "Professor", "教授"),
    (20, "Research Fellow", "研究员"),
    (15, "Senior Engineer", "高级工程师"),
    (10, "Associate Professor", "副教授"),
    (8, "Chief Engineer", "总工程师"),
    (7, "Chief Scientist", "首席科学家"),
    (5, "Academician of the Chinese Academy of Sciences", "中国科学院院士"),
    (5, "Academician of the Chinese Academy of Engineering", "中国工程院院士"),
)

# Where Chinese returnees come back from, by weight.
RETURNEE_COUNTRIES = (
    (35, "United States", "美国"),
    (12, "United Kingdom", "英国"),
    (12, "Germany", "德国"),
    (10, "Japan", "日本"),
    (10, "Singapore", "新加坡"),
    (8, "Canada", "加拿大"),
    (8, "Australia", "澳大利亚"),
    (5, "France", "法国"),
)

# Countries of entrepreneurs from abroad, with names in use there and their
# usual Chinese transliterations.
_FOREIGN_NAME_WORDS = {
    ("Germany", "德国"): (
        "Lukas 卢卡斯 Anna 安娜 Felix 费利克斯 Laura 劳拉 Jonas 约纳斯 Lena 莉娜",
        "Müller 穆勒 Schmidt 施密特 Weber 韦伯 Fischer 菲舍尔 Wagner 瓦格纳 "
        "Becker 贝克尔",
    ),
    ("United States", "美国"): (
        "David 大卫 Emily 埃米莉 Michael 迈克尔 Sarah 萨拉 James 詹姆斯 "
        "Olivia 奥利维娅",
        "Smith 史密斯 Johnson 约翰逊 Miller 米勒 Davis 戴维斯 Carter 卡特 "
        "Brooks 布鲁克斯",
    ),
    ("France", "法国"): (
        "Louis 路易 Camille 卡米耶 Hugo 雨果 Chloé 克洛伊 Julien 朱利安 Léa 莱娅",
        "Martin 马丁 Bernard 贝尔纳 Dubois 杜布瓦 Moreau 莫罗 Laurent 洛朗 "
        "Girard 吉拉尔",
    ),
    ("United Kingdom", "英国"): (
        "Oliver 奥利弗 Charlotte 夏洛特 Harry 哈里 Amelia 阿米莉亚 George 乔治 "
        "Grace 格蕾丝",
        "Taylor 泰勒 Wilson 威尔逊 Evans 埃文斯 Walker 沃克 Wright 赖特 Hughes 休斯",
    ),
    ("Italy", "意大利"): (
        "Marco 马可 Giulia 朱莉娅 Luca 卢卡 Sofia 索菲娅 Matteo 马泰奥 Chiara 基娅拉",
        "Rossi 罗西 Russo 鲁索 Bianchi 比安基 Romano 罗马诺 Colombo 科隆博 "
        "Greco 格雷科",
    ),
    ("Sweden", "瑞典"): (
        "Erik 埃里克 Elsa 埃尔莎 Lars 拉尔斯 Maja 玛雅 Nils 尼尔斯 Ingrid 英格丽德",
        "Andersson 安德松 Johansson 约翰松 Karlsson 卡尔松 Nilsson 尼尔松 "
        "Larsson 拉尔松 Eriksson 埃里克松",
    ),
}

FOREIGN_NAMES = {
    country: (_pairs(given), _pairs(family))
    for country, (given, family) in _FOREIGN_NAME_WORDS.items()
}

# Status choices by weight, most records being the ordinary case.
AGREEMENT_STATUSES = (
    (50, "in_force"),
    (25, "signed"),
    (20, "completed"),
    (5, "terminated"),
)
PROJECT_KINDS = (
    (45, "key_project"),
    (35, "overseas_talent"),
    (15, "platform"),
    (5, "other"),
)
PROJECT_STATUSES = (
    (15, "announced"),
    (20, "signed"),
    (40, "under_way"),
    (20, "completed"),
    (5, "cancelled"),
)
WORKSTATION_STATUSES = ((75, "active"), (15, "upgrading"), (10, "closed"))
EXPERT_STATUSES = ((85, "appointed"), (15, "ended"))
ENTREPRENEUR_STATUSES = ((50, "signed"), (40, "settled"), (10, "left"))
