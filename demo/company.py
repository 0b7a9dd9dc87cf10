"""The demo company's catalogue: piers, fleet, products with prices and timetables, and
the seller's details. All of it is fictional, though the piers stand where real ones do."""

from decimal import Decimal

from demo.spec import (
    PierSpec,
    ProductSpec,
    RentalOptionSpec,
    RentalSpec,
    ScheduleSpec,
    VesselSpec,
    tickets,
)
from demo.text import T

COMPANY = {
    "legal_name": "ООО «Причал»",
    "inn": "7841003524",
    "ogrn": "1207847005123",
    "address": T(
        "191186, Санкт-Петербург, набережная реки Мойки, д. 99, пом. 7-Н",
        "Office 7-N, 99 Moika River Embankment, St Petersburg 191186, Russia",
        "俄罗斯圣彼得堡莫伊卡河沿岸街99号7-N室，邮编191186",
    ),
    "phone": "+7 812 555-01-23",
    "email": "hello@prichal.example",
    "telegram_url": "https://t.me/prichal_demo",
    "vk_url": "https://vk.com/prichal_demo",
}

PIERS = (
    PierSpec(
        slug="dvortsovaya",
        name=T("Дворцовая пристань", "Palace Embankment Pier", "宫殿沿岸街码头"),
        address=T(
            "Санкт-Петербург, Дворцовая набережная, 32, спуск к воде напротив Эрмитажа",
            "32 Dvortsovaya Embankment, St Petersburg: the steps down to the water opposite "
            "the Hermitage",
            "圣彼得堡宫殿沿岸街32号，冬宫（艾尔米塔什博物馆）对面的下水台阶",
        ),
        latitude="59.941400",
        longitude="30.313500",
        boarding=T(
            "Посадка начинается за 15 минут до отправления и заканчивается за 5 минут. "
            "Ищите синий флаг «Причал» у гранитного спуска напротив Эрмитажа. "
            "Покажите QR-код билета с экрана телефона или на распечатке.",
            "Boarding opens 15 minutes before departure and closes 5 minutes before. "
            "Look for the blue Prichal flag at the granite steps opposite the Hermitage. "
            "Show the ticket's QR code on your phone or on a printout.",
            "开船前15分钟开始登船，开船前5分钟停止登船。"
            "请在艾尔米塔什博物馆对面的花岗岩台阶处寻找印有“Причал”字样的蓝色旗帜。"
            "请出示手机上或打印出的船票二维码。",
        ),
    ),
    PierSpec(
        slug="anichkov",
        name=T("Причал у Аничкова моста", "Anichkov Bridge Pier", "阿尼奇科夫桥码头"),
        address=T(
            "Санкт-Петербург, набережная реки Фонтанки, 27, у Аничкова моста",
            "27 Fontanka River Embankment, St Petersburg, by the Anichkov Bridge",
            "圣彼得堡丰坦卡河沿岸街27号，阿尼奇科夫桥旁",
        ),
        latitude="59.933200",
        longitude="30.342600",
        boarding=T(
            "Спуск к причалу находится со стороны Невского проспекта, справа от моста, "
            "если идти от Дворцовой площади. Посадка начинается за 10 минут до отправления. "
            "На лестнице крутые ступени: с коляской вам поможет наш матрос.",
            "The steps down to the pier are on the Nevsky Prospekt side, to the right of the "
            "bridge as you come from Palace Square. Boarding opens 10 minutes before "
            "departure. The steps are steep: our deckhand will help with a pushchair.",
            "下码头的台阶位于涅瓦大街一侧，从宫殿广场方向走来时在桥的右侧。"
            "开船前10分钟开始登船。台阶较陡，我们的水手会帮您搬运婴儿车。",
        ),
    ),
    PierSpec(
        slug="krestovsky",
        name=T("Пристань «Крестовский остров»", "Krestovsky Island Pier", "克列斯托夫斯基岛码头"),
        address=T(
            "Санкт-Петербург, набережная Мартынова, 4, у станции метро «Крестовский остров»",
            "4 Martynova Embankment, St Petersburg, near Krestovsky Ostrov metro station",
            "圣彼得堡马尔蒂诺夫沿岸街4号，克列斯托夫斯基岛地铁站附近",
        ),
        latitude="59.974200",
        longitude="30.262000",
        boarding=T(
            "От метро «Крестовский остров» 5 минут пешком к Малой Невке, затем налево вдоль "
            "набережной до понтона с флагом «Причал». Посадка начинается за 20 минут до "
            "отправления. Рядом есть бесплатная парковка.",
            "From Krestovsky Ostrov metro station walk 5 minutes to the Malaya Nevka, then "
            "turn left along the embankment to the pontoon with the Prichal flag. Boarding "
            "opens 20 minutes before departure. There is free parking nearby.",
            "从克列斯托夫斯基岛地铁站步行5分钟到小涅瓦河，然后沿沿岸街向左走，"
            "到挂有“Причал”旗帜的浮码头。开船前20分钟开始登船。附近有免费停车场。",
        ),
    ),
)

