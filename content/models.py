"""Public pages. Every page is translatable (wagtail-localize): Russian is the source
locale, English and Chinese are translations of the same tree."""

import datetime
import re
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.coreutils import find_available_slug
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model
from wagtail.models import Page, Site
from wagtail.search import index

from booking.models import Departure, Product, Venue
from booking.selectors import lowest_ticket_price
from content.blocks import BodyBlock
from content.links import absolute_url, page_full_url
from content.slugs import latin_slug

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


class PageForm(WagtailAdminPageForm):
    """The admin form of every public page: a new page's slug may be left empty (made from
    the title) or typed in Cyrillic; either way it is saved in Latin letters."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False

    def clean_slug(self):
        typed = self.cleaned_data.get("slug") or ""
        if typed and (typed.isascii() or self.instance.pk):
            return typed
        slug = latin_slug(typed or self.cleaned_data.get("title") or "")
        if not slug:
            raise ValidationError(_("Type the page's address in Latin letters."))
        parent = self.parent_page if self.instance.pk is None else self.instance.get_parent()
        if not typed and parent is not None:
            # Made from the title: numbered like Wagtail's own, never refused as taken.
            slug = find_available_slug(parent, slug, ignore_page_id=self.instance.pk)
        return slug


class BasePage(Page):
    """Fields and behaviour every public page shares: SEO, sharing image, JSON-LD.

    A new page gets a Latin slug (see `content.slugs`): from its title when it has none,
    transliterated when it is Cyrillic, in the admin and in code alike. A translation
    (a new page sharing its source's translation key) keeps the source's slug as it is.
    """

    base_form_class = PageForm

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

    @classmethod
    def serving_queryset(cls):
        """How `content.routing` reads a page of this type to serve it: with what its
        template shows, so that rendering it does not query them one by one."""
        return cls.objects.select_related("social_image")

    def get_view_restrictions(self):
        """Wagtail's view restrictions of this page and its ancestors in one query
        instead of two (none when the router saw that no page has any). As in Wagtail,
        an alias has its source page's restrictions (an alias of an alias, its source's
        source)."""
        from wagtail.models import PageViewRestriction

        if getattr(self, "any_view_restrictions", None) is False:
            # Routed by content.routing, which saw that no page has any.
            return PageViewRestriction.objects.none()
        steps = Page.steplen
        lineage = Page.objects.filter(
            path__in=[self.path[:end] for end in range(steps, len(self.path) + 1, steps)]
        )
        return PageViewRestriction.objects.filter(
            models.Q(page__in=lineage.filter(alias_of__isnull=True))
            | models.Q(page__in=lineage.filter(alias_of__alias_of__isnull=True).values("alias_of"))
            | models.Q(page__in=lineage.values("alias_of__alias_of"))
        )

    def get_full_url(self, request=None):
        # `page.full_url` in templates and JSON-LD: on SITE_URL, not the Site record's host.
        return page_full_url(self, request)

    full_url = property(get_full_url)

    def _latin_slug_for_new_page(self):
        if self.pk is not None or (self.slug and self.slug.isascii()):
            return
        if Page.objects.filter(translation_key=self.translation_key).exists():
            return
        if self.slug:
            self.slug = latin_slug(self.slug) or self.slug
        elif self.path or getattr(self, "_cached_parent_obj", None):
            base = latin_slug(self.title or "")
            if base:
                self.slug = self._get_autogenerated_slug(base)

    def full_clean(self, *args, **kwargs):
        self._latin_slug_for_new_page()
        super().full_clean(*args, **kwargs)

    def minimal_clean(self):
        self._latin_slug_for_new_page()
        super().minimal_clean()

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
                product__departures__in=Departure.objects.on_timetable().filter(
                    starts_at__date=filters["date"]
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

    @classmethod
    def serving_queryset(cls):
        # The template's hero image, the product with its pier and "from" price.
        return (
            super()
            .serving_queryset()
            .select_related("image", "product__venue")
            .annotate(product_from_price=lowest_ticket_price("product__"))
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["from_price"] = self.from_price
        context["next_departure"] = self.next_departure
        return context

    @cached_property
    def booking_anchor(self) -> str:
        """The id of the page's booking block (content/blocks/booking.html) for the
        header's "Buy tickets" link; '' when the body has no booking block that renders."""
        for block in self.body:
            if block.block_type == "booking" and block.value.get("product"):
                return "booking"
        return ""

    @cached_property
    def from_price(self):
        from booking.selectors import product_from_price

        if not self.product_id:
            return None
        if hasattr(self, "product_from_price"):  # annotated by serving_queryset
            return self.product_from_price
        return product_from_price(self.product)

    @cached_property
    def next_departure(self):
        if not self.product_id:
            return None
        return (
            Departure.objects.on_timetable()
            .filter(product_id=self.product_id, starts_at__gt=timezone.now())
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

    # Kept in the default cache (Redis in production) until saved or deleted
    # (content.signals), at most this long.
    CACHE_SECONDS = 3600

    @staticmethod
    def cache_key(site_id) -> str:
        return f"company-settings:{site_id}"

    @classmethod
    def for_request(cls, request):
        """The site's details for a page being rendered (`settings.content.
        CompanySettings` in templates), from the cache: every booking block may show
        the phone, and a page the page cache misses should not read them each time. The
        admin edits the row itself (`for_site`)."""
        attr_name = cls.get_cache_attr_name()
        if hasattr(request, attr_name):
            return getattr(request, attr_name)
        site = Site.find_for_request(request)
        if site is None:
            return super().for_request(request)
        key = cls.cache_key(site.pk)
        instance = cache.get(key)
        if instance is None:
            instance = cls.for_site(site)
            cache.set(key, instance, cls.CACHE_SECONDS)
        instance._request = request
        setattr(request, attr_name, instance)
        return instance

    @property
    def legal_pages(self):
        return [
            self.privacy_policy_page_id,
            self.personal_data_consent_page_id,
            self.offer_page_id,
            self.refund_rules_page_id,
        ]
