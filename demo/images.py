"""Original illustrations for the demo site, drawn with Pillow at run time.

Stylised St Petersburg river scenes: a sky in a day, golden-hour, sunset, white-night,
night or winter palette, an embankment skyline with the city's domes and spires, a
bridge, water with a rippled reflection and wave highlights, and a boat, yacht or
pirate ship in front. Every scene is seeded by its key, so the same key always gives
the same picture.
"""

from __future__ import annotations

import io
import itertools
import math
import random
from dataclasses import dataclass, field

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1600, 1000
SCALE = 2  # drawn at twice the size, then downsampled: cheap anti-aliasing
HORIZON = 560  # where the far bank meets the water, at 1600x1000


def hex_rgb(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))


def mix(a, b, t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


@dataclass(frozen=True)
class Palette:
    sky: tuple[str, str, str]  # top, middle, horizon
    water: tuple[str, str]  # near the horizon, at the bottom edge
    far: str  # distant silhouettes
    near: str  # bridges
    window: str | None  # lit windows and lamps; None in daylight
    sun: str | None = None
    sun_height: float = 0.0  # above the horizon, fraction of the picture height
    moon: bool = False
    stars: int = 0
    clouds: str | None = None
    cloud_alpha: int = 0
    boat_lit: bool = False  # boats are dark silhouettes with lit windows
    wave: str = "#ffffff"


PALETTES = {
    "day": Palette(
        sky=("#2f6fb3", "#78b1de", "#dcecf4"),
        water=("#6d9dba", "#143f5e"),
        far="#8fa8bc",
        near="#50677b",
        window=None,
        clouds="#ffffff",
        cloud_alpha=210,
        wave="#e8f4fb",
    ),
    "golden": Palette(
        sky=("#3c6aa6", "#e3a877", "#fbe0aa"),
        water=("#d6a877", "#25405c"),
        far="#a0838a",
        near="#4b3f55",
        window=None,
        sun="#fff1c4",
        sun_height=0.2,
        clouds="#ffe6c8",
        cloud_alpha=170,
        wave="#fff0d0",
    ),
    "sunset": Palette(
        sky=("#23285a", "#c2506b", "#f8a75a"),
        water=("#c5735f", "#151b3a"),
        far="#5c3a5c",
        near="#30203f",
        window="#ffd27a",
        sun="#ffcf70",
        sun_height=0.05,
        clouds="#f28a7a",
        cloud_alpha=150,
        boat_lit=True,
        wave="#ffc98f",
    ),
    "dusk": Palette(  # the white nights: a pale, long twilight
        sky=("#1c2b58", "#56679f", "#eab0a3"),
        water=("#7b79a0", "#111a36"),
        far="#3d4373",
        near="#20264b",
        window="#ffd98a",
        stars=40,
        clouds="#c98aa0",
        cloud_alpha=110,
        boat_lit=True,
        wave="#f3c4bd",
    ),
    "night": Palette(
        sky=("#03071a", "#0d1b42", "#2c3f73"),
        water=("#1d2c55", "#02050d"),
        far="#18224a",
        near="#0b1028",
        window="#ffcf6b",
        moon=True,
        stars=220,
        boat_lit=True,
        wave="#f6c96b",
    ),
    "winter": Palette(
        sky=("#7f9cc0", "#c6d4e6", "#f1f4f8"),
        water=("#bccbdb", "#536f8d"),
        far="#8796ad",
        near="#55647a",
        window="#ffe3a0",
        clouds="#ffffff",
        cloud_alpha=170,
        boat_lit=True,
        wave="#ffffff",
    ),
}


@dataclass(frozen=True)
class Scene:
    key: str
    palette: str = "day"
    skyline: str = "embankment"  # embankment, fortress, kronstadt, fontanka, islands, gulf
    bridge: str | None = None  # arches, drawbridge, anichkov
    boat: str | None = "motor"  # motor, canal, yacht, motor_yacht, pirate
    boat_x: float = 0.5  # centre of the boat, fraction of the width
    boat_scale: float = 1.0
    extras: tuple[str, ...] = field(default_factory=tuple)  # fireworks, snow, gulls, garland


class Surface:
    """Something to draw on in 1600x1000 coordinates: the picture itself, or a layer
    covering part of it that is composited later."""

    def __init__(self, image: Image.Image, x0: float = 0, y0: float = 0):
        self.image = image
        self.x0, self.y0 = x0, y0
        self.d = ImageDraw.Draw(image)

    def s(self, *values):
        """Scales a flat x, y, x, y … sequence to drawing pixels."""
        return [
            round((v - (self.x0 if i % 2 == 0 else self.y0)) * SCALE) for i, v in enumerate(values)
        ]

    def w(self, width: float) -> int:
        return max(1, round(width * SCALE))


class Canvas(Surface):
    def __init__(self, rng: random.Random):
        super().__init__(Image.new("RGBA", (WIDTH * SCALE, HEIGHT * SCALE), (0, 0, 0, 255)))
        self.rng = rng

    def layer(self, y0=0, y1=HEIGHT, x0=0, x1=WIDTH, colour=(0, 0, 0)) -> Surface:
        size = (round((x1 - x0) * SCALE), round((y1 - y0) * SCALE))
        return Surface(Image.new("RGBA", size, (*colour, 0)), x0, y0)

    def paste(self, layer: Surface):
        self.image.alpha_composite(layer.image, (round(layer.x0 * SCALE), round(layer.y0 * SCALE)))


def vertical_gradient(width, height, stops) -> Image.Image:
    """stops: [(position 0..1, rgb), …] sorted by position."""
    column = Image.new("RGB", (1, height))
    pixels = column.load()
    for y in range(height):
        t = y / max(height - 1, 1)
        for (p0, c0), (p1, c1) in itertools.pairwise(stops):
            if p0 <= t <= p1:
                pixels[0, y] = mix(c0, c1, (t - p0) / max(p1 - p0, 1e-6))
                break
    return column.resize((width, height), Image.NEAREST)


def glow(c: Canvas, x, y, radius, colour: str, strength=160):
    """A soft halo, drawn small and blurred, then enlarged into its corner of the picture."""
    rgb = hex_rgb(colour)
    q = 4
    size = round(radius * 2 / q) + 2
    small = Image.new("RGBA", (size, size), (*rgb, 0))
    d = ImageDraw.Draw(small)
    centre = size / 2
    for i in range(8, 0, -1):
        rr = radius / q * i / 8
        d.ellipse(
            (centre - rr, centre - rr, centre + rr, centre + rr),
            fill=(*rgb, round(strength * (1 - i / 9) ** 1.6)),
        )
    small = small.filter(ImageFilter.GaussianBlur(radius / q / 8))
    layer = c.layer(y - radius, y + radius, x - radius, x + radius, rgb)
    layer.image.paste(small.resize(layer.image.size, Image.BILINEAR))
    c.paste(layer)


def draw_sky(c: Canvas, pal: Palette):
    top, mid, horizon = (hex_rgb(v) for v in pal.sky)
    sky = vertical_gradient(c.image.width, HORIZON * SCALE, [(0, top), (0.55, mid), (1, horizon)])
    c.image.paste(sky, (0, 0))
    if pal.stars:
        for _ in range(pal.stars):
            x = c.rng.uniform(0, WIDTH)
            y = c.rng.uniform(0, HORIZON * 0.75)
            r = c.rng.choice([0.6, 0.8, 1.0, 1.0, 1.4, 1.8])
            t = (1 - y / (HORIZON * 0.9)) * c.rng.uniform(0.5, 1)
            star = mix(hex_rgb(pal.sky[0]), (255, 250, 235), max(t, 0.2))
            c.d.ellipse(c.s(x - r, y - r, x + r, y + r), fill=star)


def draw_sun_or_moon(c: Canvas, pal: Palette):
    if pal.moon:
        x = c.rng.uniform(0.62, 0.85) * WIDTH
        y = c.rng.uniform(0.12, 0.22) * HEIGHT
        glow(c, x, y, 240, "#9fb4ff", 90)
        r = 34
        moon = c.layer(y - r - 2, y + r + 2, x - r - 2, x + r + 2)
        moon.d.ellipse(moon.s(x - r, y - r, x + r, y + r), fill=(250, 246, 226, 255))
        moon.d.ellipse(moon.s(x - r + 16, y - r - 8, x + r + 16, y + r - 8), fill=(0, 0, 0, 0))
        c.paste(moon)
    elif pal.sun:
        x = c.rng.uniform(0.25, 0.75) * WIDTH
        y = HORIZON - pal.sun_height * HEIGHT - 40
        glow(c, x, y, 520, pal.sun, 200)
        r = 58
        c.d.ellipse(c.s(x - r, y - r, x + r, y + r), fill=hex_rgb(pal.sun))


def draw_clouds(c: Canvas, pal: Palette):
    if not pal.clouds:
        return
    rgb = hex_rgb(pal.clouds)
    q = 4
    small = Image.new("RGBA", (WIDTH // q, HORIZON // q), (*rgb, 0))
    d = ImageDraw.Draw(small)
    for _ in range(c.rng.randint(3, 6)):
        cx = c.rng.uniform(-50, WIDTH + 50) / q
        cy = c.rng.uniform(0.08, 0.4) * HEIGHT / q
        width = c.rng.uniform(200, 460) / q
        for _ in range(c.rng.randint(6, 10)):
            px = cx + c.rng.uniform(-width / 2, width / 2)
            rx = c.rng.uniform(width / 7, width / 3.5)
            ry = rx * c.rng.uniform(0.45, 0.7)
            # flat-bottomed puffs
            d.ellipse((px - rx, cy - ry * 1.6, px + rx, cy), fill=(*rgb, pal.cloud_alpha))
        d.rounded_rectangle(
            (cx - width / 2, cy - 6, cx + width / 2, cy + 1), radius=3, fill=(*rgb, pal.cloud_alpha)
        )
    small = small.filter(ImageFilter.GaussianBlur(1.6))
    layer = c.layer(0, HORIZON, colour=rgb)
    layer.image.paste(small.resize(layer.image.size, Image.BILINEAR))
    c.paste(layer)


# --- the far bank --------------------------------------------------------------------


def classical_block(g: Surface, x0, x1, base, height, colour, window, rng):
    """A house of the embankments: a box, a cornice, perhaps a pediment, windows."""
    g.d.rectangle(g.s(x0, base - height, x1, base), fill=colour)
    g.d.rectangle(g.s(x0 - 2, base - height - 4, x1 + 2, base - height), fill=colour)
    if rng.random() < 0.35:
        mx = (x0 + x1) / 2
        span = (x1 - x0) * rng.uniform(0.25, 0.4)
        g.d.polygon(
            g.s(mx - span, base - height - 4, mx + span, base - height - 4, mx, base - height - 18),
            fill=colour,
        )
    if window:
        rows = max(2, int(height // 14))
        cols = max(3, int((x1 - x0) // 11))
        for row in range(rows):
            for col in range(cols):
                if rng.random() < 0.42:
                    wx = x0 + 5 + col * (x1 - x0 - 8) / cols
                    wy = base - height + 7 + row * (height - 10) / rows
                    g.d.rectangle(g.s(wx, wy, wx + 3.2, wy + 5), fill=window)


def dome(g: Surface, x, base, radius, colour, drum=0.7, gold=None):
    drum_h = radius * drum
    g.d.rectangle(g.s(x - radius * 0.8, base - drum_h, x + radius * 0.8, base), fill=colour)
    g.d.pieslice(
        g.s(
            x - radius * 0.8,
            base - drum_h - radius * 0.8,
            x + radius * 0.8,
            base - drum_h + radius * 0.8,
        ),
        180,
        360,
        fill=gold or colour,
    )
    top = base - drum_h - radius * 0.8
    g.d.rectangle(g.s(x - radius * 0.12, top - radius * 0.35, x + radius * 0.12, top), fill=colour)
    g.d.polygon(
        g.s(
            x - radius * 0.12,
            top - radius * 0.35,
            x + radius * 0.12,
            top - radius * 0.35,
            x,
            top - radius * 0.75,
        ),
        fill=gold or colour,
    )


def spire(g: Surface, x, base, width, tower_h, needle_h, colour, gold=None):
    """The Peter and Paul or Admiralty spire: a tower, a lantern, a golden needle."""
    g.d.rectangle(g.s(x - width, base - tower_h, x + width, base), fill=colour)
    g.d.rectangle(
        g.s(x - width * 0.7, base - tower_h * 1.25, x + width * 0.7, base - tower_h), fill=colour
    )
    top = base - tower_h * 1.25
    g.d.polygon(
        g.s(x - width * 0.55, top, x + width * 0.55, top, x, top - needle_h), fill=gold or colour
    )
    g.d.line(g.s(x, top - needle_h, x, top - needle_h - 14), fill=gold or colour, width=g.w(2))
    g.d.line(
        g.s(x - 5, top - needle_h - 9, x + 5, top - needle_h - 9), fill=gold or colour, width=g.w(1)
    )


def rostral_column(g: Surface, x, base, height, colour):
    g.d.rectangle(g.s(x - 9, base - 14, x + 9, base), fill=colour)
    g.d.rectangle(g.s(x - 5, base - height, x + 5, base - 14), fill=colour)
    for i in range(4):
        y = base - 26 - i * (height - 40) / 4
        g.d.polygon(g.s(x - 5, y, x - 13, y - 4, x - 5, y - 8), fill=colour)
        g.d.polygon(g.s(x + 5, y, x + 13, y - 4, x + 5, y - 8), fill=colour)
    g.d.rectangle(g.s(x - 8, base - height - 8, x + 8, base - height), fill=colour)


def tree_clump(g: Surface, x, base, size, colour, rng):
    for _ in range(6):
        px = x + rng.uniform(-size, size)
        py = base - size * rng.uniform(0.6, 1.3)
        r = size * rng.uniform(0.45, 0.7)
        g.d.ellipse(g.s(px - r, py - r, px + r, base), fill=colour)


def draw_skyline(c: Canvas, pal: Palette, scene: Scene):
    far = hex_rgb(pal.far)
    gold = mix(far, (236, 196, 96), 0.6)
    # lit windows after dark, faint shaded ones in daylight
    window = hex_rgb(pal.window) if pal.window else mix(far, (40, 50, 70), 0.18)
    base = HORIZON
    rng = c.rng
    kind = scene.skyline

    if kind in ("embankment", "fontanka"):
        tall = 1.5 if kind == "fontanka" else 1.0
        x = -10
        while x < WIDTH + 10:
            w = rng.uniform(90, 190)
            classical_block(c, x, x + w, base, rng.uniform(48, 70) * tall, far, window, rng)
            x += w + rng.uniform(0, 3)
        if kind == "embankment":
            dome(c, WIDTH * rng.uniform(0.55, 0.7), base - 64, 58, far, gold=gold)
            spire(c, WIDTH * rng.uniform(0.2, 0.35), base - 62, 16, 40, 150, far, gold=gold)
            rostral_column(c, WIDTH * rng.uniform(0.82, 0.92), base, 120, far)
        else:
            dome(c, WIDTH * rng.uniform(0.62, 0.75), base - 100, 38, far, gold=gold)
    elif kind == "fortress":
        # the Peter and Paul Fortress: low bastions, the cathedral and its spire
        c.d.polygon(
            c.s(-10, base, -10, base - 38, 120, base - 42, 160, base - 30, 700, base - 34)
            + c.s(760, base - 22, 900, base - 20, 920, base),
            fill=far,
        )
        for bx in (140, 420, 740):
            c.d.polygon(c.s(bx - 30, base - 30, bx, base - 48, bx + 30, base - 30), fill=far)
        classical_block(c, 300, 520, base - 34, 46, far, window, rng)
        spire(c, 410, base - 80, 18, 60, 330, far, gold=gold)
        dome(c, 480, base - 80, 16, far, drum=0.5, gold=gold)
        x = 960
        while x < WIDTH + 10:
            w = rng.uniform(80, 150)
            classical_block(c, x, x + w, base, rng.uniform(30, 44), far, window, rng)
            x += w + 2
        dome(c, 1240, base - 40, 52, far, gold=gold)
    elif kind == "kronstadt":
        # a low island, the Naval Cathedral's great dome, a lighthouse on the mole
        c.d.polygon(
            c.s(-10, base, -10, base - 20, 500, base - 24, 1250, base - 18, 1610, base - 14)
            + c.s(1610, base),
            fill=far,
        )
        x = 200
        while x < 1150:
            w = rng.uniform(60, 120)
            classical_block(c, x, x + w, base - 18, rng.uniform(18, 30), far, window, rng)
            x += w + rng.uniform(4, 30)
        cx = 700
        c.d.rectangle(c.s(cx - 90, base - 100, cx + 90, base - 18), fill=far)
        dome(c, cx, base - 100, 95, far, drum=0.55, gold=gold)
        for off in (-120, 120):
            dome(c, cx + off, base - 60, 28, far, drum=0.8)
        c.d.rectangle(c.s(1380, base - 120, 1396, base - 14), fill=far)
        c.d.polygon(c.s(1374, base - 120, 1402, base - 120, 1388, base - 140), fill=far)
        if pal.window:
            glow(c, 1388, base - 128, 60, pal.window, 170)
    elif kind == "islands":
        # the green islands: trees, the stadium's roof, a tall tower far off on the gulf
        x = -20
        while x < WIDTH + 20:
            tree_clump(c, x, base, rng.uniform(26, 44), far, rng)
            x += rng.uniform(40, 80)
        c.d.chord(c.s(180, base - 70, 560, base + 40), 180, 360, fill=far)
        c.d.polygon(
            c.s(1316, base, 1330, base - 330, 1336, base - 380, 1342, base - 330, 1356, base),
            fill=far,
        )
    elif kind == "gulf":
        c.d.polygon(
            c.s(-10, base, -10, base - 12, 700, base - 8, 1610, base - 6, 1610, base), fill=far
        )
        c.d.rectangle(c.s(1080, base - 70, 1088, base - 8), fill=far)
        c.d.polygon(c.s(1076, base - 70, 1092, base - 70, 1084, base - 82), fill=far)

    if kind in ("embankment", "fontanka", "fortress"):  # the granite wall along the water
        c.d.rectangle(c.s(-10, base - 6, WIDTH + 10, base), fill=mix(far, (0, 0, 0), 0.25))


# --- water ---------------------------------------------------------------------------


def draw_water(c: Canvas, pal: Palette):
    top, bottom = hex_rgb(pal.water[0]), hex_rgb(pal.water[1])
    hy = HORIZON * SCALE
    water_h = c.image.height - hy
    water = vertical_gradient(c.image.width, water_h, [(0, top), (1, bottom)]).convert("RGBA")

    # the reflection: the picture above the horizon, flipped, rippled, tinted by the water
    above = c.image.crop((0, max(0, hy - water_h), c.image.width, hy))
    above = above.transpose(Image.FLIP_TOP_BOTTOM)
    reflection = Image.new("RGBA", (c.image.width, water_h), (0, 0, 0, 0))
    strip = 3 * SCALE
    phase = c.rng.uniform(0, math.tau)
    for y in range(0, min(above.height, water_h), strip):
        amp = (2 + 22 * y / water_h) * SCALE
        dx = round(
            math.sin(y / (9 * SCALE) + phase) * amp + math.sin(y / (3.1 * SCALE)) * amp * 0.3
        )
        row = above.crop((0, y, c.image.width, y + strip))
        reflection.paste(row, (dx, y))
        reflection.paste(row, (dx - c.image.width if dx > 0 else dx + c.image.width, y))
    fade = vertical_gradient(1, water_h, [(0, (170,) * 3), (0.55, (70,) * 3), (1, (20,) * 3)])
    reflection.putalpha(fade.convert("L").resize((c.image.width, water_h)))
    water.alpha_composite(reflection)
    c.image.paste(water, (0, hy))
    c.d.rectangle(
        c.s(-10, HORIZON, WIDTH + 10, HORIZON + 2), fill=mix(hex_rgb(pal.far), (0, 0, 0), 0.4)
    )


def draw_waves(c: Canvas, pal: Palette):
    """Wave highlights: short strokes, longer and sparser towards the viewer."""
    layer = c.layer(HORIZON, HEIGHT, colour=hex_rgb(pal.wave))
    wave = hex_rgb(pal.wave)
    for _ in range(900):
        t = c.rng.random() ** 1.7
        y = HORIZON + 4 + t * (HEIGHT - HORIZON)
        length = 6 + t * 90 * c.rng.uniform(0.4, 1.2)
        x = c.rng.uniform(-40, WIDTH)
        alpha = min(round(c.rng.uniform(40, 120) * (0.5 + t)), 170)
        layer.d.line(layer.s(x, y, x + length, y), fill=(*wave, alpha), width=layer.w(1 + t * 2.5))
    c.paste(layer)


# --- bridges (in the middle distance, standing in the water) -------------------------


def draw_bridge(c: Canvas, pal: Palette, scene: Scene):
    if not scene.bridge:
        return
    near = hex_rgb(pal.near)
    lamp = hex_rgb(pal.window) if pal.window else None
    base = HORIZON + 70  # the waterline under the bridge
    deck = base - (130 if scene.bridge == "anichkov" else 66)
    top = deck - 320
    layer = c.layer(top, base, colour=near)
    g = layer
    lights: list[tuple[float, float, bool]] = []

    if scene.bridge == "arches":
        g.d.rectangle(g.s(-10, deck - 10, WIDTH + 10, deck - 6), fill=near)  # the railing
        for i in range(0, WIDTH + 20, 12):
            g.d.line(g.s(i, deck - 8, i, deck), fill=near, width=g.w(1.5))
        span = 320
        for i in range(-1, 6):
            x0 = i * span + 60
            x1 = x0 + span
            g.d.rectangle(g.s(x0, deck, x1, base), fill=near)
            rise = base - deck - 24
            g.d.ellipse(g.s(x0 + 26, deck + 24, x1 - 26, base + rise), fill=(*near, 0))
        if lamp:
            for i in range(40, WIDTH, 80):
                g.d.line(g.s(i, deck - 10, i, deck - 34), fill=near, width=g.w(2))
                lights.append((i, deck - 37, False))
    elif scene.bridge == "drawbridge":
        # the Palace Bridge opened at night: two leaves raised, the side spans on arches
        cx = WIDTH * 0.5
        gap = 70
        leaf = 270
        for x0, x1 in ((-10, cx - gap - 110), (cx + gap + 110, WIDTH + 10)):
            g.d.rectangle(g.s(x0, deck, x1, deck + 18), fill=near)
            g.d.rectangle(g.s(x0, deck - 10, x1, deck - 6), fill=near)
        for px in (cx - gap - 140, cx + gap + 140, 260, WIDTH - 260):
            g.d.rectangle(g.s(px - 34, deck, px + 34, base), fill=near)
            g.d.rectangle(g.s(px - 40, deck - 40, px + 40, deck), fill=near)
        for sign in (-1, 1):
            pivot_x = cx + sign * (gap + 110)
            angle = math.radians(70)
            tip_x = pivot_x - sign * leaf * math.cos(angle)
            tip_y = deck - leaf * math.sin(angle)
            g.d.line(g.s(pivot_x, deck + 6, tip_x, tip_y), fill=near, width=g.w(20))
            if lamp:
                for k in range(1, 10):
                    t = k / 10
                    lx = pivot_x + (tip_x - pivot_x) * t - sign * 12
                    lights.append((lx, deck + (tip_y - deck) * t, False))
        if lamp:
            for x in list(range(30, int(cx - gap - 150), 70)) + list(
                range(int(cx + gap + 160), WIDTH, 70)
            ):
                lights.append((x, deck - 14, False))
    elif scene.bridge == "anichkov":
        # one low granite arch, the horse tamer statues on its four corners
        x0, x1 = WIDTH * 0.22, WIDTH * 0.78
        g.d.rectangle(g.s(-10, deck - 4, WIDTH + 10, base), fill=near)
        rise = base - deck - 30
        g.d.ellipse(g.s(x0 + 110, deck + 30, x1 - 110, base + rise), fill=(*near, 0))
        for px in (x0, x1):
            g.d.rectangle(g.s(px - 26, deck - 40, px + 26, deck - 4), fill=near)
            horse(g, px, deck - 40, near, flip=px > WIDTH / 2)
        if lamp:
            for x in (x0 + 170, x1 - 170):
                g.d.line(g.s(x, deck - 4, x, deck - 60), fill=near, width=g.w(3))
                lights.append((x, deck - 64, True))

    for x, y, big in lights:
        small_light(g, x, y, lamp, big=big)

    # its reflection, upside down under the waterline, fainter and rippled
    reflected = layer.image.transpose(Image.FLIP_TOP_BOTTOM)
    height = round((base - deck + 2) * SCALE)  # the arches and the deck, not the lamps
    reflected = reflected.crop((0, 0, reflected.width, height))
    alpha = reflected.getchannel("A").point(lambda v: round(v * 0.45))
    reflected.putalpha(alpha)
    rippled = Image.new("RGBA", reflected.size, (*near, 0))
    for y in range(0, height, 3 * SCALE):
        dx = round(math.sin(y / (5 * SCALE)) * (2 + 6 * y / height) * SCALE)
        row = reflected.crop((0, y, reflected.width, y + 3 * SCALE))
        rippled.paste(row, (dx, y))
        rippled.paste(row, (dx - reflected.width if dx > 0 else dx + reflected.width, y))
    c.paste(layer)
    shadow = c.layer(base, base + height / SCALE, colour=near)
    shadow.image.paste(rippled)
    c.paste(shadow)


def horse(g: Surface, x, base, colour, flip=False):
    """A rearing horse and its tamer, much reduced."""
    sx = -1 if flip else 1
    body = [
        (-24, 0), (-20, -22), (-14, -30), (2, -34), (10, -52), (18, -60), (24, -56),
        (16, -44), (20, -30), (14, -20), (18, 0), (10, 0), (6, -16), (-8, -16), (-12, 0),
    ]  # fmt: skip
    g.d.polygon(g.s(*[v for px, py in body for v in (x + px * sx, base + py)]), fill=colour)
    tamer = [(-30, 0), (-26, -40), (-20, -46), (-14, -40), (-18, 0)]
    g.d.polygon(g.s(*[v for px, py in tamer for v in (x + px * sx, base + py)]), fill=colour)
    g.d.line(g.s(x - 20 * sx, base - 38, x + 6 * sx, base - 46), fill=colour, width=g.w(3))


def small_light(g: Surface, x, y, rgb, big=False):
    r = 3.2 if big else 2.2
    for k, alpha in ((3.2, 45), (2.0, 90), (1.0, 255)):
        rr = r * k
        g.d.ellipse(g.s(x - rr, y - rr, x + rr, y + rr), fill=(*rgb, alpha))


# --- boats ---------------------------------------------------------------------------


def boat_colours(pal: Palette):
    """hull, superstructure, glazing, accent"""
    if pal.boat_lit:
        hull = mix(hex_rgb(pal.near), (0, 0, 0), 0.25)
        cabin = mix(hex_rgb(pal.near), (40, 40, 60), 0.3)
        return hull, cabin, hex_rgb(pal.window or "#ffd27a"), (214, 64, 64)
    return (246, 247, 249), (232, 236, 240), (44, 70, 96), (200, 40, 50)


def draw_motor_ship(g: Surface, pal: Palette, x, y, k, canal=False):
    hull, cabin, window, stripe = boat_colours(pal)
    length = (400 if canal else 520) * k
    h = 46 * k
    x0, x1 = x - length / 2, x + length / 2
    g.d.polygon(
        g.s(x0, y - h, x1 + 40 * k, y - h - 8 * k, x1 - 10 * k, y, x0 + 20 * k, y), fill=hull
    )
    g.d.line(
        g.s(x0 + 6 * k, y - h * 0.45, x1 + 14 * k, y - h * 0.55), fill=stripe, width=g.w(5 * k)
    )
    g.d.line(
        g.s(x0 + 12 * k, y - 4 * k, x1 - 6 * k, y - 4 * k),
        fill=mix(hull, (0, 0, 0), 0.4),
        width=g.w(4 * k),
    )
    # the saloon with its long glazing
    cab_h = (38 if canal else 56) * k
    cx0, cx1 = x0 + 40 * k, x1 - 60 * k
    g.d.rounded_rectangle(g.s(cx0, y - h - cab_h, cx1, y - h + 2), radius=g.w(10 * k), fill=cabin)
    g.d.rectangle(
        g.s(cx0 + 10 * k, y - h - cab_h + 10 * k, cx1 - 12 * k, y - h - 12 * k), fill=window
    )
    for i in range(int((cx1 - cx0) // (34 * k))):
        mx = cx0 + 10 * k + i * 34 * k
        g.d.line(g.s(mx, y - h - cab_h + 10 * k, mx, y - h - 12 * k), fill=cabin, width=g.w(3 * k))
    deck = y - h - cab_h
    if not canal:  # the open upper deck: rails, a wheelhouse, a flag
        ux0, ux1 = cx0 + 30 * k, cx1 - 120 * k
        g.d.line(g.s(cx0, deck - 16 * k, cx1, deck - 16 * k), fill=cabin, width=g.w(3 * k))
        for i in range(int((cx1 - cx0) // (20 * k)) + 1):
            rx = cx0 + i * 20 * k
            g.d.line(g.s(rx, deck - 16 * k, rx, deck), fill=cabin, width=g.w(2 * k))
        g.d.rounded_rectangle(
            g.s(ux1 - 10 * k, deck - 42 * k, ux1 + 70 * k, deck), radius=g.w(6 * k), fill=cabin
        )
        g.d.rectangle(g.s(ux1, deck - 34 * k, ux1 + 60 * k, deck - 22 * k), fill=window)
        g.d.line(g.s(ux0, deck, ux0, deck - 70 * k), fill=cabin, width=g.w(3 * k))
        g.d.polygon(
            g.s(ux0, deck - 70 * k, ux0 + 30 * k, deck - 62 * k, ux0, deck - 54 * k), fill=stripe
        )
    if pal.boat_lit:
        for i in range(7):
            lx = cx0 + 20 * k + i * (cx1 - cx0 - 40 * k) / 6
            small_light(g, lx, deck - 2 * k, window)


def draw_yacht(g: Surface, pal: Palette, x, y, k, motor=False):
    hull, cabin, window, stripe = boat_colours(pal)
    length = 460 * k
    x0, x1 = x - length / 2, x + length / 2
    h = 34 * k
    g.d.polygon(
        g.s(x0, y - h, x1 + 70 * k, y - h - 14 * k, x1 - 30 * k, y, x0 + 30 * k, y), fill=hull
    )
    g.d.line(
        g.s(x0 + 10 * k, y - h * 0.4, x1 + 30 * k, y - h * 0.75),
        fill=mix(stripe, (20, 40, 80), 0.6),
        width=g.w(4 * k),
    )
    if motor:
        g.d.polygon(
            g.s(x0 + 60 * k, y - h, x0 + 90 * k, y - h - 44 * k, x1 - 40 * k, y - h - 48 * k)
            + g.s(x1 + 20 * k, y - h - 10 * k),
            fill=cabin,
        )
        g.d.polygon(
            g.s(x0 + 110 * k, y - h - 12 * k, x0 + 124 * k, y - h - 36 * k)
            + g.s(x1 - 50 * k, y - h - 38 * k, x1 - 6 * k, y - h - 14 * k),
            fill=window,
        )
        g.d.polygon(
            g.s(x0 + 140 * k, y - h - 46 * k, x0 + 160 * k, y - h - 74 * k)
            + g.s(x1 - 110 * k, y - h - 76 * k, x1 - 80 * k, y - h - 48 * k),
            fill=cabin,
        )
        g.d.polygon(
            g.s(x0 + 176 * k, y - h - 52 * k, x0 + 188 * k, y - h - 68 * k)
            + g.s(x1 - 120 * k, y - h - 69 * k, x1 - 100 * k, y - h - 53 * k),
            fill=window,
        )
        g.d.line(
            g.s(x1 - 130 * k, y - h - 76 * k, x1 - 130 * k, y - h - 110 * k),
            fill=cabin,
            width=g.w(3 * k),
        )
    else:
        g.d.rounded_rectangle(
            g.s(x0 + 110 * k, y - h - 24 * k, x1 - 90 * k, y - h + 2), radius=g.w(8 * k), fill=cabin
        )
        for i in range(5):
            wx = x0 + 130 * k + i * 36 * k
            g.d.rounded_rectangle(
                g.s(wx, y - h - 16 * k, wx + 20 * k, y - h - 8 * k), radius=g.w(3 * k), fill=window
            )
        mast_x = x0 + 230 * k
        top = y - h - 360 * k
        sail = (255, 253, 246) if not pal.boat_lit else mix(hex_rgb(pal.sky[2]), (255,) * 3, 0.35)
        g.d.polygon(
            g.s(mast_x + 6 * k, top + 14 * k, mast_x + 6 * k, y - h - 40 * k)
            + g.s(x1 - 30 * k, y - h - 40 * k),
            fill=sail,
        )
        g.d.polygon(
            g.s(mast_x - 6 * k, top + 30 * k, mast_x - 6 * k, y - h - 46 * k)
            + g.s(x0 + 40 * k, y - h - 46 * k),
            fill=mix(sail, (0, 0, 0), 0.08),
        )
        g.d.line(g.s(mast_x, y - h, mast_x, top), fill=cabin, width=g.w(5 * k))
        g.d.line(g.s(mast_x, top, x1 + 60 * k, y - h - 12 * k), fill=cabin, width=g.w(1.5 * k))


def draw_pirate_ship(g: Surface, pal: Palette, x, y, k):
    hull = (92, 52, 30) if not pal.boat_lit else mix(hex_rgb(pal.near), (60, 30, 20), 0.4)
    wood = (60, 36, 20)
    sail = (244, 236, 214)
    length = 520 * k
    x0, x1 = x - length / 2, x + length / 2
    h = 70 * k
    g.d.polygon(
        g.s(x0 - 20 * k, y - h - 30 * k, x0 + 60 * k, y - h, x1 - 40 * k, y - h)
        + g.s(x1 + 50 * k, y - h - 20 * k, x1 - 10 * k, y, x0 + 40 * k, y),
        fill=hull,
    )
    g.d.line(
        g.s(x0 + 30 * k, y - h * 0.5, x1 + 10 * k, y - h * 0.5),
        fill=(212, 170, 60),
        width=g.w(4 * k),
    )
    for i in range(7):  # gun ports
        px = x0 + 80 * k + i * 55 * k
        g.d.rectangle(g.s(px, y - h * 0.42, px + 16 * k, y - h * 0.42 + 12 * k), fill=(30, 18, 10))
    g.d.line(
        g.s(x1 + 50 * k, y - h - 20 * k, x1 + 130 * k, y - h - 60 * k), fill=wood, width=g.w(4 * k)
    )
    masts = [x0 + 130 * k, x0 + 270 * k, x0 + 410 * k]
    for i, mx in enumerate(masts):
        top = y - h - (300 - abs(i - 1) * 50) * k
        g.d.line(g.s(mx, y - h, mx, top), fill=wood, width=g.w(6 * k))
        for j in range(3 if i == 1 else 2):
            sy = top + 34 * k + j * 78 * k
            sw = (46 + j * 8) * k
            g.d.polygon(
                g.s(
                    mx - sw, sy, mx + sw, sy, mx + sw * 1.1, sy + 60 * k, mx - sw * 1.1, sy + 60 * k
                ),
                fill=sail,
            )
            g.d.line(g.s(mx - sw * 1.1, sy, mx + sw * 1.1, sy), fill=wood, width=g.w(3 * k))
        if i == 1:  # the jolly roger
            g.d.rectangle(g.s(mx, top, mx + 46 * k, top + 28 * k), fill=(20, 20, 22))
            g.d.ellipse(g.s(mx + 16 * k, top + 5 * k, mx + 30 * k, top + 17 * k), fill=(240,) * 3)
            g.d.line(
                g.s(mx + 12 * k, top + 23 * k, mx + 34 * k, top + 19 * k),
                fill=(240,) * 3,
                width=g.w(2 * k),
            )


def draw_boat(c: Canvas, pal: Palette, scene: Scene):
    if not scene.boat:
        return
    k = scene.boat_scale
    x = scene.boat_x * WIDTH
    y = HORIZON + (HEIGHT - HORIZON) * 0.66
    # its shadow on the water, blurred small
    shadow = c.layer(y - 40 * k, y + 60 * k, x - 420 * k, x + 420 * k)
    small = Image.new("RGBA", (shadow.image.width // 8, shadow.image.height // 8), (0, 0, 0, 0))
    ImageDraw.Draw(small).ellipse(
        (small.width * 0.12, small.height * 0.35, small.width * 0.9, small.height * 0.7),
        fill=(0, 0, 0, 90),
    )
    small = small.filter(ImageFilter.GaussianBlur(2))
    shadow.image.paste(small.resize(shadow.image.size, Image.BILINEAR))
    c.paste(shadow)
    # a wake of foam behind the stern
    foam = hex_rgb(pal.wave)
    wake = c.layer(y - 30 * k, y + 30 * k, x - 700 * k, x)
    for i in range(40):
        t = i / 40
        wx = x - 250 * k - t * 330 * k
        wy = y + c.rng.uniform(-4, 10) * k
        wake.d.line(
            wake.s(wx, wy, wx + 46 * k * (1 - t), wy),
            fill=(*foam, round(170 * (1 - t))),
            width=wake.w(2),
        )
    c.paste(wake)
    if scene.boat in ("motor", "canal"):
        draw_motor_ship(c, pal, x, y, k, canal=scene.boat == "canal")
    elif scene.boat in ("yacht", "motor_yacht"):
        draw_yacht(c, pal, x, y, k, motor=scene.boat == "motor_yacht")
    elif scene.boat == "pirate":
        draw_pirate_ship(c, pal, x, y, k)
    if "garland" in scene.extras:
        colours = [(255, 209, 102), (239, 71, 111), (6, 214, 160), (159, 211, 255)]
        for i in range(24):
            t = i / 23
            small_light(
                c,
                x - 240 * k + t * 480 * k,
                y - 150 * k - math.sin(t * math.pi) * 40 * k,
                colours[i % 4],
            )


# --- extras --------------------------------------------------------------------------


def draw_fireworks(c: Canvas):
    colours = ["#ffd166", "#ef476f", "#06d6a0", "#9fd3ff", "#ffffff", "#ff9f1c"]
    for _ in range(5):
        x = c.rng.uniform(0.12, 0.88) * WIDTH
        y = c.rng.uniform(0.1, 0.33) * HEIGHT
        colour = c.rng.choice(colours)
        rgb = hex_rgb(colour)
        r = c.rng.uniform(70, 130)
        glow(c, x, y, r * 2.2, colour, 80)
        rays = c.rng.randint(22, 34)
        for i in range(rays):
            a = math.tau * i / rays + c.rng.uniform(-0.05, 0.05)
            rr = r * c.rng.uniform(0.75, 1.05)
            for j in range(6):
                t0, t1 = 0.25 + j * 0.12, 0.32 + j * 0.12
                c.d.line(
                    c.s(x + math.cos(a) * rr * t0, y + math.sin(a) * rr * t0 + t0 * 10)
                    + c.s(x + math.cos(a) * rr * t1, y + math.sin(a) * rr * t1 + t1 * 10),
                    fill=mix(rgb, hex_rgb("#0d1b42"), j / 7),
                    width=c.w(2),
                )


def draw_gulls(c: Canvas, pal: Palette):
    colour = mix(hex_rgb(pal.near), (0, 0, 0), 0.2)
    for _ in range(c.rng.randint(3, 6)):
        x = c.rng.uniform(0.1, 0.9) * WIDTH
        y = c.rng.uniform(0.12, 0.35) * HEIGHT
        s = c.rng.uniform(9, 17)
        c.d.line(
            c.s(x - s, y - s * 0.3, x - s * 0.4, y - s * 0.5, x, y),
            fill=colour,
            width=c.w(2),
            joint="curve",
        )
        c.d.line(
            c.s(x, y, x + s * 0.4, y - s * 0.5, x + s, y - s * 0.3),
            fill=colour,
            width=c.w(2),
            joint="curve",
        )


def draw_snow(c: Canvas):
    layer = c.layer(colour=(255, 255, 255))
    for _ in range(700):
        x, y = c.rng.uniform(0, WIDTH), c.rng.uniform(0, HEIGHT)
        r = c.rng.choice([1.0, 1.4, 1.8, 2.4, 3.2])
        layer.d.ellipse(
            layer.s(x - r, y - r, x + r, y + r), fill=(255, 255, 255, c.rng.randint(120, 230))
        )
    c.paste(layer)


def vignette(image: Image.Image) -> Image.Image:
    small = Image.new("L", (160, 100), 0)
    ImageDraw.Draw(small).ellipse((-40, -36, 200, 136), fill=255)
    mask = small.filter(ImageFilter.GaussianBlur(16)).resize(image.size, Image.BICUBIC)
    dark = Image.new("RGB", image.size, (6, 10, 24))
    return Image.composite(image, dark, mask.point(lambda v: round(150 + v * 105 / 255)))


def render_scene(scene: Scene) -> Image.Image:
    rng = random.Random(f"prichal-demo:{scene.key}")
    pal = PALETTES[scene.palette]
    c = Canvas(rng)
    draw_sky(c, pal)
    draw_sun_or_moon(c, pal)
    draw_clouds(c, pal)
    if "fireworks" in scene.extras:
        draw_fireworks(c)
    if "gulls" in scene.extras:
        draw_gulls(c, pal)
    draw_skyline(c, pal, scene)
    draw_water(c, pal)
    draw_waves(c, pal)
    draw_bridge(c, pal, scene)
    draw_boat(c, pal, scene)
    if "snow" in scene.extras:
        draw_snow(c)
    image = c.image.convert("RGB").reduce(SCALE)  # a box filter: the anti-aliasing
    return vignette(image)


def render_jpeg(scene: Scene, quality: int = 86) -> bytes:
    buffer = io.BytesIO()
    render_scene(scene).save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()
