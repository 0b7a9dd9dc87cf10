"""The demo site's page tree in Russian, with English and Chinese next to every string.

Order matters: parents come before their children, and the home page's children appear
in the menu in this order.
"""

from demo.legal import LEGAL_PAGES
from demo.spec import (
    PageSpec,
    booking,
    call_to_action,
    faq,
    gallery,
    hero,
    highlights,
    route,
    support_form,
    text,
)
from demo.text import H2, UL, P, Rich, T, same

# Strings used on many pages: one translation each.
ROUTE = T("Маршрут", "Route", "航线")
QUESTIONS = T("Частые вопросы", "Frequently asked questions", "常见问题")
BOOK = T("Выбрать дату и купить билет", "Choose a date and buy tickets", "选择日期并购票")
BOOK_YACHT = T("Выбрать время и забронировать", "Choose a time and book", "选择时间并预订")
PHOTOS = T("Как это выглядит", "What it looks like", "精彩瞬间")
WHY = T("Почему стоит поехать", "Why go", "推荐理由")

Q_REFUND = (
    T("Можно ли вернуть билет?", "Can I return a ticket?", "可以退票吗？"),
    Rich(
        P(
            "Да, пока до отправления больше 24 часов: войдите в личный кабинет с почтой из "
            "заказа (пароль не нужен, придёт код), откройте заказ и нажмите «Вернуть билеты». "
            "Деньги вернутся на карту, с которой вы платили. Не получается войти — напишите на "
            "hello@prichal.example или позвоните +7 812 555-01-23. Позже билет вернуть нельзя, "
            "обмена и переноса на другой рейс нет.",
            "Yes, while more than 24 hours remain before departure: sign in to your account "
            "with the order's e-mail (no password needed, a code arrives by e-mail), open the "
            'order and press "Return tickets". The money goes back to the card you paid '
            "with. If you cannot sign in, write to hello@prichal.example or call "
            "+7 812 555-01-23. After that a ticket cannot be returned, and there are no "
            "exchanges or transfers to another departure.",
            "可以，距开船超过24小时均可退票：使用订单中的邮箱登录个人账户（无需密码，验证码将发送至邮箱），"
            "打开订单并点击“退票”。款项将退回您付款时使用的银行卡。无法登录时，请发送邮件至"
            "hello@prichal.example或拨打+7 812 555-01-23。此后不再办理退票，也不支持改签或换乘其他航次。",
        )
    ),
)
Q_WEATHER = (
    T("Что будет, если пойдёт дождь?", "What if it rains?", "下雨怎么办？"),
    Rich(
        P(
            "Рейсы идут в любую погоду: в салоне тепло и сухо, пледы и дождевики есть на "
            "борту. Если капитан отменит рейс из-за шторма, мы вернём полную стоимость.",
            "Trips run in any weather: the saloon is warm and dry, and there are blankets and "
            "raincoats on board. If the captain cancels a departure because of a storm, we "
            "refund the full price.",
            "游船风雨无阻：船舱温暖干燥，船上备有毛毯和雨衣。"
            "如果船长因风暴取消航次，我们将全额退款。",
        )
    ),
)
Q_CHILDREN = (
    T("Можно ли с детьми?", "Can I bring children?", "可以带孩子吗？"),
    Rich(
        P(
            "Конечно. Детям до 3 лет билет не нужен, если они сидят на руках у взрослого. "
            "Для детей от 3 до 12 лет есть детский билет.",
            "Of course. Children under 3 travel free on an adult's lap. There is a child "
            "ticket for ages 3 to 12.",
            "当然可以。3岁以下儿童由成人抱着可免票乘船，3至12岁儿童购买儿童票。",
        )
    ),
)
Q_FOOD = (
    T("Есть ли на борту еда и напитки?", "Is there food and drink on board?", "船上有餐饮吗？"),
    Rich(
        P(
            "На борту работает бар: горячий чай и кофе, лимонады, пирожки и сэндвичи. "
            "Оплата картой или по QR-коду.",
            "There is a bar on board: hot tea and coffee, lemonades, pies and sandwiches. "
            "You can pay by card or QR code.",
            "船上设有酒吧，提供热茶、咖啡、柠檬水、馅饼和三明治，可刷卡或扫码支付。",
        )
    ),
)


def product_page(key, model, parent, **kwargs) -> PageSpec:
    return PageSpec(key=key, model=model, parent=parent, slug=same(key), product=key, **kwargs)


HOME = PageSpec(
    key="home",
    model="home",
    slug=T("home", "home-en", "home-zh"),
    title=T("Причал", "Prichal", "码头游船"),
    seo_title=T(
        "Прогулки на теплоходе по Петербургу",
        "Boat trips in St Petersburg",
        "圣彼得堡游船观光",
    ),
    parent=None,
    social_image="home-hero",
    search_description=T(
        "Прогулки на теплоходе по рекам и каналам Петербурга, развод мостов, события на "
        "воде и аренда яхт. Билеты онлайн.",
        "Boat trips on the rivers and canals of St Petersburg, the bridges at night, events "
        "on the water and yachts for hire. Tickets online.",
        "圣彼得堡河流与运河游船、夜游开桥、水上活动和游艇租赁。在线购票。",
    ),
    body=[
        hero(
            T("Петербург с воды", "St Petersburg from the water", "从水上看圣彼得堡"),
            T(
                "Прогулки по рекам и каналам, развод мостов, джаз на закате и яхты на весь "
                "вечер. Отправления каждый день от трёх причалов в центре города.",
                "Trips on the rivers and canals, the bridges opening at night, jazz at sunset "
                "and yachts for a whole evening. Departures every day from three piers in the "
                "city centre.",
                "河流与运河游船、夜看开桥、日落爵士乐，还有整晚包租的游艇。"
                "每天从市中心的三个码头出发。",
            ),
            "home-hero",
            T("Выбрать прогулку", "Choose a trip", "选择游船"),
            "excursions",
        ),
        highlights(
            T("Почему «Причал»", "Why Prichal", "为什么选择我们"),
            (
                "anchor",
                T("Свой флот", "Our own fleet", "自有船队"),
                T(
                    "Семь судов от 8 до 100 мест: от уютной яхты до большого теплохода.",
                    "Seven vessels from 8 to 100 seats: from a cosy yacht to a large motor ship.",
                    "七艘船，8至100个座位不等：从温馨的游艇到大型游船。",
                ),
            ),
            (
                "clock",
                T("Каждый день", "Every day", "每天出发"),
                T(
                    "Рейсы с 10 утра до глубокой ночи, без выходных.",
                    "Departures from 10 in the morning until late at night, seven days a week.",
                    "从早上10点到深夜，全年无休。",
                ),
            ),
            (
                "bridge",
                T("Лучшие маршруты", "The best routes", "精选航线"),
                T(
                    "Нева, Мойка, Фонтанка, Крюков канал и Финский залив.",
                    "The Neva, the Moika, the Fontanka, the Kryukov Canal and the Gulf of Finland.",
                    "涅瓦河、莫伊卡河、丰坦卡河、克留科夫运河和芬兰湾。",
                ),
            ),
            (
                "ticket",
                T("Честный возврат", "Fair refunds", "退票透明"),
                T(
                    "Вернём деньги за билет до 24 часов до отправления.",
                    "We refund a ticket up to 24 hours before departure.",
                    "开船前24小时以前均可退票。",
                ),
            ),
        ),
        call_to_action(
            T("Яхта на вечер", "A yacht for the evening", "包一艘游艇共度夜晚"),
            T(
                "Свидание, день рождения или встреча с друзьями: парусная или моторная яхта "
                "с капитаном, маршрут выбираете вы.",
                "A date, a birthday or friends getting together: a sailing or motor yacht "
                "with a skipper, and you choose the route.",
                "约会、生日或朋友聚会：配船长的帆船或摩托艇，航线由您决定。",
            ),
            T("Выбрать яхту", "Choose a yacht", "选择游艇"),
            page="yachts",
        ),
        text(
            Rich(
                H2("О нас", "About us", "关于我们"),
                P(
                    "«Причал» возит гостей Петербурга по воде с 2012 года. Наши капитаны "
                    "знают каждый мост, а гиды рассказывают о городе так, что хочется "
                    "вернуться.",
                    "Prichal has been taking visitors around St Petersburg by water since "
                    "2012. Our captains know every bridge, and our guides talk about the city "
                    "in a way that makes you want to come back.",
                    "码头游船自2012年起带领游客从水上游览圣彼得堡。"
                    "我们的船长熟悉每一座桥，导游的讲解会让您想再来一次。",
                ),
                P(
                    "Билеты продаются онлайн, электронный билет с QR-кодом приходит на почту "
                    "сразу после оплаты. Распечатывать ничего не нужно.",
                    "Tickets are sold online; an e-ticket with a QR code arrives by e-mail "
                    "right after payment. There is nothing to print.",
                    "在线购票，付款后带二维码的电子票会立即发送到您的邮箱，无需打印。",
                ),
            )
        ),
    ],
)