VESSELS = (
    VesselSpec(
        "admiral",
        T("Теплоход «Адмирал»", "Motor ship Admiral", "“海军上将”号游船"),
        60,
        seating_mode="assigned",
        seat_map={
            "zones": [{"code": "main", "name": "Салон", "name_en": "Saloon", "name_zh": "船舱"}],
            "sections": [
                {
                    "name": "Салон",
                    "rows": 6,
                    "seats_per_row": 10,
                    "aisles_after": [5],
                    "gaps_after_row": [3],
                    "zone": "main",
                    "seats": {
                        "1-1": {"kind": "wheelchair"},
                        "1-2": {"kind": "companion"},
                        "6-10": {"kind": "blocked"},
                    },
                }
            ],
        },
    ),
    VesselSpec(
        "neva",
        T("Теплоход «Нева»", "Motor ship Neva", "“涅瓦”号游船"),
        100,
        # General admission for trips; the jazz evenings use the seat map.
        seat_map={
            "zones": [
                {
                    "code": "salon",
                    "name": "Салон у окна",
                    "name_en": "Saloon",
                    "name_zh": "船舱",
                    "color": "#1d6fa5",
                },
                {
                    "code": "deck",
                    "name": "Открытая палуба",
                    "name_en": "Open deck",
                    "name_zh": "露天甲板",
                    "color": "#d08a1e",
                },
            ],
            "sections": [
                {
                    "name": "Салон",
                    "rows": 6,
                    "seats_per_row": 10,
                    "aisles_after": [5],
                    "zone": "salon",
                    "seats": {"1-1": {"kind": "wheelchair"}, "1-2": {"kind": "companion"}},
                },
                {
                    "name": "Палуба",
                    "rows": 4,
                    "seats_per_row": 10,
                    "row_labels": "letters",
                    "zone": "deck",
                },
            ],
        },
    ),
    VesselSpec("fontanka", T("Катер «Фонтанка»", "Canal boat Fontanka", "“丰坦卡”号运河游艇"), 40),
    VesselSpec("veter", T("Скоростной катер «Ветер»", "Fast boat Veter", "“风”号快艇"), 80),
    VesselSpec("yunga", T("Теплоход «Юнга»", "Motor ship Yunga", "“少年水手”号游船"), 50),
    VesselSpec(
        "belaya-noch",
        T("Парусная яхта «Белая ночь»", "Sailing yacht White Night", "“白夜”号帆船"),
        12,
    ),
    VesselSpec(
        "severnaya-zvezda",
        T("Моторная яхта «Северная звезда»", "Motor yacht North Star", "“北极星”号摩托艇"),
        8,
    ),
)

ADULT = ("Взрослый", "Adult", "成人")
CHILD = ("Детский (от 3 до 12 лет)", "Child (3 to 12 years)", "儿童（3至12岁）")
CONCESSION = (
    "Льготный (пенсионеры, студенты)",
    "Concession (pensioners, students)",
    "优惠票（退休人员、学生）",
)
EVERY_DAY = None
WEEKEND = (5, 6)
WEEKDAYS = (0, 1, 2, 3, 4)

