"""The documents a Russian seller of services publishes: the personal data policy
(152-FZ), the separate consent to personal data processing (a document of its own since
1 September 2025), the public offer and the refund rules.

These are demonstration texts for a fictional company, not legal advice: a real company
has its lawyer write its own.
"""

from demo.spec import PageSpec, text
from demo.text import H2, UL, P, Rich, T, same

DEMO_NOTICE = P(
    "<b>Демонстрационный текст.</b> Документ составлен для демо-версии сайта вымышленной "
    "компании и не является юридической консультацией.",
    "<b>Demonstration text.</b> This document was written for the demo version of a "
    "fictional company's website and is not legal advice.",
    "<b>演示文本。</b>本文件为虚构公司网站的演示版本而编写，不构成法律意见。",
)
OPERATOR = P(
    "Оператор: ООО «Причал», ИНН 7841003524, ОГРН 1207847005123, адрес: 191186, "
    "Санкт-Петербург, набережная реки Мойки, д. 99, пом. 7-Н, электронная почта: "
    "privacy@prichal.example.",
    "Operator: Prichal LLC (OOO «Prichal»), INN 7841003524, OGRN 1207847005123, address: "
    "office 7-N, 99 Moika River Embankment, St Petersburg 191186, e-mail: "
    "privacy@prichal.example.",
    "运营方：Prichal有限责任公司（OOO «Prichal»），纳税人识别号（INN）7841003524，"
    "国家注册号（OGRN）1207847005123，地址：圣彼得堡莫伊卡河沿岸街99号7-N室，邮编191186，"
    "电子邮箱：privacy@prichal.example。",
)
EDITION = T("Редакция от 1 сентября 2025 года.", "Version of 1 September 2025.", "2025年9月1日版。")


def legal_page(key, title, intro, *parts) -> PageSpec:
    return PageSpec(
        key=key,
        model="standard",
        slug=same(key),
        title=title,
        parent="home",
        intro=intro,
        body=[text(Rich(DEMO_NOTICE, *parts))],
    )


