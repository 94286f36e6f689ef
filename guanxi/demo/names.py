"""Names for demo people and companies: Chinese (including surnames read differently from the
character's common reading, and compound surnames) and international."""

from __future__ import annotations

# Common surnames first (picked more often), then polyphonic and compound ones, which search
# must read as surnames (曾 zeng, 单 shan, 解 xie, 仇 qiu, 区 ou, 朴 piao, 查 zha).
COMMON_SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭萧田董袁潘蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
)
SPECIAL_SURNAMES = ("曾", "单", "解", "仇", "区", "朴", "查", "欧阳", "司马", "诸葛", "上官",
                    "东方")
GIVEN_CHARS = tuple(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力鹏宇浩然子轩欣怡梓涵"
    "晨雨思佳嘉俊凯峰晓琳雪梅海燕志国颖琪一诺博文天佑若曦立新春生家豪婷"
)
TITLES = ("总经理", "副总经理", "采购经理", "采购专员", "技术总监", "财务经理", "行政主管",
          "项目经理", "销售总监", "董事长", "总工程师", "供应链经理")
DEPARTMENTS = ("采购部", "技术部", "财务部", "总经办", "行政部", "工程部", "供应链部", "市场部")

# 字号: the distinctive part of a Chinese company name, two characters.
TRADE_FIRST = tuple("恒华鑫宏盛金永天东新中福瑞嘉博德利通远航信泰安兴隆海昌明光源万正大和")
TRADE_SECOND = tuple("达泰兴盛源丰顺发昌利通威诚茂辉宇腾邦捷力科美锦程拓晟康凯越联创")

# Industry phrase → industry code of guanxi.customers.models.Industry, and an English word.
BUSINESSES = (
    ("精密机械", "manufacturing", "Precision Machinery"),
    ("机械制造", "manufacturing", "Machinery"),
    ("模具", "manufacturing", "Moulds"),
    ("五金制品", "manufacturing", "Hardware"),
    ("电子科技", "manufacturing", "Electronics"),
    ("塑胶制品", "manufacturing", "Plastics"),
    ("包装材料", "manufacturing", "Packaging"),
    ("新能源", "energy", "New Energy"),
    ("电力设备", "energy", "Power Equipment"),
    ("光伏科技", "energy", "Solar"),
    ("汽车零部件", "automotive", "Auto Parts"),
    ("汽车销售服务", "automotive", "Auto Sales"),
    ("建筑工程", "construction", "Construction"),
    ("建材", "construction", "Building Materials"),
    ("装饰工程", "construction", "Decoration"),
    ("信息技术", "it", "Information Technology"),
    ("软件", "it", "Software"),
    ("网络科技", "it", "Network Technology"),
    ("数据科技", "it", "Data Technology"),
    ("通信技术", "telecom", "Communication Technology"),
    ("通讯设备", "telecom", "Telecom Equipment"),
    ("融资租赁", "finance", "Financial Leasing"),
    ("投资管理", "finance", "Investment Management"),
    ("商贸", "retail", "Trading"),
    ("百货", "retail", "Department Store"),
    ("电子商务", "retail", "E-commerce"),
    ("物流", "logistics", "Logistics"),
    ("供应链管理", "logistics", "Supply Chain"),
    ("国际货运代理", "logistics", "Freight Forwarding"),
    ("医疗器械", "healthcare", "Medical Devices"),
    ("生物医药", "healthcare", "Biopharma"),
    ("教育科技", "education", "Education Technology"),
    ("农业科技", "agriculture", "Agritech"),
    ("食品", "agriculture", "Foods"),
    ("茶业", "agriculture", "Tea"),
    ("文化传媒", "other", "Media"),
    ("物业管理", "other", "Property Management"),
)
LEGAL_FORMS = ("有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司")

# International companies: founder or brand names by country, and their legal forms.
ABROAD_NAMES = {
    "US": ("Acme", "Northwind", "Contoso", "Fabrikam", "Globex", "Initech", "Summit", "Lakeside",
           "Redwood", "Bluebird", "Ironbridge", "Harbor"),
    "DE": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann", "Krüger",
           "Wagner", "Zimmermann"),
    "JP": ("Tanaka", "Suzuki", "Takahashi", "Watanabe", "Yamamoto", "Nakamura", "Kobayashi",
           "Sato", "Ito", "Kato"),
    "SG": ("Lim", "Tan", "Ng", "Goh", "Wong", "Lee", "Chua", "Koh", "Teo", "Ong"),
}
ABROAD_WORDS = ("Trading", "Industries", "Machinery", "Components", "Logistics", "Electronics",
                "Systems", "Supplies", "Engineering", "Instruments", "Technologies", "Holdings")
ABROAD_FORMS = {"US": ("Inc.", "LLC", "Corp."), "DE": ("GmbH", "AG", "GmbH & Co. KG"),
                "JP": ("Co., Ltd.", "K.K."), "SG": ("Pte. Ltd.",)}
ABROAD_PEOPLE = {
    "US": (("John", "Smith"), ("Mary", "Johnson"), ("Robert", "Brown"), ("Linda", "Davis")),
    "DE": (("Thomas", "Müller"), ("Anna", "Schmidt"), ("Lukas", "Weber"), ("Julia", "Becker")),
    "JP": (("Hiroshi", "Tanaka"), ("Yuki", "Suzuki"), ("Kenji", "Sato"), ("Aiko", "Ito")),
    "SG": (("Wei Ling", "Tan"), ("Jun Jie", "Lim"), ("Mei", "Ng"), ("Kelvin", "Goh")),
}
MAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "outlook.com", "foxmail.com")
