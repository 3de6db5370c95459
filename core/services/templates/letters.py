"""Letters in HTML: the sanitiser of what the editor sends, the shipped default letters, the
letterhead with the school's logo, and the rendering of a letter's merge fields.

A school's letter (``LetterTemplate.html``) comes from a WYSIWYG editor, so it is untrusted
twice: the HTML is cleaned with nh3 (ammonia) when it is saved AND after its merge fields are
rendered, keeping text formatting, lists, tables and images whose source is a ``data:`` URI of
a PNG, JPEG or GIF or the school's logo (:func:`logo_src`, replaced by the logo itself when the
letter is printed). The merge fields render in the sandbox with HTML autoescape; the PDF
renderer (gateway/letter) fetches nothing but ``data:`` URIs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from functools import lru_cache
from html import escape, unescape
from pathlib import Path

import nh3

from core.services.ports import Renderer
from core.siecle.phones import printed_phone

LETTERS = Path(__file__).resolve().parents[3] / "templates" / "letters"
MAX_IMAGE_BYTES = 512 * 1024  # one image pasted into a letter
LOGO_MAX_BYTES = 200 * 1024
LOGO_TYPES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}
DATA_IMAGE = re.compile(r"data:image/(png|jpeg|gif);base64,([A-Za-z0-9+/=\s]+)\Z")
JINJA_BLOCK = re.compile(r"{{.*?}}|{%.*?%}", re.DOTALL)
# A jinja ``autoescape`` block around the letter: the same sandboxed renderer as every other
# template, escaping the merged values as HTML (a guardian's name with "<" stays text).
AUTOESCAPE = ("{% autoescape true %}", "{% endautoescape %}")

TAGS = frozenset(
    {"p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "h1", "h2", "h3", "h4"}
    | {"ul", "ol", "li", "blockquote", "hr", "img"}
    | {"table", "thead", "tbody", "tr", "td", "th"}
)
_ALIGN = {"ql-align-center", "ql-align-right", "ql-align-justify"}
_INDENT = {f"ql-indent-{n}" for n in range(1, 9)}
CLASSES = {tag: _ALIGN | _INDENT for tag in ("p", "h1", "h2", "h3", "h4", "li", "blockquote")}
ATTRIBUTES = {
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "data-row"},
    "th": {"colspan", "rowspan"},
}


def logo_src(uai: str) -> str:
    """How a letter names the school's logo (the panel serves the image at this path)."""
    return f"/s/{uai}/templates/logo"


def _image_ok(value: str, logo: str | None) -> bool:
    if logo is not None and value == logo:
        return True
    found = DATA_IMAGE.match(value)
    return found is not None and len(found.group(2)) * 3 // 4 <= MAX_IMAGE_BYTES