LISTINGS = [
    PageSpec(
        key="excursions",
        model="listing",
        slug=same("excursions"),
        title=T("Экскурсии и события", "Excursions and events", "游船与活动"),
        parent="home",
        show_in_menus=True,
        intro=Rich(
            P(
                "Классические маршруты по рекам и каналам, ночной развод мостов, поездка в "
                "Кронштадт и события на воде: джаз, праздники и программы для детей.",
                "Classic routes on the rivers and canals, the bridges opening at night, a trip "
                "to Kronstadt and events on the water: jazz, holidays and programmes for "
                "children.",
                "经典河流与运河航线、夜看开桥、喀琅施塔得之旅，以及水上活动："
                "爵士乐、节日派对和儿童项目。",
            )
        ),
    ),
    PageSpec(
        key="yachts",
        model="listing",
        slug=same("yachts"),
        title=T("Аренда яхт", "Yacht hire", "游艇租赁"),
        parent="home",
        show_in_menus=True,
        intro=Rich(
            P(
                "Парусная и моторная яхты с капитаном для компании до 12 человек. "
                "Маршрут, музыку и угощения выбираете вы.",
                "A sailing yacht and a motor yacht with a skipper, for parties of up to 12. "
                "You choose the route, the music and the food.",
                "配船长的帆船和摩托艇，最多可容纳12人。航线、音乐和餐饮由您决定。",
            )
        ),
    ),
]

