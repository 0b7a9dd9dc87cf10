"""Public pages. Every page is translatable (wagtail-localize): Russian is the source
locale, English and Chinese are translations of the same tree."""

import datetime
import re
from urllib.parse import urlencode

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.search import index

from booking.models import Departure, Product, Venue
from booking.selectors import lowest_ticket_price
from content.blocks import BodyBlock
from content.links import absolute_url, page_full_url

SLUG_PATTERN = re.compile(r"[-a-zA-Z0-9_]+")


def product_cards(pages):
    """Product pages ready for cards: product, "from" price and the image with its
    renditions come in a fixed number of queries, however many cards there are."""
    return (
        pages.select_related("product", "product__venue")
        .annotate(from_price=lowest_ticket_price("product__"))
        .prefetch_related(
            Prefetch("image", queryset=get_image_model().objects.prefetch_renditions())
        )
    )


class BasePage(Page):
    """Fields and behaviour every public page shares: SEO, sharing image, JSON-LD."""

    social_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("sharing image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown when the page is shared in messengers and social networks"),
    )

    promote_panels = [*Page.promote_panels, FieldPanel("social_image")]

    class Meta:
        abstract = True

    @property
    def sharing_image(self):
        return self.social_image

    def get_full_url(self, request=None):
        # `page.full_url` in templates and JSON-LD: on SITE_URL, not the Site record's host.
        return page_full_url(self, request)

    full_url = property(get_full_url)

    def get_json_ld(self, request) -> dict | None:
        return None


