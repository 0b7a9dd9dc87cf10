"""StreamField blocks that marketers put on pages. Each has one template under
`content/templates/content/blocks/`, an icon, a description and a preview value."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock


class ImageBlock(ImageChooserBlock):
    """An image chooser that fetches renditions with the images, one query for all the
    images of a block type on the page instead of one per image."""

    def bulk_to_python(self, values):
        from wagtail.images import get_image_model

        objects = get_image_model().objects.prefetch_renditions().in_bulk(values)
        return [objects.get(value) for value in values]


class ProductChooserBlock(SnippetChooserBlock):
    """Chooses a product and brings its "from" price along in the same query."""

    def __init__(self, **kwargs):
        super().__init__("booking.Product", **kwargs)

    def bulk_to_python(self, values):
        from booking.selectors import products_with_from_price

        objects = products_with_from_price().in_bulk(values)
        return [objects.get(value) for value in values]


class LocalizedPageChooserBlock(blocks.PageChooserBlock):
    """Chooses a page and, when rendered, links to its translation in the visitor's
    language. The translations of all the block's pages come in one query; the stored
    value stays the chosen page."""

    def bulk_to_python(self, values):
        from django.utils.translation import get_language
        from wagtail.coreutils import get_supported_content_language_variant
        from wagtail.models import Locale, Page

        pages = super().bulk_to_python(values)
        chosen = [page for page in pages if page is not None]
        if chosen:
            try:
                # The active locale by its code, in the same query (Locale.get_active
                # would read it first, once per block type).
                in_locale = {
                    "locale__language_code": get_supported_content_language_variant(get_language())
                }
            except LookupError:
                in_locale = {"locale": Locale.get_active()}
            translations = {
                page.translation_key: page
                for page in Page.objects.live().filter(
                    translation_key__in={page.translation_key for page in chosen},
                    **in_locale,
                )
            }
            for page in chosen:
                page.localized_version = translations.get(page.translation_key, page)
        return pages


RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]


class LinkBlock(blocks.StructBlock):
    page = LocalizedPageChooserBlock(label=_("page"), required=False)
    url = blocks.URLBlock(label=_("or an address"), required=False)

    class Meta:
        label = _("Link")


class HeroBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=120)
    subtitle = blocks.TextBlock(label=_("subtitle"), required=False, max_length=300)
    image = ImageBlock(label=_("background image"), required=False)
    button_label = blocks.CharBlock(label=_("button label"), required=False, max_length=40)
    button_link = LocalizedPageChooserBlock(label=_("button link"), required=False)

    class Meta:
        icon = "image"
        label = _("Hero")
        template = "content/blocks/hero.html"
        description = _("A full-width picture with a headline and a button")
        preview_value = {
            "title": "Белые ночи на Неве",
            "subtitle": "Прогулки по рекам и каналам Петербурга",
        }


class RichTextBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        label = _("Text")
        template = "content/blocks/rich_text.html"
        description = _("Formatted text with headings, lists and links")
        preview_value = "<p>Текст о маршруте, программе и правилах посадки.</p>"


class GalleryImageBlock(blocks.StructBlock):
    image = ImageBlock(label=_("image"))
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=200)


class GalleryBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), required=False, max_length=120)
    images = blocks.ListBlock(GalleryImageBlock(), label=_("images"), min_num=1)

    class Meta:
        icon = "image"
        label = _("Gallery")
        template = "content/blocks/gallery.html"
        description = _("A grid of photos with captions")


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("question"), max_length=200)
    answer = blocks.RichTextBlock(label=_("answer"), features=RICH_TEXT_FEATURES)


class FAQBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), required=False, max_length=120)
    questions = blocks.ListBlock(QuestionBlock(), label=_("questions"), min_num=1)

    class Meta:
        icon = "help"
        label = _("Questions and answers")
        template = "content/blocks/faq.html"
        description = _("Expandable questions with answers")
        preview_value = {
            "title": "Вопросы",
            "questions": [{"question": "Можно ли с детьми?", "answer": "<p>Да.</p>"}],
        }


class HighlightBlock(blocks.StructBlock):
    icon = blocks.ChoiceBlock(
        label=_("icon"),
        choices=[
            ("anchor", _("Anchor")),
            ("clock", _("Clock")),
            ("bridge", _("Bridge")),
            ("ticket", _("Ticket")),
            ("star", _("Star")),
            ("family", _("Family")),
        ],
        default="star",
    )
    title = blocks.CharBlock(label=_("title"), max_length=80)
    text = blocks.TextBlock(label=_("text"), required=False, max_length=300)


class HighlightsBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), required=False, max_length=120)
    items = blocks.ListBlock(HighlightBlock(), label=_("highlights"), min_num=1, max_num=8)

    class Meta:
        icon = "list-ul"
        label = _("Highlights")
        template = "content/blocks/highlights.html"
        description = _("Short selling points with icons")
        preview_value = {
            "title": "Почему мы",
            "items": [{"icon": "clock", "title": "90 минут", "text": "По главным рекам"}],
        }


class RouteBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), required=False, max_length=120)
    pier = SnippetChooserBlock("booking.Venue", label=_("pier"))
    stops = blocks.ListBlock(
        blocks.CharBlock(max_length=120), label=_("sights along the route"), required=False
    )

    class Meta:
        icon = "site"
        label = _("Route and pier")
        template = "content/blocks/route.html"
        description = _("The route's sights and the boarding pier with a map link")


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=120)
    text = blocks.TextBlock(label=_("text"), required=False, max_length=300)
    button_label = blocks.CharBlock(label=_("button label"), max_length=40)
    link = LinkBlock(label=_("link"))

    class Meta:
        icon = "pick"
        label = _("Call to action")
        template = "content/blocks/call_to_action.html"
        description = _("A highlighted panel with a button")
        preview_value = {
            "title": "Подарите прогулку",
            "text": "Подарочные сертификаты на любую экскурсию",
            "button_label": "Выбрать",
        }


class BookingBlock(blocks.StructBlock):
    """Puts a product's booking widget on any page. The widget itself (dates, seats,
    holds) arrives with the booking core; until then it shows the product and its price."""

    product = ProductChooserBlock(label=_("product"))
    title = blocks.CharBlock(
        label=_("heading"),
        required=False,
        max_length=120,
        help_text=_("Leave empty to use the product's name"),
    )

    class Meta:
        icon = "date"
        label = _("Booking")
        template = "content/blocks/booking.html"
        description = _("Dates, times, prices and tickets of one product")

    def get_context(self, value, parent_context=None):
        from booking.selectors import product_from_price

        context = super().get_context(value, parent_context=parent_context)
        product = value.get("product")
        context["product"] = product
        context["from_price"] = product_from_price(product) if product else None
        return context


class SupportFormBlock(blocks.StructBlock):
    """The support contact form (support.forms.CaseForm) on any page, e.g. the contact
    page; it posts to the form's own page (support:case_new), which shows any refusal
    and then the request's number. Prefilled for a signed-in customer."""

    title = blocks.CharBlock(
        label=_("heading"),
        required=False,
        max_length=120,
        help_text=_("Leave empty to use the standard heading"),
    )
    text = blocks.TextBlock(label=_("text"), required=False, max_length=300)

    class Meta:
        icon = "mail"
        label = _("Support form")
        template = "content/blocks/support_form.html"
        description = _("The form customers write to support with, with files")
        preview_value = {"title": "Напишите нам"}

    def get_context(self, value, parent_context=None):
        from support.forms import CaseForm, initial_for

        context = super().get_context(value, parent_context=parent_context)
        request = (parent_context or {}).get("request")
        context["form"] = CaseForm(initial=initial_for(request) if request else {}).describe()
        return context


class BodyBlock(blocks.StreamBlock):
    hero = HeroBlock()
    text = RichTextBlock()
    gallery = GalleryBlock()
    faq = FAQBlock()
    highlights = HighlightsBlock()
    route = RouteBlock()
    call_to_action = CallToActionBlock()
    booking = BookingBlock()
    support_form = SupportFormBlock()

    class Meta:
        block_counts = {"hero": {"max_num": 1}}