PRIVACY_POLICY = legal_page(
    "privacy-policy",
    T(
        "Политика обработки персональных данных",
        "Personal Data Processing Policy",
        "个人数据处理政策",
    ),
    T(
        "Как ООО «Причал» собирает, использует, хранит и защищает персональные данные "
        "покупателей и посетителей сайта в соответствии с Федеральным законом № 152-ФЗ "
        "«О персональных данных». Демонстрационный текст.",
        "How Prichal LLC collects, uses, stores and protects the personal data of customers "
        "and website visitors under Federal Law No. 152-FZ On Personal Data. Demonstration "
        "text.",
        "Prichal有限责任公司如何依据第152-FZ号联邦法律《个人数据法》收集、使用、存储和保护客户及网站访客的个人数据。演示文本。",
    ),
    H2("1. Общие положения", "1. General provisions", "1. 总则"),
    P(
        "Настоящая политика определяет порядок обработки персональных данных и меры по их "
        "защите, которые применяет оператор. Политика опубликована в открытом доступе на "
        "сайте и применяется ко всем данным, которые оператор получает через сайт, по "
        "телефону, по электронной почте и на причалах.",
        "This policy sets out how the operator processes personal data and the measures it "
        "takes to protect them. The policy is published openly on the website and applies to "
        "all data the operator receives through the website, by phone, by e-mail and at the "
        "piers.",
        "本政策规定了运营方处理个人数据的程序及其采取的保护措施。本政策在网站上公开发布，"
        "适用于运营方通过网站、电话、电子邮件和码头获得的全部数据。",
    ),
    OPERATOR,
    ("p", EDITION),
    H2("2. Какие данные мы обрабатываем", "2. What data we process", "2. 我们处理哪些数据"),
    UL(
        T(
            "фамилия и имя покупателя и пассажиров, если они указаны в заказе;",
            "the surname and first name of the buyer and of passengers, if given in the order;",
            "购票人及乘客的姓名（如订单中填写）；",
        ),
        T(
            "номер телефона и адрес электронной почты;",
            "phone number and e-mail address;",
            "电话号码和电子邮箱地址；",
        ),
        T(
            "сведения о заказах, билетах, возвратах и обращениях в поддержку;",
            "information about orders, tickets, refunds and support requests;",
            "订单、船票、退票及客服咨询的相关信息；",
        ),
        T(
            "технические данные: IP-адрес, сведения о браузере, файлы cookie.",
            "technical data: IP address, browser information, cookies.",
            "技术数据：IP地址、浏览器信息、Cookie。",
        ),
    ),
    P(
        "Данные банковских карт оператор не получает и не хранит: их обрабатывает платёжный "
        "сервис на своей защищённой странице.",
        "The operator does not receive or store bank card details: they are processed by the "
        "payment service on its own secure page.",
        "运营方不接收也不存储银行卡信息：银行卡信息由支付服务商在其安全页面上处理。",
    ),
    H2("3. Цели обработки", "3. Purposes of processing", "3. 处理目的"),
    UL(
        T(
            "заключение и исполнение договора: продажа билетов, посадка, возврат денег;",
            "concluding and performing the contract: selling tickets, boarding, refunds;",
            "订立和履行合同：售票、登船、退款；",
        ),
        T(
            "отправка билетов, кассовых чеков и уведомлений об изменении или отмене рейса;",
            "sending tickets, receipts and notices of changed or cancelled departures;",
            "发送船票、收据以及航次变更或取消的通知；",
        ),
        T(
            "ответы на обращения и разбор претензий;",
            "answering enquiries and handling complaints;",
            "答复咨询和处理投诉；",
        ),
        T(
            "исполнение обязанностей, установленных законом, в том числе налоговых;",
            "meeting obligations imposed by law, including tax obligations;",
            "履行法律规定的义务，包括纳税义务；",
        ),
        T(
            "рассылка новостей и предложений, только с отдельного согласия.",
            "sending news and offers, only with separate consent.",
            "发送新闻和优惠信息（仅在另行同意的情况下）。",
        ),
    ),
    H2("4. Правовые основания", "4. Legal grounds", "4. 法律依据"),
    P(
        "Оператор обрабатывает данные на основании согласия субъекта персональных данных, "
        "для исполнения договора, стороной которого является субъект, и для исполнения "
        "обязанностей, возложенных на оператора законодательством Российской Федерации.",
        "The operator processes data on the basis of the data subject's consent, to perform a "
        "contract to which the data subject is a party, and to meet obligations imposed on the "
        "operator by the laws of the Russian Federation.",
        "运营方处理数据的依据为：数据主体的同意、履行数据主体作为一方当事人的合同，"
        "以及履行俄罗斯联邦法律赋予运营方的义务。",
    ),
    H2("5. Передача данных", "5. Disclosure of data", "5. 数据的传输"),
    P(
        "Для исполнения договора оператор поручает обработку данных платёжному сервису, "
        "оператору фискальных данных и сервисам отправки писем и SMS. Каждый из них обязан "
        "соблюдать конфиденциальность и требования закона. Данные хранятся в базах данных, "
        "расположенных в Российской Федерации; трансграничная передача не осуществляется.",
        "To perform the contract, the operator engages the payment service, the fiscal data "
        "operator and e-mail and SMS delivery services to process data on its behalf. Each of "
        "them must keep the data confidential and comply with the law. The data are stored in "
        "databases located in the Russian Federation; no cross-border transfer takes place.",
        "为履行合同，运营方委托支付服务商、财政数据运营商以及邮件和短信发送服务商处理数据。"
        "上述各方均须履行保密义务并遵守法律规定。数据存储于位于俄罗斯联邦境内的数据库中，不进行跨境传输。",
    ),
    H2("6. Сроки хранения", "6. Retention periods", "6. 保存期限"),
    P(
        "Данные о заказах хранятся в течение срока действия договора и трёх лет после его "
        "исполнения, бухгалтерские документы — пять лет. Данные для рассылки хранятся до "
        "отзыва согласия. По истечении сроков данные уничтожаются или обезличиваются.",
        "Order data are kept for the term of the contract and three years after it has been "
        "performed; accounting records are kept for five years. Mailing data are kept until "
        "consent is withdrawn. When these periods end, the data are destroyed or anonymised.",
        "订单数据在合同有效期内及合同履行后三年内保存，会计凭证保存五年。"
        "用于邮件推送的数据保存至撤回同意为止。期限届满后，数据将被销毁或匿名化。",
    ),
    H2("7. Ваши права", "7. Your rights", "7. 您的权利"),
    UL(
        T(
            "получить сведения об обработке своих данных;",
            "to obtain information about the processing of your data;",
            "获取关于您的数据处理情况的信息；",
        ),
        T(
            "потребовать уточнить, заблокировать или уничтожить данные;",
            "to demand that data be corrected, blocked or destroyed;",
            "要求更正、封存或销毁数据；",
        ),
        T(
            "отозвать согласие на обработку данных;",
            "to withdraw consent to the processing of data;",
            "撤回对数据处理的同意；",
        ),
        T(
            "обжаловать действия оператора в Роскомнадзоре или в суде.",
            "to appeal against the operator's actions to Roskomnadzor or in court.",
            "向俄罗斯联邦通信、信息技术和大众传媒监督局（Roskomnadzor）或法院申诉运营方的行为。",
        ),
    ),
    H2("8. Защита данных", "8. Data protection", "8. 数据保护"),
    P(
        "Оператор назначил ответственного за организацию обработки персональных данных, "
        "ограничил доступ к данным кругом сотрудников, которым он нужен для работы, "
        "использует шифрование соединений и ведёт журнал действий с данными.",
        "The operator has appointed a person responsible for organising the processing of "
        "personal data, restricted access to the staff who need it for their work, encrypts "
        "connections and keeps a log of actions taken with the data.",
        "运营方已指定个人数据处理负责人，将数据访问权限限制在工作需要的员工范围内，"
        "对连接进行加密，并记录对数据的操作日志。",
    ),
    H2("9. Обращения", "9. Requests", "9. 申请与咨询"),
    P(
        "Запросы о персональных данных направляйте на privacy@prichal.example или по адресу "
        "оператора. Мы отвечаем в течение десяти рабочих дней.",
        "Send requests about personal data to privacy@prichal.example or to the operator's "
        "address. We reply within ten working days.",
        "有关个人数据的请求请发送至privacy@prichal.example或寄至运营方地址。我们将在十个工作日内答复。",
    ),
)

