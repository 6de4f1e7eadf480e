"""Sections of the case page that belong to an app on a floor above (the prepared return):
the app registers its panel, and the case page shows it without importing that app."""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest

from cases.models import Case


@dataclass(frozen=True)
class Panel:
    template: str
    # (request, case, what the page knows: can_work, in_support) -> the names its template
    # reads, or None when it has nothing to show
    context: Callable[[HttpRequest, Case, dict], dict | None]


CASE_PANELS: list[Panel] = []


def register_panel(panel: Panel) -> None:
    CASE_PANELS.append(panel)


def panels_for(request: HttpRequest, case: Case, facts: dict) -> tuple[list[str], dict]:
    """The templates of the panels with something to show on this case, and their context,
    which joins the page's (so each panel's names are its own: prepared_return, ...)."""
    templates, context = [], {}
    for panel in CASE_PANELS:
        shown = panel.context(request, case, facts)
        if shown is not None:
            templates.append(panel.template)
            context.update(shown)
    return templates, context