PRODUCTS = (
    ProductSpec(
        code="rivers-and-canals",
        kind="excursion",
        name=T(
            "Реки и каналы Петербурга",
            "Rivers and Canals of St Petersburg",
            "圣彼得堡河流与运河游船",
        ),
        pier="dvortsovaya",
        duration_minutes=90,
        tickets=tickets((*ADULT, "1800"), (*CHILD, "1200"), (*CONCESSION, "1500")),
        schedules=(ScheduleSpec("admiral", ("11:00", "13:00", "15:00", "17:00", "19:00")),),
    ),
    ProductSpec(
        code="night-bridges",
        kind="excursion",
        name=T("Развод мостов", "Night Bridges Opening", "涅瓦河开桥夜游"),
        pier="dvortsovaya",
        duration_minutes=135,
        tickets=tickets((*ADULT, "2200"), (*CHILD, "1500"), (*CONCESSION, "1900")),
        schedules=(ScheduleSpec("neva", ("00:45",)),),
    ),
    ProductSpec(
        code="kronstadt",
        kind="excursion",
        name=T(
            "Кронштадт: морская крепость", "Kronstadt: the Sea Fortress", "喀琅施塔得：海上要塞"
        ),
        pier="krestovsky",
        duration_minutes=360,
        tickets=tickets((*ADULT, "3900"), (*CHILD, "2900"), (*CONCESSION, "3400")),
        schedules=(ScheduleSpec("veter", ("10:00",), weekdays=(2, 5, 6)),),
    ),
    ProductSpec(
        code="fontanka-history",
        kind="excursion",
        name=T(
            "Фонтанка: история в фасадах",
            "The Fontanka: History in Facades",
            "丰坦卡河：立面里的历史",
        ),
        pier="anichkov",
        duration_minutes=75,
        tickets=tickets((*ADULT, "1600"), (*CHILD, "1100"), (*CONCESSION, "1300")),
        schedules=(ScheduleSpec("fontanka", ("12:00", "14:00", "16:00", "18:00")),),
    ),
    ProductSpec(
        code="jazz-on-the-neva",
        kind="event",
        name=T("Джаз на Неве", "Jazz on the Neva", "涅瓦河爵士之夜"),
        pier="dvortsovaya",
        duration_minutes=150,
        tickets=tickets(
            ("Входной билет", "Admission", "入场票", "3500"),
            (
                "Льготный (студенты, пенсионеры)",
                "Concession (students, pensioners)",
                "优惠票（学生、退休人员）",
                "3000",
            ),
            ("Билет с ужином", "Admission with dinner", "含晚餐门票", "5900"),
        ),
        schedules=(ScheduleSpec("neva", ("20:00",), weekdays=(4, 5)),),
        seating_mode="assigned",
    ),
    ProductSpec(
        code="pirate-quest",
        kind="event",
        name=T("Пиратский квест для детей", "Pirate Quest for Kids", "儿童海盗寻宝记"),
        pier="krestovsky",
        duration_minutes=90,
        tickets=tickets(
            ("Детский (от 5 до 12 лет)", "Child (5 to 12 years)", "儿童（5至12岁）", "1500"),
            ("Взрослый сопровождающий", "Accompanying adult", "陪同成人", "1200"),
            (
                "Льготный (многодетные семьи)",
                "Concession (large families)",
                "优惠票（多子女家庭）",
                "1000",
            ),
        ),
        schedules=(ScheduleSpec("yunga", ("12:00", "15:00"), weekdays=WEEKEND),),
    ),
    ProductSpec(
        code="new-year-cruise",
        kind="event",
        name=T("Новогодний круиз", "New Year Cruise", "新年游船派对"),
        pier="dvortsovaya",
        duration_minutes=180,
        tickets=tickets((*ADULT, "7900"), (*CHILD, "4500")),
        schedules=(
            ScheduleSpec("neva", ("19:00",), dates=((12, 27), (12, 28), (12, 29), (12, 30))),
            ScheduleSpec("neva", ("22:30",), dates=((12, 31),)),
            ScheduleSpec("neva", ("18:00",), dates=((1, 2), (1, 3), (1, 4), (1, 5), (1, 6))),
        ),
    ),
    ProductSpec(
        code="yacht-white-night",
        kind="rental",
        name=T(
            "Аренда парусной яхты «Белая ночь»",
            "Sailing yacht White Night for hire",
            "“白夜”号帆船租赁",
        ),
        pier="krestovsky",
        duration_minutes=120,
        # One ticket type carries the rental: each rental's price is its own departure's
        # price (booking.services.rentals), so the type is sold on priced departures only;
        # its own price is the shortest weekday rental's (the cards' "from" price).
        tickets=tickets(("Аренда яхты", "Yacht rental", "包船租赁", "20000", ())),
        schedules=(),
        rental=RentalSpec(
            vessel="belaya-noch",
            # Every day 10:00–23:00; Friday and Saturday nights until 01:00.
            hours=(((0, 1, 2, 3, 6), "10:00", "23:00"), ((4, 5), "10:00", "01:00")),
            rates=(("01234", Decimal("9000")), ("56", Decimal("11000"))),
            fixed_price=Decimal("2000"),
            max_guests=10,
            min_minutes=120,
            max_minutes=480,
            step_minutes=60,
            turnaround_minutes=30,
            options=(
                RentalOptionSpec(
                    T("Фотограф на борту", "Photographer on board", "船上摄影师"),
                    Decimal("3000"),
                    per_hour=True,
                ),
                RentalOptionSpec(
                    T("Приветственный напиток", "Welcome drink", "迎宾饮品"),
                    Decimal("1500"),
                ),
            ),
        ),
    ),
    ProductSpec(
        code="yacht-north-star",
        kind="rental",
        name=T(
            "Аренда моторной яхты «Северная звезда»",
            "Motor yacht North Star for hire",
            "“北极星”号摩托艇租赁",
        ),
        pier="anichkov",
        duration_minutes=120,
        tickets=tickets(
            (
                "Яхта на 2 часа, будни",
                "The yacht for 2 hours, weekdays",
                "包船2小时（工作日）",
                "24000",
                WEEKDAYS,
            ),
            (
                "Яхта на 2 часа, выходные",
                "The yacht for 2 hours, weekends",
                "包船2小时（周末）",
                "28000",
                WEEKEND,
            ),
        ),
        schedules=(ScheduleSpec("severnaya-zvezda", ("11:00", "14:00", "17:00", "20:00")),),
    ),
)