class HomePage(BasePage):
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["content.ListingPage", "content.StandardPage"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["featured_pages"] = product_cards(
            ProductPage.objects.live().public().filter(locale_id=self.locale_id)
        ).order_by("path")[:6]
        return context

    def get_json_ld(self, request):
        return {
            "@context": "https://schema.org",
            "@type": "TravelAgency",
            "name": self.title,
            "url": self.get_full_url(request),
        }


class ListingPage(BasePage):
    """A listing of excursions, events and yachts below it, with filters and paging."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    page_size = models.PositiveSmallIntegerField(_("cards per page"), default=9)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("page_size")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.ExcursionPage", "content.EventPage", "content.YachtPage"]

    class Meta:
        verbose_name = _("listing page")

    def product_pages(self):
        return ProductPage.objects.live().public().descendant_of(self)

    def filtered_product_pages(self, filters: dict, pages=None):
        pages = product_cards(self.product_pages() if pages is None else pages)
        if filters.get("kind"):
            pages = pages.filter(product__kind=filters["kind"])
        if filters.get("pier"):
            pages = pages.filter(product__venue__slug=filters["pier"])
        if filters.get("date"):
            pages = pages.filter(
                product__departures__in=Departure.objects.filter(
                    status=Departure.Status.SCHEDULED, starts_at__date=filters["date"]
                )
            ).distinct()
        return pages.order_by("path")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        filters = self.parse_filters(request.GET)
        pages = self.product_pages()
        paginator = Paginator(self.filtered_product_pages(filters, pages), self.page_size or 9)
        try:
            page_obj = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            page_obj = paginator.page(1)
        except EmptyPage:
            page_obj = paginator.page(paginator.num_pages)
        query = {k: v for k, v in filters.items() if v}
        context.update(
            {
                "filters": filters,
                "filter_query": urlencode({k: str(v) for k, v in query.items()}),
                "page_obj": page_obj,
                "kinds": self.offered_kinds(pages),
                "piers": Venue.objects.order_by("name"),
            }
        )
        return context

    @staticmethod
    def offered_kinds(pages) -> list[tuple[str, str]]:
        """The type filter offers only the kinds of the products this listing shows: a
        "Rental" choice on a listing of excursions could only ever find nothing."""
        present = set(pages.values_list("product__kind", flat=True).distinct())
        return [(value, label) for value, label in Product.Kind.choices if value in present]

    @staticmethod
    def parse_filters(params) -> dict:
        """Unknown or malformed filter values are ignored rather than answered with an
        error: a listing is a place to browse, and a stale link should still show it."""
        kind = params.get("kind", "")
        pier = params.get("pier", "")[:50]
        if not SLUG_PATTERN.fullmatch(pier):
            pier = ""
        try:
            date = datetime.date.fromisoformat(params.get("date", ""))
        except ValueError:
            date = None
        return {
            "kind": kind if kind in Product.Kind.values else "",
            "pier": pier if pier and Venue.objects.filter(slug=pier).exists() else "",
            "date": date,
        }


class ProductPage(BasePage):
    """Shared fields of the pages that sell something. Not created directly: marketers add
    an excursion, an event or a yacht page, and listings query all three at once."""

    intro = models.TextField(
        _("introduction"),
        max_length=400,
        help_text=_("One or two sentences shown on cards and in search results"),
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("main image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pages",
        help_text=_("What this page sells: used on cards, in filters and in search engines"),
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("image"),
        FieldPanel("product"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro", boost=1.5),
        index.SearchField("body"),
    ]
    parent_page_types = ["content.ListingPage"]
    subpage_types = []
    is_creatable = False
    schema_type = "Product"

    class Meta:
        verbose_name = _("product page")

    @property
    def sharing_image(self):
        return self.social_image or self.image

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["from_price"] = self.from_price
        context["next_departure"] = self.next_departure
        return context

    @cached_property
    def from_price(self):
        from booking.selectors import product_from_price

        return product_from_price(self.product) if self.product_id else None

    @cached_property
    def next_departure(self):
        if not self.product_id:
            return None
        return (
            Departure.objects.filter(
                product_id=self.product_id,
                status=Departure.Status.SCHEDULED,
                starts_at__gt=timezone.now(),
            )
            .select_related("venue")
            .order_by("starts_at")
            .first()
        )

    def get_json_ld(self, request):
        data = {
            "@context": "https://schema.org",
            "@type": self.schema_type,
            "name": self.title,
            "description": self.search_description or self.intro,
            "url": self.get_full_url(request),
        }
        if self.image_id:
            data["image"] = absolute_url(self.image.get_rendition("fill-1200x630").url)
        price = self.from_price
        if price is not None:
            data["offers"] = {
                "@type": "AggregateOffer" if self.schema_type != "Event" else "Offer",
                ("lowPrice" if self.schema_type != "Event" else "price"): str(price),
                "priceCurrency": "RUB",
                "availability": "https://schema.org/InStock",
                "url": self.get_full_url(request),
            }
        return data


class ExcursionPage(ProductPage):
    schema_type = "TouristTrip"
    template = "content/product_page.html"

    class Meta:
        verbose_name = _("excursion page")


class EventPage(ProductPage):
    schema_type = "Event"
    template = "content/product_page.html"

    class Meta:
        verbose_name = _("event page")

    def get_json_ld(self, request):
        data = super().get_json_ld(request)
        departure = self.next_departure
        if departure:
            venue = departure.venue
            data.update(
                {
                    "startDate": departure.local_starts_at.isoformat(),
                    "endDate": departure.ends_at.astimezone(
                        departure.local_starts_at.tzinfo
                    ).isoformat(),
                    "eventStatus": "https://schema.org/EventScheduled",
                    "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
                    "location": {
                        "@type": "Place",
                        "name": venue.display_name,
                        "address": venue.localized("address"),
                        "geo": {
                            "@type": "GeoCoordinates",
                            "latitude": str(venue.latitude),
                            "longitude": str(venue.longitude),
                        },
                    },
                }
            )
        return data


class YachtPage(ProductPage):
    schema_type = "Product"
    template = "content/product_page.html"

    guests = models.PositiveSmallIntegerField(_("guests"), null=True, blank=True)
    length_m = models.DecimalField(
        _("length, m"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    cabins = models.PositiveSmallIntegerField(_("cabins"), null=True, blank=True)

    content_panels = [
        *ProductPage.content_panels[:4],
        MultiFieldPanel(
            [FieldPanel("guests"), FieldPanel("length_m"), FieldPanel("cabins")],
            heading=_("Specifications"),
        ),
        FieldPanel("body"),
    ]

    class Meta:
        verbose_name = _("yacht page")


class StandardPage(BasePage):
    """About, FAQ, contacts and the legal documents."""

    intro = models.TextField(_("introduction"), blank=True, max_length=400)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
    ]
    parent_page_types = ["content.HomePage", "content.StandardPage"]
    subpage_types = ["content.StandardPage"]

    class Meta:
        verbose_name = _("standard page")


@register_setting(icon="site")
class CompanySettings(BaseSiteSetting):
    """The seller's details that Russian consumer law requires on the site, and the
    documents the footer and checkout link to."""

    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    inn = models.CharField(_("INN"), max_length=12, blank=True)
    ogrn = models.CharField(_("OGRN"), max_length=15, blank=True)
    address = models.CharField(_("address (Russian)"), max_length=255, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=255, blank=True)
    address_zh = models.CharField(_("address (Chinese)"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    telegram_url = models.URLField(_("Telegram"), blank=True)
    vk_url = models.URLField(_("VK"), blank=True)
    privacy_policy_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("personal data processing policy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    personal_data_consent_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("consent to personal data processing"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    offer_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("public offer agreement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    refund_rules_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("refund rules"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("legal_name"),
                FieldPanel("inn"),
                FieldPanel("ogrn"),
                FieldPanel("address"),
                FieldPanel("address_en"),
                FieldPanel("address_zh"),
                FieldPanel("phone"),
                FieldPanel("email"),
                FieldPanel("telegram_url"),
                FieldPanel("vk_url"),
            ],
            heading=_("Seller"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("privacy_policy_page"),
                FieldPanel("personal_data_consent_page"),
                FieldPanel("offer_page"),
                FieldPanel("refund_rules_page"),
            ],
            heading=_("Legal documents"),
        ),
    ]

    class Meta:
        verbose_name = _("company details")

    @property
    def legal_pages(self):
        return [
            self.privacy_policy_page_id,
            self.personal_data_consent_page_id,
            self.offer_page_id,
            self.refund_rules_page_id,
        ]
