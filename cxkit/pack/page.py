"""The page protocol: what every report page object offers, in one shape.

A page computes its analyses once, from the canonical tables, when it is built; then it offers

- ``findings``: plain-language findings (list of str), claiming only what its tests support;
- ``alt``: the alt text of each figure (dict), stating the figure's finding, not its type;
- ``results()``: its part of ``results.json`` (dict keyed by the documented top-level keys);
- ``sections``: the page's sections in page order (dict name -> :class:`Section`);
- ``show(name)``: one section's display object (a table, a figure, a result object), which the
  page's notebook shows under the section's heading;
- ``_repr_html_``: a compact summary in JupyterLab (title, month, findings, section names);
- ``skipped``: the sections shown so far that the data could not give, with the reason;
- ``save_results(path)``: writes ``results()`` and ``skipped`` for the pack runner.

Sections stand alone (issue 23): a section whose result the data cannot give (its builder raises
a :class:`~cxkit.errors.CxkitError` such as :class:`~cxkit.errors.NotEnoughDataError`, or it
would show an empty table or empty axes) shows one :class:`~cxkit.display.Unavailable` sentence
saying what is missing, and the page's other sections build as usual. Only a programming error
(any other exception) fails the notebook. A page keeps the results it could not compute in
``unavailable`` (name -> reason); :meth:`ReportPage.need` turns one into the section's sentence.

A page class declares its sections with :func:`section`, in the order the page shows them:

>>> class Example(ReportPage):
...     title = "Example"
...     @section("table")
...     def _table(self):
...         import pandas as pd
...         from cxkit.display import table
...         return table(pd.DataFrame({"n": [1]}))
>>> page = Example()
>>> list(page.sections), page.show("table").text
(['table'], 'n\\n1')

The notebooks stay thin: one page object per notebook, one ``page.show(name)`` per section.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from os import PathLike
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from .. import i18n
from ..display import SafeDisplay, Unavailable, safe_text
from ..display import findings as findings_list
from ..errors import CxkitError, NotEnoughDataError
from ..i18n import tr, tr_html, translate

__all__ = ["ReportPage", "Section", "section"]

_Method = TypeVar("_Method", bound=Callable[..., Any])


@dataclass(frozen=True)
class Section:
    """One section of a page: its ``name`` and the method that builds what it shows."""

    name: str
    build: Callable[[Any], Any]
    doc: str = ""


def section(name: str) -> Callable[[_Method], _Method]:
    """Declare a page method as the section ``name`` (sections keep their declaration order)."""

    def mark(method: _Method) -> _Method:
        method.__cxkit_section__ = name  # type: ignore[attr-defined]  # mypy does not model attributes set on functions
        return method

    return mark


class ReportPage(SafeDisplay):
    """Base class of the report pages (see the module docstring for the protocol)."""

    #: The page's title, as the pack's index lists it.
    title: ClassVar[str] = ""
    #: The report month (``YYYY-MM``); set by the page when it is built.
    month: str
    if TYPE_CHECKING:
        # A page sets these as attributes or computes them as properties: read-only for type
        # checkers, which both kinds of page satisfy (they are not declared at run time).

        @property
        def findings(self) -> list[str]:
            """Plain-language findings; only significant effects, changes and differences are claimed."""

        @property
        def alt(self) -> dict[str, str]:
            """Alt text of each figure, keyed by section name."""

    def results(self) -> dict[str, Any]:
        """The page's part of ``results.json``."""
        return {}

    @property
    def sections(self) -> dict[str, Section]:
        """The page's sections in page order."""
        found: dict[str, Section] = {}
        for cls in reversed(type(self).__mro__):
            for attribute in vars(cls).values():
                name = getattr(attribute, "__cxkit_section__", None)
                if name is not None:
                    found[name] = Section(name, attribute, (attribute.__doc__ or "").strip())
        return found

    def show(self, name: str) -> Any:
        """The display object of section ``name`` (a table, a figure or a result object), or
        an :class:`~cxkit.display.Unavailable` sentence when the data cannot give it."""
        sections = self.sections
        if name not in sections:
            raise KeyError(f"{type(self).__name__} has no section {name!r}; its sections are {', '.join(sections)}.")
        try:
            shown = sections[name].build(self)
        except CxkitError as error:  # the data cannot give this section; programming errors propagate
            shown = Unavailable(str(error))
        if isinstance(shown, Unavailable):
            reason = shown.reason
            if reason in self.skipped.values():  # said in full once, under the first section it stops
                shown = Unavailable(tr("for the same reason as the section above that names it."))
                shown.reason = reason  # what is missing, for results.json and the caller
            self.skipped[name] = reason
        return shown

    @property
    def skipped(self) -> dict[str, str]:
        """The sections shown so far as an :class:`~cxkit.display.Unavailable` sentence:
        name -> what was missing."""
        return self.__dict__.setdefault("_skipped", {})

    @property
    def unavailable(self) -> dict[str, str]:
        """Results the page could not compute from the data (name -> the reason, a sentence
        saying what is missing and what would make it possible)."""
        return self.__dict__.setdefault("_unavailable", {})

    def attempt(self, name: str, compute: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``compute(*args, **kwargs)``, or None when the data cannot give it (a
        :class:`~cxkit.errors.CxkitError`): the reason is kept in ``unavailable[name]`` for the
        sections that need it. Any other exception is a programming error and propagates."""
        try:
            return compute(*args, **kwargs)
        except CxkitError as error:
            self.unavailable[name] = str(error)
            return None

    def need(self, value: Any, name: str) -> Any:
        """``value``, or the :class:`~cxkit.errors.NotEnoughDataError` of the result ``name``
        the page could not compute (its section then shows the reason)."""
        if value is None or name in self.unavailable:
            raise NotEnoughDataError(
                self.unavailable.get(
                    name, tr("{result} cannot be computed from the data at hand.", result=name.replace("_", " "))
                )
            )
        return value

    def save_results(self, path: str | PathLike[str] | None) -> None:
        """Write the page's ``results()`` and the sections it skipped (``skipped_sections``:
        a list of ``{section, reason}``) as the notebook's part of ``results.json``."""
        from .results import save_results

        skipped = [{"section": name, "reason": reason} for name, reason in self.skipped.items()]
        save_results(path, **self.results(), skipped_sections=skipped)

    def _repr_html_(self) -> str:
        month = getattr(self, "month", "")
        title = translate(self.title) if self.title else ""
        head = f"<h3>{safe_text(title)}{', ' + safe_text(i18n.month(month)) if month else ''}</h3>"
        names = ", ".join(safe_text(name) for name in self.sections)
        return (
            head
            + findings_list(getattr(self, "findings", [])).html
            + f'<p class="cx-note">{tr_html("Sections (page.show(name)):")} {names}</p>'
        )

    def __repr__(self) -> str:
        found = "\n".join(f"- {item}" for item in getattr(self, "findings", []))
        return (
            f"{type(self).__name__}({getattr(self, 'month', '') or 'no month'}): {self.title}\n{found}\n"
            f"sections: {', '.join(self.sections)}"
        )