PRODUCT_PAGES = [
    product_page(
        "rivers-and-canals",
        "excursion",
        "excursions",
        title=T(
            "Реки и каналы Петербурга",
            "Rivers and Canals of St Petersburg",
            "圣彼得堡河流与运河游船",
        ),
        intro=T(
            "Главная прогулка по городу: Нева, Мойка, Крюков и Зимняя канавка за полтора "
            "часа, с живым гидом и видом на дворцы, которые строили, чтобы на них смотрели "
            "с воды.",
            "The essential city trip: the Neva, the Moika, the Kryukov Canal and the Winter "
            "Canal in an hour and a half, with a live guide and views of palaces that were "
            "built to be seen from the water.",
            "最经典的城市游船：一个半小时游遍涅瓦河、莫伊卡河、克留科夫运河和冬宫运河，"
            "配现场导游，欣赏专为从水上观赏而建的宫殿。",
        ),
        image="rivers-main",
        body=[
            booking("rivers-and-canals", BOOK),
            text(
                Rich(
                    H2("О прогулке", "About the trip", "行程介绍"),
                    P(
                        "Петербург задумывали как город на воде, и лучше всего он виден с "
                        "палубы. За 90 минут теплоход проходит по Неве мимо Зимнего дворца "
                        "и Петропавловской крепости, а потом ныряет в узкие каналы, под "
                        "низкие мосты, к тихим дворикам Новой Голландии.",
                        "St Petersburg was conceived as a city on the water, and it is best "
                        "seen from a deck. In 90 minutes the boat sails down the Neva past the "
                        "Winter Palace and the Peter and Paul Fortress, then slips into the "
                        "narrow canals, under low bridges, to the quiet courtyards of New "
                        "Holland.",
                        "圣彼得堡本就是一座水上之城，从甲板上看最美。90分钟内，游船沿涅瓦河"
                        "驶过冬宫和彼得保罗要塞，随后驶入狭窄的运河，穿过低矮的桥洞，"
                        "来到新荷兰岛安静的庭院。",
                    ),
                    P(
                        "Гид рассказывает о городе по-русски; для гостей из других стран "
                        "есть аудиогид на английском и китайском языках.",
                        "The guide speaks Russian; visitors from abroad can use our audio "
                        "guide in English and Chinese.",
                        "导游使用俄语讲解；外国游客可使用英语和中文语音导览。",
                    ),
                    UL(
                        T(
                            "Открытая верхняя палуба и тёплый салон",
                            "An open upper deck and a warm saloon",
                            "开放式上层甲板和温暖的船舱",
                        ),
                        T(
                            "Пледы и горячий чай на борту",
                            "Blankets and hot tea on board",
                            "船上提供毛毯和热茶",
                        ),
                        T(
                            "Отправления каждые два часа с 11:00 до 19:00",
                            "Departures every two hours from 11:00 to 19:00",
                            "11:00至19:00每两小时一班",
                        ),
                    ),
                )
            ),
            highlights(
                WHY,
                (
                    "clock",
                    T("90 минут", "90 minutes", "90分钟"),
                    T(
                        "Нева и пять каналов за одну прогулку",
                        "The Neva and five canals in one trip",
                        "一次游遍涅瓦河和五条运河",
                    ),
                ),
                (
                    "bridge",
                    T("30 мостов", "30 bridges", "30座桥"),
                    T(
                        "Включая самый широкий, Синий мост",
                        "Including the widest of them, the Blue Bridge",
                        "包括最宽的蓝桥",
                    ),
                ),
                (
                    "star",
                    T("Живой гид", "A live guide", "现场导游"),
                    T(
                        "Истории, которых нет в путеводителях",
                        "Stories you will not find in guidebooks",
                        "旅游指南里找不到的故事",
                    ),
                ),
            ),
            gallery(
                PHOTOS,
                (
                    "rivers-fortress",
                    T(
                        "Петропавловская крепость в золотой час",
                        "The Peter and Paul Fortress at golden hour",
                        "金色时刻的彼得保罗要塞",
                    ),
                ),
                (
                    "rivers-canal",
                    T(
                        "В каналах исторического центра",
                        "In the canals of the historic centre",
                        "穿行于历史中心的运河",
                    ),
                ),
            ),
            route(
                ROUTE,
                "dvortsovaya",
                T(
                    "Зимний дворец и Эрмитаж",
                    "The Winter Palace and the Hermitage",
                    "冬宫与艾尔米塔什博物馆",
                ),
                T("Петропавловская крепость", "The Peter and Paul Fortress", "彼得保罗要塞"),
                T(
                    "Стрелка Васильевского острова",
                    "The Spit of Vasilyevsky Island",
                    "瓦西里岛岬角",
                ),
                T(
                    "Река Мойка и Синий мост",
                    "The Moika River and the Blue Bridge",
                    "莫伊卡河与蓝桥",
                ),
                T("Новая Голландия", "New Holland", "新荷兰岛"),
                T("Зимняя канавка", "The Winter Canal", "冬宫运河"),
            ),
            faq(QUESTIONS, Q_CHILDREN, Q_WEATHER, Q_REFUND),
        ],
    ),
    product_page(
        "night-bridges",
        "excursion",
        "excursions",
        title=T("Развод мостов", "Night Bridges Opening", "涅瓦河开桥夜游"),
        intro=T(
            "Ночная прогулка по Неве к разводу Дворцового и Троицкого мостов: огни набережных, "
            "музыка на палубе и самый петербургский вид на свете.",
            "A night trip on the Neva to see the Palace and Trinity bridges open: the lights of "
            "the embankments, music on deck and the most St Petersburg view there is.",
            "夜游涅瓦河，观看宫殿桥和圣三一桥开启：沿岸灯火、甲板音乐，"
            "以及最具圣彼得堡特色的风景。",
        ),
        image="bridges-main",
        body=[
            booking("night-bridges", BOOK),
            text(
                Rich(
                    H2(
                        "Ночь, когда город расходится",
                        "The night the city opens up",
                        "城市分开的夜晚",
                    ),
                    P(
                        "Каждую ночь в навигацию мосты через Неву поднимаются, чтобы "
                        "пропустить корабли в Ладогу. Мы выходим от Эрмитажа в 00:45 и "
                        "встаём напротив Дворцового моста ровно к моменту, когда его "
                        "пролёты начинают подниматься под музыку.",
                        "Every night during the navigation season the bridges over the Neva "
                        "rise to let ships through to Lake Ladoga. We leave the Hermitage at "
                        "00:45 and hold position opposite the Palace Bridge just as its spans "
                        "begin to rise to music.",
                        "通航季的每个夜晚，涅瓦河上的桥都会升起，让船只驶向拉多加湖。"
                        "我们于00:45从艾尔米塔什出发，恰好在宫殿桥伴着音乐升起时停在桥对面。",
                    ),
                    P(
                        "Потом прогулка продолжается к Троицкому и Литейному мостам. "
                        "Возвращаемся к трём часам ночи, когда уже ходят ночные автобусы и "
                        "работают такси.",
                        "The trip then continues to the Trinity and Liteyny bridges. We are "
                        "back by three in the morning, when night buses and taxis are running.",
                        "随后游船继续驶向圣三一桥和铸造桥。凌晨三点左右返回，届时有夜班公交和出租车。",
                    ),
                )
            ),
            highlights(
                WHY,
                (
                    "bridge",
                    T("Три моста", "Three bridges", "三座桥"),
                    T(
                        "Дворцовый, Троицкий и Литейный",
                        "The Palace, Trinity and Liteyny bridges",
                        "宫殿桥、圣三一桥和铸造桥",
                    ),
                ),
                (
                    "star",
                    T("Музыка на палубе", "Music on deck", "甲板音乐"),
                    T(
                        "Саундтрек к разводу, как в городской традиции",
                        "A soundtrack to the bridges, as the city tradition goes",
                        "按照城市传统，为开桥配乐",
                    ),
                ),
                (
                    "clock",
                    T("2 часа 15 минут", "2 hours 15 minutes", "2小时15分钟"),
                    T(
                        "С 00:45 до трёх часов ночи",
                        "From 00:45 until three in the morning",
                        "从00:45到凌晨三点",
                    ),
                ),
            ),
            gallery(
                PHOTOS,
                (
                    "bridges-dusk",
                    T(
                        "Мост в белую ночь",
                        "A bridge on a white night",
                        "白夜中的桥",
                    ),
                ),
                (
                    "bridges-moon",
                    T("Ночная Нева", "The Neva at night", "夜色中的涅瓦河"),
                ),
            ),
            route(
                ROUTE,
                "dvortsovaya",
                T("Дворцовый мост", "The Palace Bridge", "宫殿桥"),
                T(
                    "Стрелка Васильевского острова",
                    "The Spit of Vasilyevsky Island",
                    "瓦西里岛岬角",
                ),
                T("Петропавловская крепость", "The Peter and Paul Fortress", "彼得保罗要塞"),
                T("Троицкий мост", "The Trinity Bridge", "圣三一桥"),
                T("Крейсер «Аврора»", "The cruiser Aurora", "“阿芙乐尔”号巡洋舰"),
                T("Литейный мост", "The Liteyny Bridge", "铸造桥"),
            ),
            faq(
                QUESTIONS,
                (
                    T("Будет ли холодно?", "Will it be cold?", "会冷吗？"),
                    Rich(
                        P(
                            "Ночью на воде прохладно даже летом. Возьмите тёплую кофту; "
                            "пледы и горячий чай есть на борту.",
                            "It is cool on the water at night even in summer. Bring a warm "
                            "jumper; there are blankets and hot tea on board.",
                            "即使在夏天，夜晚水上也较凉。请带一件保暖外套；船上备有毛毯和热茶。",
                        )
                    ),
                ),
                (
                    T(
                        "Как добраться домой после прогулки?",
                        "How do I get home afterwards?",
                        "游船结束后如何回家？",
                    ),
                    Rich(
                        P(
                            "Метро ночью закрыто, но от Дворцовой набережной ходят ночные "
                            "автобусы, а такси приезжает за 5–10 минут.",
                            "The metro is closed at night, but night buses leave from "
                            "Dvortsovaya Embankment, and a taxi arrives in 5 to 10 minutes.",
                            "地铁夜间停运，但宫殿沿岸街有夜班公交，出租车5至10分钟即可到达。",
                        )
                    ),
                ),
                Q_REFUND,
            ),
        ],
    ),
    product_page(
        "kronstadt",
        "excursion",
        "excursions",
        title=T(
            "Кронштадт: морская крепость", "Kronstadt: the Sea Fortress", "喀琅施塔得：海上要塞"
        ),
        intro=T(
            "Морем по Финскому заливу в город-крепость: форты, Морской собор и Якорная "
            "площадь. Шесть часов, из них три на острове с гидом.",
            "Across the Gulf of Finland to the fortress town: the forts, the Naval Cathedral "
            "and Anchor Square. Six hours, three of them ashore with a guide.",
            "乘船穿越芬兰湾前往要塞之城：炮台、海军大教堂和锚广场。全程六小时，其中三小时随导游上岛游览。",
        ),
        image="kronstadt-main",
        body=[
            booking("kronstadt", BOOK),
            text(
                Rich(
                    H2(
                        "Город, который охранял Петербург",
                        "The town that guarded St Petersburg",
                        "守护圣彼得堡的城市",
                    ),
                    P(
                        "Кронштадт основал Пётр I на острове Котлин, чтобы закрыть путь к "
                        "новой столице с моря. Скоростной катер доходит туда за час, мимо "
                        "фортов, которые и сейчас стоят посреди залива.",
                        "Peter the Great founded Kronstadt on Kotlin Island to close the sea "
                        "route to his new capital. Our fast boat gets there in an hour, past "
                        "forts that still stand in the middle of the gulf.",
                        "彼得大帝在科特林岛上建立喀琅施塔得，以封锁通往新首都的海路。"
                        "我们的快艇一小时即可抵达，途经至今仍矗立在海湾中的炮台。",
                    ),
                    P(
                        "На острове гид проведёт вас по Якорной площади, к Морскому собору "
                        "и Петровскому парку. Обратно отправляемся в 15:00.",
                        "Ashore, the guide takes you across Anchor Square to the Naval "
                        "Cathedral and Peter's Park. We head back at 15:00.",
                        "上岛后，导游将带您游览锚广场、海军大教堂和彼得公园。15:00返航。",
                    ),
                )
            ),
            highlights(
                WHY,
                (
                    "anchor",
                    T("Форты залива", "The forts of the gulf", "海湾炮台"),
                    T(
                        "Увидите их вблизи, как моряки XIX века",
                        "See them close up, as 19th-century sailors did",
                        "像19世纪的水手一样近距离观赏",
                    ),
                ),
                (
                    "star",
                    T("Морской собор", "The Naval Cathedral", "海军大教堂"),
                    T(
                        "Главный храм российского флота",
                        "The principal church of the Russian Navy",
                        "俄罗斯海军的主教堂",
                    ),
                ),
                (
                    "clock",
                    T("Три дня в неделю", "Three days a week", "每周三天"),
                    T(
                        "По средам, субботам и воскресеньям",
                        "On Wednesdays, Saturdays and Sundays",
                        "每周三、周六和周日",
                    ),
                ),
            ),
            gallery(
                PHOTOS,
                ("kronstadt-gulf", T("Финский залив", "The Gulf of Finland", "芬兰湾")),
                (
                    "kronstadt-dusk",
                    T("Кронштадт вечером", "Kronstadt in the evening", "傍晚的喀琅施塔得"),
                ),
            ),
            route(
                ROUTE,
                "krestovsky",
                T(
                    "Малая Невка и Елагин остров",
                    "The Malaya Nevka and Yelagin Island",
                    "小涅瓦河与叶拉金岛",
                ),
                T("Финский залив", "The Gulf of Finland", "芬兰湾"),
                T("Форт «Александр I»", "Fort Alexander I", "亚历山大一世炮台"),
                T("Якорная площадь", "Anchor Square", "锚广场"),
                T(
                    "Кронштадтский Морской собор",
                    "Kronstadt Naval Cathedral",
                    "喀琅施塔得海军大教堂",
                ),
            ),
            faq(
                QUESTIONS,
                (
                    T("Нужен ли паспорт?", "Do I need a passport?", "需要带护照吗？"),
                    Rich(
                        P(
                            "Нет, Кронштадт — открытый город. Документы нужны только для "
                            "льготного билета.",
                            "No, Kronstadt is an open town. You only need a document for a "
                            "concession ticket.",
                            "不需要，喀琅施塔得是开放城市。只有购买优惠票时需要出示证件。",
                        )
                    ),
                ),
                (
                    T("Входит ли обед?", "Is lunch included?", "包含午餐吗？"),
                    Rich(
                        P(
                            "Нет, но гид подскажет кафе у Якорной площади, и на обед будет "
                            "свободный час.",
                            "No, but the guide will recommend cafés near Anchor Square, and "
                            "there is a free hour for lunch.",
                            "不包含，但导游会推荐锚广场附近的咖啡馆，并留有一小时自由午餐时间。",
                        )
                    ),
                ),
                Q_WEATHER,
            ),
        ],
    ),
    product_page(
        "fontanka-history",
        "excursion",
        "excursions",
        title=T(
            "Фонтанка: история в фасадах",
            "The Fontanka: History in Facades",
            "丰坦卡河：立面里的历史",
        ),
        intro=T(
            "Камерная прогулка на низком катере по Фонтанке и Мойке: дворцы Шереметевых и "
            "Юсуповых, Аничков мост и истории жильцов знаменитых домов.",
            "An intimate trip on a low canal boat along the Fontanka and the Moika: the "
            "Sheremetev and Yusupov palaces, the Anichkov Bridge and the stories of the people "
            "who lived in famous houses.",
            "乘低矮的运河游艇游览丰坦卡河与莫伊卡河：舍列梅捷夫宫、尤苏波夫宫、"
            "阿尼奇科夫桥，以及名宅住户的故事。",
        ),
        image="fontanka-main",
        body=[
            booking("fontanka-history", BOOK),
            text(
                Rich(
                    H2(
                        "Река, где жили великие",
                        "The river where the great lived",
                        "名人居住的河畔",
                    ),
                    P(
                        "Фонтанка когда-то была границей города, а потом стала его самой "
                        "аристократической набережной. Наш катер «Фонтанка» специально "
                        "построен низким, чтобы проходить под всеми её мостами.",
                        "The Fontanka was once the city's boundary and later became its most "
                        "aristocratic embankment. Our boat, the Fontanka, was built low on "
                        "purpose, to pass under all of its bridges.",
                        "丰坦卡河曾是城市的边界，后来成为最具贵族气息的河岸。"
                        "我们的“丰坦卡”号特意造得很低，以便穿过河上所有的桥。",
                    ),
                    P(
                        "В небольшой группе до 40 человек гид успевает ответить на все "
                        "вопросы и показать, где жили Державин, Ахматова и Ломоносов.",
                        "In a small group of up to 40 people the guide has time for all your "
                        "questions and shows where Derzhavin, Akhmatova and Lomonosov lived.",
                        "每团最多40人，导游有时间回答所有问题，并带您看杰尔查文、阿赫玛托娃和罗蒙诺索夫的故居。",
                    ),
                )
            ),
            highlights(
                WHY,
                (
                    "family",
                    T("Небольшая группа", "A small group", "小团出游"),
                    T("До 40 гостей на борту", "Up to 40 guests on board", "船上最多40位游客"),
                ),
                (
                    "bridge",
                    T("Аничков мост", "The Anichkov Bridge", "阿尼奇科夫桥"),
                    T(
                        "Конные скульптуры Клодта с воды",
                        "Klodt's horse sculptures seen from the water",
                        "从水上欣赏克洛特的驯马雕塑",
                    ),
                ),
                (
                    "clock",
                    T("75 минут", "75 minutes", "75分钟"),
                    T(
                        "Четыре рейса в день, с 12:00 до 18:00",
                        "Four departures a day, from 12:00 to 18:00",
                        "每天四班，12:00至18:00",
                    ),
                ),
            ),
            gallery(
                PHOTOS,
                ("fontanka-day", T("Фонтанка днём", "The Fontanka by day", "白天的丰坦卡河")),
                (
                    "fontanka-evening",
                    T("Фонтанка на закате", "The Fontanka at sunset", "日落时的丰坦卡河"),
                ),
            ),
            route(
                ROUTE,
                "anichkov",
                T("Аничков мост", "The Anichkov Bridge", "阿尼奇科夫桥"),
                T("Шереметевский дворец", "The Sheremetev Palace", "舍列梅捷夫宫"),
                T("Летний сад", "The Summer Garden", "夏园"),
                T("Михайловский замок", "St Michael's Castle", "米哈伊洛夫城堡"),
                T(
                    "Юсуповский дворец на Мойке",
                    "The Yusupov Palace on the Moika",
                    "莫伊卡河畔的尤苏波夫宫",
                ),
            ),
            faq(QUESTIONS, Q_CHILDREN, Q_FOOD, Q_REFUND),
        ],
    ),
    product_page(
        "jazz-on-the-neva",
        "event",
        "excursions",
        title=T("Джаз на Неве", "Jazz on the Neva", "涅瓦河爵士之夜"),
        intro=T(
            "Живой джаз-бэнд, закат над Невой и бокал игристого: два с половиной часа "
            "музыки на палубе по пятницам и субботам.",
            "A live jazz band, the sunset over the Neva and a glass of sparkling wine: two and "
            "a half hours of music on deck on Fridays and Saturdays.",
            "现场爵士乐队、涅瓦河落日和一杯起泡酒：每周五和周六，甲板上两个半小时的音乐之夜。",
        ),
        image="jazz-main",
        body=[
            booking("jazz-on-the-neva", BOOK),
            text(
                Rich(
                    H2("Вечер под свинг", "An evening of swing", "摇摆乐之夜"),
                    P(
                        "На борту теплохода «Нева» играет квартет петербургских джазменов: "
                        "стандарты Гершвина и Эллингтона, босса-нова и немного советского "
                        "джаза. Теплоход медленно идёт по Неве, пока солнце садится за "
                        "Васильевский остров.",
                        "A quartet of St Petersburg jazz musicians plays on board the Neva: "
                        "Gershwin and Ellington standards, bossa nova and a little Soviet jazz. "
                        "The boat cruises slowly along the Neva as the sun sets behind "
                        "Vasilyevsky Island.",
                        "“涅瓦”号上由圣彼得堡爵士四重奏现场演奏：格什温和艾灵顿的经典曲目、"
                        "波萨诺瓦和一点苏联爵士乐。游船沿涅瓦河缓缓行驶，夕阳在瓦西里岛后落下。",
                    ),
                    P(
                        "Мероприятие для гостей старше 18 лет. Билет с ужином включает "
                        "сет из трёх блюд от нашего шефа.",
                        "The event is for guests over 18. The ticket with dinner includes a "
                        "three-course menu from our chef.",
                        "本活动仅限18岁以上宾客参加。含晚餐门票包括主厨准备的三道菜套餐。",
                    ),
                )
            ),
            highlights(
                WHY,
                (
                    "star",
                    T("Живой звук", "Live music", "现场演奏"),
                    T("Квартет и вокалистка", "A quartet and a singer", "四重奏与女歌手"),
                ),
                (
                    "clock",
                    T("Пятница и суббота", "Fridays and Saturdays", "每周五和周六"),
                    T(
                        "Отправление в 20:00, возвращение в 22:30",
                        "Departure at 20:00, back at 22:30",
                        "20:00出发，22:30返回",
                    ),
                ),
                (
                    "ticket",
                    T("Ужин на борту", "Dinner on board", "船上晚餐"),
                    T(
                        "Три блюда от шефа в билете с ужином",
                        "Three courses from the chef with the dinner ticket",
                        "含晚餐门票提供主厨三道菜",
                    ),
                ),
            ),
            gallery(
                PHOTOS,
                ("jazz-night", T("Огни у крепости", "Lights by the fortress", "要塞旁的灯火")),
                ("jazz-dusk", T("Белая ночь и музыка", "A white night and music", "白夜与音乐")),
            ),
            route(
                ROUTE,
                "dvortsovaya",
                T("Эрмитаж", "The Hermitage", "艾尔米塔什博物馆"),
                T(
                    "Стрелка Васильевского острова",
                    "The Spit of Vasilyevsky Island",
                    "瓦西里岛岬角",
                ),
                T("Смольный собор", "Smolny Cathedral", "斯莫尔尼大教堂"),
                T("Петропавловская крепость", "The Peter and Paul Fortress", "彼得保罗要塞"),
            ),
            faq(
                QUESTIONS,
                (
                    T("Есть ли дресс-код?", "Is there a dress code?", "有着装要求吗？"),
                    Rich(
                        P(
                            "Строгого нет, но гости любят наряжаться. Возьмите что-нибудь "
                            "тёплое: вечером на воде прохладно.",
                            "Not a strict one, but guests like to dress up. Bring something "
                            "warm: evenings on the water are cool.",
                            "没有严格要求，但宾客们喜欢盛装出席。请带件保暖衣物：水上的夜晚较凉。",
                        )
                    ),
                ),
                Q_FOOD,
                Q_REFUND,
            ),
        ],
    ),
    product_page(
        "pirate-quest",
        "event",
        "excursions",
        title=T("Пиратский квест для детей", "Pirate Quest for Kids", "儿童海盗寻宝记"),
        intro=T(
            "Полтора часа приключений на воде для детей от 5 до 12 лет: карта сокровищ, "
            "морские узлы, капитан Крюк и настоящий сундук с кладом.",
            "An hour and a half of adventure on the water for children aged 5 to 12: a "
            "treasure map, sailors' knots, Captain Hook and a real treasure chest.",
            "专为5至12岁儿童设计的一个半小时水上冒险：藏宝图、水手绳结、虎克船长和真正的宝箱。",
        ),
        image="pirates-main",
        body=[
            booking("pirate-quest", BOOK),
            text(
                Rich(
                    H2(
                        "Все на борт, юнги!",
                        "All aboard, ship's boys and girls!",
                        "小水手们，全体登船！",
                    ),
                    P(
                        "Аниматоры в костюмах пиратов встречают команду на причале, "
                        "выдают треуголки и карту. По пути вокруг Крестовского острова "
                        "дети разгадывают загадки, учатся вязать узлы и ищут сокровище.",
                        "Entertainers dressed as pirates meet the crew on the pier and hand "
                        "out tricorn hats and a map. On the way round Krestovsky Island the "
                        "children solve riddles, learn to tie knots and hunt for the treasure.",
                        "扮成海盗的主持人在码头迎接小船员，分发三角帽和地图。"
                        "环绕克列斯托夫斯基岛航行途中，孩子们解谜题、学打绳结、寻找宝藏。",
                    ),
                    P(
                        "Родители могут плыть вместе с детьми или подождать в кафе на причале.",
                        "Parents can sail with their children or wait in the café on the pier.",
                        "家长可以陪同孩子一起乘船，也可以在码头咖啡馆等候。",
                    ),
                )
            ),
            highlights(
                WHY,
                (
                    "family",
                    T("От 5 до 12 лет", "Ages 5 to 12", "5至12岁"),
                    T(
                        "Программа для детей, а не для взрослых",
                        "A programme made for children, not adults",
                        "为孩子而不是成人设计的活动",
                    ),
                ),
                (
                    "anchor",
                    T("Морская наука", "Sea skills", "航海知识"),
                    T(
                        "Узлы, флаги и настоящий штурвал",
                        "Knots, flags and a real ship's wheel",
                        "绳结、旗语和真正的舵轮",
                    ),
                ),
                (
                    "star",
                    T("Клад для каждого", "Treasure for everyone", "人人有宝藏"),
                    T(
                        "Каждый юнга уходит с сувениром",
                        "Every young sailor leaves with a souvenir",
                        "每位小水手都能带走纪念品",
                    ),
                ),
            ),
            gallery(
                PHOTOS,
                ("pirates-golden", T("Под пиратским флагом", "Under the pirate flag", "海盗旗下")),
                ("pirates-sunset", T("Курс на закат", "Heading for the sunset", "驶向落日")),
            ),
            route(
                ROUTE,
                "krestovsky",
                T("Крестовский остров", "Krestovsky Island", "克列斯托夫斯基岛"),
                T("Елагин остров", "Yelagin Island", "叶拉金岛"),
                T("Гребной канал", "The Rowing Canal", "赛艇运河"),
                T("Остров сокровищ", "Treasure Island", "宝藏岛"),
            ),
            faq(
                QUESTIONS,
                (
                    T(
                        "Нужен ли билет взрослому?",
                        "Does an adult need a ticket?",
                        "成人需要买票吗？",
                    ),
                    Rich(
                        P(
                            "Если взрослый плывёт вместе с ребёнком, нужен билет "
                            "сопровождающего. Дети до 7 лет плывут только со взрослым.",
                            "If an adult sails with the child, they need an accompanying adult "
                            "ticket. Children under 7 must sail with an adult.",
                            "成人陪同乘船需购买陪同成人票。7岁以下儿童必须由成人陪同。",
                        )
                    ),
                ),
                (
                    T("Есть ли спасательные жилеты?", "Are there life jackets?", "有救生衣吗？"),
                    Rich(
                        P(
                            "Да, детские жилеты всех размеров. На палубе дети всегда в "
                            "жилетах и под присмотром аниматоров.",
                            "Yes, children's life jackets in every size. On deck children "
                            "always wear them and are looked after by the entertainers.",
                            "有，备有各种尺码的儿童救生衣。在甲板上孩子们始终穿着救生衣，并由主持人照看。",
                        )
                    ),
                ),
                Q_REFUND,
            ),
        ],
    ),
    product_page(
        "new-year-cruise",
        "event",
        "excursions",
        title=T("Новогодний круиз", "New Year Cruise", "新年游船派对"),
        intro=T(
            "Праздничные вечера на Неве с 27 декабря по 6 января и главная ночь года на "
            "борту: ужин, Дед Мороз и салют над Петропавловской крепостью.",
            "Festive evenings on the Neva from 27 December to 6 January, and the biggest night "
            "of the year on board: dinner, Father Frost and fireworks over the Peter and Paul "
            "Fortress.",
            "12月27日至1月6日的涅瓦河节日之夜，以及船上的跨年夜：晚餐、严寒老人和彼得保罗要塞上空的烟花。",
        ),
        image="newyear-main",
        body=[
            booking("new-year-cruise", BOOK),
            text(
                Rich(
                    H2("Новый год на воде", "New Year on the water", "在水上迎接新年"),
                    P(
                        "Теплоход «Нева» украшен гирляндами, в салоне тепло и накрыты "
                        "столы. В новогоднюю ночь отправляемся в 22:30 и встречаем полночь "
                        "напротив Петропавловской крепости, откуда запускают салют.",
                        "The Neva is decked with garlands, the saloon is warm and the tables "
                        "are laid. On New Year's Eve we leave at 22:30 and see in midnight "
                        "opposite the Peter and Paul Fortress, where the fireworks are "
                        "launched.",
                        "“涅瓦”号挂满彩灯，船舱温暖，餐桌已经摆好。除夕夜22:30出发，"
                        "在燃放烟花的彼得保罗要塞对面迎接午夜钟声。",
                    ),
                    P(
                        "В остальные праздничные дни прогулки короче и подходят для "
                        "семей: горячий глинтвейн для взрослых, какао и подарки для детей.",
                        "On the other holiday evenings the trips are shorter and suit "
                        "families: hot mulled wine for adults, cocoa and presents for children.",
                        "其他节日夜晚的行程较短，适合家庭出游：成人有热红酒，孩子有可可和礼物。",
                    ),
                )
            ),
            highlights(
                WHY,
                (
                    "star",
                    T("Салют с воды", "Fireworks from the water", "水上看烟花"),
                    T(
                        "Лучшее место, чтобы встретить полночь",
                        "The best place to see in midnight",
                        "迎接午夜的最佳位置",
                    ),
                ),
                (
                    "family",
                    T("Для всей семьи", "For the whole family", "适合全家"),
                    T(
                        "Дед Мороз и подарки для детей",
                        "Father Frost and presents for children",
                        "严寒老人和儿童礼物",
                    ),
                ),
                (
                    "ticket",
                    T("Ужин включён", "Dinner included", "含晚餐"),
                    T(
                        "Праздничное меню и напитки",
                        "A festive menu and drinks",
                        "节日菜单和饮品",
                    ),
                ),
            ),
            gallery(
                PHOTOS,
                ("newyear-snow", T("Снег над Невой", "Snow over the Neva", "涅瓦河上的雪")),
                (
                    "newyear-arches",
                    T("Салют над мостом", "Fireworks over the bridge", "桥上空的烟花"),
                ),
            ),
            route(
                ROUTE,
                "dvortsovaya",
                T("Дворцовая набережная", "Dvortsovaya Embankment", "宫殿沿岸街"),
                T("Петропавловская крепость", "The Peter and Paul Fortress", "彼得保罗要塞"),
                T(
                    "Стрелка Васильевского острова",
                    "The Spit of Vasilyevsky Island",
                    "瓦西里岛岬角",
                ),
            ),
            faq(
                QUESTIONS,
                (
                    T(
                        "Пойдёт ли теплоход, если Нева замёрзнет?",
                        "Will the boat sail if the Neva freezes?",
                        "如果涅瓦河结冰，游船还会开吗？",
                    ),
                    Rich(
                        P(
                            "«Нева» имеет ледовый класс и ходит по битому льду. Если лёд "
                            "станет слишком толстым, мы вернём полную стоимость билетов.",
                            "The Neva is ice-classed and sails through broken ice. If the ice "
                            "gets too thick, we refund the tickets in full.",
                            "“涅瓦”号具有冰级，可在碎冰中航行。如果冰层过厚，我们将全额退款。",
                        )
                    ),
                ),
                Q_CHILDREN,
                Q_REFUND,
            ),
        ],
    ),
    product_page(
        "yacht-white-night",
        "yacht",
        "yachts",
        title=T("Парусная яхта «Белая ночь»", "Sailing Yacht White Night", "“白夜”号帆船"),
        intro=T(
            "Классическая парусная яхта длиной 14 метров для компании до 12 человек: "
            "Финский залив под парусами, закат и тишина вместо шума мотора.",
            "A classic 14-metre sailing yacht for a party of up to 12: the Gulf of Finland under "
            "sail, the sunset, and quiet instead of the noise of an engine.",
            "一艘14米长的经典帆船，最多可载12人：扬帆芬兰湾，欣赏日落，享受没有马达轰鸣的宁静。",
        ),
        image="white-night-main",
        extra={"guests": 12, "length_m": "14.2", "cabins": 2},
        body=[
            booking("yacht-white-night", BOOK_YACHT),
            text(
                Rich(
                    H2("Под парусами", "Under sail", "扬帆起航"),
                    P(
                        "«Белая ночь» выходит от пристани на Крестовском острове в залив. "
                        "Капитан покажет, как ставить паруса, а если захотите, даст "
                        "постоять за штурвалом.",
                        "White Night sails from the Krestovsky Island pier out into the gulf. "
                        "The skipper will show you how to set the sails and, if you like, let "
                        "you take the helm.",
                        "“白夜”号从克列斯托夫斯基岛码头驶入海湾。船长会教您如何升帆，"
                        "如果您愿意，还可以亲自掌舵。",
                    ),
                    UL(
                        T(
                            "Две каюты и кают-компания",
                            "Two cabins and a saloon",
                            "两间舱室和一个公共舱",
                        ),
                        T(
                            "Пледы, посуда и колонка для музыки",
                            "Blankets, tableware and a speaker for music",
                            "毛毯、餐具和音乐音箱",
                        ),
                        T(
                            "Можно взять свои угощения и напитки",
                            "You may bring your own food and drinks",
                            "可自带食物和饮品",
                        ),
                    ),
                )
            ),
            highlights(
                None,
                (
                    "family",
                    T("До 12 гостей", "Up to 12 guests", "最多12位宾客"),
                    T("Для семьи или друзей", "For family or friends", "适合家人或朋友"),
                ),
                (
                    "anchor",
                    T("Опытный капитан", "An experienced skipper", "经验丰富的船长"),
                    T(
                        "Капитан и матрос входят в стоимость",
                        "The skipper and a deckhand are included",
                        "价格包含船长和水手",
                    ),
                ),
                (
                    "clock",
                    T("От 2 часов", "From 2 hours", "2小时起租"),
                    T(
                        "Или весь вечер за фиксированную цену",
                        "Or the whole evening at a fixed price",
                        "或以固定价格包租整晚",
                    ),
                ),
            ),
            gallery(
                PHOTOS,
                (
                    "white-night-day",
                    T("У Крестовского острова", "Off Krestovsky Island", "克列斯托夫斯基岛附近"),
                ),
                ("white-night-gulf", T("В Финском заливе", "In the Gulf of Finland", "在芬兰湾")),
            ),
            route(
                ROUTE,
                "krestovsky",
                T("Малая Невка", "The Malaya Nevka", "小涅瓦河"),
                T("Финский залив", "The Gulf of Finland", "芬兰湾"),
                T(
                    "Стадион на Крестовском острове",
                    "The stadium on Krestovsky Island",
                    "克列斯托夫斯基岛体育场",
                ),
            ),
            faq(
                QUESTIONS,
                (
                    T("Можно ли выбрать маршрут?", "Can we choose the route?", "可以自选航线吗？"),
                    Rich(
                        P(
                            "Да, в пределах залива и Малой Невки. Капитан подскажет лучший "
                            "маршрут под ветер и погоду.",
                            "Yes, within the gulf and the Malaya Nevka. The skipper will "
                            "suggest the best route for the wind and the weather.",
                            "可以，限于海湾和小涅瓦河范围内。船长会根据风向和天气推荐最佳航线。",
                        )
                    ),
                ),
                Q_REFUND,
            ),
        ],
    ),
    product_page(
        "yacht-north-star",
        "yacht",
        "yachts",
        title=T("Моторная яхта «Северная звезда»", "Motor Yacht North Star", "“北极星”号摩托艇"),
        intro=T(
            "Быстрая и уютная моторная яхта для восьми гостей: проходит под низкими мостами "
            "каналов, а ночью может подойти к разведённым мостам.",
            "A fast, cosy motor yacht for eight guests: she passes under the low bridges of the "
            "canals and at night can come close to the opened bridges.",
            "一艘快速舒适的摩托艇，可载八位宾客：能穿过运河的低矮桥洞，夜晚还能靠近开启的大桥。",
        ),
        image="north-star-main",
        extra={"guests": 8, "length_m": "11.6", "cabins": 1},
        body=[
            booking("yacht-north-star", BOOK_YACHT),
            text(
                Rich(
                    H2("Весь город за два часа", "The whole city in two hours", "两小时游遍全城"),
                    P(
                        "«Северная звезда» стоит у Аничкова моста, в самом центре. За два "
                        "часа можно пройти по Фонтанке, Мойке и Неве, остановиться у "
                        "Летнего сада и вернуться к ужину.",
                        "North Star is moored by the Anichkov Bridge, right in the centre. In "
                        "two hours you can cruise the Fontanka, the Moika and the Neva, stop "
                        "by the Summer Garden and be back for dinner.",
                        "“北极星”号停靠在市中心的阿尼奇科夫桥旁。两小时内可游览丰坦卡河、"
                        "莫伊卡河和涅瓦河，在夏园旁停留，并赶回来吃晚餐。",
                    ),
                    P(
                        "Салон закрывается от дождя и ветра, на корме открытая площадка с "
                        "диванами.",
                        "The saloon closes against rain and wind, and there is an open aft "
                        "deck with sofas.",
                        "船舱可遮挡风雨，船尾设有带沙发的开放式甲板。",
                    ),
                )
            ),
            highlights(
                None,
                (
                    "family",
                    T("До 8 гостей", "Up to 8 guests", "最多8位宾客"),
                    T(
                        "Закрытый салон и открытая корма",
                        "A closed saloon and an open aft deck",
                        "封闭船舱和开放式船尾",
                    ),
                ),
                (
                    "bridge",
                    T("Проходит под всеми мостами", "Passes under every bridge", "可穿过所有桥洞"),
                    T(
                        "Каналы, недоступные большим теплоходам",
                        "Canals that large boats cannot reach",
                        "大型游船无法进入的运河",
                    ),
                ),
                (
                    "star",
                    T("Ночные мосты", "Bridges at night", "夜看开桥"),
                    T(
                        "Особый тариф на развод мостов",
                        "A special rate for the bridges at night",
                        "开桥夜游特别价格",
                    ),
                ),
            ),
            gallery(
                PHOTOS,
                (
                    "north-star-day",
                    T("У Аничкова моста", "By the Anichkov Bridge", "阿尼奇科夫桥旁"),
                ),
                (
                    "north-star-night",
                    T("Ночь разведённых мостов", "A night of open bridges", "开桥之夜"),
                ),
            ),
            route(
                ROUTE,
                "anichkov",
                T("Фонтанка", "The Fontanka", "丰坦卡河"),
                T("Летний сад", "The Summer Garden", "夏园"),
                T("Нева", "The Neva", "涅瓦河"),
                T("Мойка", "The Moika", "莫伊卡河"),
            ),
            faq(
                QUESTIONS,
                (
                    T(
                        "Можно ли взять свои напитки?",
                        "Can we bring our own drinks?",
                        "可以自带饮品吗？",
                    ),
                    Rich(
                        P(
                            "Да, посуда и лёд есть на борту. Курить на яхте нельзя.",
                            "Yes, there are glasses and ice on board. No smoking on the yacht.",
                            "可以，船上备有杯具和冰块。游艇上禁止吸烟。",
                        )
                    ),
                ),
                Q_REFUND,
            ),
        ],
    ),
]


