"""Where demo customers are: every province with real cities, their administrative division
codes (GB/T 2260, the 6 digits inside a registration id), telephone area codes and, for the
main cities, real districts and streets."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    province: str  # as in guanxi.customers.regions.PROVINCES
    name: str  # 苏州市
    code: str  # 320500
    area: str  # telephone area code without the trunk 0: "512"; "" when not used
    districts: tuple[str, ...]
    pinyin: str  # for e-mail domains and English names

    @property
    def short(self) -> str:
        return self.name[:-1] if self.name.endswith("市") and len(self.name) > 2 else self.name


# (province, city, division code, area code, districts, pinyin); districts "" for smaller
# cities (the city itself is then the address' district).
_CITIES = """
北京市|北京市|110100|10|东城区 西城区 朝阳区 海淀区 丰台区 通州区 昌平区 大兴区|beijing
天津市|天津市|120100|22|和平区 河西区 南开区 滨海新区 西青区 武清区|tianjin
河北省|石家庄市|130100|311|长安区 桥西区 裕华区 新华区|shijiazhuang
河北省|唐山市|130200|315||tangshan
河北省|保定市|130600|312||baoding
山西省|太原市|140100|351|小店区 迎泽区 杏花岭区|taiyuan
内蒙古自治区|呼和浩特市|150100|471|新城区 赛罕区|huhehaote
内蒙古自治区|包头市|150200|472||baotou
辽宁省|沈阳市|210100|24|和平区 沈河区 皇姑区 浑南区|shenyang
辽宁省|大连市|210200|411|中山区 西岗区 沙河口区 甘井子区 金州区|dalian
吉林省|长春市|220100|431|南关区 朝阳区 绿园区|changchun
黑龙江省|哈尔滨市|230100|451|道里区 南岗区 香坊区 松北区|haerbin
上海市|上海市|310100|21|黄浦区 徐汇区 长宁区 静安区 浦东新区 闵行区 嘉定区 松江区|shanghai
江苏省|南京市|320100|25|玄武区 秦淮区 鼓楼区 建邺区 江宁区 浦口区|nanjing
江苏省|无锡市|320200|510|梁溪区 滨湖区 新吴区 锡山区|wuxi
江苏省|常州市|320400|519|天宁区 钟楼区 武进区 新北区|changzhou
江苏省|苏州市|320500|512|姑苏区 虎丘区 吴中区 相城区 吴江区 工业园区|suzhou
江苏省|南通市|320600|513||nantong
江苏省|徐州市|320300|516||xuzhou
浙江省|杭州市|330100|571|上城区 拱墅区 西湖区 滨江区 萧山区 余杭区|hangzhou
浙江省|宁波市|330200|574|海曙区 江北区 鄞州区 北仑区 镇海区|ningbo
浙江省|温州市|330300|577|鹿城区 龙湾区 瓯海区|wenzhou
浙江省|嘉兴市|330400|573||jiaxing
浙江省|绍兴市|330600|575||shaoxing
浙江省|金华市|330700|579||jinhua
浙江省|台州市|331000|576||taizhou
安徽省|合肥市|340100|551|蜀山区 包河区 庐阳区 瑶海区|hefei
安徽省|芜湖市|340200|553||wuhu
福建省|福州市|350100|591|鼓楼区 台江区 仓山区 晋安区|fuzhou
福建省|厦门市|350200|592|思明区 湖里区 集美区 海沧区|xiamen
福建省|泉州市|350500|595||quanzhou
江西省|南昌市|360100|791|东湖区 西湖区 青山湖区 红谷滩区|nanchang
山东省|济南市|370100|531|历下区 市中区 槐荫区 天桥区 历城区|jinan
山东省|青岛市|370200|532|市南区 市北区 黄岛区 崂山区 李沧区 城阳区|qingdao
山东省|烟台市|370600|535||yantai
山东省|潍坊市|370700|536||weifang
河南省|郑州市|410100|371|中原区 二七区 金水区 管城回族区 惠济区|zhengzhou
河南省|洛阳市|410300|379||luoyang
湖北省|武汉市|420100|27|江岸区 江汉区 硚口区 汉阳区 武昌区 洪山区|wuhan
湖北省|宜昌市|420500|717||yichang
湖南省|长沙市|430100|731|芙蓉区 天心区 岳麓区 开福区 雨花区|changsha
广东省|广州市|440100|20|越秀区 海珠区 荔湾区 天河区 白云区 黄埔区 番禺区|guangzhou
广东省|深圳市|440300|755|罗湖区 福田区 南山区 宝安区 龙岗区 龙华区|shenzhen
广东省|珠海市|440400|756|香洲区 斗门区 金湾区|zhuhai
广东省|佛山市|440600|757|禅城区 南海区 顺德区|foshan
广东省|东莞市|441900|769||dongguan
广东省|中山市|442000|760||zhongshan
广东省|惠州市|441300|752||huizhou
广西壮族自治区|南宁市|450100|771|青秀区 兴宁区 江南区|nanning
广西壮族自治区|柳州市|450200|772||liuzhou
海南省|海口市|460100|898|龙华区 美兰区 秀英区|haikou
重庆市|重庆市|500100|23|渝中区 江北区 南岸区 九龙坡区 沙坪坝区 渝北区|chongqing
四川省|成都市|510100|28|锦江区 青羊区 金牛区 武侯区 成华区 高新区|chengdu
四川省|绵阳市|510700|816||mianyang
贵州省|贵阳市|520100|851|南明区 云岩区 观山湖区|guiyang
云南省|昆明市|530100|871|五华区 盘龙区 官渡区 西山区|kunming
西藏自治区|拉萨市|540100|891||lasa
陕西省|西安市|610100|29|新城区 碑林区 莲湖区 雁塔区 未央区|xian
甘肃省|兰州市|620100|931|城关区 七里河区 安宁区|lanzhou
青海省|西宁市|630100|971||xining
宁夏回族自治区|银川市|640100|951||yinchuan
新疆维吾尔自治区|乌鲁木齐市|650100|991|天山区 沙依巴克区 新市区|wulumuqi
台湾省|台北市|710100||中正区 大安区 信义区|taibei
香港特别行政区|香港|810000||中西区 湾仔区 油尖旺区|xianggang
澳门特别行政区|澳门|820000||花地玛堂区 大堂区|aomen
"""

CITIES: tuple[City, ...] = tuple(
    City(province=p, name=c, code=code, area=area, districts=tuple(d.split()), pinyin=py)
    for p, c, code, area, d, py in (line.split("|") for line in _CITIES.strip().splitlines())
)

# Big commercial cities appear more often, as in a real customer base.
WEIGHTS: tuple[int, ...] = tuple(
    8 if c.name in {"上海市", "北京市", "深圳市", "广州市", "苏州市", "杭州市"}
    else 4 if c.districts else 1
    for c in CITIES
)

STREETS = (
    "人民路", "中山路", "解放路", "建设路", "和平路", "新华路", "长江路", "黄河路", "科技路",
    "创新大道", "工业园路", "滨江大道", "世纪大道", "南京路", "延安路", "淮海路", "文化路",
    "青年路", "朝阳路", "学府路", "东风路", "金桥路", "星湖街", "高新大道",
)
BUILDINGS = ("大厦", "科技园", "产业园", "广场", "中心", "工业园")

# International customers: country code, calling code, cities and how their numbers look.
ABROAD = (
    ("US", "1", ("New York, NY", "San Francisco, CA", "Chicago, IL", "Austin, TX")),
    ("DE", "49", ("Berlin", "München", "Hamburg", "Stuttgart")),
    ("JP", "81", ("Tokyo", "Osaka", "Nagoya", "Yokohama")),
    ("SG", "65", ("Singapore",)),
)