CONSENT = legal_page(
    "personal-data-consent",
    T(
        "Согласие на обработку персональных данных",
        "Consent to Personal Data Processing",
        "个人数据处理同意书",
    ),
    T(
        "Отдельный документ, которым покупатель даёт согласие на обработку своих "
        "персональных данных при покупке билетов на сайте. "
        "Демонстрационный текст.",
        "A separate document by which a customer consents to the processing of their personal "
        "data when buying tickets on the website. Demonstration text.",
        "客户在网站购票时同意处理其个人数据的单独文件。演示文本。",
    ),
    P(
        "Я, действуя свободно, своей волей и в своём интересе, даю ООО «Причал» (ИНН "
        "7841003524, ОГРН 1207847005123, адрес: 191186, Санкт-Петербург, набережная реки "
        "Мойки, д. 99, пом. 7-Н) согласие на обработку моих персональных данных на "
        "условиях, изложенных ниже.",
        "Acting freely, of my own will and in my own interest, I give Prichal LLC (INN "
        "7841003524, OGRN 1207847005123, address: office 7-N, 99 Moika River Embankment, "
        "St Petersburg 191186) my consent to the processing of my personal data on the terms "
        "set out below.",
        "本人自由地、自愿地并为本人利益，同意Prichal有限责任公司（纳税人识别号7841003524，"
        "国家注册号1207847005123，地址：圣彼得堡莫伊卡河沿岸街99号7-N室，邮编191186）"
        "按下列条件处理本人的个人数据。",
    ),
    ("p", EDITION),
    H2("1. Какие данные", "1. Which data", "1. 数据范围"),
    P(
        "Фамилия, имя, номер телефона, адрес электронной почты, сведения о заказах и "
        "билетах, а также данные пассажиров, которые я указываю в заказе с их согласия.",
        "Surname, first name, phone number, e-mail address, information about orders and "
        "tickets, and the details of passengers that I enter in an order with their consent.",
        "姓名、电话号码、电子邮箱地址、订单和船票信息，以及本人经乘客同意在订单中填写的乘客信息。",
    ),
    H2("2. Для чего", "2. For what purposes", "2. 处理目的"),
    P(
        "Оформление и исполнение заказа, отправка билетов и кассовых чеков, уведомления об "
        "изменении или отмене рейса, возврат денег и ответы на мои обращения.",
        "Placing and fulfilling an order, sending tickets and receipts, notices of changed or "
        "cancelled departures, refunds and replies to my enquiries.",
        "办理和履行订单、发送船票和收据、航次变更或取消通知、退款以及答复本人的咨询。",
    ),
    H2("3. Какие действия", "3. Which operations", "3. 处理行为"),
    P(
        "Сбор, запись, систематизация, накопление, хранение, уточнение, извлечение, "
        "использование, передача (предоставление, доступ), обезличивание, блокирование, "
        "удаление и уничтожение, с использованием средств автоматизации и без них.",
        "Collection, recording, systematisation, accumulation, storage, updating, retrieval, "
        "use, transfer (provision, access), anonymisation, blocking, erasure and destruction, "
        "with or without automated means.",
        "收集、记录、整理、积累、存储、更新、提取、使用、传输（提供、访问）、匿名化、封存、删除和销毁，"
        "无论是否使用自动化手段。",
    ),
    H2(
        "4. Кому могут быть переданы данные",
        "4. To whom the data may be disclosed",
        "4. 数据可能提供给谁",
    ),
    P(
        "Платёжному сервису, оператору фискальных данных и сервисам отправки писем и SMS — "
        "только в объёме, необходимом для целей, указанных выше.",
        "To the payment service, the fiscal data operator and e-mail and SMS delivery "
        "services, only to the extent needed for the purposes above.",
        "支付服务商、财政数据运营商以及邮件和短信发送服务商，且仅限于实现上述目的所必需的范围。",
    ),
    H2("5. Срок действия и отзыв", "5. Duration and withdrawal", "5. 有效期与撤回"),
    P(
        "Согласие действует до достижения целей обработки или до его отзыва. Отозвать "
        "согласие можно, написав на privacy@prichal.example. После отзыва оператор "
        "прекращает обработку, кроме случаев, когда закон разрешает продолжить её без "
        "согласия, например для бухгалтерского учёта.",
        "The consent remains valid until the purposes of processing are achieved or until it "
        "is withdrawn. You can withdraw it by writing to privacy@prichal.example. After "
        "withdrawal the operator stops processing, except where the law allows it to continue "
        "without consent, for example for accounting.",
        "本同意在处理目的实现或被撤回之前有效。您可发送邮件至privacy@prichal.example撤回同意。"
        "撤回后，运营方将停止处理，但法律允许在未经同意的情况下继续处理的情形除外，例如会计核算。",
    ),
    H2("6. Как даётся согласие", "6. How consent is given", "6. 同意的方式"),
    P(
        "Согласие даётся отметкой в отдельном поле при оформлении заказа. "
        "Поле не отмечено заранее, а согласие не входит в текст оферты или других "
        "документов.",
        "Consent is given by ticking a separate box when placing an order. "
        "The box is not ticked in advance, and the consent is not part of the offer or any "
        "other document.",
        "在下单时勾选单独的复选框即表示同意。该复选框不会被预先勾选，"
        "本同意书也不包含在要约或任何其他文件之中。",
    ),
)

