"""A letter's PDF loads nothing from the network nor the disk: only data: URIs, and the local
files the caller names."""

from __future__ import annotations

import asyncio
import base64
import io
from pathlib import Path

import pypdf
from aiohttp import web
from aiohttp.test_utils import TestServer
from PIL import Image

from gateway.letter.pdf import letter_html, render_letter_pdf

ADDRESS = ["Mme Zoé Dupont", "12 rue des Lilas", "75011 Paris"]


def _png(colour: str = "blue") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (6, 6), colour).save(buffer, "PNG")
    return buffer.getvalue()


def _images(pdf: bytes) -> int:
    return sum(len(page.images) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


async def test_remote_and_file_urls_are_never_fetched(tmp_path: Path) -> None:
    requests: list[str] = []

    async def serve(request: web.Request) -> web.Response:
        requests.append(request.path)
        return web.Response(body=_png(), content_type="image/png")

    app = web.Application()
    app.router.add_get("/{name}", serve)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    local = tmp_path / "secret.png"
    local.write_bytes(_png())
    try:
        base = str(server.make_url("")).rstrip("/")
        content = (
            f'<p>Bonjour</p><img src="{base}/pixel.png"><img src="{local.as_uri()}">'
            f'<link rel="stylesheet" href="{base}/style.css">'
            f'<p style="background: url({base}/bg.png)">x</p>'
        )
        html = letter_html(content, ADDRESS)
        pdf = await asyncio.to_thread(render_letter_pdf, html, base_url=f"{base}/")
    finally:
        await server.close()
    assert requests == []
    assert _images(pdf) == 0
    assert "Bonjour" in pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


async def test_data_uris_and_the_files_named_are_loaded(tmp_path: Path) -> None:
    local = tmp_path / "logo.png"
    local.write_bytes(_png("green"))
    uri = "data:image/png;base64," + base64.b64encode(_png()).decode()
    html = letter_html(f'<img src="{uri}"><img src="{local.as_uri()}">', ADDRESS)
    assert _images(await asyncio.to_thread(render_letter_pdf, html)) == 1  # the data URI
    assert _images(await asyncio.to_thread(render_letter_pdf, html, files=[local])) == 2