INFO_PAGES = [
    PageSpec(
        key="about",
        model="standard",
        slug=same("about"),
        title=T("О компании", "About us", "关于我们"),
        parent="home",
        show_in_menus=True,
        intro=T(
            "Мы показываем Петербург с воды с 2012 года: семь судов, три причала в центре и "
            "команда, которая любит этот город.",
            "We have been showing St Petersburg from the water since 2012: seven vessels, three "
            "piers in the centre and a team that loves this city.",
            "自2012年起，我们带您从水上领略圣彼得堡：七艘船、市中心三个码头，以及一支热爱这座城市的团队。",
        ),
        body=[
            text(
                Rich(
                    H2("Как всё начиналось", "How it all began", "我们的故事"),
                    P(
                        "«Причал» начинался с одного катера на Фонтанке и капитана, который "
                        "рассказывал пассажирам о домах на набережной. Сегодня у нас "
                        "собственный флот, свои гиды и мастерская, где суда готовят к "
                        "каждой навигации.",
                        "Prichal began with a single boat on the Fontanka and a captain who "
                        "told passengers about the houses along the embankment. Today we have "
                        "our own fleet, our own guides and a workshop where the boats are "
                        "prepared for every season.",
                        "码头游船起步于丰坦卡河上的一艘小艇和一位向乘客讲述沿岸建筑的船长。"
                        "如今我们拥有自己的船队、导游和为每个航季检修船只的工坊。",
                    ),
                    P(
                        "Все суда проходят ежегодное освидетельствование, экипажи — "
                        "аттестацию, а на борту всегда есть спасательные жилеты на всех "
                        "пассажиров, включая детей.",
                        "Every vessel passes an annual survey, every crew is certified, and "
                        "there are always life jackets on board for all passengers, children "
                        "included.",
                        "所有船只每年接受检验，船员均持证上岗，船上始终为包括儿童在内的所有乘客备有救生衣。",
                    ),
                )
            ),
            highlights(
                T("«Причал» в цифрах", "Prichal in numbers", "数说码头游船"),
                (
                    "anchor",
                    T("7 судов", "7 vessels", "7艘船"),
                    T("От 8 до 100 мест", "From 8 to 100 seats", "8至100个座位"),
                ),
                (
                    "star",
                    T("С 2012 года", "Since 2012", "始于2012年"),
                    T("Больше десяти навигаций", "More than ten seasons", "十多个航季"),
                ),
                (
                    "family",
                    T("Более 1 миллиона гостей", "Over a million guests", "超过一百万位游客"),
                    T("Из 60 стран", "From 60 countries", "来自60个国家"),
                ),
            ),
            gallery(
                T("Наш флот", "Our fleet", "我们的船队"),
                (
                    "rivers-main",
                    T("Теплоход «Адмирал»", "The motor ship Admiral", "“海军上将”号游船"),
                ),
                (
                    "fontanka-main",
                    T("Катер «Фонтанка»", "The canal boat Fontanka", "“丰坦卡”号运河游艇"),
                ),
                (
                    "white-night-main",
                    T("Яхта «Белая ночь»", "The yacht White Night", "“白夜”号帆船"),
                ),
            ),
            call_to_action(
                T("Остались вопросы?", "Any questions?", "还有疑问？"),
                T(
                    "Напишите или позвоните нам: ответим с 9 до 21 часа каждый день.",
                    "Write to us or call: we answer from 9 am to 9 pm every day.",
                    "欢迎来信或来电：每天9:00至21:00为您解答。",
                ),
                T("Контакты", "Contacts", "联系我们"),
                page="contacts",
            ),
        ],
    ),
    PageSpec(
        key="faq",
        model="standard",
        slug=same("faq"),
        title=T("Вопросы и ответы", "Questions and answers", "常见问题解答"),
        parent="home",
        show_in_menus=True,
        intro=T(
            "Ответы на вопросы, которые нам задают чаще всего: билеты, возврат, посадка и "
            "поездки с детьми.",
            "Answers to the questions we are asked most often: tickets, refunds, boarding and "
            "trips with children.",
            "关于购票、退票、登船和带孩子出行等最常见问题的解答。",
        ),
        body=[
            faq(
                T("Билеты", "Tickets", "船票"),
                (
                    T("Как купить билет?", "How do I buy a ticket?", "如何购票？"),
                    Rich(
                        P(
                            "Выберите прогулку, дату и время, укажите количество билетов и "
                            "оплатите картой. Электронный билет придёт на почту.",
                            "Choose a trip, a date and a time, enter the number of tickets and "
                            "pay by card. The e-ticket arrives by e-mail.",
                            "选择游船项目、日期和时间，填写票数并用银行卡付款，电子票将发送到您的邮箱。",
                        )
                    ),
                ),
                (
                    T(
                        "Нужно ли распечатывать билет?",
                        "Do I need to print the ticket?",
                        "需要打印船票吗？",
                    ),
                    Rich(
                        P(
                            "Нет, достаточно показать QR-код на экране телефона.",
                            "No, just show the QR code on your phone screen.",
                            "不需要，出示手机屏幕上的二维码即可。",
                        )
                    ),
                ),
                (
                    T(
                        "Какие карты вы принимаете?",
                        "Which cards do you accept?",
                        "支持哪些银行卡？",
                    ),
                    Rich(
                        P(
                            "Карты «Мир», Visa и Mastercard российских банков, СБП и "
                            "ЮMoney. Цены указаны в рублях.",
                            "Mir, Visa and Mastercard cards issued by Russian banks, the Faster "
                            "Payments System and YooMoney. Prices are in roubles.",
                            "支持俄罗斯银行发行的Mir、Visa和Mastercard卡，以及快速支付系统（SBP）和YooMoney。价格以卢布计。",
                        )
                    ),
                ),
            ),
            faq(
                T("Возврат", "Refunds", "退票"),
                Q_REFUND,
                (
                    T(
                        "Что если рейс отменят?",
                        "What if a departure is cancelled?",
                        "如果航次取消怎么办？",
                    ),
                    Rich(
                        P(
                            "Если рейс отменяем мы, например из-за шторма, вы получите полную "
                            "стоимость билета, когда бы ни произошла отмена.",
                            "If we cancel a departure, for example because of a storm, you get "
                            "the full price of the ticket back, whenever the cancellation "
                            "happens.",
                            "如果我们取消航次（例如因风暴），无论何时取消，您都将获得全额退款。",
                        )
                    ),
                ),
                (
                    T(
                        "Можно ли перенести билет на другую дату?",
                        "Can I move my ticket to another date?",
                        "可以改签到其他日期吗？",
                    ),
                    Rich(
                        P(
                            "Нет, обмена и переноса нет. Верните билет не позднее чем за 24 "
                            "часа и купите новый.",
                            "No, there are no exchanges or transfers. Return the ticket at "
                            "least 24 hours in advance and buy a new one.",
                            "不可以，我们不办理改签或转让。请至少提前24小时退票后重新购买。",
                        )
                    ),
                ),
            ),
            faq(
                T("На борту", "On board", "登船须知"),
                Q_CHILDREN,
                Q_WEATHER,
                Q_FOOD,
                (
                    T("Можно ли с собакой?", "Can I bring a dog?", "可以带狗吗？"),
                    Rich(
                        P(
                            "Небольших собак в переноске или на руках можно взять на все "
                            "прогулки, кроме джазовых вечеров.",
                            "Small dogs in a carrier or in your arms are welcome on all trips "
                            "except the jazz evenings.",
                            "除爵士之夜外，所有游船均可携带装在宠物包里或抱在怀里的小型犬。",
                        )
                    ),
                ),
                (
                    T(
                        "Есть ли места для гостей на колясках?",
                        "Is there space for wheelchair users?",
                        "有轮椅乘客的位置吗？",
                    ),
                    Rich(
                        P(
                            "Да, на теплоходах «Нева» и «Адмирал» есть места для колясок. "
                            "Позвоните нам заранее, и экипаж поможет с посадкой.",
                            "Yes, the Neva and the Admiral have wheelchair spaces. Call us in "
                            "advance and the crew will help you board.",
                            "有，“涅瓦”号和“海军上将”号设有轮椅位。请提前致电，船员将协助您登船。",
                        )
                    ),
                ),
            ),
        ],
    ),
    PageSpec(
        key="contacts",
        model="standard",
        slug=same("contacts"),
        title=T("Контакты", "Contacts", "联系我们"),
        parent="home",
        show_in_menus=True,
        intro=T(
            "Служба поддержки работает каждый день с 9:00 до 21:00.",
            "Our support team is available every day from 9:00 to 21:00.",
            "客服每天9:00至21:00为您服务。",
        ),
        body=[
            text(
                Rich(
                    H2("Как с нами связаться", "How to reach us", "联系方式"),
                    UL(
                        T(
                            "Телефон: +7 812 555-01-23",
                            "Phone: +7 812 555-01-23",
                            "电话：+7 812 555-01-23",
                        ),
                        T(
                            "Почта: hello@prichal.example",
                            "E-mail: hello@prichal.example",
                            "邮箱：hello@prichal.example",
                        ),
                        T(
                            "Офис: набережная реки Мойки, 99, пом. 7-Н (по будням с 10 до 18)",
                            "Office: 99 Moika River Embankment, office 7-N "
                            "(weekdays, 10 am to 6 pm)",
                            "办公室：莫伊卡河沿岸街99号7-N室（工作日10:00至18:00）",
                        ),
                    ),
                    P(
                        "По вопросам аренды яхт и корпоративных прогулок пишите на ту же "
                        "почту с пометкой «Аренда».",
                        "For yacht hire and corporate trips, write to the same address with "
                        "“Hire” in the subject line.",
                        "如需租赁游艇或预订团体游船，请发送邮件至同一邮箱，并在主题中注明“租赁”。",
                    ),
                )
            ),
            support_form(
                T("Напишите нам", "Write to us", "给我们留言"),
                T(
                    "Ответим в рабочее время, обычно в течение дня. Можно приложить фото или "
                    "PDF (до 5 файлов).",
                    "We answer during working hours, usually within a day. You can attach "
                    "photos or PDFs (up to 5 files).",
                    "我们会在工作时间内回复，通常在一天之内。可附上照片或PDF（最多5个文件）。",
                ),
            ),
            route(
                T("Дворцовая пристань", "Palace Embankment Pier", "宫殿沿岸街码头"), "dvortsovaya"
            ),
            route(
                T("Причал у Аничкова моста", "Anichkov Bridge Pier", "阿尼奇科夫桥码头"), "anichkov"
            ),
            route(
                T(
                    "Пристань «Крестовский остров»",
                    "Krestovsky Island Pier",
                    "克列斯托夫斯基岛码头",
                ),
                "krestovsky",
            ),
            call_to_action(
                T("Мы в Telegram", "We are on Telegram", "关注我们的Telegram"),
                T(
                    "Новости, расписание на неделю и ответы на вопросы в чате.",
                    "News, the week's timetable and answers to your questions in the chat.",
                    "新闻、每周船期，并可在聊天中提问。",
                ),
                T("Открыть Telegram", "Open Telegram", "打开Telegram"),
                url="https://t.me/prichal_demo",
            ),
        ],
    ),
]

PAGES: list[PageSpec] = [HOME, *LISTINGS, *PRODUCT_PAGES, *INFO_PAGES, *LEGAL_PAGES]

# The CompanySettings documents, by page key.
LEGAL_DOCUMENTS = {
    "privacy_policy_page": "privacy-policy",
    "personal_data_consent_page": "personal-data-consent",
    "offer_page": "public-offer",
    "refund_rules_page": "refund-rules",
}