OFFER = legal_page(
    "public-offer",
    T("Публичная оферта", "Public Offer Agreement", "公开要约"),
    T(
        "Договор оказания услуг по организации прогулок на воде, событий и аренды судов, "
        "который заключается при оплате билета. Демонстрационный текст.",
        "The contract for boat trips, events and vessel hire that is concluded when you pay "
        "for a ticket. Demonstration text.",
        "在您支付船票时订立的水上游览、活动及船只租赁服务合同。演示文本。",
    ),
    ("p", EDITION),
    H2("1. Общие положения", "1. General provisions", "1. 总则"),
    P(
        "ООО «Причал» (исполнитель) предлагает любому лицу (покупателю) заключить договор на "
        "условиях этой оферты в соответствии со статьёй 437 Гражданского кодекса РФ. "
        "Оплата заказа на сайте означает полное и безоговорочное принятие оферты.",
        "Prichal LLC (the provider) offers any person (the customer) a contract on the terms "
        "of this offer under Article 437 of the Civil Code of the Russian Federation. Paying "
        "for an order on the website means full and unconditional acceptance of the offer.",
        "Prichal有限责任公司（服务提供方）依据《俄罗斯联邦民法典》第437条，向任何人（客户）"
        "提出按本要约条件订立合同。在网站上支付订单即表示完全无条件接受本要约。",
    ),
    H2("2. Предмет договора", "2. Subject of the contract", "2. 合同标的"),
    P(
        "Исполнитель оказывает услуги по перевозке пассажиров на прогулочных судах по "
        "выбранному маршруту, проведению событий на воде и предоставлению судна с экипажем "
        "в аренду. Дата, время, маршрут и причал указаны в билете.",
        "The provider carries passengers on pleasure boats along the chosen route, holds "
        "events on the water and hires out vessels with crew. The date, time, route and pier "
        "are shown on the ticket.",
        "服务提供方按所选航线以游船运送乘客、举办水上活动，并提供配有船员的船只租赁服务。"
        "日期、时间、航线和码头均在船票上注明。",
    ),
    H2("3. Заказ и билеты", "3. Orders and tickets", "3. 订单与船票"),
    UL(
        T(
            "Покупатель выбирает рейс, категории и количество билетов на сайте.",
            "The customer chooses the departure, ticket categories and number of tickets on "
            "the website.",
            "客户在网站上选择航次、票种和票数。",
        ),
        T(
            "Места держатся за покупателем ограниченное время до оплаты.",
            "Seats are held for the customer for a limited time until payment.",
            "付款前座位会为客户保留一段有限的时间。",
        ),
        T(
            "После оплаты электронный билет с QR-кодом отправляется на указанную почту.",
            "After payment an e-ticket with a QR code is sent to the e-mail address given.",
            "付款后，带二维码的电子票将发送至所填写的邮箱。",
        ),
    ),
    H2("4. Цена и оплата", "4. Price and payment", "4. 价格与付款"),
    P(
        "Цены указаны на сайте в рублях. Оплата принимается банковской картой, через СБП "
        "или ЮMoney. Кассовый чек направляется на электронную почту покупателя в "
        "соответствии с Федеральным законом № 54-ФЗ.",
        "Prices are shown on the website in roubles. Payment is accepted by bank card, "
        "through the Faster Payments System or YooMoney. A receipt is sent to the customer's "
        "e-mail under Federal Law No. 54-FZ.",
        "网站价格以卢布标示。支持银行卡、快速支付系统（SBP）或YooMoney付款。"
        "收据将依据第54-FZ号联邦法律发送至客户邮箱。",
    ),
    H2(
        "5. Права и обязанности сторон",
        "5. Rights and obligations of the parties",
        "5. 双方的权利和义务",
    ),
    UL(
        T(
            "Исполнитель обеспечивает исправность судна, квалифицированный экипаж и "
            "спасательные средства для всех пассажиров.",
            "The provider ensures a seaworthy vessel, a qualified crew and life-saving "
            "equipment for every passenger.",
            "服务提供方保证船只状况良好、船员合格，并为每位乘客配备救生设备。",
        ),
        T(
            "Пассажир приходит к посадке заранее и выполняет указания экипажа и правила "
            "безопасности на борту.",
            "Passengers arrive for boarding in good time and follow the crew's instructions "
            "and the safety rules on board.",
            "乘客应提前到达登船，并遵守船员指示和船上安全规定。",
        ),
        T(
            "Экипаж вправе не допустить на борт пассажира в состоянии опьянения или "
            "нарушающего правила безопасности; стоимость билета в этом случае не "
            "возвращается.",
            "The crew may refuse boarding to a passenger who is intoxicated or breaks the "
            "safety rules; the ticket price is not refunded in that case.",
            "船员有权拒绝醉酒或违反安全规定的乘客登船，此种情况下票款不予退还。",
        ),
    ),
    H2("6. Возврат и отмена", "6. Refunds and cancellation", "6. 退票与取消"),
    P(
        "Возврат билетов и последствия отмены рейса определяются Правилами возврата, "
        "опубликованными на сайте, которые являются частью этой оферты.",
        "Ticket refunds and the consequences of a cancelled departure are governed by the "
        "Refund Rules published on the website, which form part of this offer.",
        "退票及航次取消的后果按照网站上公布的《退票规则》执行，该规则构成本要约的组成部分。",
    ),
    H2("7. Ответственность", "7. Liability", "7. 责任"),
    P(
        "Стороны отвечают за неисполнение договора в соответствии с законодательством РФ. "
        "Изменение маршрута по требованию капитана из соображений безопасности не является "
        "нарушением договора.",
        "The parties are liable for failure to perform the contract under the laws of the "
        "Russian Federation. A change of route required by the captain for safety reasons is "
        "not a breach of the contract.",
        "双方依照俄罗斯联邦法律对不履行合同承担责任。船长出于安全原因要求变更航线不构成违约。",
    ),
    H2("8. Персональные данные", "8. Personal data", "8. 个人数据"),
    P(
        "Персональные данные покупателя обрабатываются в соответствии с Политикой обработки "
        "персональных данных и на основании отдельного согласия покупателя.",
        "The customer's personal data are processed in accordance with the Personal Data "
        "Processing Policy and on the basis of the customer's separate consent.",
        "客户的个人数据依照《个人数据处理政策》并基于客户单独作出的同意进行处理。",
    ),
    H2("9. Реквизиты исполнителя", "9. Provider's details", "9. 服务提供方信息"),
    P(
        "ООО «Причал», ИНН 7841003524, ОГРН 1207847005123, 191186, Санкт-Петербург, "
        "набережная реки Мойки, д. 99, пом. 7-Н, телефон +7 812 555-01-23, "
        "hello@prichal.example.",
        "Prichal LLC, INN 7841003524, OGRN 1207847005123, office 7-N, 99 Moika River "
        "Embankment, St Petersburg 191186, phone +7 812 555-01-23, hello@prichal.example.",
        "Prichal有限责任公司，纳税人识别号7841003524，国家注册号1207847005123，"
        "圣彼得堡莫伊卡河沿岸街99号7-N室，邮编191186，"
        "电话+7 812 555-01-23，hello@prichal.example。",
    ),
)

