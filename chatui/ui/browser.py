"""Opening a web link in the user's browser without freezing or garbling the screen.

Python's :mod:`webbrowser` picks the browser (``$BROWSER``, the desktop's default
through ``xdg-open``, a known browser on the ``PATH``). Textual's own
``App.open_url`` calls it on the event loop; chatui does not, for three reasons:

* finding the browser may run programs (``xdg-settings``) and a browser started
  with a plain command is waited for: both would freeze the app, so the lookup and
  the start run in a thread;
* a browser started by a command writes its chatter (GTK warnings, "Opening in
  existing browser session.") to the terminal the app draws on: such commands are
  started here with their output sent nowhere (webbrowser's ``GenericBrowser`` and
  ``BackgroundBrowser``, the kinds ``$BROWSER`` and ``xdg-open`` are);
* on a machine without a desktop, webbrowser picks a browser that runs *in* the
  terminal (lynx, w3m): it gets the terminal to itself, the app suspended
  meanwhile, as an editor would.

Only http(s) links ever get here (chatui.core.links.openable, checked by the app).
When no browser can be started, the user is told so, with the link to copy.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App

log = logging.getLogger(__name__)

CONSOLE_BROWSERS = frozenset(
    {"www-browser", "links", "links2", "elinks", "lynx", "w3m", "browsh", "carbonyl"}
)
"""Browsers that draw in the terminal they are started from."""


def open_in_browser(app: App[Any], url: str) -> None:
    """Hand ``url`` to the user's browser, in the background (see the module)."""
    threading.Thread(target=_find_and_open, args=(app, url), name="open-link", daemon=True).start()


def is_console_browser(browser: object) -> bool:
    """Does this webbrowser controller run its browser in our terminal?"""
    name = getattr(browser, "basename", None) or getattr(browser, "name", "") or ""
    return os.path.basename(str(name)) in CONSOLE_BROWSERS


def _find_and_open(app: App[Any], url: str) -> None:
    import webbrowser

    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        _tell(app, url)
        return
    if is_console_browser(browser):
        _on_app(app, _open_suspended, app, browser, url)
        return
    try:
        if isinstance(browser, webbrowser.GenericBrowser):
            opened = _start_quietly(browser, url)
        else:  # a browser webbrowser drives itself (remote commands, macOS)
            opened = bool(browser.open(url))
    except Exception:
        log.exception("could not start the web browser")
        opened = False
    if not opened:
        _tell(app, url)


def _start_quietly(browser: Any, url: str) -> bool:
    """What webbrowser's GenericBrowser and BackgroundBrowser run, with their
    output sent nowhere instead of over the app's screen."""
    import webbrowser

    command = [browser.name] + [arg.replace("%s", url) for arg in browser.args]
    process = subprocess.Popen(  # the user's own browser command
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        close_fds=True,
        start_new_session=True,
    )
    if isinstance(browser, webbrowser.BackgroundBrowser):
        return process.poll() is None or process.returncode == 0
    return process.wait() == 0


def _open_suspended(app: App[Any], browser: Any, url: str) -> None:
    """A terminal browser: the app steps aside until it is closed."""
    try:
        with app.suspend():
            opened = bool(browser.open(url))
    except Exception:  # no suspending here (a web driver, a test), or no browser
        log.exception("could not run the terminal browser")
        opened = False
    if not opened:
        _notify(app, url)


def _tell(app: App[Any], url: str) -> None:
    _on_app(app, _notify, app, url)


def _notify(app: App[Any], url: str) -> None:
    app.notify(
        f"No web browser could be started. The link: {url}",
        title="Link not opened",
        severity="warning",
        timeout=15,
        markup=False,
    )


def _on_app(app: App[Any], callback: Any, *args: Any) -> None:
    with contextlib.suppress(RuntimeError):  # the app has ended: nobody to tell
        app.call_from_thread(callback, *args)
