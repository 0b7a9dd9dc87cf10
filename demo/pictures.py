"""The demo's pictures: which scene each one shows, its title and alt text."""

from demo.images import Scene
from demo.spec import ImageSpec


def picture(key, title, description, *args, **kwargs) -> ImageSpec:
    return ImageSpec(key, f"Демо: {title}", description, Scene(key, *args, **kwargs))


IMAGES = (
    picture(
        "home-hero",
        "белые ночи на Неве",
        "Теплоход на Неве в белую ночь, за ним мост и купол Исаакиевского собора",
        "dusk", "embankment", "arches", "motor", boat_x=0.62,
    ),
    # Rivers and canals
    picture(
        "rivers-main",
        "реки и каналы, главное фото",
        "Белый теплоход на Неве в солнечный день, за ним арочный мост и шпиль",
        "day", "embankment", "arches", "motor", extras=("gulls",),
    ),
    picture(
        "rivers-fortress",
        "Петропавловская крепость на закате дня",
        "Теплоход проходит мимо Петропавловской крепости в золотой час",
        "golden", "fortress", None, "motor", boat_x=0.7, boat_scale=0.8,
    ),
    picture(
        "rivers-canal",
        "катер в канале",
        "Прогулочный катер среди фасадов исторического центра",
        "day", "fontanka", None, "canal", boat_x=0.4,
    ),
    # Night bridges
    picture(
        "bridges-main",
        "развод Дворцового моста",
        "Разведённый Дворцовый мост ночью и теплоход с огнями",
        "night", "embankment", "drawbridge", "motor", boat_x=0.3, boat_scale=0.8,
    ),
    picture(
        "bridges-dusk",
        "мосты в белую ночь",
        "Разведённый мост на фоне Петропавловской крепости в белую ночь",
        "dusk", "fortress", "drawbridge", "motor", boat_x=0.78, boat_scale=0.7,
    ),
    picture(
        "bridges-moon",
        "ночная Нева под луной",
        "Ночная Нева, луна над крепостью, огни набережной",
        "night", "fortress", None, "motor", boat_x=0.6, boat_scale=0.85,
    ),
    # Kronstadt
    picture(
        "kronstadt-main",
        "Кронштадт с воды",
        "Морской собор Кронштадта и маяк, на переднем плане катер",
        "day", "kronstadt", None, "motor", boat_x=0.3, boat_scale=0.85, extras=("gulls",),
    ),
    picture(
        "kronstadt-gulf",
        "Финский залив",
        "Финский залив в золотой час, вдали маяк",
        "golden", "gulf", None, "motor_yacht", boat_x=0.45,
    ),
    picture(
        "kronstadt-dusk",
        "Кронштадт вечером",
        "Купол Морского собора вечером, огни маяка",
        "dusk", "kronstadt", None, "motor", boat_x=0.28, boat_scale=0.8,
    ),
    # The Fontanka
    picture(
        "fontanka-main",
        "Аничков мост",
        "Катер подходит к Аничкову мосту с конными скульптурами",
        "golden", "fontanka", "anichkov", "canal", boat_scale=0.9,
    ),
    picture(
        "fontanka-day",
        "Фонтанка днём",
        "Аничков мост днём, катер на Фонтанке",
        "day", "fontanka", "anichkov", "canal", boat_x=0.35, boat_scale=0.8,
    ),
    picture(
        "fontanka-evening",
        "Фонтанка на закате",
        "Фасады набережной Фонтанки на закате",
        "sunset", "fontanka", None, "canal", boat_x=0.6,
    ),
    # Jazz on the Neva
    picture(
        "jazz-main",
        "джаз на закате",
        "Теплоход с гирляндой огней на закате",
        "sunset", "embankment", None, "motor", extras=("garland",),
    ),
    picture(
        "jazz-night",
        "джазовая ночь у крепости",
        "Теплоход с огнями ночью у Петропавловской крепости",
        "night", "fortress", None, "motor", boat_x=0.55, extras=("garland",),
    ),
    picture(
        "jazz-dusk",
        "вечер на Неве",
        "Теплоход с гирляндой в белую ночь у арочного моста",
        "dusk", "embankment", "arches", "motor", boat_x=0.4, extras=("garland",),
    ),
    # Pirate quest
    picture(
        "pirates-main",
        "пиратский корабль",
        "Пиратский корабль с чёрным флагом у зелёных островов",
        "day", "islands", None, "pirate", boat_x=0.45, extras=("gulls",),
    ),
    picture(
        "pirates-golden",
        "пираты в золотой час",
        "Парусник с пиратским флагом в золотой час",
        "golden", "islands", None, "pirate", boat_x=0.6, boat_scale=0.9,
    ),
    picture(
        "pirates-sunset",
        "пираты на закате",
        "Пиратский корабль в заливе на закате",
        "sunset", "gulf", None, "pirate", boat_x=0.4, boat_scale=0.9,
    ),
    # New Year cruise
    picture(
        "newyear-main",
        "новогодний салют",
        "Салют над Петропавловской крепостью и теплоход с гирляндой",
        "night", "fortress", None, "motor", extras=("fireworks", "garland"),
    ),
    picture(
        "newyear-snow",
        "снег над Невой",
        "Теплоход с гирляндой идёт по Неве в снегопад",
        "winter", "embankment", None, "motor", boat_x=0.55, extras=("snow", "garland"),
    ),
    picture(
        "newyear-arches",
        "новогодняя ночь у моста",
        "Салют над арочным мостом в новогоднюю ночь",
        "night", "embankment", "arches", "motor", boat_x=0.35, extras=("fireworks", "snow"),
    ),
    # Sailing yacht White Night
    picture(
        "white-night-main",
        "яхта «Белая ночь» на закате",
        "Парусная яхта на закате у Петропавловской крепости",
        "sunset", "fortress", None, "yacht", boat_x=0.6,
    ),
    picture(
        "white-night-day",
        "яхта у островов",
        "Парусная яхта днём у Крестовского острова",
        "day", "islands", None, "yacht", boat_x=0.4, extras=("gulls",),
    ),
    picture(
        "white-night-gulf",
        "яхта в заливе",
        "Парусная яхта в Финском заливе в золотой час",
        "golden", "gulf", None, "yacht", boat_x=0.55,
    ),
    # Motor yacht North Star
    picture(
        "north-star-main",
        "яхта «Северная звезда»",
        "Моторная яхта на Неве в белую ночь",
        "dusk", "embankment", None, "motor_yacht", boat_x=0.42,
    ),
    picture(
        "north-star-day",
        "яхта на Фонтанке",
        "Моторная яхта у Аничкова моста днём",
        "day", "fontanka", "anichkov", "motor_yacht", boat_x=0.45, boat_scale=0.8,
    ),
    picture(
        "north-star-night",
        "яхта и разведённый мост",
        "Моторная яхта ночью у разведённого моста",
        "night", "embankment", "drawbridge", "motor_yacht", boat_x=0.72, boat_scale=0.75,
    ),
)  # fmt: skip

# Which renditions the templates ask for, by how a picture is used (kept in step with
# the `{% picture %}` / `{% image %}` tags in content/templates and config/templates).
RENDITIONS = {
    "card": ("format-{webp,jpeg}", "fill-{400x267,800x533}"),  # includes/card.html
    "product_hero": ("format-{webp,jpeg}", "fill-{800x450,1600x900}"),  # product_page.html
    "sharing": ("fill-1200x630",),  # base.html og:image, ProductPage.get_json_ld
    "hero": ("format-{webp,jpeg}", "fill-{800x600,1600x900}"),  # blocks/hero.html
    "gallery": ("format-{webp,jpeg}", "fill-{400x300,800x600}"),  # blocks/gallery.html
}