REFUND_RULES = legal_page(
    "refund-rules",
    T("Правила возврата", "Refund Rules", "退票规则"),
    T(
        "Когда и как можно вернуть билет, и что происходит, если рейс отменяем мы. "
        "Демонстрационный текст.",
        "When and how you can return a ticket, and what happens if we cancel a departure. "
        "Demonstration text.",
        "何时以及如何退票，以及我们取消航次时如何处理。演示文本。",
    ),
    ("p", EDITION),
    H2("1. Возврат до 24 часов", "1. Refunds up to 24 hours", "1. 开船24小时前退票"),
    P(
        "Билет можно вернуть, если до отправления рейса остаётся больше 24 часов. Время "
        "считается по Москве. Деньги возвращаются полностью.",
        "A ticket can be returned if more than 24 hours remain before the departure. Times "
        "are Moscow time. The money is refunded in full.",
        "距开船时间超过24小时的船票可以退票，时间以莫斯科时间为准，票款全额退还。",
    ),
    H2("2. Менее чем за 24 часа", "2. Less than 24 hours", "2. 开船前不足24小时"),
    P(
        "Если до отправления осталось 24 часа или меньше, билет вернуть нельзя. Стоимость "
        "билета также не возвращается при опоздании к посадке или неявке.",
        "If 24 hours or less remain before the departure, the ticket cannot be returned. "
        "Nor is the price refunded if you are late for boarding or do not come.",
        "距开船24小时或更短时间内不能退票。迟到未能登船或未到场的，票款同样不予退还。",
    ),
    H2("3. Обмен и перенос", "3. Exchanges and transfers", "3. 改签与转移"),
    P(
        "Обмен билета на другой рейс, другую дату или другую прогулку и перенос заказа не "
        "производятся. Если планы изменились, верните билет в срок и купите новый.",
        "Tickets cannot be exchanged for another departure, date or trip, and orders cannot "
        "be transferred. If your plans change, return the ticket in time and buy a new one.",
        "船票不能改签为其他航次、日期或游船项目，订单也不能转移。如计划有变，请在规定时间内退票后重新购买。",
    ),
    H2("4. Если рейс отменяем мы", "4. If we cancel the departure", "4. 如果我们取消航次"),
    P(
        "Если рейс отменяет компания, в том числе по решению капитана из-за погоды, "
        "стоимость билетов возвращается полностью, когда бы ни произошла отмена. Мы "
        "свяжемся с вами по почте или телефону из заказа и вернём деньги сами, без "
        "заявления.",
        "If the company cancels a departure, including by the captain's decision because of "
        "the weather, the tickets are refunded in full whenever the cancellation happens. We "
        "will contact you by the e-mail or phone given in the order and refund the money "
        "ourselves, without any application.",
        "如果公司取消航次（包括船长因天气原因作出的决定），无论何时取消，票款均全额退还。"
        "我们会通过订单中填写的邮箱或电话与您联系，并主动退款，无需申请。",
    ),
    H2("5. Как вернуть билет", "5. How to return a ticket", "5. 如何退票"),
    P(
        "Войдите в личный кабинет на сайте с почтой, указанной в заказе: пароль не нужен, "
        "мы пришлём код для входа на эту почту. В кабинете видны все ваши заказы, в том "
        "числе оформленные без входа. Откройте заказ, отметьте билеты и нажмите «Вернуть "
        "билеты»: сайт сразу покажет сумму к возврату и срок, до которого возврат возможен. "
        "Если войти не получается, напишите нам на hello@prichal.example или позвоните по "
        "телефону +7 812 555-01-23 с 9:00 до 21:00, назовите номер заказа — заявка должна "
        "прийти, пока до отправления остаётся больше 24 часов.",
        "Sign in to your account on the website with the e-mail given in the order: no "
        "password is needed, we send a sign-in code to that address. Your account shows all "
        "your orders, including those placed without signing in. Open the order, tick the "
        'tickets and press "Return tickets": the site shows the amount to be refunded and '
        "the deadline for the refund straight away. If you cannot sign in, write to us at "
        "hello@prichal.example or call +7 812 555-01-23 from 9:00 to 21:00 with the order "
        "number; your request must reach us while more than 24 hours remain before the "
        "departure.",
        "请使用订单中填写的邮箱登录网站的个人账户：无需密码，我们会向该邮箱发送登录验证码。"
        "账户中可以看到您的全部订单，包括未登录时下的订单。打开订单，勾选船票并点击"
        "“退票”：网站会立即显示退款金额以及可退票的截止时间。如无法登录，请发送邮件至"
        "hello@prichal.example，或在9:00至21:00拨打电话+7 812 555-01-23并提供订单号；"
        "退票申请须在距开船超过24小时时送达。",
    ),
    H2("6. Сроки и чек", "6. Timing and receipt", "6. 到账时间与收据"),
    P(
        "Возврат проводится через платёжный сервис ЮKassa на карту или кошелёк, с которых "
        "была оплата. Обычно деньги приходят в течение 3–10 рабочих дней в зависимости от "
        "банка. Чек возврата придёт на электронную почту.",
        "The refund is made through the YooKassa payment service to the card or wallet used "
        "for payment. The money usually arrives within 3 to 10 working days, depending on "
        "the bank. A refund receipt is sent by e-mail.",
        "退款通过YooKassa支付服务退回付款时使用的银行卡或钱包，"
        "通常根据银行不同在3至10个工作日内到账。退款收据将发送至您的邮箱。",
    ),
)

LEGAL_PAGES = [PRIVACY_POLICY, CONSENT, OFFER, REFUND_RULES]
