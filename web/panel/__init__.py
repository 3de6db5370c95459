"""The staff panel (HTML): login, logout, the dashboard."""

from __future__ import annotations

from aiohttp import web

from web.panel import imports, schools_new, views
from web.panel.academy import setup_academy
from web.panel.account import setup_account
from web.panel.deliveries import setup_deliveries
from web.panel.division_groups import setup_division_groups
from web.panel.follow_up import setup_follow_up
from web.panel.grid import setup_grid
from web.panel.invitations import setup_invitations
from web.panel.legal import setup_legal
from web.panel.lessons import setup_lessons
from web.panel.letters import setup_letters
from web.panel.origin import setup_origin_check
from web.panel.outbox import setup_outbox
from web.panel.period_exports import setup_period_exports
from web.panel.problems import setup_problems
from web.panel.render import ENVIRONMENT, STATIC, make_environment
from web.panel.replies import setup_replies
from web.panel.reply_answer import setup_reply_answer
from web.panel.roll_call import setup_roll_call
from web.panel.settings import setup_settings
from web.panel.stats import setup_stats
from web.panel.stats_reports import setup_stats_reports
from web.panel.templates import setup_templates


def setup(app: web.Application) -> None:
    """Mount the panel's routes on ``app``."""
    app[ENVIRONMENT] = make_environment()
    setup_problems(app)
    setup_origin_check(app)
    app.router.add_get("/login", views.login_form)
    app.router.add_post("/login", views.login_submit)
    app.router.add_post("/logout", views.logout)
    app.router.add_get("/", views.home)
    imports.setup(app)
    schools_new.setup(app)
    setup_grid(app)
    setup_roll_call(app)
    setup_lessons(app)
    setup_account(app)
    setup_invitations(app)
    setup_settings(app)
    setup_follow_up(app)
    setup_legal(app)
    setup_academy(app)
    setup_stats(app)
    setup_stats_reports(app)
    setup_deliveries(app)
    setup_letters(app)
    setup_replies(app)
    setup_reply_answer(app)
    setup_outbox(app)
    setup_templates(app)
    setup_division_groups(app)
    setup_period_exports(app)
    app.router.add_static("/static", STATIC)