def sanitise(html: str, *, logo: str | None = None) -> str:
    """``html`` with only the allowed tags, classes and attributes; scripts and styles removed
    with their content; images kept only from ``data:`` URIs or the ``logo`` reference."""

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            return value if _image_ok(value, logo) else None
        if attribute in {"width", "height", "colspan", "rowspan"}:
            return value if value.isdigit() and len(value) <= 4 else None
        return value

    return nh3.clean(
        html,
        tags=set(TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        allowed_classes={tag: set(names) for tag, names in CLASSES.items()},
        tag_attribute_values={"li": {"data-list": {"bullet", "ordered"}}},
        attribute_filter=keep,
        url_schemes={"data"},
        link_rel=None,
        strip_comments=True,
    )


def clean_letter_source(html: str, *, logo: str) -> str:
    """What the editor sent, as it is stored: sanitised, then the merge fields given back the
    characters the HTML serialiser escaped (``{{ a > b }}`` arrives as ``{{ a &gt; b }}``)."""
    cleaned = sanitise(html, logo=logo)
    return JINJA_BLOCK.sub(lambda m: unescape(m.group(0)).replace("\xa0", " "), cleaned).strip()


def autoescaped(source: str) -> str:
    """The letter's source as it renders: its merge fields escaped as HTML."""
    return AUTOESCAPE[0] + source + AUTOESCAPE[1]


def clean_rendered(rendered: str, *, uai: str) -> str:
    """A rendered letter sanitised again; the logo stays a reference (:func:`with_logo` puts
    the image in)."""
    return sanitise(rendered, logo=logo_src(uai))


def render_letter(source: str, values: dict[str, object], render: Renderer, *, uai: str) -> str:
    """The letter's HTML with its merge fields (escaped), sanitised again."""
    return clean_rendered(render(autoescaped(source), values), uai=uai)


def with_logo(html: str, uai: str, logo: str | None) -> str:
    """The logo reference replaced by the logo's data URI (or dropped when there is none)."""
    reference = f'src="{logo_src(uai)}"'
    if logo:
        return html.replace(reference, f'src="{escape(logo)}"')
    return re.sub(f"<img[^>]*{re.escape(reference)}[^>]*>", "", html)


def text_of(html: str) -> str:
    """The plain text of a letter (its ``body``, for lists and logs)."""
    spaced = re.sub(r"</(p|h\d|li|tr)>|<br\s*/?>", "\n", html)
    return unescape(nh3.clean(spaced, tags=set())).strip()


def text_to_html(text: str) -> str:
    """A plain-text letter as HTML paragraphs (what the editor starts from without an HTML
    default)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(f"<p>{_escaped_text(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def _escaped_text(text: str) -> str:
    """``text`` escaped as HTML, its merge fields kept as they are (a quoted default in one)."""
    parts, last = [], 0
    for found in JINJA_BLOCK.finditer(text):
        parts += [escape(text[last : found.start()]), found.group(0)]
        last = found.end()
    return "".join([*parts, escape(text[last:])])


@lru_cache(maxsize=64)
def default_letter(kind: str, language: str) -> str | None:
    """The shipped HTML letter ``templates/letters/<kind>.<language>.html``, or None."""
    path = LETTERS / f"{kind}.{language}.html"
    return path.read_text(encoding="utf-8") if path.is_file() else None


def logo_data_uri(content: bytes) -> str:
    """A logo upload as a data URI; raises ValueError (too large, not a PNG nor a JPEG)."""
    if len(content) > LOGO_MAX_BYTES:
        raise ValueError(f"the logo weighs more than {LOGO_MAX_BYTES // 1024} KB")
    for mime, magic in LOGO_TYPES.items():
        if content.startswith(magic):
            return f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"
    raise ValueError("the logo must be a PNG or JPEG image")


def logo_bytes(data_uri: str) -> tuple[str, bytes] | None:
    """(mime type, content) of a stored logo, or None when it is not one."""
    found = re.fullmatch(r"data:(image/png|image/jpeg);base64,([A-Za-z0-9+/=]+)", data_uri)
    if found is None:
        return None
    try:
        return found.group(1), base64.b64decode(found.group(2), validate=True)
    except binascii.Error:
        return None


def for_audit(html: str) -> str:
    """``html`` with each data URI replaced by its digest: audit rows stay small."""

    def digest(found: re.Match[str]) -> str:
        return f"data:sha256,{hashlib.sha256(found.group(0).encode()).hexdigest()[:16]}"

    return re.sub(r"data:[a-z/+.-]+;base64,[A-Za-z0-9+/=]+", digest, html)


def _letterhead_lines(letterhead: dict[str, object]) -> list[str]:
    raw = letterhead.get("lines")
    lines = [str(line) for line in raw] if isinstance(raw, list) else []
    town = f"{letterhead.get('postal_code', '')} {letterhead.get('city', '')}".strip()
    phone, email = letterhead.get("phone"), letterhead.get("email")
    shown = printed_phone(str(phone)) if phone else ""
    return [*lines, town, f"Tél. {shown}" if shown else "", str(email or "")]


def letterhead_html(name: str, letterhead: dict[str, object]) -> str:
    """The letterhead block: the logo (a data URI), the school's name, address and contacts."""
    logo = letterhead.get("logo")
    shown = isinstance(logo, str) and logo.startswith("data:image/")
    image = f'<img class="logo" src="{escape(str(logo))}" alt="">' if shown else ""
    details = "<br>".join(escape(line) for line in _letterhead_lines(letterhead) if line)
    return (
        f'{image}<p class="school-name">{escape(name)}</p><p class="school-address">{details}</p>'
    )
