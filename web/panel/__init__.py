"""The staff panel (HTML): login, logout, the dashboard."""

from __future__ import annotations

from aiohttp import web

from web.panel import views
from web.panel.render import ENVIRONMENT, STATIC, make_environment


def setup(app: web.Application) -> None:
    """Mount the panel's routes on ``app``."""
    app[ENVIRONMENT] = make_environment()
    app.router.add_get("/login", views.login_form)
    app.router.add_post("/login", views.login_submit)
    app.router.add_post("/logout", views.logout)
    app.router.add_get("/", views.home)
    app.router.add_static("/static", STATIC)
